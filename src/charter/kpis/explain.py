"""What stands behind one number of a scorecard: the KPI as defined for the period, the metric
sums its formula read, the formula with those sums written in, how the target was prorated, and
for each metric the facts that count toward it.

The facts are selected with the same definitions the rollups use (`kpis.metrics`): the metric's
model, its condition, and its day field read on the organization's calendar. So the records
listed under a metric add up to the very sum the scorecard used, which is the point of the page:
a number anybody can check by hand.

Which subject a user may have explained, and whether its records may be listed to them, is
`allowed_subject` (on the rules of `kpis.access`), for the pages and the API alike; the other
functions take a subject already allowed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Q, QuerySet, Sum

from charter.core.periods import Period, day_bounds, parse_period
from charter.kpis.access import (
    can_compare_people,
    can_list_org_records,
    can_view_team_records,
    can_view_team_scorecard,
)
from charter.kpis.cascade import RATIO_NOTE, SUM, TargetSource, label_name
from charter.kpis.metrics import METRICS, Metric, csat_points, metric_value_getter
from charter.kpis.models import PeriodClose
from charter.kpis.registry import contributor_of
from charter.kpis.scoring import KpiResult, KpiSpec, Revision, Span, prorate, spans, sum_targets
from charter.kpis.selectors.calendar import org_today, period_of
from charter.kpis.selectors.definitions import kpi_specs
from charter.kpis.selectors.scorecards import org_scorecard, person_scorecards, team_scorecard
from charter.kpis.selectors.subjects import ORG, PERSON, TEAM, Scorecard
from charter.kpis.selectors.sums import (
    metric_sums_by_person,
    metric_sums_for_org,
    metric_sums_for_team,
    period_metric_sums,
)
from charter.kpis.selectors.targets import target_book, target_revisions
from charter.org.access import can_view_person, person_of
from charter.org.models import Organization, Person, Team
from charter.org.selectors import team_subtree_ids


class KpiNotFound(LookupError):
    """No KPI of that key is on this subject's scorecard for the period."""


@dataclass(frozen=True)
class Subject:
    """Whose number is explained: one person, a team with every team under it, or the org."""

    kind: str  # PERSON | TEAM | ORG
    org: Organization
    person: Person | None = None
    team: Team | None = None

    @classmethod
    def of_person(cls, person: Person) -> Subject:
        return cls(PERSON, person.org, person=person)

    @classmethod
    def of_team(cls, team: Team) -> Subject:
        return cls(TEAM, team.org, team=team)

    @classmethod
    def of_org(cls, org: Organization) -> Subject:
        return cls(ORG, org)

    @property
    def name(self) -> str:
        if self.person is not None:
            return self.person.full_name
        if self.team is not None:
            return self.team.name
        return self.org.name

    @property
    def ref(self) -> str:
        """`person:12`, `team:3` or `org`, as the API names subjects."""
        if self.person is not None:
            return f"{PERSON}:{self.person.pk}"
        if self.team is not None:
            return f"{TEAM}:{self.team.pk}"
        return ORG

    def owners(self, field: str = "owner") -> Q:
        """Which facts are this subject's, by owner (the record's `field` naming its person):
        the same people the rollups are summed over (a team's members are whoever is in it or
        a team below it now)."""
        if self.person is not None:
            return Q(**{f"{field}_id": self.person.pk})
        if self.team is not None:
            return Q(**{f"{field}__team_id__in": team_subtree_ids(self.team)})
        return Q(**{f"{field}__isnull": False})

    def people(self) -> list[int]:
        """The people whose figures the subject's are: the same as `owners`."""
        if self.person is not None:
            return [self.person.pk]
        rows = Person.objects.filter(org=self.org)
        if self.team is not None:
            rows = rows.filter(team_id__in=team_subtree_ids(self.team))
        return list(rows.order_by("pk").values_list("pk", flat=True))

    def live_sums(self, period: Period) -> dict[str, Decimal]:
        """The metric sums of the rollups as they are now (one query)."""
        if self.person is not None:
            return metric_sums_by_person([self.person.pk], period)[self.person.pk]
        if self.team is not None:
            return metric_sums_for_team(team_subtree_ids(self.team), period)
        return metric_sums_for_org(self.org, period)


