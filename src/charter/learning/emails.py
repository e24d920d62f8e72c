"""The emails of the learning pillar: one function per kind (see `core.emails`)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from charter.core.emails import absolute_url, send
from charter.core.registry import email_topic

# The emails of this pillar a person may turn off, under the preference `tasks.py` asks.
email_topic("reminders", "certificates about to expire")
email_topic("team_alerts", "certificates in your team about to expire")


def certificate_expiring(*, certificate: Any, stage: str, to: Any) -> bool:
    """A certificate ends in 60, 30 or 7 days, or today: told to its holder or their manager."""
    context = {
        "certificate": certificate,
        "stage": stage,
        "holder": certificate.person,
        "to": to,
        "is_holder": to.pk == certificate.person_id,
        "link": absolute_url(reverse("learning:certificates")),
    }
    return send("certificate_expiring", to.email, context)
