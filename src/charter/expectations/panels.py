"""Home-page cards of the expectations app: what I still have to sign, and for managers the
questions waiting for an answer and how far their people are with signing."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from charter.core.registry import home_panel
from charter.expectations import selectors
from charter.expectations.access import can_answer_questions
from charter.expectations.models import SignatureRequest
from charter.org.access import people_in_scope_ids, person_of


@home_panel("expectations.to_sign", order=10, template="expectations/panels/to_sign.html")
def to_sign(user: Any) -> dict[str, Any] | None:
    me = person_of(user)
    if me is None:
        return None
    requests = list(selectors.open_requests(me))
    return {"requests": requests} if requests else None


@home_panel("expectations.team", order=20, template="expectations/panels/team.html")
def team(user: Any) -> dict[str, Any] | None:
    """For managers and admins: unanswered questions and open signatures below them."""
    me = person_of(user)
    if me is None or not can_answer_questions(user):
        return None
    unanswered = selectors.unanswered_questions_for_manager(user).count()
    open_requests = SignatureRequest.objects.filter(
        signed_at__isnull=True,
        superseded_at__isnull=True,
        person__is_active=True,
        person__org_id=me.org_id,
    ).exclude(person=me)
    below = people_in_scope_ids(user)
    if below is not None:
        open_requests = open_requests.filter(person_id__in=below)
    today = timezone.localdate()
    return {
        "unanswered": unanswered,
        "pending": open_requests.filter(due_date__gte=today).count(),
        "overdue": open_requests.filter(due_date__lt=today).count(),
    }