# -- who may see which subject -------------------------------------------------------------

TEAM_RECORDS_NOTE = (
    "The records behind a team figure are listed only to managers who see every member of the "
    "team, and to admins and executives."
)
ORG_RECORDS_NOTE = (
    "The records behind the organization's figures are listed to admins and executives."
)


class SubjectNotFound(LookupError):
    """No such person or team in the caller's sight: answered like one that does not exist."""


@dataclass(frozen=True)
class Allowed:
    """A subject the user may have explained, and whether the records behind it may be listed
    to them (when not, `records_note` says so instead)."""

    subject: Subject
    records: bool
    records_note: str = ""


def allowed_subject(user: Any, kind: str, pk: Any = None) -> Allowed:
    """The person (`kind` PERSON), team (TEAM) or organization (ORG) `user` asks about, in
    their own organization. Out of sight: `SubjectNotFound`; the organization's figure for
    someone who may not compare people: `PermissionDenied`."""
    me = person_of(user)
    if me is None:
        raise SubjectNotFound("No such subject.")
    if kind == PERSON:
        person = (
            Person.objects.select_related("org", "team").filter(pk=pk, org_id=me.org_id).first()
        )
        if person is None or not can_view_person(user, person):
            raise SubjectNotFound("No such person.")
        return Allowed(Subject.of_person(person), records=True)
    if kind == TEAM:
        team = Team.objects.select_related("org").filter(pk=pk, org_id=me.org_id).first()
        if team is None or not can_view_team_scorecard(user, team):
            raise SubjectNotFound("No such team.")
        listed = can_view_team_records(user, team)
        return Allowed(Subject.of_team(team), listed, "" if listed else TEAM_RECORDS_NOTE)
    if not can_compare_people(user):
        raise PermissionDenied(
            "The organization's scorecard is for managers, admins and executives."
        )
    listed = can_list_org_records(user)
    return Allowed(Subject.of_org(me.org), listed, "" if listed else ORG_RECORDS_NOTE)


# -- records -------------------------------------------------------------------------------


def metric_records(subject: Subject, metric: Metric, period: Period) -> QuerySet[Any]:
    """The facts of `subject` that count toward `metric` in `period`, oldest first."""
    rows = (
        metric.model._default_manager.filter(subject.owners(metric.owner), org_id=subject.org.pk)
        .filter(metric.counted)
        .select_related(f"{metric.owner}__team")
    )
    day = metric.day_field
    if day == "occurred_at":
        # A timestamp counts on the org's calendar day, exactly as the rollups put it.
        start, end = day_bounds(period.start, period.end, subject.org.time_zone)
        rows = rows.filter(occurred_at__gte=start, occurred_at__lt=end)
    else:
        rows = rows.filter(**{f"{day}__gte": period.start, f"{day}__lte": period.end})
    return rows.order_by(day, "pk")


def records_lacking(subject: Subject, metric: Metric, period: Period) -> int:
    """How many of `subject`'s facts count nowhere for `metric` because they lack the field
    it needs (a deal imported without a created date): those its day field would have put in
    `period`, or, when the missing field is the day itself, all of them (no period has them)."""
    if not metric.needs:
        return 0
    rows = metric.model._default_manager.filter(
        subject.owners(metric.owner), org_id=subject.org.pk, **{f"{metric.needs}__isnull": True}
    )
    if metric.day_field != metric.needs:
        # Those that would count were it not for the missing field: the condition without
        # its test of that field, on the metric's day in the period.
        rows = rows.filter(metric.condition).filter(
            **{f"{metric.day_field}__gte": period.start, f"{metric.day_field}__lte": period.end}
        )
    return rows.count()


