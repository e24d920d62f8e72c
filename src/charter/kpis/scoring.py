"""Scorecard arithmetic, as pure functions of plain values: the prorated target, attainment,
pace, forecast, status and the weighted score. No database here, so every rule can be checked
by hand in a test.

Conventions
- A KPI's `actual` is its formula over the period's summed metrics, in the KPI's unit (a percent
  KPI is shown x100: a win rate of 0.275 is 27.5).
- Attainment is never capped: 43 against 20 is 2.15 (215%). For a lower-is-better KPI it is
  target ÷ actual (8 days against a 10-day target is 125%).
- Pace compares the actual with where the target says one should be by now (target x elapsed
  days ÷ period days); forecast projects the run rate to the period's end. Both only make sense
  for additive KPIs (sums of metrics); a ratio such as a win rate is its own forecast.
- Status comes from the forecast attainment against the KPI's thresholds.
- The overall score is the weighted mean of attainments, each limited by the KPI's score cap.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from operator import attrgetter

from charter.core.periods import Period
from charter.kpis.cascade import SET, TargetSource
from charter.kpis.formula import Formula

AHEAD = "ahead"
ON_TRACK = "on_track"
AT_RISK = "at_risk"
BEHIND = "behind"
STATUS_LABELS = {AHEAD: "Ahead", ON_TRACK: "On track", AT_RISK: "At risk", BEHIND: "Behind"}
HUNDRED = Decimal(100)
ZERO = Decimal(0)


@dataclass(frozen=True)
class KpiSpec:
    """One KPI as it is defined for a period (its version in effect at the period's end)."""

    key: str
    name: str
    formula: Formula
    unit: str
    direction: str  # "higher" | "lower"
    decimals: int
    threshold_ahead: Decimal
    threshold_on_track: Decimal
    threshold_at_risk: Decimal
    weight: Decimal
    score_cap: Decimal | None
    version_id: int | None = None
    version_number: int | None = None
    description: str = ""

    @property
    def higher_is_better(self) -> bool:
        return self.direction != "lower"

    @property
    def additive(self) -> bool:
        return self.formula.additive


@dataclass(frozen=True)
class Revision:
    value: Decimal
    effective_from: dt.date
    reason: str = ""
    author: str = ""


@dataclass(frozen=True)
class Span:
    """A stretch of a period during which one revision of a target applied."""

    revision: Revision
    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def _applying(revisions: Sequence[Revision], day: dt.date) -> Revision | None:
    """The latest revision made whose effective date is on or before `day`."""
    chosen = None
    for revision in revisions:
        if revision.effective_from <= day:
            chosen = revision
    return chosen


def spans(revisions: Sequence[Revision], period: Period) -> list[Span]:
    """Which revision applies on which days of the period. Revisions are in the order they were
    made; on each day the latest one made with an effective date on or before that day applies,
    so a change "from 1 May" holds from 1 May to the period's end even over a revision made
    earlier for a later date. Days before the first effective date take what applies on it (a
    target set a few days into a period is the target of the whole period until changed)."""
    if not revisions:
        return []
    first = min(revision.effective_from for revision in revisions)
    # Never None (`first` is on or before that day); the fallback only satisfies the types.
    current = _applying(revisions, max(first, period.start)) or revisions[0]
    day = period.start
    out: list[Span] = []
    changes = sorted(
        {r.effective_from for r in revisions if period.start < r.effective_from <= period.end}
    )
    for change in changes:
        found = _applying(revisions, change)
        if found is not None and found is not current:
            out.append(Span(current, day, change - dt.timedelta(days=1)))
            current, day = found, change
    out.append(Span(current, day, period.end))
    return out


def value_on(revisions: Sequence[Revision], day: dt.date) -> Decimal | None:
    """The target in effect on `day`, by the rule of `spans` (None without revisions)."""
    if not revisions:
        return None
    first = min(revision.effective_from for revision in revisions)
    found = _applying(revisions, max(day, first))
    return found.value if found is not None else None


def unchanged_from(
    revisions: Sequence[Revision], value: Decimal, day: dt.date, period: Period
) -> bool:
    """Whether `value` already is the target on every day of `period` from `day` on, so that
    setting it from `day` would change nothing."""
    if not revisions:
        return False
    start = min(max(day, period.start), period.end)
    changes = {r.effective_from for r in revisions if start < r.effective_from <= period.end}
    return all(value_on(revisions, when) == value for when in (start, *sorted(changes)))


def prorate(revisions: Sequence[Revision], period: Period) -> Decimal | None:
    """The period's target: each revision's value weighted by the days it applied."""
    if len(revisions) == 1:
        # Most targets never change: one revision applies on every day of the period.
        return revisions[0].value
    parts = spans(revisions, period)
    if not parts:
        return None
    total = sum((part.revision.value * part.days for part in parts), Decimal(0))
    return total / period.days


# Targets have at most four decimals: a day total is kept in ten-thousandths, a whole number.
TOTAL_SCALE = 10_000


def day_total(revisions: Sequence[Revision], period: Period) -> int | None:
    """The sum over the period's days of the target in effect on each (by `spans`), in
    ten-thousandths; None without revisions. `from_day_total` turns it into what `prorate`
    gives: the same number, divided once."""
    parts = spans(revisions, period)
    if not parts:
        return None
    return sum(int(part.revision.value * TOTAL_SCALE) * part.days for part in parts)


def from_day_total(total: int, period: Period) -> Decimal:
    return Decimal(total) / (TOTAL_SCALE * period.days)


# Slotted: an org's scorecards hold ten thousand of these, built in one go.
@dataclass(slots=True)
class KpiResult:
    spec: KpiSpec
    actual: Decimal | None
    target: Decimal | None
    attainment: Decimal | None
    expected_to_date: Decimal | None
    pace: Decimal | None
    forecast: Decimal | None
    forecast_attainment: Decimal | None
    status: str | None
    # The subject's metric sums over the period: all of them, shared by the subject's results
    # rather than copied into each (an org's scorecards would build ten thousand dicts that
    # only the explain and snapshot code ever read). `metrics` picks the formula's.
    sums: Mapping[str, Decimal] = field(default_factory=dict)
    elapsed_days: int = 0
    period_days: int = 0
    # Where the target came from (`kpis.cascade`): set for the period, summed from its shorter
    # periods, shared out of a longer one, or its members' added up; None without a target.
    target_source: TargetSource | None = None

    @property
    def key(self) -> str:
        return self.spec.key

    @property
    def metrics(self) -> dict[str, Decimal]:
        """The sums the KPI's formula reads, by metric key (what explain substitutes)."""
        sums = self.sums
        return {name: sums.get(name, ZERO) for name in self.spec.formula.metrics}

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status or "", "No target")


