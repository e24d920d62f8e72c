"""Reads of the feedback app, each through the access rules: the feed, a person's received and
given feedback, open requests, the values' recognition counts, the leaderboard, the awards."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet

from charter.core.periods import Period
from charter.expectations.models import Value
from charter.feedback.access import visibility_filter, visible_feedback, visible_requests
from charter.feedback.models import Award, Feedback, FeedbackRequest, Kind, Visibility
from charter.kpis.access import can_see_leaderboard
from charter.kpis.selectors.definitions import scorecard_settings
from charter.org.access import person_of
from charter.org.models import Person


def _shown(feedback: QuerySet[Feedback]) -> QuerySet[Feedback]:
    return feedback.select_related("giver", "recipient", "expectation").prefetch_related("values")


def feed(user: Any) -> QuerySet[Feedback]:
    """Everything `user` may read, newest first."""
    return _shown(visible_feedback(user))


def received(user: Any, person: Person) -> QuerySet[Feedback]:
    return _shown(visible_feedback(user).filter(recipient=person))


def given(user: Any, person: Person) -> QuerySet[Feedback]:
    return _shown(visible_feedback(user).filter(giver=person))


def recent_awards(user: Any, *, limit: int = 10) -> list[Award]:
    """Awards are public recognition: everyone in the organization reads them."""
    me = person_of(user)
    if me is None:
        return []
    return list(
        Award.objects.filter(org_id=me.org_id)
        .select_related("badge__value", "person", "awarded_by")
        .order_by("-awarded_on", "-id")[:limit]
    )


def awards_of(user: Any, person: Person) -> list[Award]:
    me = person_of(user)
    if me is None or me.org_id != person.org_id:
        return []
    return list(Award.objects.filter(person=person).select_related("badge__value", "awarded_by"))


def open_requests_for(person: Person) -> QuerySet[FeedbackRequest]:
    """The requests `person` was asked and has not answered yet, soonest due first."""
    return FeedbackRequest.objects.filter(asked=person, answered_at__isnull=True).select_related(
        "asked_by", "subject"
    )


def requests_page(user: Any) -> dict[str, QuerySet[FeedbackRequest]]:
    me = person_of(user)
    found = visible_requests(user).select_related("asked_by", "subject", "asked")
    if me is None:
        return {"to_answer": found.none(), "asked": found.none()}
    return {
        "to_answer": found.filter(asked=me, answered_at__isnull=True),
        "asked": found.filter(asked_by=me).order_by("-created_at", "-id"),
    }


@dataclass(frozen=True)
class ValueCount:
    value: Value
    praise: int


def value_counts(user: Any, period: Period) -> list[ValueCount]:
    """How often each active value was praised in the period, counting only the praise `user`
    may read: the counts never reveal a private feedback to someone else (one query)."""
    me = person_of(user)
    if me is None:
        return []
    visible = visibility_filter(me)
    rows = (
        Feedback.values.through.objects.filter(
            feedback__in=Feedback.objects.filter(
                visible, kind=Kind.PRAISE, given_on__gte=period.start, given_on__lte=period.end
            )
        )
        .values("value_id")
        .annotate(n=Count("feedback_id"))
    )
    counts = {row["value_id"]: row["n"] for row in rows}
    values = Value.objects.filter(org_id=me.org_id, is_active=True).order_by("order", "name")
    return [ValueCount(value=v, praise=counts.get(v.pk, 0)) for v in values]


def leaderboard_visible(user: Any) -> bool:
    me = person_of(user)
    if me is None:
        return False
    return can_see_leaderboard(user, scorecard_settings(me.org).leaderboard_visibility)


@dataclass(frozen=True)
class Leader:
    person: Person
    praise: int
    awards: int

    @property
    def total(self) -> int:
        return self.praise + self.awards


def leaderboard(value: Value, period: Period, *, limit: int = 10) -> list[Leader]:
    """People most recognised for a value in the period: public praise tagged with it and
    badges of it awarded. Only public praise counts, so the board, shown with names, says
    nothing about feedback its readers may not see."""
    praise = dict(
        Feedback.objects.filter(
            values=value,
            kind=Kind.PRAISE,
            visibility=Visibility.PUBLIC,
            given_on__gte=period.start,
            given_on__lte=period.end,
        )
        .values_list("recipient_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    awards = dict(
        Award.objects.filter(
            badge__value=value, awarded_on__gte=period.start, awarded_on__lte=period.end
        )
        .values_list("person_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    people = Person.objects.in_bulk(set(praise) | set(awards))
    leaders = [
        Leader(person=p, praise=praise.get(pk, 0), awards=awards.get(pk, 0))
        for pk, p in people.items()
        if p.is_active
    ]
    leaders.sort(key=lambda leader: (-leader.total, leader.person.full_name))
    return leaders[:limit]


def recent_received_for_manager(
    report: Person, manager: Person, since: dt.date | None, today: dt.date
) -> list[Feedback]:
    """The feedback `report` received since `since` (or the last 30 days) that `manager` may
    read: public praise and what was shared with the report's managers, never a private one."""
    start = since or today - dt.timedelta(days=30)
    return list(
        Feedback.objects.filter(
            visibility_filter(manager),
            recipient=report,
            given_on__gte=start,
            given_on__lte=today,
        )
        .exclude(visibility=Visibility.PRIVATE)
        .select_related("giver")
        .prefetch_related("values")
        .order_by("-given_on", "-id")
    )