def records_total(metric: Metric, rows: QuerySet[Any]) -> tuple[int, Decimal]:
    """How many records there are and what they add up to, in natural units, computed by the
    database from the facts (not from the rollups), so it can be held against the rollups."""
    rows = rows.order_by()
    field_name = metric.value_field
    if field_name == "":
        count = rows.count()
        return count, Decimal(count)
    if field_name == "cycle_days":
        found = rows.aggregate(n=Count("pk"), days=Sum(F("close_date") - F("created_date")))
        span: dt.timedelta | None = found["days"]
        return found["n"], Decimal(span.days if span is not None else 0)
    if field_name == "score":
        # Each answer is rounded to a thousandth of a point on its own, as the rollups store
        # it; grouping by (score, scale) keeps that exact without reading every row.
        count, points = 0, 0
        for group in rows.values("score", "scale").annotate(n=Count("pk")):
            count += group["n"]
            points += csat_points(group["score"], group["scale"]) * group["n"]
        return count, Decimal(points) / 1000
    found = rows.aggregate(n=Count("pk"), total=Sum(field_name))
    return found["n"], Decimal(found["total"] or 0)


@dataclass
class MetricRecords:
    """One metric of the formula: its figure and the facts behind it."""

    metric: Metric
    shown: Decimal  # the sum behind the figure shown (frozen when the period is closed)
    live: Decimal  # the sum in the rollups now
    rows: QuerySet[Any]
    value_of: Callable[[Any], Decimal]
    # Facts that count nowhere for this metric for want of a field (see `records_lacking`).
    lacking: int = 0
    _totals: tuple[int, Decimal] | None = None

    @property
    def lacking_note(self) -> str:
        if not self.lacking:
            return ""
        many = self.lacking != 1
        field_name = self.metric.needs.replace("_", " ")
        where = (
            "so no period counts them here"
            if self.metric.day_field == self.metric.needs
            else "so they are left out of this figure"
        )
        return (
            f"{self.lacking:,} {'records' if many else 'record'} "
            f"{'have' if many else 'has'} no {field_name} (the imported file did not give "
            f"it), {where}."
        )

    @property
    def key(self) -> str:
        return self.metric.key

    @property
    def changed_since_close(self) -> bool:
        return self.shown != self.live

    def totals(self) -> tuple[int, Decimal]:
        if self._totals is None:
            self._totals = records_total(self.metric, self.rows)
        return self._totals

    @property
    def count(self) -> int:
        return self.totals()[0]

    @property
    def total(self) -> Decimal:
        return self.totals()[1]


def record_day(metric: Metric, record: Any, time_zone: str) -> dt.date:
    """The day a record counts on, on the organization's calendar."""
    value = getattr(record, metric.day_field)
    if isinstance(value, dt.datetime):
        return value.astimezone(ZoneInfo(time_zone or "UTC")).date()
    return value


def record_cells(metric: Metric, record: Any) -> list[tuple[str, Any]]:
    """A contributed metric's record as (header, value) pairs, the fields it `shows`."""
    cells = []
    for path, header in metric.shows:
        value = record
        for name in path.split("."):
            value = getattr(value, name, None)
            if value is None:
                break
        cells.append((header, value))
    return cells


def record_owner(metric: Metric, record: Any) -> Any:
    """The person a record counts for."""
    return getattr(record, metric.owner)


def _period_records(
    subject: Subject,
    metric: Metric,
    period: Period,
    as_of: dt.date,
    people: list[int],
    shown: KpiResult,
    live_sums: dict[str, Decimal],
) -> MetricRecords:
    """A per-period metric's records, as its app lists them (`Contributor.period_records`):
    each says what it adds, and they add up to the figure."""
    contributor = contributor_of(metric.key)
    assert contributor.period_records is not None
    rows = contributor.period_records(subject.org, people, period, as_of, metric.key)
    total = sum((row.value for row in rows), Decimal(0))
    return MetricRecords(
        metric=metric,
        shown=shown.metrics.get(metric.key, live_sums[metric.key]),
        live=live_sums[metric.key],
        rows=rows,  # type: ignore[arg-type]
        value_of=lambda row: row.value,
        _totals=(len(rows), total),
    )


