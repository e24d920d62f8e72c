"""Reading reviews: the side-by-side rows, the restatement note, and the lists per person."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from charter.core.periods import parse_period
from charter.kpis.selectors.scorecards import person_scorecards
from charter.reviews.access import can_view_response, visible_reviews
from charter.reviews.models import Cycle, Response, Review


@dataclass
class Row:
    item: dict[str, Any]
    self_answer: Any
    manager_answer: Any


def responses_of(review: Review) -> dict[str, Response]:
    return {r.kind: r for r in review.responses.all()}


def side_by_side(user: Any, review: Review) -> tuple[list[Row], Response | None, Response | None]:
    """Each item with the self and the manager answer `user` may read (None where not)."""
    found = responses_of(review)
    mine = found.get(Response.Kind.SELF)
    theirs = found.get(Response.Kind.MANAGER)
    own = mine if mine is not None and can_view_response(user, mine) else None
    boss = theirs if theirs is not None and can_view_response(user, theirs) else None
    rows = [
        Row(
            item=item,
            self_answer=own.answers.get(item["key"]) if own else None,
            manager_answer=boss.answers.get(item["key"]) if boss else None,
        )
        for item in review.items
    ]
    return rows, own, boss


def restated_kpis(review: Review) -> list[str]:
    """The KPIs whose figures changed after the review's copy was frozen (names): the review
    keeps its copy; this is only the note beside it."""
    if not review.kpis:
        return []
    org = review.cycle.org
    period = parse_period(review.kpis["period"], org.fiscal_year_start_month)
    (card,) = person_scorecards(org, period, [review.person])
    return [result.spec.name for result in card.restated.values()]


def my_reviews(person: Any) -> Any:
    return (
        Review.objects.filter(person=person)
        .select_related("cycle", "manager")
        .order_by("-cycle__period_start")
    )


def reviews_to_write(user: Any) -> Any:
    """The reviews of the people below `user` (not their own), newest cycle first."""
    return (
        visible_reviews(user)
        .exclude(person__user=user)
        .select_related("cycle", "person", "manager")
        .prefetch_related("responses")
        .order_by("-cycle__period_start", "person__full_name")
    )


def cycle_progress(cycle: Cycle) -> dict[str, int]:
    reviews = list(cycle.reviews.prefetch_related("responses"))
    submitted = [r for review in reviews for r in review.responses.all() if r.submitted_at]
    return {
        "participants": len(reviews),
        "self_submitted": sum(1 for r in submitted if r.kind == Response.Kind.SELF),
        "manager_submitted": sum(1 for r in submitted if r.kind == Response.Kind.MANAGER),
        "shared": sum(1 for r in reviews if r.shared_at),
        "acknowledged": sum(1 for r in reviews if r.acknowledged_at),
        "disagreed": sum(1 for r in reviews if r.disagrees),
    }
