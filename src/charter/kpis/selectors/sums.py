"""Metric sums from the monthly rollup, by person, team and organization, in natural units.

Every period is whole months, so a sum reads the rollup, never the facts: a page costs the same
few queries whether the organization has five thousand deals or fifty million."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import QuerySet, Sum

from charter.core.periods import Period
from charter.kpis.metrics import METRIC_KEYS, METRICS
from charter.kpis.models import ContributedMetrics, DailyMetrics, MonthlyMetrics
from charter.kpis.registry import contributed_keys, contributors, period_keys
from charter.org.models import Organization, Person
from charter.org.selectors import TeamChildren, subtree_of

_SUMS = {key: Sum(key) for key in METRIC_KEYS}


def natural(row: dict[str, Any]) -> dict[str, Decimal]:
    return {key: METRICS[key].natural(row.get(key) or 0) for key in METRIC_KEYS}


_SCALES = [(key, METRICS[key].scale) for key in METRIC_KEYS]
_ZERO = Decimal(0)


def _natural_row(stored: Sequence[int | None]) -> dict[str, Decimal]:
    """`natural` of the sums in METRIC_KEYS order, as a row of `_SUMS_SQL` gives them; written
    out (no call per figure) for the thousands of rows of an org's scorecards."""
    return {
        key: (Decimal(value) / scale if scale != 1 else Decimal(value)) if value else _ZERO
        for (key, scale), value in zip(_SCALES, stored, strict=True)
    }


def _contributed(period: Period, group: str, **where: Any) -> dict[Any, dict[str, Decimal]]:
    """The contributed metrics' sums over the period (`kpis.registry`), grouped by `group`
    (one query), each group with every contributed metric (zero when it has none)."""
    keys = contributed_keys()
    if not keys:
        return {}
    rows = (
        ContributedMetrics.objects.filter(day__gte=period.start, day__lte=period.end, **where)
        .order_by()
        .values_list(group, "metric")
        .annotate(total=Sum("value"))
    )
    out: dict[Any, dict[str, Decimal]] = {}
    for owner, key, total in rows:
        if key in METRICS:
            found = out.setdefault(owner, dict.fromkeys(keys, _ZERO))
            found[key] = METRICS[key].natural(total or 0)
    return out


def contributed_zeros() -> dict[str, Decimal]:
    return dict.fromkeys(contributed_keys(), _ZERO)


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
        f"SELECT person_id, {sums} FROM {quote(MonthlyMetrics._meta.db_table)} "  # noqa: S608
        f"WHERE month >= %s AND month <= %s AND person_id IN ({marks}) GROUP BY person_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [adapt(period.start), adapt(period.end), *ids])
        found = {person_id: _natural_row(stored) for person_id, *stored in cursor}
    # People without a figure in the period: zeros (each their own dict, like the others).
    out = {pk: found[pk] if pk in found else natural({}) for pk in ids}
    extra = _contributed(period, "person_id", person_id__in=ids)
    for pk, figures in out.items():
        figures.update(extra.get(pk) or contributed_zeros())
    return out


def person_sums_through(person_id: int, period: Period, last: dt.date) -> dict[str, Decimal]:
    """One person's metric sums over `period` from its first day to `last` included, from the
    daily rollup (two queries): where their figures stood at the end of that day, counting the
    facts dated up to it (a fact imported since but dated before counts, as on the scorecard).
    Zeros when `last` is before the period."""
    window = dataclasses.replace(period, end=min(last, period.end))
    if window.end < window.start:
        return natural({}) | contributed_zeros()
    rows = DailyMetrics.objects.filter(
        person_id=person_id, day__gte=window.start, day__lte=window.end
    )
    sums = natural(rows.aggregate(**_SUMS))
    sums.update(_contributed_total(window, person_id=person_id))
    return sums


def metric_sums_for_team(team_ids: Iterable[int], period: Period) -> dict[str, Decimal]:
    """The summed metrics of everyone whose team is one of `team_ids` (one query)."""
    teams = list(team_ids)
    sums = natural(_in_period(period).filter(person__team_id__in=teams).aggregate(**_SUMS))
    sums.update(_contributed_total(period, person__team_id__in=teams))
    return sums


def _contributed_total(period: Period, **where: Any) -> dict[str, Decimal]:
    """The contributed metrics' sums over the period of everyone `where` picks (one query)."""
    total = contributed_zeros()
    if not total:
        return total
    rows = (
        ContributedMetrics.objects.filter(day__gte=period.start, day__lte=period.end, **where)
        .order_by()
        .values_list("metric")
        .annotate(total=Sum("value"))
    )
    for key, value in rows:
        if key in total:
            total[key] = METRICS[key].natural(value or 0)
    return total