# -- targets -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetPart:
    """A member's or a team's target, when the subject's target is their sum."""

    name: str
    value: Decimal | None
    spans: list[Span] = field(default_factory=list)


@dataclass
class TargetBasis:
    """How the subject's target for the KPI came about: its own revisions, each weighted by
    the days it applied; or (for an additive KPI without one) the sum of its shorter periods'
    targets, a share of a longer period's, or the sum of the targets below (`kpis.cascade`)."""

    value: Decimal | None = None
    spans: list[Span] = field(default_factory=list)
    parts: list[TargetPart] = field(default_factory=list)
    summed_from: str = ""  # "" | "members" | "teams" | "periods"
    source: TargetSource | None = None  # where the target shown came from
    note: str = ""  # why there is none, when that needs saying


def _own(revisions: list[Revision], period: Period) -> TargetBasis:
    return TargetBasis(value=prorate(revisions, period), spans=spans(revisions, period))


def _summed(parts: list[TargetPart], summed_from: str) -> TargetBasis:
    value = sum_targets(part.value for part in parts)
    return TargetBasis(value=value, parts=parts, summed_from=summed_from)


def _members(team: Team) -> list[Person]:
    return list(Person.objects.filter(team_id__in=team_subtree_ids(team)).order_by("full_name"))


def _team_basis(org: Organization, period: Period, team: Team, spec: KpiSpec) -> TargetBasis:
    members = _members(team)
    found = target_revisions(org, period, person_ids=[p.pk for p in members], team_ids=[team.pk])
    own = found.get((TEAM, team.pk, spec.key))
    if own:
        return _own(own, period)
    if not spec.additive:
        return TargetBasis()
    # Each member's target as their scorecard has it: set, or derived across periods.
    book = target_book(org, period, person_ids=[p.pk for p in members], team_ids=[team.pk])
    additive = {spec.key: True}
    team_own = book.targets_of((TEAM, team.pk), additive)[0].get(spec.key)
    if team_own is not None:
        return TargetBasis(value=team_own)
    parts = []
    for member in members:
        value = book.targets_of((PERSON, member.pk), additive)[0].get(spec.key)
        if value is not None:
            revisions: list[Revision] = found.get((PERSON, member.pk, spec.key), [])
            parts.append(TargetPart(member.full_name, value, spans(revisions, period)))
    return _summed(parts, "members")


def _period_parts(subject: Subject, source: TargetSource, key: str) -> list[TargetPart]:
    """A person's shorter periods added up, each with the revisions it was prorated from."""
    assert subject.person is not None
    org = subject.org
    out = []
    for part in source.parts:
        shorter = parse_period(part.label, org.fiscal_year_start_month)
        found = target_revisions(org, shorter, person_ids=[subject.person.pk])
        revisions = found.get((PERSON, subject.person.pk, key), [])
        out.append(TargetPart(label_name(part.label), part.value, spans(revisions, shorter)))
    return out


def target_basis(subject: Subject, period: Period, spec: KpiSpec) -> TargetBasis:
    org = subject.org
    if subject.person is not None:
        key = (PERSON, subject.person.pk, spec.key)
        found = target_revisions(org, period, person_ids=[subject.person.pk])
        return _own(found.get(key, []), period)

    if subject.team is not None:
        return _team_basis(org, period, subject.team, spec)
    if not spec.additive:
        return TargetBasis()
    parts = []
    for root in Team.objects.filter(org=org, parent__isnull=True).order_by("name"):
        value = _team_basis(org, period, root, spec).value
        if value is not None:
            parts.append(TargetPart(root.name, value))
    return _summed(parts, "teams")


