"""Targets: their revisions, each prorated to a period, targets derived across periods (summed
from shorter ones, shared out of longer ones: `kpis.cascade`), and a team's target rolled up from
its parts when it has none of its own."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Q

from charter.core.periods import Period
from charter.kpis.cascade import MEMBERS, SET, SHARE, Derived, Family, TargetSource, derive
from charter.kpis.models import KpiDefinition, Target, TargetRevision
from charter.kpis.scoring import TOTAL_SCALE, KpiSpec, Revision, prorate, sum_targets
from charter.kpis.selectors.seasonality import weigher
from charter.kpis.selectors.subjects import PERSON, TEAM, Subject
from charter.org.models import Organization, Person, Team
from charter.org.selectors import TeamChildren, team_children


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
    found = _revisions_by_label(
        org, [period.label], person_ids, team_ids, everyone=everyone, details=details
    )
    return found.get(period.label, {})


def _revisions_by_label(
    org: Organization,
    labels: Sequence[str],
    person_ids: Iterable[int],
    team_ids: Iterable[int],
    *,
    everyone: bool,
    details: bool,
) -> dict[str, dict[TargetKey, list[Revision]]]:
    people, teams = list(person_ids), list(team_ids)
    out: dict[str, dict[TargetKey, list[Revision]]] = {}
    if not people and not teams and not everyone:
        return out
    rows = TargetRevision.objects.filter(
        target__org=org, target__period_label__in=list(labels)
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
    for label, person_id, team_id, kpi_key, value, effective_from, *more in rows.values_list(
        "target__period_label",
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
        out.setdefault(label, {}).setdefault(key, []).append(
            Revision(
                value=value,
                effective_from=effective_from,
                reason=reason,
                author=name or email or "",
            )
        )
    return out


# Every prorated target of a period: by subject, then by KPI key. Grouped by subject because a
# scorecard wants a subject's targets together, and an org of a thousand reps has ten thousand.
Targets = dict[Subject, dict[str, Decimal]]
NO_TARGETS: dict[str, Decimal] = {}


def _org_targets_by_label(org: Organization, periods: dict[str, Period]) -> dict[str, Targets]:
    """Every person's and team's prorated target set for each of these periods, by label, in
    one lean query.

    From each target's day total (kept with its revisions, see `Target.day_total`), in plain
    SQL: an org of a thousand reps has ten thousand targets a quarter, and the ORM's per-value
    converters would cost more than the query."""
    keys = dict(KpiDefinition.objects.filter(org=org).values_list("pk", "key"))
    marks = ", ".join(["%s"] * len(periods))
    sql = (
        "SELECT period_label, person_id, team_id, kpi_id, day_total "  # noqa: S608
        f"FROM {connection.ops.quote_name(Target._meta.db_table)} "
        f"WHERE org_id = %s AND period_label IN ({marks}) AND day_total IS NOT NULL"
    )
    # `from_day_total` for each, with its divisor worked out once rather than ten thousand times.
    divisors = {label: Decimal(TOTAL_SCALE * p.days) for label, p in periods.items()}
    out: dict[str, Targets] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [org.pk, *periods])
        # All at once: iterating Django's cursor wrapper costs a Python-level step per row, a
        # third of the read for a year of monthly targets (120,000 rows).
        rows = cursor.fetchall()
    # A subject's targets of one period come one after the other (in the index's order): look
    # their dict up once, not once per KPI.
    last: tuple[str, int | None, int | None] | None = None
    found: dict[str, Decimal] = {}
    for label, person_id, team_id, kpi_id, total in rows:
        if last is None or last[1] != person_id or last[2] != team_id or last[0] != label:
            last = (label, person_id, team_id)
            subject = (PERSON, person_id) if person_id is not None else (TEAM, team_id)
            targets = out.get(label)
            if targets is None:
                targets = out[label] = {}
            found = targets.setdefault(subject, {})
        found[keys[kpi_id]] = Decimal(total) / divisors[label]
    return out


def prorated(revisions: dict[TargetKey, list[Revision]], period: Period) -> Targets:
    out: Targets = {}
    for (kind, subject_id, key), found in revisions.items():
        value = prorate(found, period)
        if value is not None:
            out.setdefault((kind, subject_id), {})[key] = value
    return out


# -- targets across periods ----------------------------------------------------------------

Sources = dict[Subject, dict[str, TargetSource]]


@dataclass
class TargetBook:
    """A period's targets of the subjects asked about: `values` set for the period, and
    `derived` from the periods around it (`kpis.cascade`, for every KPI: only an additive KPI's
    count, see `targets_of`), with where each came from. A set target whose shorter periods
    have targets too is in `derived` as well, its source carrying what they add up to."""

    period: Period
    values: Targets
    derived: dict[Subject, dict[str, Derived]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.set_source = TargetSource(SET, self.period.label)

    def targets_of(
        self, subject: Subject, additive: Mapping[str, bool]
    ) -> tuple[dict[str, Decimal], dict[str, TargetSource]]:
        """The subject's targets by KPI key, and the sources of those not simply set for the
        period. A team's share of its own longer period is left to `rolled_target`: it counts
        only when its members' targets add up to nothing."""
        own = self.values.get(subject, NO_TARGETS)
        extra = self.derived.get(subject)
        if not extra:
            return own, NO_SOURCES
        merged, sources = dict(own), {}
        for key, one in extra.items():
            kind = one.source.kind
            if kind == SET:
                sources[key] = one.source
            elif additive.get(key) and not (subject[0] == TEAM and kind == SHARE):
                merged[key] = one.value
                sources[key] = one.source
        return merged, sources

    def target_of(self, subject: Subject, key: str, additive: bool) -> Decimal | None:
        """One KPI's target of `targets_of`, without building the subject's whole dict."""
        if additive:
            one = self.derived.get(subject, NO_DERIVED).get(key)
            if one is not None and not (subject[0] == TEAM and one.source.kind == SHARE):
                return one.value
        return self.values.get(subject, NO_TARGETS).get(key)

    def share_of(self, subject: Subject, key: str) -> Derived | None:
        one = self.derived.get(subject, NO_DERIVED).get(key)
        return one if one is not None and one.source.kind == SHARE else None


