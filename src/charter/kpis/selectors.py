"""Reads of the KPI pillar: KPI definitions in effect, metric sums from the rollups, targets,
and scorecards for people, teams and the organization.

Scorecards read the monthly rollup (every period is whole months), never the facts: a page costs
the same few queries whether the organization has five thousand deals or fifty million. Access is
the caller's business (see `kpis.access`); these functions take the people or team already
allowed.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from charter.core import rows
from charter.core.periods import QUARTER, Period, parse_period, period_containing, recent
from charter.kpis.formula import parse
from charter.kpis.metrics import METRIC_KEYS, METRICS
from charter.kpis.models import (
    KpiDefinition,
    KpiVersion,
    MonthlyMetrics,
    PeriodClose,
    ScorecardSettings,
    ScorecardSnapshot,
    Target,
    TargetRevision,
)
from charter.kpis.scoring import (
    TOTAL_SCALE,
    KpiResult,
    KpiSpec,
    Revision,
    Scorer,
    prorate,
    sum_targets,
    weighted_score,
)
from charter.org.models import Organization, Person, Team
from charter.org.selectors import TeamChildren, subtree_of, team_children

PERSON = "person"
TEAM = "team"
ORG = "org"


# -- calendar ------------------------------------------------------------------------------


def org_today(org: Organization) -> dt.date:
    """Today in the organization's time zone: what "elapsed days" count up to."""
    return timezone.now().astimezone(ZoneInfo(org.time_zone or "UTC")).date()


def period_of(org: Organization, label: str | None, *, kind: str = QUARTER) -> Period:
    """The period a label names on the org's fiscal calendar, or the current one of `kind`.
    Raises PeriodError for a bad label."""
    if label:
        return parse_period(label, org.fiscal_year_start_month)
    return period_containing(org_today(org), kind, org.fiscal_year_start_month)


def recent_periods(org: Organization, period: Period, count: int) -> list[Period]:
    return recent(period, count, org.fiscal_year_start_month)


# -- KPI definitions -----------------------------------------------------------------------


def spec_of(version: KpiVersion) -> KpiSpec:
    return KpiSpec(
        key=version.definition.key,
        name=version.name,
        formula=parse(version.formula),
        unit=version.unit,
        direction=version.direction,
        decimals=version.decimals,
        threshold_ahead=version.threshold_ahead,
        threshold_on_track=version.threshold_on_track,
        threshold_at_risk=version.threshold_at_risk,
        weight=version.weight,
        score_cap=version.score_cap,
        version_id=version.pk,
        version_number=version.number,
        description=version.description,
    )


def version_in_effect(versions: Sequence[KpiVersion], day: dt.date) -> KpiVersion | None:
    """The version whose effective date is the latest on or before `day` (the latest made wins
    a tie); before the first effective date, the first version."""
    if not versions:
        return None
    ordered = sorted(versions, key=lambda v: (v.effective_from, v.number))
    chosen: KpiVersion = ordered[0]
    for version in ordered:
        if version.effective_from <= day:
            chosen = version
    return chosen


def kpi_definitions(org: Organization) -> QuerySet[KpiDefinition]:
    return (
        KpiDefinition.objects.filter(org=org)
        .prefetch_related(
            Prefetch("versions", queryset=KpiVersion.objects.select_related("created_by"))
        )
        .order_by("id")
    )


def kpi_specs_by_period(
    org: Organization, periods: Sequence[Period], *, active_only: bool = True
) -> dict[str, list[KpiSpec]]:
    """The KPIs as defined at each period's end, from one read of the versions. A KPI that did
    not exist yet by a period's end (its first version is effective later) is not on that
    period's scorecards."""
    by_definition: dict[int, list[KpiVersion]] = defaultdict(list)
    for version in KpiVersion.objects.filter(definition__org=org).select_related("definition"):
        by_definition[version.definition_id].append(version)
    out: dict[str, list[KpiSpec]] = {}
    for period in periods:
        specs = []
        for definition_id in sorted(by_definition):
            versions = by_definition[definition_id]
            if min(v.effective_from for v in versions) > period.end:
                continue
            chosen = version_in_effect(versions, period.end)
            if chosen is not None and (chosen.active or not active_only):
                specs.append(spec_of(chosen))
        out[period.label] = specs
    return out


