"""Home-page cards of the expectations app: what I still have to sign; for managers and admins
the signatures their people owe (with a reminder a click away) and the questions waiting for an
answer; for those who read coverage, how far each document's current version is signed."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from charter.core.registry import home_panel
from charter.expectations import selectors
from charter.expectations.access import can_answer_questions, can_remind_signer, can_view_coverage
from charter.org.access import person_of

# The signatures listed by name on the home page; the rest are counted and a click away on the
# coverage pages, so the card (and its queries) stay the same size however many are owed.
OWED_SHOWN = 8
QUESTIONS_SHOWN = 3


@home_panel("expectations.to_sign", order=10, template="expectations/panels/to_sign.html")
def to_sign(user: Any) -> dict[str, Any] | None:
    me = person_of(user)
    if me is None:
        return None
    requests = list(selectors.open_requests(me))
    return {"requests": requests} if requests else None


@home_panel("expectations.team", order=3, template="expectations/panels/team.html")
def team(user: Any) -> dict[str, Any] | None:
    """For managers and admins: who below them still owes a signature, overdue first, each with
    a one-click reminder, and the questions waiting for their answer."""
    me = person_of(user)
    if me is None or not can_answer_questions(user):
        return None
    today = timezone.localdate()
    unanswered = selectors.unanswered_questions_for_manager(user)
    owed = selectors.open_requests_below(user)
    shown = list(owed[:OWED_SHOWN])
    return {
        "unanswered": unanswered.count(),
        "questions": list(unanswered[:QUESTIONS_SHOWN]),
        "owed": [
            {
                "request": r,
                "overdue": r.due_date < today,
                "days_late": (today - r.due_date).days,
                "may_remind": can_remind_signer(user, r.person),
            }
            for r in shown
        ],
        "pending": owed.filter(due_date__gte=today).count(),
        "overdue": owed.filter(due_date__lt=today).count(),
    }


@home_panel("expectations.coverage", order=40, template="expectations/panels/coverage.html")
def coverage(user: Any) -> dict[str, Any] | None:
    """Acknowledgment coverage per document among the people the reader sees, least signed
    first."""
    if not can_view_coverage(user):
        return None
    documents = selectors.coverage_by_document(user)
    return {"documents": documents} if documents else None
