"""Home-page cards of the expectations app: what I still have to sign, and for managers the
questions waiting for an answer and how far their people are with signing."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from charter.core.registry import home_panel
from charter.expectations import selectors
from charter.expectations.models import SignatureRequest
from charter.org.access import person_of, subtree_ids
from charter.org.models import Role


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
    if me is None or me.role not in (Role.MANAGER, Role.ADMIN):
        return None
    unanswered = selectors.unanswered_questions_for_manager(user).count()
    open_requests = SignatureRequest.objects.filter(
        signed_at__isnull=True, superseded_at__isnull=True, person__is_active=True
    ).exclude(person=me)
    if me.role == Role.MANAGER:
        open_requests = open_requests.filter(person_id__in=subtree_ids(me))
    today = timezone.localdate()
    return {
        "unanswered": unanswered,
        "pending": open_requests.filter(due_date__gte=today).count(),
        "overdue": open_requests.filter(due_date__lt=today).count(),
    }
