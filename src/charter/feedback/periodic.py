"""`charter tick` jobs: reminders of feedback requests near their due date, and the badges
whose criteria the KPI engine's figures now meet."""

from __future__ import annotations

from charter.core.registry import periodic
from charter.feedback.services import badges, feedback


@periodic("feedback.request_reminders")
def request_reminders() -> str | None:
    sent = feedback.requests_remind()
    return f"{sent} feedback request reminders" if sent else None


@periodic("feedback.automatic_awards")
def automatic_awards() -> str | None:
    given = badges.awards_evaluate()
    return f"{given} badges awarded" if given else None
