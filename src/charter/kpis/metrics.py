"""Metrics: the additive quantities every KPI is computed from, one value per person per day.

Each metric is stored as a whole number in units of 1/`scale` (money in cents, CSAT in thousandths
of a point), so sums are exact on every database and the rollup, the rebuild and an independent
computation agree to the cent. Formulas see natural units (`value / scale`).

A metric is defined by which facts it counts, on which day, and what each fact adds. The same
definitions serve three readers: the incremental rollup (a fact row → its contributions), the
rebuild (every fact → contributions) and the explain pages (a metric + days → the records).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Model, Q

from charter.core.periods import local_day
from charter.crm.models import Activity, ActivityKind, CsatResponse, Deal, DealStage

# Units a metric (and a KPI) can be in; a KPI's unit decides how its numbers are shown.
COUNT = "count"
MONEY = "money"
DAYS = "days"
POINTS = "points"
PERCENT = "percent"
# A metric's unit only (a KPI over it is a count with decimals): learning hours.
HOURS = "hours"

# CSAT answers come on different scales (1-5, 1-10, 0-100); the metric puts every answer on a
# five-point scale so an average means the same whatever the survey.
CSAT_SCALE = 5


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    unit: str
    scale: int  # stored value = natural value x scale
    model: type[Model]
    # The fact's field that says which day it counts on (a date, or a timestamp read in the
    # organization's time zone).
    day_field: str
    # Which facts count, for the explain pages.
    condition: Q
    # What one fact adds, in natural units, for the explain pages ("" = one each).
    value_field: str
    description: str
    # A field a fact may lack (an import could not tell it) and without which it counts for
    # nothing here: the explain page says how many facts lack it instead of saying nothing.
    needs: str = ""
    # The record's field naming the person it counts for (the CRM's facts say `owner`).
    owner: str = "owner"
    # For a contributed metric (`kpis.registry`): the record's fields the explain pages, the
    # API and the exports list, as (attribute path, header), the CRM's facts having their own.
    shows: tuple[tuple[str, str], ...] = ()
    # Computed for a whole period from the app's records (`Contributor.period_values`), not
    # summed from daily amounts: a figure that is not a sum over days (what is due and met by
    # the period's end). Nothing is stored for it.
    per_period: bool = False

    @property
    def counted(self) -> Q:
        """The facts that count: the condition, and the field it needs given."""
        if not self.needs:
            return self.condition
        return self.condition & Q(**{f"{self.needs}__isnull": False})

    def natural(self, stored: int) -> Decimal:
        return Decimal(stored) / self.scale if self.scale != 1 else Decimal(stored)


def _won() -> Q:
    return Q(stage=DealStage.WON, close_date__isnull=False)


def _kind(kind: str) -> Q:
    return Q(kind=kind)


METRICS: dict[str, Metric] = {
    m.key: m
    for m in (
        Metric(
            "deals_won_count",
            "Deals won",
            COUNT,
            1,
            Deal,
            "close_date",
            _won(),
            "",
            "Won deals, on their close date.",
        ),
        Metric(
            "deals_won_amount",
            "Revenue won",
            MONEY,
            100,
            Deal,
            "close_date",
            _won(),
            "amount_reporting",
            "Amount of won deals in the reporting currency, on their close date.",
        ),
        Metric(
            "deals_lost_count",
            "Deals lost",
            COUNT,
            1,
            Deal,
            "close_date",
            Q(stage=DealStage.LOST, close_date__isnull=False),
            "",
            "Lost deals, on their close date.",
        ),
        Metric(
            "won_cycle_days_sum",
            "Days from created to won",
            DAYS,
            1,
            Deal,
            "close_date",
            _won(),
            "cycle_days",
            "Days from created (or engaged) to close, summed over won deals.",
            needs="created_date",
        ),
        Metric(
            "won_cycle_count",
            "Won deals with a cycle",
            COUNT,
            1,
            Deal,
            "close_date",
            _won(),
            "",
            "Won deals whose created date is known, on their close date: what an average "
            "cycle divides by, so a deal imported without one does not shorten it.",
            needs="created_date",
        ),
        Metric(
            "pipeline_created_count",
            "Deals created",
            COUNT,
            1,
            Deal,
            "created_date",
            Q(),
            "",
            "Deals of any stage, on the day they were created (or engaged).",
            needs="created_date",
        ),
        Metric(
            "pipeline_created_amount",
            "Pipeline created",
            MONEY,
            100,
            Deal,
            "created_date",
            Q(),
            "amount_reporting",
            "Amount of deals of any stage, on the day they were created (or engaged).",
            needs="created_date",
        ),
        Metric(
            "activities_count",
            "Activities",
            COUNT,
            1,
            Activity,
            "occurred_at",
            Q(),
            "",
            "Activities of every kind.",
        ),
        *(
            Metric(
                f"activities_{kind}_count",
                f"{label}s",
                COUNT,
                1,
                Activity,
                "occurred_at",
                _kind(kind),
                "",
                f"Activities of kind {label.lower()}.",
            )
            for kind, label in (
                (ActivityKind.CALL, "Call"),
                (ActivityKind.EMAIL, "Email"),
                (ActivityKind.MEETING, "Meeting"),
                (ActivityKind.DEMO, "Demo"),
            )
        ),
        Metric(
            "csat_count",
            "CSAT responses",
            COUNT,
            1,
            CsatResponse,
            "date",
            Q(),
            "",
            "Customer-satisfaction answers.",
        ),
        Metric(
            "csat_score_sum",
            "CSAT points",
            POINTS,
            1000,
            CsatResponse,
            "date",
            Q(),
            "score",
            f"Sum of CSAT scores, each put on a {CSAT_SCALE}-point scale.",
        ),
    )
}
METRIC_KEYS: tuple[str, ...] = tuple(METRICS)
_INDEX = {key: i for i, key in enumerate(METRIC_KEYS)}

# Which metrics each fact model feeds, for the pages that list a metric's records.
MODEL_METRICS: dict[type[Model], tuple[str, ...]] = {}
for _metric in METRICS.values():
    MODEL_METRICS.setdefault(_metric.model, ())
    MODEL_METRICS[_metric.model] += (_metric.key,)

# The fields of each fact model the contributions depend on: what an import must tell the
# rollups about a row before and after it changes.
CONTRIBUTING_FIELDS: dict[type[Model], tuple[str, ...]] = {
    Deal: ("owner_id", "stage", "amount_reporting", "created_date", "close_date"),
    Activity: ("owner_id", "kind", "occurred_at"),
    CsatResponse: ("owner_id", "score", "scale", "date"),
}

# A contribution: (person id, day, metric position, stored value).
Contribution = tuple[int, dt.date, int, int]


def cents(amount: Decimal | int | float | None) -> int:
    if amount is None:
        return 0
    return int((Decimal(str(amount)) * 100).to_integral_value())


def csat_points(score: Decimal | int | float, scale: int) -> int:
    """A score on its own scale as thousandths of a point on the five-point scale."""
    value = Decimal(str(score)) * CSAT_SCALE * 1000 / Decimal(scale or CSAT_SCALE)
    return int(value.to_integral_value())


_WON_COUNT = _INDEX["deals_won_count"]
_WON_AMOUNT = _INDEX["deals_won_amount"]
_LOST_COUNT = _INDEX["deals_lost_count"]
_WON_DAYS = _INDEX["won_cycle_days_sum"]
_WON_CYCLES = _INDEX["won_cycle_count"]
_CREATED_COUNT = _INDEX["pipeline_created_count"]
_CREATED_AMOUNT = _INDEX["pipeline_created_amount"]
_ACTIVITIES = _INDEX["activities_count"]
_ACTIVITY_KIND: dict[str, int] = {
    str(kind): _INDEX[f"activities_{kind}_count"]
    for kind in (ActivityKind.CALL, ActivityKind.EMAIL, ActivityKind.MEETING, ActivityKind.DEMO)
}
_CSAT_COUNT = _INDEX["csat_count"]
_CSAT_SUM = _INDEX["csat_score_sum"]


def deal_contributions(
    owner_id: int | None,
    stage: str,
    amount: Decimal | None,
    created: dt.date | None,
    closed: dt.date | None,
) -> Iterator[Contribution]:
    if owner_id is None:
        return
    value = cents(amount)
    if created is not None:
        yield owner_id, created, _CREATED_COUNT, 1
        if value:
            yield owner_id, created, _CREATED_AMOUNT, value
    if closed is None:
        return
    if stage == DealStage.WON:
        yield owner_id, closed, _WON_COUNT, 1
        if value:
            yield owner_id, closed, _WON_AMOUNT, value
        if created is not None:
            yield owner_id, closed, _WON_DAYS, (closed - created).days
            yield owner_id, closed, _WON_CYCLES, 1
    elif stage == DealStage.LOST:
        yield owner_id, closed, _LOST_COUNT, 1


def activity_contributions(
    owner_id: int | None, kind: str, occurred_at: dt.datetime | None, time_zone: str
) -> Iterator[Contribution]:
    if owner_id is None or occurred_at is None:
        return
    day = local_day(occurred_at, time_zone)
    yield owner_id, day, _ACTIVITIES, 1
    position = _ACTIVITY_KIND.get(kind)
    if position is not None:
        yield owner_id, day, position, 1


def csat_contributions(
    owner_id: int | None, score: Decimal | None, scale: int, day: dt.date | None
) -> Iterator[Contribution]:
    if owner_id is None or score is None or day is None:
        return
    yield owner_id, day, _CSAT_COUNT, 1
    yield owner_id, day, _CSAT_SUM, csat_points(score, scale)


def contributions_of(
    model: type[Model], rows: Iterable[tuple[Any, ...]], time_zone: str
) -> Iterator[Contribution]:
    """Contributions of fact rows given as tuples in the order of `CONTRIBUTING_FIELDS[model]`
    (the readable form; `accumulate_facts` is the same arithmetic, fused for speed)."""
    if model is Deal:
        for owner_id, stage, amount, created, closed in rows:
            yield from deal_contributions(owner_id, stage, amount, created, closed)
    elif model is Activity:
        for owner_id, kind, occurred_at in rows:
            yield from activity_contributions(owner_id, kind, occurred_at, time_zone)
    elif model is CsatResponse:
        for owner_id, score, scale, day in rows:
            yield from csat_contributions(owner_id, score, scale, day)
    else:
        raise LookupError(f"{model.__name__} feeds no metric")


Cells = dict[tuple[int, dt.date], list[int]]


def accumulate(cells: Cells, contributions: Iterable[Contribution], sign: int = 1) -> Cells:
    """Add contributions (or take them away, `sign=-1`) into per-(person, day) vectors."""
    width = len(METRIC_KEYS)
    for person, day, position, value in contributions:
        vector = cells.get((person, day))
        if vector is None:
            vector = cells[(person, day)] = [0] * width
        vector[position] += sign * value
    return cells


def _fast_cents(amount: Any) -> int:
    if type(amount) is Decimal:
        return int((amount * 100).to_integral_value())
    return cents(amount)


def accumulate_facts(
    cells: Cells,
    model: type[Model],
    rows: Iterable[tuple[Any, ...]],
    time_zone: str,
    sign: int = 1,
) -> Cells:
    """`accumulate(cells, contributions_of(model, rows, time_zone), sign)` without building a
    tuple per contribution: the import and the rebuild run this for every fact. The test suite
    checks both give the same cells."""
    width = len(METRIC_KEYS)
    get = cells.get
    if model is Deal:
        won, lost = DealStage.WON.value, DealStage.LOST.value
        for owner_id, stage, amount, created, closed in rows:
            if owner_id is None:
                continue
            value = _fast_cents(amount) * sign
            if created is not None:
                vector = get((owner_id, created))
                if vector is None:
                    vector = cells[(owner_id, created)] = [0] * width
                vector[_CREATED_COUNT] += sign
                vector[_CREATED_AMOUNT] += value
            if closed is None or (stage != won and stage != lost):
                continue
            vector = get((owner_id, closed))
            if vector is None:
                vector = cells[(owner_id, closed)] = [0] * width
            if stage == won:
                vector[_WON_COUNT] += sign
                vector[_WON_AMOUNT] += value
                if created is not None:
                    vector[_WON_DAYS] += (closed - created).days * sign
                    vector[_WON_CYCLES] += sign
            else:
                vector[_LOST_COUNT] += sign
        return cells
    if model is Activity:
        zone = ZoneInfo(time_zone or "UTC")
        for owner_id, kind, occurred_at in rows:
            if owner_id is None or occurred_at is None:
                continue
            day = occurred_at.astimezone(zone).date()
            vector = get((owner_id, day))
            if vector is None:
                vector = cells[(owner_id, day)] = [0] * width
            vector[_ACTIVITIES] += sign
            position = _ACTIVITY_KIND.get(kind)
            if position is not None:
                vector[position] += sign
        return cells
    return accumulate(cells, contributions_of(model, rows, time_zone), sign)


def metric_value_getter(metric: Metric) -> Callable[[Any], Decimal]:
    """What one record adds to `metric`, in natural units, for the explain pages."""
    if metric.value_field == "":
        return lambda _record: Decimal(1)
    if metric.value_field == "cycle_days":
        return lambda record: Decimal((record.close_date - record.created_date).days)
    if metric.value_field == "score":
        return lambda record: Decimal(csat_points(record.score, record.scale)) / 1000
    field = metric.value_field
    return lambda record: Decimal(getattr(record, field))