def metric_sums_for_org(org: Organization, period: Period) -> dict[str, Decimal]:
    # Plain SQL, as `metric_sums_by_person`: the org row of every org-wide page.
    quote, adapt = connection.ops.quote_name, connection.ops.adapt_datefield_value
    sums = ", ".join(f"SUM(m.{quote(key)})" for key in METRIC_KEYS)
    sql = (
        f"SELECT {sums} FROM {quote(MonthlyMetrics._meta.db_table)} m "  # noqa: S608
        f"JOIN {quote(Person._meta.db_table)} p ON p.id = m.person_id "
        "WHERE p.org_id = %s AND m.month >= %s AND m.month <= %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [org.pk, adapt(period.start), adapt(period.end)])
        found = cursor.fetchone()
    figures = _natural_row(found)
    figures.update(_contributed_total(period, person__org=org))
    return figures


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
    contributed = _contributed_by_team(org, period)
    out: dict[int, dict[str, Decimal]] = {}
    for team_id in teams:
        totals = [0] * len(METRIC_KEYS)
        for member_team in subtree_of(children, team_id):
            for i, value in enumerate(direct.get(member_team, ())):
                totals[i] += value
        out[team_id] = natural(dict(zip(METRIC_KEYS, totals, strict=True)))
        extra = contributed_zeros()
        for member_team in subtree_of(children, team_id):
            for key, amount in contributed.get(member_team, {}).items():
                extra[key] += amount
        out[team_id].update(extra)
    return out


def _contributed_by_team(org: Organization, period: Period) -> dict[int | None, dict[str, Decimal]]:
    """Each team's own members' contributed sums (its subteams not included; one query)."""
    keys = contributed_keys()
    if not keys:
        return {}
    rows = (
        ContributedMetrics.objects.filter(
            person__org=org, day__gte=period.start, day__lte=period.end
        )
        .order_by()
        .values_list("person__team_id", "metric")
        .annotate(total=Sum("value"))
    )
    out: dict[int | None, dict[str, Decimal]] = {}
    for team_id, key, total in rows:
        if key in METRICS:
            out.setdefault(team_id, dict.fromkeys(keys, _ZERO))[key] = METRICS[key].natural(
                total or 0
            )
    return out


def contributed_by_month(
    person: Person, first: dt.date, last: dt.date
) -> dict[dt.date, dict[str, Decimal]]:
    """One person's contributed sums per month from `first` to `last` (one query)."""
    keys = contributed_keys()
    if not keys:
        return {}
    out: dict[dt.date, dict[str, Decimal]] = {}
    rows = ContributedMetrics.objects.filter(person=person, day__gte=first, day__lte=last)
    for day, key, value in rows.values_list("day", "metric", "value"):
        if key in METRICS:
            month = out.setdefault(day.replace(day=1), dict.fromkeys(keys, _ZERO))
            month[key] += METRICS[key].natural(value)
    return out


# -- per-period contributed metrics (kpis.registry) ----------------------------------------


def uses_period_metrics(specs: Iterable[Any]) -> bool:
    """Whether any of these KPI specs reads a per-period metric: only then are they computed,
    so a scorecard without such a KPI costs no more."""
    keys = set(period_keys())
    return bool(keys) and any(key in keys for spec in specs for key in spec.formula.metrics)


def period_metric_sums(
    org: Organization, groups: Mapping[Any, Sequence[int]], period: Period, today: dt.date
) -> dict[Any, dict[str, Decimal]]:
    """The per-period metrics of each group of people (a person alone, a team's members, the
    organization), summed over its people: a team's share met is its met items over its due
    items, not an average of its members' shares."""
    keys = period_keys()
    if not keys:
        return {group: {} for group in groups}
    people = sorted({pk for ids in groups.values() for pk in ids})
    per_person: dict[int, dict[str, int]] = {}
    for contributor in contributors():
        if contributor.period_values is not None and people:
            for pk, values in contributor.period_values(org, people, period, today).items():
                per_person.setdefault(pk, {}).update(values)
    out: dict[Any, dict[str, Decimal]] = {}
    for group, ids in groups.items():
        totals = dict.fromkeys(keys, 0)
        for pk in ids:
            for key, value in per_person.get(pk, {}).items():
                totals[key] += value
        out[group] = {key: METRICS[key].natural(value) for key, value in totals.items()}
    return out