def kpi_specs(org: Organization, period: Period, *, active_only: bool = True) -> list[KpiSpec]:
    """The KPIs as defined at the period's end (one query)."""
    return kpi_specs_by_period(org, [period], active_only=active_only)[period.label]


# -- metric sums ---------------------------------------------------------------------------

_SUMS = {key: Sum(key) for key in METRIC_KEYS}


def _natural(row: dict[str, Any]) -> dict[str, Decimal]:
    return {key: METRICS[key].natural(row.get(key) or 0) for key in METRIC_KEYS}


_SCALES = [(key, METRICS[key].scale) for key in METRIC_KEYS]
_ZERO = Decimal(0)


def _natural_row(stored: Sequence[int | None]) -> dict[str, Decimal]:
    """`_natural` of the sums in METRIC_KEYS order, as a row of `_SUMS_SQL` gives them; written
    out (no call per figure) for the thousands of rows of an org's scorecards."""
    return {
        key: (Decimal(value) / scale if scale != 1 else Decimal(value)) if value else _ZERO
        for (key, scale), value in zip(_SCALES, stored, strict=True)
    }


def _in_period(period: Period) -> QuerySet[MonthlyMetrics]:
    return MonthlyMetrics.objects.filter(month__gte=period.start, month__lte=period.end)


