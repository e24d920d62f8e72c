"""Targets: their revisions, each prorated to a period, and a team's target rolled up from its
parts when it has none of its own."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.db import connection
from django.db.models import Q

from charter.core.periods import Period
from charter.kpis.models import KpiDefinition, Target, TargetRevision
from charter.kpis.scoring import TOTAL_SCALE, KpiSpec, Revision, prorate, sum_targets
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


# Every prorated target of a period: by subject, then by KPI key. Grouped by subject because a
# scorecard wants a subject's targets together, and an org of a thousand reps has ten thousand.
Targets = dict[Subject, dict[str, Decimal]]
NO_TARGETS: dict[str, Decimal] = {}


def org_targets(org: Organization, period: Period) -> Targets:
    """Every person's and team's prorated target for the period, in one lean query: read once
    and hand to several scorecard functions (`targets=`) when a page shows many of them.

    From each target's day total (kept with its revisions, see `Target.day_total`), in plain
    SQL: an org of a thousand reps has ten thousand targets a quarter, and the ORM's per-value
    converters would cost more than the query."""
    keys = dict(KpiDefinition.objects.filter(org=org).values_list("pk", "key"))
    sql = (
        "SELECT person_id, team_id, kpi_id, day_total "  # noqa: S608
        f"FROM {connection.ops.quote_name(Target._meta.db_table)} "
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


def prorated(revisions: dict[TargetKey, list[Revision]], period: Period) -> Targets:
    out: Targets = {}
    for (kind, subject_id, key), found in revisions.items():
        value = prorate(found, period)
        if value is not None:
            out.setdefault((kind, subject_id), {})[key] = value
    return out


def rolled_target(
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
    value = found.get((TEAM, team_id), NO_TARGETS).get(spec.key) if team_id is not None else None
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
    parts = [found.get((PERSON, pk), NO_TARGETS).get(spec.key) for pk in members.get(team_id, [])]
    parts += [
        rolled_target(spec, child, children, members, found, seen, memo)
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
        found = prorated(
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
    return {spec.key: rolled_target(spec, root, children, members, found, set()) for spec in specs}