# -- the explanation -----------------------------------------------------------------------


@dataclass
class Explanation:
    subject: Subject
    period: Period
    result: KpiResult  # the figure the scorecard shows (frozen when the period is closed)
    live: KpiResult | None  # the live figure, when a closed figure has been restated
    closed: PeriodClose | None
    target: TargetBasis
    records: list[MetricRecords]

    @property
    def spec(self) -> KpiSpec:
        return self.result.spec

    @property
    def formula(self) -> str:
        return self.spec.formula.text

    @property
    def substituted(self) -> str:
        return self.spec.formula.substituted(self.result.metrics)

    @property
    def live_substituted(self) -> str | None:
        if self.live is None:
            return None
        return self.live.spec.formula.substituted(self.live.metrics)

    def records_of(self, key: str) -> MetricRecords | None:
        return next((r for r in self.records if r.key == key), None)


def _scorecard(subject: Subject, period: Period, spec: KpiSpec, today: dt.date | None) -> Scorecard:
    if subject.person is not None:
        return person_scorecards(subject.org, period, [subject.person], today=today, specs=[spec])[
            0
        ]
    if subject.team is not None:
        return team_scorecard(subject.org, period, subject.team, today=today, specs=[spec])
    return org_scorecard(subject.org, period, today=today, specs=[spec])


def explain_period(subject: Subject, label: str | None, key: str) -> Explanation:
    """`explain` in the period named by `label` (the current quarter when empty), as the page
    and the API ask for it. Raises PeriodError for a bad label, KpiNotFound for a bad key."""
    return explain(subject, period_of(subject.org, label or None), key)


def explain(
    subject: Subject, period: Period, key: str, *, today: dt.date | None = None
) -> Explanation:
    """Everything behind `subject`'s figure for KPI `key` in `period`. Raises KpiNotFound."""
    spec = next(
        (s for s in kpi_specs(subject.org, period, active_only=False) if s.key == key), None
    )
    if spec is None:
        raise KpiNotFound(f"No KPI {key!r} on this scorecard for {period.label}.")
    card = _scorecard(subject, period, spec, today)
    shown = card.result(key)
    if shown is None:
        # Closed without this KPI: the frozen scorecard has no such number to explain.
        raise KpiNotFound(f"No KPI {key!r} on this scorecard for {period.label}.")
    live = card.restated.get(key)
    live_sums = subject.live_sums(period)
    keys = list(shown.spec.formula.metrics)
    keys += [k for k in (live.spec.formula.metrics if live else ()) if k not in keys]
    records = []
    as_of = today or org_today(subject.org)
    people = subject.people() if any(METRICS[k].per_period for k in keys) else []
    if people:
        live_sums.update(period_metric_sums(subject.org, {0: people}, period, as_of)[0])
    for metric_key in keys:
        metric = METRICS[metric_key]
        if metric.per_period:
            records.append(
                _period_records(subject, metric, period, as_of, people, shown, live_sums)
            )
            continue
        records.append(
            MetricRecords(
                metric=metric,
                shown=shown.metrics.get(metric_key, live_sums[metric_key]),
                live=live_sums[metric_key],
                rows=metric_records(subject, metric, period),
                value_of=metric_value_getter(metric),
                lacking=records_lacking(subject, metric, period),
            )
        )
    basis = target_basis(subject, period, spec)
    basis.source = shown.target_source
    source = basis.source
    if source is not None and source.kind == SUM and subject.person is not None:
        basis.parts = _period_parts(subject, source, key)
        basis.summed_from = "periods"
    if shown.target is None and not shown.spec.additive:
        basis.note = RATIO_NOTE
    return Explanation(
        subject=subject,
        period=period,
        result=shown,
        live=live,
        closed=card.closed if card.frozen else None,
        target=basis,
        records=records,
    )
