"""Reads of CRM facts for the browsing pages, the exports and the API: one filter set, applied
to querysets that always start from `crm.access`, so a filter can narrow what a user sees but
never widen it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django.db.models import Avg, Count, Q, QuerySet, Sum
from django.utils import timezone

from charter.crm.access import visible_activities, visible_csat, visible_deals
from charter.crm.models import Activity, CsatResponse, Deal, OwnedFact
from charter.org.models import Person, Team
from charter.org.selectors import team_subtree_ids

F = TypeVar("F", bound=OwnedFact)


class Period:
    """Quick choices for the period filter, counted in the organization's fiscal calendar."""

    THIS_MONTH = "this_month"
    THIS_QUARTER = "this_quarter"
    LAST_QUARTER = "last_quarter"
    THIS_YEAR = "this_year"

    choices = [
        (THIS_MONTH, "This month"),
        (THIS_QUARTER, "This quarter"),
        (LAST_QUARTER, "Last quarter"),
        (THIS_YEAR, "This year"),
    ]
    values = [value for value, _ in choices]


def _month_start(year: int, month: int) -> dt.date:
    # Months counted from year 0 make "three months back" plain integer arithmetic.
    index = year * 12 + (month - 1)
    return dt.date(index // 12, index % 12 + 1, 1)


def _add_months(day: dt.date, months: int) -> dt.date:
    return _month_start(day.year, day.month + months)


def period_dates(
    period: str, *, today: dt.date, fiscal_year_start_month: int = 1
) -> tuple[dt.date, dt.date]:
    """First and last day of a quick period around `today`; quarters and years are fiscal."""
    if period == Period.THIS_MONTH:
        start = _month_start(today.year, today.month)
        return start, _add_months(start, 1) - dt.timedelta(days=1)
    # How many months `today` is into its fiscal year (0-11).
    into_year = (today.month - fiscal_year_start_month) % 12
    if period in (Period.THIS_QUARTER, Period.LAST_QUARTER):
        start = _add_months(_month_start(today.year, today.month), -(into_year % 3))
        if period == Period.LAST_QUARTER:
            start = _add_months(start, -3)
        return start, _add_months(start, 3) - dt.timedelta(days=1)
    if period == Period.THIS_YEAR:
        start = _add_months(_month_start(today.year, today.month), -into_year)
        return start, _add_months(start, 12) - dt.timedelta(days=1)
    raise ValueError(f"unknown period {period!r}; the periods are: {', '.join(Period.values)}")


@dataclass(frozen=True)
class FactFilters:
    """What a list of facts is narrowed to. People and teams must already be ones the user may
    see (the forms and API fields only offer those); the access queryset is applied anyway."""

    person: Person | None = None
    team: Team | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    stage: str = ""
    kind: str = ""
    query: str = ""
    # Only facts whose CRM owner matches nobody yet (admins are the only ones who see them).
    unmatched: bool = False
    sort: str = ""
    # Whose days `date_from` and `date_to` are for activity times: the organization's time
    # zone (empty: Django's current one).
    time_zone: str = ""


@dataclass(frozen=True)
class FactList:
    """How one kind of fact is listed: the access queryset, the date that periods apply to,
    the fields words are searched in, the sort keys and the default order."""

    visible: Callable[[Any], QuerySet[Any]]
    date_field: str
    date_is_datetime: bool
    search_fields: tuple[str, ...]
    sorts: dict[str, tuple[str, ...]]
    default_sort: str


DEALS = FactList(
    visible=visible_deals,
    date_field="close_date",
    date_is_datetime=False,
    search_fields=("account", "name", "product", "external_id"),
    sorts={
        "close_date": ("close_date", "id"),
        "created_date": ("created_date", "id"),
        "amount": ("amount_reporting", "id"),
        "owner": ("owner__full_name", "owner_raw", "id"),
        "account": ("account", "id"),
        "stage": ("stage", "id"),
    },
    default_sort="-close_date",
)
ACTIVITIES = FactList(
    visible=visible_activities,
    date_field="occurred_at",
    date_is_datetime=True,
    search_fields=("subject", "outcome", "external_id"),
    sorts={
        "occurred_at": ("occurred_at", "id"),
        "kind": ("kind", "id"),
        "duration": ("duration_minutes", "id"),
        "owner": ("owner__full_name", "owner_raw", "id"),
    },
    default_sort="-occurred_at",
)
CSAT = FactList(
    visible=visible_csat,
    date_field="date",
    date_is_datetime=False,
    search_fields=("account", "external_id"),
    sorts={
        "date": ("date", "id"),
        "score": ("score", "id"),
        "account": ("account", "id"),
        "owner": ("owner__full_name", "owner_raw", "id"),
    },
    default_sort="-date",
)


def sort_key(facts: FactList, sort: str) -> str:
    """`sort` if it names a known key (with an optional leading "-"), else the default."""
    return sort if sort.removeprefix("-") in facts.sorts else facts.default_sort


def _day_start(day: dt.date, time_zone: str) -> dt.datetime:
    zone = ZoneInfo(time_zone) if time_zone else timezone.get_current_timezone()
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), zone)