def _ratio(numerator: Decimal | None, denominator: Decimal | None) -> Decimal | None:
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator


def attainment_of(spec: KpiSpec, actual: Decimal | None, target: Decimal | None) -> Decimal | None:
    if spec.higher_is_better:
        return _ratio(actual, target)
    return _ratio(target, actual)


def status_of(spec: KpiSpec, projected: Decimal | None) -> str | None:
    if projected is None:
        return None
    if projected >= spec.threshold_ahead:
        return AHEAD
    if projected >= spec.threshold_on_track:
        return ON_TRACK
    if projected >= spec.threshold_at_risk:
        return AT_RISK
    return BEHIND


def _status(
    spec: KpiSpec, actual: Decimal | None, target: Decimal | None, projected: Decimal | None
) -> str | None:
    if target is None:
        return None
    if projected is None and not spec.higher_is_better and actual == 0 and target > 0:
        # Nothing at all of a thing to keep low (no deal lost): as good as it gets, though the
        # ratio target / 0 has no value to show or to put in the score.
        return AHEAD
    return status_of(spec, projected)


def actual_of(spec: KpiSpec, metrics: Mapping[str, Decimal]) -> Decimal | None:
    value = spec.formula.evaluate(metrics)
    if value is not None and spec.unit == "percent":
        value *= HUNDRED
    return value


def kpi_result(
    spec: KpiSpec,
    metrics: Mapping[str, Decimal],
    target: Decimal | None,
    period: Period,
    today: dt.date,
) -> KpiResult:
    """One KPI's result for one subject (see `Scorer` for many)."""
    return _result(spec, metrics, target, period.elapsed_days(today), period.days)


