"""The emails of the reviews app: one function per kind (see `core.emails`)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from charter.core.emails import absolute_url, send
from charter.core.registry import email_topic

email_topic("team_alerts", "a review in your line that its person disagrees with")


def review_disagreement(*, review: Any, to: Any) -> bool:
    """The person disagreed with their review: told to their manager's manager."""
    context = {
        "review": review,
        "person": review.person,
        "manager": review.manager,
        "to": to,
        "link": absolute_url(reverse("reviews:review", args=[review.pk])),
    }
    return send("review_disagreement", to.email, context)


email_topic("reminders", "review phases about to be due: self reviews, manager reviews, sign-off")


def review_reminder(*, cycle: Any, person: Any, count: int) -> bool:
    """A phase of a cycle is due soon and `person` still owes `count` reviews in it."""
    context = {
        "cycle": cycle,
        "person": person,
        "count": count,
        "due": cycle.due_of(cycle.phase),
        "phase": cycle.get_phase_display(),
        "link": absolute_url(reverse("reviews:mine")),
    }
    return send("review_reminder", person.email, context)