def _filtered(facts: FactList, user: Any, filters: FactFilters) -> QuerySet[Any]:
    rows = facts.visible(user)
    if filters.unmatched:
        rows = rows.filter(owner__isnull=True)
    if filters.person is not None:
        rows = rows.filter(owner=filters.person)
    if filters.team is not None:
        rows = rows.filter(owner__team_id__in=team_subtree_ids(filters.team))
    field = facts.date_field
    # Datetimes are compared with the bounds of local days, not cast to dates, so the
    # (owner, occurred_at) index still serves the range.
    if filters.date_from is not None:
        low: Any = (
            _day_start(filters.date_from, filters.time_zone)
            if facts.date_is_datetime
            else filters.date_from
        )
        rows = rows.filter(**{f"{field}__gte": low})
    if filters.date_to is not None:
        if facts.date_is_datetime:
            end = _day_start(filters.date_to + dt.timedelta(1), filters.time_zone)
            rows = rows.filter(**{f"{field}__lt": end})
        else:
            rows = rows.filter(**{f"{field}__lte": filters.date_to})
    for word in filters.query.split():
        match = Q()
        for name in facts.search_fields:
            match |= Q(**{f"{name}__icontains": word})
        rows = rows.filter(match)
    key = sort_key(facts, filters.sort)
    order = facts.sorts[key.removeprefix("-")]
    if key.startswith("-"):
        order = tuple(f"-{name}" for name in order)
    return rows.select_related("owner__team").order_by(*order)


def deal_list(user: Any, filters: FactFilters) -> QuerySet[Deal]:
    deals = _filtered(DEALS, user, filters)
    if filters.stage:
        deals = deals.filter(stage=filters.stage)
    return deals


def activity_list(user: Any, filters: FactFilters) -> QuerySet[Activity]:
    activities = _filtered(ACTIVITIES, user, filters)
    if filters.kind:
        activities = activities.filter(kind=filters.kind)
    return activities


def csat_list(user: Any, filters: FactFilters) -> QuerySet[CsatResponse]:
    return _filtered(CSAT, user, filters)


def deal_totals(deals: QuerySet[Deal]) -> dict[str, Any]:
    """Count and amounts in the reporting currency, over the whole filtered list."""
    totals = deals.order_by().aggregate(
        count=Count("pk"),
        amount=Sum("amount_reporting"),
        won_amount=Sum("amount_reporting", filter=Q(stage="won")),
        won=Count("pk", filter=Q(stage="won")),
        lost_amount=Sum("amount_reporting", filter=Q(stage="lost")),
        lost=Count("pk", filter=Q(stage="lost")),
        open_amount=Sum("amount_reporting", filter=Q(stage="open")),
        open=Count("pk", filter=Q(stage="open")),
    )
    for key in ("amount", "won_amount", "lost_amount", "open_amount"):
        totals[key] = totals[key] or Decimal(0)
    closed = totals["won"] + totals["lost"]
    # Won and lost amounts are not added up: a lost deal is not revenue and not pipeline.
    totals["win_rate"] = totals["won"] * 100 / closed if closed else None
    return totals


def activity_totals(activities: QuerySet[Activity]) -> dict[str, Any]:
    totals = activities.order_by().aggregate(count=Count("pk"), minutes=Sum("duration_minutes"))
    totals["minutes"] = totals["minutes"] or 0
    return totals


def csat_totals(responses: QuerySet[CsatResponse]) -> dict[str, Any]:
    return responses.order_by().aggregate(count=Count("pk"), average=Avg("score"))