def _result(
    spec: KpiSpec,
    metrics: Mapping[str, Decimal],
    target: Decimal | None,
    elapsed: int,
    days: int,
    source: TargetSource | None = None,
) -> KpiResult:
    """The rules of the module's conventions, for `elapsed` of the period's `days` gone by."""
    actual = actual_of(spec, metrics)
    attainment = attainment_of(spec, actual, target)
    expected = pace = forecast = projected = None
    if elapsed > 0 and not spec.additive:
        # A ratio is its own forecast, and where it stands is where it is heading.
        forecast, pace, projected = actual, attainment, attainment
    elif elapsed > 0:
        if target is not None:
            expected = target * elapsed / days
        if actual is not None:
            # Multiply before dividing: 40000 x 91 / 30 is exactly 121333.33…, whereas dividing
            # by a rounded 30/91 drifts in the last digits.
            forecast = actual * days / elapsed
            pace = attainment_of(spec, actual, expected)
            projected = attainment_of(spec, forecast, target)
    return KpiResult(
        spec,
        actual,
        target,
        attainment,
        expected,
        pace,
        forecast,
        projected,
        _status(spec, actual, target, projected),
        metrics,
        elapsed,
        days,
        source if target is not None else None,
    )


class Scorer:
    """The results of the same KPIs, in the same period on the same day, for one subject after
    another (an org's scorecards score every rep's KPIs)."""

    def __init__(self, specs: Sequence[KpiSpec], period: Period, today: dt.date) -> None:
        self.specs = list(specs)
        self.days = period.days
        self.elapsed = period.elapsed_days(today)
        # The source of every target set for the period, shared by all of them.
        self.set_source = TargetSource(SET, period.label)

    def results(
        self,
        metrics: Mapping[str, Decimal],
        targets: Mapping[str, Decimal | None],
        sources: Mapping[str, TargetSource | None] | None = None,
    ) -> list[KpiResult]:
        """Each KPI's result for a subject with these metric sums and these targets (by KPI
        key); `sources` says where a target came from when it was not set for the period."""
        set_source = self.set_source
        return [
            _result(
                spec,
                metrics,
                targets.get(spec.key),
                self.elapsed,
                self.days,
                (sources.get(spec.key) if sources else None) or set_source,
            )
            for spec in self.specs
        ]


def _capped_mean(
    results: Iterable[KpiResult], figure: Callable[[KpiResult], Decimal | None]
) -> Decimal | None:
    """Weighted mean of `figure` over the KPIs that have one and a weight; each KPI's figure
    counts at most up to its score cap."""
    total = weights = Decimal(0)
    for result in results:
        weight = result.spec.weight
        value = figure(result)
        if value is None or weight <= 0:
            continue
        if result.spec.score_cap is not None:
            value = min(value, result.spec.score_cap)
        total += weight * value
        weights += weight
    return total / weights if weights else None


def weighted_score(results: Iterable[KpiResult]) -> Decimal | None:
    """The overall score: weighted mean of attainment, each KPI's capped by its score cap."""
    return _capped_mean(results, attrgetter("attainment"))


def pace_score(results: Iterable[KpiResult]) -> Decimal | None:
    """The overall score on pace: as `weighted_score`, of each KPI's pace (actual against the
    target pro-rated to the days gone by). Once a period has ended its pace is its attainment,
    so this is its score; in a period under way it says where the score is heading at today's
    rate, which is what can fairly be set against a finished period's score (a month into a
    quarter, a score is a third of what it will be)."""
    return _capped_mean(results, attrgetter("pace"))


def sum_targets(values: Iterable[Decimal | None]) -> Decimal | None:
    """A team's target for an additive KPI when the team has none of its own: its members'
    targets added up (None when no member has one)."""
    present = [value for value in values if value is not None]
    return sum(present, Decimal(0)) if present else None


def score_status(
    results: Iterable[KpiResult], ahead: Decimal, on_track: Decimal, at_risk: Decimal
) -> str | None:
    """The status of an overall score, on the basis each KPI's status has: where it is heading
    (`pace_score`, which is the score itself once the period has ended) against the thresholds
    given, so a score's colour and its KPIs' colours say the same kind of thing."""
    heading = pace_score(results)
    if heading is None:
        return None
    if heading >= ahead:
        return AHEAD
    if heading >= on_track:
        return ON_TRACK
    if heading >= at_risk:
        return AT_RISK
    return BEHIND
