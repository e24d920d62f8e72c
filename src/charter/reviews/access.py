"""Who may see and do what with reviews. Everything defaults to deny.

- the person reviewed: their own self review and, once shared, the manager review;
- the people above them in the reporting line (their manager, that manager's manager and up,
  whatever their role) and the manager who writes the review: both, as they are written;
- admins: templates and cycles (progress, not the reviews' answers unless in the line);
- executives outside the line, peers and managers of other lines: nothing of a review.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from charter.org.access import can_manage_org, person_of, subtree_ids
from charter.reviews.models import Phase, Response, Review


def can_manage_cycles(user: Any) -> bool:
    """Templates and cycles: create, edit, launch, advance, close."""
    return can_manage_org(user)


def _above(me: Any, review: Review) -> bool:
    """Whether `me` is in the reviewed person's reporting line above them (or writes it)."""
    if review.manager_id == me.pk:
        return True
    return review.person_id != me.pk and review.person_id in subtree_ids(me)


def can_view_review(user: Any, review: Review) -> bool:
    me = person_of(user)
    if me is None or me.org_id != review.cycle.org_id:
        return False
    return me.pk == review.person_id or _above(me, review)


def can_view_response(user: Any, response: Response) -> bool:
    me = person_of(user)
    review = response.review
    if me is None or me.org_id != review.cycle.org_id:
        return False
    if _above(me, review):
        return True
    if me.pk != review.person_id:
        return False
    return response.kind == Response.Kind.SELF or review.shared_at is not None


def can_write_response(user: Any, response: Response) -> bool:
    """The author, while the response is a draft and its phase is open."""
    me = person_of(user)
    if me is None or response.author_id != me.pk or response.submitted_at is not None:
        return False
    phase = Phase.SELF if response.kind == Response.Kind.SELF else Phase.MANAGER
    return response.review.cycle.phase == phase


def can_share(user: Any, review: Review) -> bool:
    me = person_of(user)
    return (
        me is not None
        and review.manager_id == me.pk
        and review.shared_at is None
        and review.cycle.phase == Phase.SHARING
    )


def can_acknowledge(user: Any, review: Review) -> bool:
    me = person_of(user)
    return (
        me is not None
        and review.person_id == me.pk
        and review.shared_at is not None
        and review.acknowledged_at is None
    )


def visible_reviews(user: Any) -> Any:
    """The reviews whose page `user` may open: their own and those of the people below them."""
    me = person_of(user)
    if me is None:
        return Review.objects.none()
    reviews = Review.objects.filter(cycle__org_id=me.org_id)
    # Their own subtree holds the person themselves.
    return reviews.filter(Q(person_id__in=subtree_ids(me)) | Q(manager_id=me.pk))