def metric_sums_by_person(
    person_ids: Iterable[int], period: Period
) -> dict[int, dict[str, Decimal]]:
    """Each person's metric sums over the period, in natural units (one query)."""
    ids = list(person_ids)
    if not ids:
        return {}
    # Plain SQL: for a whole org this runs over a thousand people, and it is the first thing
    # every scorecard page does.
    quote, adapt = connection.ops.quote_name, connection.ops.adapt_datefield_value
    sums = ", ".join(f"SUM({quote(key)})" for key in METRIC_KEYS)
    marks = ", ".join(["%s"] * len(ids))
    sql = (
        f"SELECT person_id, {sums} FROM {rows.table(MonthlyMetrics)} "  # noqa: S608
        f"WHERE month >= %s AND month <= %s AND person_id IN ({marks}) GROUP BY person_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [adapt(period.start), adapt(period.end), *ids])
        found = {person_id: _natural_row(stored) for person_id, *stored in cursor}
    # People without a figure in the period: zeros (each their own dict, like the others).
    return {pk: found[pk] if pk in found else _natural({}) for pk in ids}


def metric_sums_for_team(team_ids: Iterable[int], period: Period) -> dict[str, Decimal]:
    """The summed metrics of everyone whose team is one of `team_ids` (one query)."""
    row = _in_period(period).filter(person__team_id__in=list(team_ids)).aggregate(**_SUMS)
    return _natural(row)


def metric_sums_for_org(org: Organization, period: Period) -> dict[str, Decimal]:
    # Plain SQL, as `metric_sums_by_person`: the org row of every org-wide page.
    quote, adapt = connection.ops.quote_name, connection.ops.adapt_datefield_value
    sums = ", ".join(f"SUM(m.{quote(key)})" for key in METRIC_KEYS)
    sql = (
        f"SELECT {sums} FROM {rows.table(MonthlyMetrics)} m "  # noqa: S608
        f"JOIN {rows.table(Person)} p ON p.id = m.person_id "
        "WHERE p.org_id = %s AND m.month >= %s AND m.month <= %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [org.pk, adapt(period.start), adapt(period.end)])
        found = cursor.fetchone()
    return _natural_row(found)


# -- targets -------------------------------------------------------------------------------


def revision_of(revision: TargetRevision) -> Revision:
    author = ""
    if revision.created_by is not None:
        author = getattr(revision.created_by, "email", "") or str(revision.created_by)
    return Revision(
        value=revision.value,
        effective_from=revision.effective_from,
        reason=revision.reason,
        author=author,
    )


TargetKey = tuple[str, int, str]  # (PERSON | TEAM, subject id, kpi key)


def target_revisions(
    org: Organization,
    period: Period,
    *,
    person_ids: Iterable[int] = (),
    team_ids: Iterable[int] = (),
    everyone: bool = False,
    details: bool = True,
) -> dict[TargetKey, list[Revision]]:
    """Every revision of the targets of these people and teams (or of every person and team:
    `everyone`) for the period, in the order they were made. One query of plain rows: a
    scorecard of the whole org reads ten thousand revisions without building a model each."""
    people, teams = list(person_ids), list(team_ids)
    out: dict[TargetKey, list[Revision]] = {}
    if not people and not teams and not everyone:
        return out
    rows = TargetRevision.objects.filter(
        target__org=org, target__period_label=period.label
    ).order_by("target_id", "id")
    if not everyone:
        subject = Q(target__person_id__in=people) if people else Q()
        if teams:
            subject = (
                subject | Q(target__team_id__in=teams) if people else Q(target__team_id__in=teams)
            )
        rows = rows.filter(subject)
    # Without `details` (what scoring needs: values and dates) no reason and no author join.
    extra = ("reason", "created_by__person__full_name", "created_by__email") if details else ()
    for person_id, team_id, kpi_key, value, effective_from, *more in rows.values_list(
        "target__person_id",
        "target__team_id",
        "target__kpi__key",
        "value",
        "effective_from",
        *extra,
    ):
        key: TargetKey = (
            (PERSON, person_id, kpi_key) if person_id is not None else (TEAM, team_id, kpi_key)
        )
        reason, name, email = more if more else ("", "", "")
        out.setdefault(key, []).append(
            Revision(
                value=value,
                effective_from=effective_from,
                reason=reason,
                author=name or email or "",
            )
        )
    return out


Subject = tuple[str, int]  # (PERSON | TEAM, id)
# Every prorated target of a period: by subject, then by KPI key. Grouped by subject because a
# scorecard wants a subject's targets together, and an org of a thousand reps has ten thousand.
Targets = dict[Subject, dict[str, Decimal]]
_NO_TARGETS: dict[str, Decimal] = {}


def org_targets(org: Organization, period: Period) -> Targets:
    """Every person's and team's prorated target for the period, in one lean query: read once
    and hand to several scorecard functions (`targets=`) when a page shows many of them.

    From each target's day total (kept with its revisions, see `Target.day_total`), in plain
    SQL: an org of a thousand reps has ten thousand targets a quarter, and the ORM's per-value
    converters would cost more than the query."""
    keys = dict(KpiDefinition.objects.filter(org=org).values_list("pk", "key"))
    sql = (
        f"SELECT person_id, team_id, kpi_id, day_total FROM {rows.table(Target)} "  # noqa: S608
        "WHERE org_id = %s AND period_label = %s AND day_total IS NOT NULL"
    )
    # `from_day_total` for each, with its divisor worked out once rather than ten thousand times.
    divisor = Decimal(TOTAL_SCALE * period.days)
    out: Targets = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [org.pk, period.label])
        for person_id, team_id, kpi_id, total in cursor:
            subject = (PERSON, person_id) if person_id is not None else (TEAM, team_id)
            found = out.get(subject)
            if found is None:
                found = out[subject] = {}
            found[keys[kpi_id]] = Decimal(total) / divisor
    return out


def _prorated(revisions: dict[TargetKey, list[Revision]], period: Period) -> Targets:
    out: Targets = {}
    for (kind, subject_id, key), found in revisions.items():
        value = prorate(found, period)
        if value is not None:
            out.setdefault((kind, subject_id), {})[key] = value
    return out


# -- scorecards ----------------------------------------------------------------------------


# Slotted, as KpiResult: an org-wide page builds a thousand of these.
@dataclass(slots=True)
class Scorecard:
    """What one subject (a person, a team or the org) achieved in a period.

    For a closed period `results` and `score` are the figures frozen at close; `restated` holds
    the live result of every KPI whose figures have changed since (late data, corrections), so a
    change is shown, never slipped in."""

    kind: str  # PERSON | TEAM | ORG
    period: Period
    results: list[KpiResult]
    score: Decimal | None
    person: Person | None = None
    team: Team | None = None
    closed: PeriodClose | None = None
    restated: dict[str, KpiResult] = field(default_factory=dict)
    live_score: Decimal | None = None
    # Whether `results` are the frozen figures: False for a subject that had no scorecard when
    # its period closed (someone who joined later), whose figures stay live.
    frozen: bool = False

    @property
    def name(self) -> str:
        if self.person is not None:
            return self.person.full_name
        if self.team is not None:
            return self.team.name
        return "Whole organization"

    def result(self, key: str) -> KpiResult | None:
        return next((r for r in self.results if r.key == key), None)

    @property
    def by_key(self) -> dict[str, KpiResult]:
        return {r.key: r for r in self.results}


def _results(
    specs: Sequence[KpiSpec],
    metrics: dict[str, Decimal],
    targets: dict[str, Decimal | None],
    period: Period,
    today: dt.date,
) -> list[KpiResult]:
    return Scorer(specs, period, today).results(metrics, targets)


def person_scorecards(
    org: Organization,
    period: Period,
    people: Sequence[Person],
    *,
    today: dt.date | None = None,
    specs: Sequence[KpiSpec] | None = None,
    targets: Targets | None = None,
) -> list[Scorecard]:
    """Scorecards of many people in a constant number of queries (`targets`: from
    `org_targets`, read once for a whole page)."""
    today = today or org_today(org)
    specs = list(specs) if specs is not None else kpi_specs(org, period)
    ids = [p.pk for p in people]
    sums = metric_sums_by_person(ids, period)
    if targets is None:
        targets = _prorated(target_revisions(org, period, person_ids=ids, details=False), period)
    cards = []
    scorer = Scorer(specs, period, today)
    for person in people:
        results = scorer.results(sums[person.pk], targets.get((PERSON, person.pk), _NO_TARGETS))
        cards.append(Scorecard(PERSON, period, results, weighted_score(results), person=person))
    return _with_closing(org, period, cards)


def _rolled_target(
    spec: KpiSpec,
    team_id: int | None,
    children: TeamChildren,
    members: dict[int | None, list[int]],
    found: Targets,
    seen: set[int | None],
    memo: dict[int | None, Decimal | None] | None = None,
) -> Decimal | None:
    """A team's target: its own; for an additive KPI without one, what its parts add up to (each
    sub-team's target, found the same way, and each direct member's). `team_id` None stands for
    the whole organization, whose parts are the top-level teams and the people in no team.

    `memo` (for one KPI) keeps each team's answer for the next team that asks: a page of every
    team then adds each sub-tree up once, not once per team above it."""
    if memo is not None and team_id in memo:
        return memo[team_id]
    seen.add(team_id)
    value = found.get((TEAM, team_id), _NO_TARGETS).get(spec.key) if team_id is not None else None
    if value is None and spec.additive:
        value = _parts_target(spec, team_id, children, members, found, seen, memo)
    if memo is not None:
        memo[team_id] = value
    return value


def _parts_target(
    spec: KpiSpec,
    team_id: int | None,
    children: TeamChildren,
    members: dict[int | None, list[int]],
    found: Targets,
    seen: set[int | None],
    memo: dict[int | None, Decimal | None] | None,
) -> Decimal | None:
    parts = [found.get((PERSON, pk), _NO_TARGETS).get(spec.key) for pk in members.get(team_id, [])]
    parts += [
        _rolled_target(spec, child, children, members, found, seen, memo)
        for child in children.get(team_id, [])
        if child not in seen
    ]
    return sum_targets(parts)


def _team_targets(
    org: Organization,
    period: Period,
    team: Team | None,
    subtree: set[int],
    specs: Sequence[KpiSpec],
    *,
    children: TeamChildren | None = None,
    targets: Targets | None = None,
) -> dict[str, Decimal | None]:
    """The team's own targets; for an additive KPI without one, what its sub-teams' targets
    (their own, or theirs added up again) and its direct members' targets add up to. A sub-team
    manager's team target therefore counts even when its people have none. `team` None: the
    whole organization (`subtree` every team), adding the people in no team too."""
    children = children if children is not None else team_children(org.pk)
    people = Person.objects.filter(org=org)
    if team is not None:
        people = people.filter(team_id__in=subtree)
    members: dict[int | None, list[int]] = defaultdict(list)
    for pk, team_id in people.order_by("pk").values_list("pk", "team_id"):
        members[team_id].append(pk)
    person_ids = [pk for group in members.values() for pk in group]
    found = targets
    if found is None:
        found = _prorated(
            target_revisions(
                org,
                period,
                person_ids=person_ids,
                team_ids=list(subtree),
                everyone=team is None,
                details=False,
            ),
            period,
        )
    root = team.pk if team is not None else None
    return {spec.key: _rolled_target(spec, root, children, members, found, set()) for spec in specs}


def team_scorecard(
    org: Organization,
    period: Period,
    team: Team,
    *,
    today: dt.date | None = None,
    specs: Sequence[KpiSpec] | None = None,
) -> Scorecard:
    """A team (with every team under it) from its summed metrics: a team win rate is the
    team's won ÷ (won + lost), not an average of its members' rates."""
    today = today or org_today(org)
    specs = list(specs) if specs is not None else kpi_specs(org, period)
    children = team_children(org.pk)
    subtree = subtree_of(children, team.pk)
    metrics = metric_sums_for_team(subtree, period)
    targets = _team_targets(org, period, team, subtree, specs, children=children)
    results = _results(specs, metrics, targets, period, today)
    card = Scorecard(TEAM, period, results, weighted_score(results), team=team)
    return _with_closing(org, period, [card])[0]


def metric_sums_by_team(
    org: Organization, period: Period, children: TeamChildren
) -> dict[int, dict[str, Decimal]]:
    """Every team's summed metrics (its subteams included), from one grouped query."""
    rows = (
        _in_period(period)
        .filter(person__org=org)
        .order_by()
        .values("person__team_id")
        .annotate(**_SUMS)
    )
    direct: dict[int | None, list[int]] = {}
    for row in rows:
        values: dict[str, Any] = dict(row)
        direct[values["person__team_id"]] = [int(values.get(k) or 0) for k in METRIC_KEYS]
    teams = {pk for group in children.values() for pk in group}
    out: dict[int, dict[str, Decimal]] = {}
    for team_id in teams:
        totals = [0] * len(METRIC_KEYS)
        for member_team in subtree_of(children, team_id):
            for i, value in enumerate(direct.get(member_team, ())):
                totals[i] += value
        out[team_id] = _natural(dict(zip(METRIC_KEYS, totals, strict=True)))
    return out


def team_scorecards(
    org: Organization,
    period: Period,
    teams: Sequence[Team],
    *,
    today: dt.date | None = None,
    specs: Sequence[KpiSpec] | None = None,
    targets: Targets | None = None,
) -> list[Scorecard]:
    """`team_scorecard` for many teams in a constant number of queries (the org view, closing
    a period), with the same figures."""
    today = today or org_today(org)
    specs = list(specs) if specs is not None else kpi_specs(org, period)
    children = team_children(org.pk)
    sums = metric_sums_by_team(org, period, children)
    members: dict[int | None, list[int]] = defaultdict(list)
    for pk, team_id in Person.objects.filter(org=org).order_by("pk").values_list("pk", "team_id"):
        members[team_id].append(pk)
    found = targets if targets is not None else org_targets(org, period)
    cards = []
    scorer = Scorer(specs, period, today)
    memos: dict[str, dict[int | None, Decimal | None]] = {spec.key: {} for spec in specs}
    for team in teams:
        rolled = {
            spec.key: _rolled_target(
                spec, team.pk, children, members, found, set(), memos[spec.key]
            )
            for spec in specs
        }
        results = scorer.results(sums.get(team.pk, _natural({})), rolled)
        cards.append(Scorecard(TEAM, period, results, weighted_score(results), team=team))
    return _with_closing(org, period, cards)


def org_scorecard(
    org: Organization,
    period: Period,
    *,
    today: dt.date | None = None,
    specs: Sequence[KpiSpec] | None = None,
    targets: Targets | None = None,
) -> Scorecard:
    """The whole organization. For additive KPIs its target is what the top-level teams'
    targets (each its own or its parts', see `_team_targets`) and the targets of people in no
    team add up to; its actuals count everyone, so everyone's target counts too."""
    today = today or org_today(org)
    specs = list(specs) if specs is not None else kpi_specs(org, period)
    metrics = metric_sums_for_org(org, period)
    children = team_children(org.pk)
    every_team = {pk for group in children.values() for pk in group}
    rolled = _team_targets(org, period, None, every_team, specs, children=children, targets=targets)
    results = _results(specs, metrics, rolled, period, today)
    card = Scorecard(ORG, period, results, weighted_score(results))
    return _with_closing(org, period, [card])[0]


# -- closed periods ------------------------------------------------------------------------


def period_close_of(org: Organization, period: Period) -> PeriodClose | None:
    return PeriodClose.objects.filter(org=org, label=period.label).first()


def _decimal(value: Any) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def result_from_figures(figures: dict[str, Any]) -> KpiResult:
    """A frozen KPI result back from its snapshot."""
    spec = KpiSpec(
        key=figures["key"],
        name=figures["name"],
        formula=parse(figures["formula"]),
        unit=figures["unit"],
        direction=figures["direction"],
        decimals=int(figures["decimals"]),
        threshold_ahead=Decimal(figures["threshold_ahead"]),
        threshold_on_track=Decimal(figures["threshold_on_track"]),
        threshold_at_risk=Decimal(figures["threshold_at_risk"]),
        weight=Decimal(figures["weight"]),
        score_cap=_decimal(figures.get("score_cap")),
        version_id=figures.get("version_id"),
        version_number=figures.get("version_number"),
        description=figures.get("description", ""),
    )
    return KpiResult(
        spec=spec,
        actual=_decimal(figures["actual"]),
        target=_decimal(figures["target"]),
        attainment=_decimal(figures["attainment"]),
        expected_to_date=_decimal(figures.get("expected_to_date")),
        pace=_decimal(figures["pace"]),
        forecast=_decimal(figures["forecast"]),
        forecast_attainment=_decimal(figures.get("forecast_attainment")),
        status=figures.get("status"),
        sums={k: Decimal(v) for k, v in figures.get("metrics", {}).items()},
        elapsed_days=int(figures.get("elapsed_days", 0)),
        period_days=int(figures.get("period_days", 0)),
    )


def figures_of(result: KpiResult) -> dict[str, Any]:
    """A KPI result as JSON-safe figures (Decimals as strings, exact)."""

    def text(value: Decimal | None) -> str | None:
        return None if value is None else str(value)

    spec = result.spec
    return {
        "key": spec.key,
        "name": spec.name,
        "formula": spec.formula.text,
        "unit": spec.unit,
        "direction": spec.direction,
        "decimals": spec.decimals,
        "threshold_ahead": str(spec.threshold_ahead),
        "threshold_on_track": str(spec.threshold_on_track),
        "threshold_at_risk": str(spec.threshold_at_risk),
        "weight": str(spec.weight),
        "score_cap": text(spec.score_cap),
        "version_id": spec.version_id,
        "version_number": spec.version_number,
        "description": spec.description,
        "actual": text(result.actual),
        "target": text(result.target),
        "attainment": text(result.attainment),
        "expected_to_date": text(result.expected_to_date),
        "pace": text(result.pace),
        "forecast": text(result.forecast),
        "forecast_attainment": text(result.forecast_attainment),
        "status": result.status,
        "metrics": {k: str(v) for k, v in result.metrics.items()},
        "elapsed_days": result.elapsed_days,
        "period_days": result.period_days,
    }


# Figures compared to decide whether a closed number has been restated.
_COMPARED = ("actual", "target")


def _restated(frozen: KpiResult, live: KpiResult | None) -> bool:
    """Whether a frozen figure no longer stands: its actual or target changed, or the sums under
    it did (2 of 3 becoming 4 of 6 keeps the rate but is still a restatement)."""
    if live is None:
        return False
    if any(_rounded(getattr(frozen, name)) != _rounded(getattr(live, name)) for name in _COMPARED):
        return True
    return any(
        _rounded(value) != _rounded(live.metrics.get(key)) for key, value in frozen.metrics.items()
    )


def _rounded(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(Decimal("0.0001"))


def _with_closing(org: Organization, period: Period, cards: list[Scorecard]) -> list[Scorecard]:
    """Swap in the frozen figures of a closed period (one query when closed, one when not)."""
    closed = period_close_of(org, period)
    if closed is None or not cards:
        return cards
    # Only the snapshots of the cards asked for: one rep's dashboard must not load the frozen
    # scorecards of the whole organization.
    wanted = Q(pk__in=[])
    people = [card.person.pk for card in cards if card.kind == PERSON and card.person]
    teams = [card.team.pk for card in cards if card.kind == TEAM and card.team]
    if people:
        wanted |= Q(subject=PERSON, person_id__in=people)
    if teams:
        wanted |= Q(subject=TEAM, team_id__in=teams)
    if any(card.kind == ORG for card in cards):
        wanted |= Q(subject=ORG)
    snapshots = ScorecardSnapshot.objects.filter(wanted, close=closed)
    frozen: dict[tuple[str, int | None], ScorecardSnapshot] = {}
    for snapshot in snapshots:
        subject_id = snapshot.person_id if snapshot.subject == PERSON else snapshot.team_id
        frozen[(snapshot.subject, subject_id)] = snapshot
    for card in cards:
        subject_id = card.person.pk if card.person else card.team.pk if card.team else None
        _freeze(card, closed, frozen.get((card.kind, subject_id)))
    return cards


def _freeze(card: Scorecard, closed: PeriodClose, found: ScorecardSnapshot | None) -> None:
    card.closed = closed
    if found is None:
        return  # nobody's figures were frozen for this subject (it did not exist yet)
    card.frozen = True
    live = card.by_key
    card.live_score = card.score
    card.results = [result_from_figures(f) for f in found.figures.get("kpis", [])]
    card.score = found.score
    card.restated = {r.key: live[r.key] for r in card.results if _restated(r, live.get(r.key))}


def person_trend(
    org: Organization,
    person: Person,
    periods: Sequence[Period],
    *,
    today: dt.date,
    specs: dict[str, list[KpiSpec]],
) -> list[Scorecard]:
    """One person's scorecards over several periods (a dashboard's trend) in four queries,
    however many periods: the monthly sums, the target revisions, the closes and the frozen
    scorecards are each read once for all of them."""
    if not periods:
        return []
    first = min(p.start for p in periods)
    last = max(p.end for p in periods)
    by_month = {
        row["month"]: _natural(dict(row))
        for row in MonthlyMetrics.objects.filter(
            person=person, month__gte=first, month__lte=last
        ).values("month", *METRIC_KEYS)
    }
    labels = [p.label for p in periods]
    revisions: dict[tuple[str, str], list[Revision]] = defaultdict(list)
    for label, kpi_key, value, effective_from, reason, email in (
        TargetRevision.objects.filter(
            target__org=org, target__person=person, target__period_label__in=labels
        )
        .order_by("target_id", "id")
        .values_list(
            "target__period_label",
            "target__kpi__key",
            "value",
            "effective_from",
            "reason",
            "created_by__email",
        )
    ):
        revisions[(label, kpi_key)].append(
            Revision(value=value, effective_from=effective_from, reason=reason, author=email or "")
        )
    closes = {c.label: c for c in PeriodClose.objects.filter(org=org, label__in=labels)}
    snapshots = (
        {
            s.close_id: s
            for s in ScorecardSnapshot.objects.filter(
                close__in=list(closes.values()), subject=PERSON, person=person
            )
        }
        if closes
        else {}
    )
    zero = _natural({})
    cards = []
    for period in periods:
        metrics = dict(zero)
        for month in period.months():
            found = by_month.get(month)
            if found is not None:
                metrics = {key: metrics[key] + found[key] for key in METRIC_KEYS}
        period_specs = specs.get(period.label, [])
        targets = {
            spec.key: prorate(revisions.get((period.label, spec.key), []), period)
            for spec in period_specs
        }
        results = _results(period_specs, metrics, targets, period, today)
        card = Scorecard(PERSON, period, results, weighted_score(results), person=person)
        closed = closes.get(period.label)
        if closed is not None:
            _freeze(card, closed, snapshots.get(closed.pk))
        cards.append(card)
    return cards


# -- settings ------------------------------------------------------------------------------


def scorecard_settings(org: Organization) -> ScorecardSettings:
    found = ScorecardSettings.objects.filter(org=org).first()
    return found if found is not None else ScorecardSettings(org=org)