NO_SOURCES: dict[str, TargetSource] = {}
NO_DERIVED: dict[str, Derived] = {}


def _periods(family: Family) -> dict[str, Period]:
    return {member.label: member for member in family.members()}


def book_of(org: Organization, family: Family, found: dict[str, Targets]) -> TargetBook:
    """The book of a period from the set targets of its family's periods (by label)."""
    derived = derive(family, found, weigher(org))
    return TargetBook(family.period, found.get(family.period.label, {}), derived)


def target_book(
    org: Organization,
    period: Period,
    *,
    person_ids: Iterable[int] = (),
    team_ids: Iterable[int] = (),
    everyone: bool = False,
) -> TargetBook:
    """The targets of these people and teams (or of everyone) for the period, set or derived,
    from their revisions (one query)."""
    family = Family.of(period, org.fiscal_year_start_month)
    periods = _periods(family)
    revisions = _revisions_by_label(
        org, list(periods), person_ids, team_ids, everyone=everyone, details=False
    )
    found = {label: prorated(by_key, periods[label]) for label, by_key in revisions.items()}
    return book_of(org, family, found)


def org_targets(org: Organization, period: Period) -> TargetBook:
    """Every person's and team's target for the period, set or derived, from the day totals
    (one lean query): read once and hand to several scorecard functions (`targets=`) when a
    page shows many of them."""
    family = Family.of(period, org.fiscal_year_start_month)
    return book_of(org, family, _org_targets_by_label(org, _periods(family)))


def rolled_target(
    spec: KpiSpec,
    team_id: int | None,
    children: TeamChildren,
    members: dict[int | None, list[int]],
    book: TargetBook,
    seen: set[int | None],
    memo: dict[int | None, Rolled] | None = None,
) -> Rolled:
    """A team's target and its source: its own (set for the period, or added up from its own
    shorter periods); for an additive KPI without one, what its parts add up to (each sub-team's
    target, found the same way, and each direct member's); failing that, its share of its own
    longer period. `team_id` None stands for the whole organization, whose parts are the
    top-level teams and the people in no team.

    `memo` (for one KPI) keeps each team's answer for the next team that asks: a page of every
    team then adds each sub-tree up once, not once per team above it."""
    if memo is not None and team_id in memo:
        return memo[team_id]
    seen.add(team_id)
    value = source = None
    if team_id is not None:
        subject = (TEAM, team_id)
        value = book.target_of(subject, spec.key, spec.additive)
        if value is not None:
            one = book.derived.get(subject, NO_DERIVED).get(spec.key)
            source = one.source if one is not None and spec.additive else book.set_source
    if value is None and spec.additive:
        value = _parts_target(spec, team_id, children, members, book, seen, memo)
        if value is not None:
            source = TargetSource(
                MEMBERS, book.period.label, kind_of_parts="members" if team_id else "teams"
            )
        elif team_id is not None and (share := book.share_of((TEAM, team_id), spec.key)):
            value, source = share.value, share.source
    answer = (value, source)
    if memo is not None:
        memo[team_id] = answer
    return answer


Rolled = tuple[Decimal | None, TargetSource | None]


def _parts_target(
    spec: KpiSpec,
    team_id: int | None,
    children: TeamChildren,
    members: dict[int | None, list[int]],
    book: TargetBook,
    seen: set[int | None],
    memo: dict[int | None, Rolled] | None,
) -> Decimal | None:
    key = spec.key
    parts = [book.target_of((PERSON, pk), key, True) for pk in members.get(team_id, [])]
    parts += [
        rolled_target(spec, child, children, members, book, seen, memo)[0]
        for child in children.get(team_id, [])
        if child not in seen
    ]
    return sum_targets(parts)


def team_targets(
    org: Organization,
    period: Period,
    team: Team | None,
    subtree: set[int],
    specs: Sequence[KpiSpec],
    *,
    children: TeamChildren | None = None,
    book: TargetBook | None = None,
) -> dict[str, Rolled]:
    """The team's targets with their sources, by KPI key (see `rolled_target`): its own; for an
    additive KPI without one, what its sub-teams' targets (their own, or theirs added up again)
    and its direct members' targets add up to. A sub-team manager's team target therefore
    counts even when its people have none. `team` None: the whole organization (`subtree` every
    team), adding the people in no team too."""
    children = children if children is not None else team_children(org.pk)
    people = Person.objects.filter(org=org)
    if team is not None:
        people = people.filter(team_id__in=subtree)
    members: dict[int | None, list[int]] = defaultdict(list)
    for pk, team_id in people.order_by("pk").values_list("pk", "team_id"):
        members[team_id].append(pk)
    person_ids = [pk for group in members.values() for pk in group]
    if book is None:
        book = target_book(
            org,
            period,
            person_ids=person_ids,
            team_ids=list(subtree),
            everyone=team is None,
        )
    root = team.pk if team is not None else None
    return {spec.key: rolled_target(spec, root, children, members, book, set()) for spec in specs}
