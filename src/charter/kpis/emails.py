"""The emails of the KPI pillar: one function per kind (see `core.emails`)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from charter.core.emails import absolute_url, send
from charter.core.registry import email_topic

# The emails of this pillar a person may turn off, under the preference `tasks.py` asks.
email_topic("targets", "changes to your targets, with who made them and why")


def target_changed(*, change: Any) -> bool:
    """A person hears that one of their targets changed: from what, to what, from when, why and
    by whom (`selectors.changes.TargetChange`)."""
    person = change.person
    link = absolute_url(
        reverse("kpis:target_history", args=[person.pk]) + f"?period={change.period_label}"
    )
    return send("target_changed", person.email, {"change": change, "link": link})
