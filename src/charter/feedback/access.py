"""Who may see and do what with feedback and badges. Every rule defaults to deny.

Visibility of one piece of feedback, as its giver chose it:
- private: the recipient, and the giver who wrote it; nobody else (not their managers, admins
  or executives, not through the API);
- managers: besides, everyone above the recipient in the reporting line;
- public (praise only): everyone in the organization.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from charter.feedback.models import Badge, Feedback, FeedbackRequest, Visibility
from charter.org.access import can_manage_org, can_write, person_of, subtree_ids
from charter.org.models import Person


def visibility_filter(me: Person) -> Q:
    """The feedback `me` may read, as a filter (the recipient's managers above are those whose
    reporting subtree holds the recipient)."""
    below = subtree_ids(me) - {me.pk}
    return Q(org_id=me.org_id) & (
        Q(visibility=Visibility.PUBLIC)
        | Q(recipient_id=me.pk)
        | Q(giver_id=me.pk)
        | Q(visibility=Visibility.MANAGERS, recipient_id__in=below)
    )


def visible_feedback(user: Any) -> QuerySet[Feedback]:
    me = person_of(user)
    if me is None:
        return Feedback.objects.none()
    return Feedback.objects.filter(visibility_filter(me))


def can_see_feedback(user: Any, feedback: Feedback) -> bool:
    me = person_of(user)
    if me is None:
        return False
    if feedback.org_id != me.org_id:
        return False
    if me.pk in (feedback.giver_id, feedback.recipient_id):
        return True
    if feedback.visibility == Visibility.PUBLIC:
        return True
    if feedback.visibility != Visibility.MANAGERS:
        return False
    return feedback.recipient_id in subtree_ids(me) - {me.pk}


def can_give_feedback(user: Any) -> bool:
    """Anyone in an organization who may write (executives read only)."""
    return person_of(user) is not None and can_write(user)


def can_read_person_feedback(user: Any, person: Person) -> bool:
    """Open a person's received or given page (it lists only what the viewer may read)."""
    me = person_of(user)
    if me is None:
        return False
    return person.org_id == me.org_id


def can_ask_about(user: Any, subject: Person) -> bool:
    """Ask for feedback about oneself, or, as a manager, about someone below."""
    me = person_of(user)
    if me is None or not can_write(user):
        return False
    if subject.org_id != me.org_id:
        return False
    return subject.pk in subtree_ids(me)


def visible_requests(user: Any) -> QuerySet[FeedbackRequest]:
    """Requests `user` asked, was asked, or is the subject of."""
    me = person_of(user)
    if me is None:
        return FeedbackRequest.objects.none()
    return FeedbackRequest.objects.filter(
        Q(asked_by_id=me.pk) | Q(asked_id=me.pk) | Q(subject_id=me.pk), org_id=me.org_id
    )


def can_answer(user: Any, request: FeedbackRequest) -> bool:
    me = person_of(user)
    if me is None or not can_write(user):
        return False
    if request.asked_id != me.pk:
        return False
    return request.is_open


def can_manage_badges(user: Any) -> bool:
    return can_manage_org(user)


def can_award(user: Any, person: Person) -> bool:
    """Admins award anyone in their organization; managers the people below them."""
    me = person_of(user)
    if me is None or not can_write(user):
        return False
    if person.org_id != me.org_id or person.pk == me.pk:
        return False
    if can_manage_org(user):
        return True
    return person.pk in subtree_ids(me)


def can_award_someone(user: Any) -> bool:
    me = person_of(user)
    if me is None or not can_write(user):
        return False
    return can_manage_org(user) or len(subtree_ids(me)) > 1


def visible_badges(user: Any) -> QuerySet[Badge]:
    me = person_of(user)
    if me is None:
        return Badge.objects.none()
    return Badge.objects.filter(org_id=me.org_id)
