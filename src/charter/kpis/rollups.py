"""Rollups: the metrics of every (person, day) and (person, month), kept current as facts change.

An import tells us, per chunk, what each written fact was before and is now
(`crm.signals.facts_writing`); the difference of their contributions is added to the cells they
touch with one upsert per table, inside the import's transaction, so a scorecard read after the
import commits is already current. A bulk change of owner (`facts_reattributed`) recomputes the
people concerned from their facts. `rebuild` recomputes everything from the facts; `check`
compares that with what is stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from operator import itemgetter
from typing import Any

from django.db import connection, transaction
from django.db.models import Model

from charter.crm.models import Activity, CsatResponse, Deal
from charter.kpis.metrics import CONTRIBUTING_FIELDS, METRIC_KEYS, Cells, accumulate_facts
from charter.kpis.models import ContributedMetrics, DailyMetrics, MonthlyMetrics
from charter.kpis.registry import Amount, contributed_keys, contributors
from charter.org.models import Organization, Person
from charter.org.versions import data_version_bump

FACT_MODELS: tuple[type[Model], ...] = (Deal, Activity, CsatResponse)
# People recomputed per round of a rebuild or check: their facts and cells fit in memory
# whatever the size of the whole history.
PEOPLE_PER_BATCH = 50
ROWS_PER_WRITE = 2_000
# Merged deltas an import holds before writing them: ~15 MB, whatever the file's size.
FLUSH_CELLS = 50_000


def to_months(cells: Cells) -> Cells:
    months: Cells = {}
    # A file's cells fall on a few hundred distinct days: find each day's month once.
    month_of: dict[dt.date, dt.date] = {}
    for (person, day), vector in cells.items():
        month = month_of.get(day)
        if month is None:
            month = month_of[day] = day.replace(day=1)
        key = (person, month)
        total = months.get(key)
        if total is None:
            months[key] = list(vector)
        else:
            months[key] = [a + b for a, b in zip(total, vector, strict=True)]
    return months


def _cell_order(item: tuple[tuple[int, dt.date], list[int]]) -> tuple[int, int]:
    # The same order as (person, day), as plain numbers: sorting compares them much faster
    # than tuples holding dates.
    (person, day), _vector = item
    return person, day.toordinal()


def _upsert_sql(model: type[Model], date_column: str) -> str:
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ["person_id", date_column, *METRIC_KEYS]
    updates = ", ".join(
        f"{quote(c)} = {table}.{quote(c)} + excluded.{quote(c)}" for c in METRIC_KEYS
    )
    # INSERT … ON CONFLICT … DO UPDATE: the same statement on SQLite (3.24+) and PostgreSQL.
    return (
        f"INSERT INTO {table} ({', '.join(quote(c) for c in columns)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(columns))}) "
        f"ON CONFLICT ({quote('person_id')}, {quote(date_column)}) DO UPDATE SET {updates}"
    )


def _rows(cells: Cells) -> Iterator[tuple[Any, ...]]:
    adapt = connection.ops.adapt_datefield_value
    adapted: dict[dt.date, Any] = {}
    # In (person, day) order, the order of the rollup tables' unique index and (as a rebuild
    # writes them person by person) of their rows: each page is then fetched and changed once
    # for all its cells rather than once per cell, on tables too big to stay in memory.
    for (person, day), vector in sorted(cells.items(), key=_cell_order):
        if any(vector):
            value = adapted.get(day)
            if value is None:
                value = adapted[day] = adapt(day)
            yield (person, value, *vector)


def _write(sql: str, rows: Iterable[tuple[Any, ...]]) -> None:
    iterator = iter(rows)
    with connection.cursor() as cursor:
        while batch := list(islice(iterator, ROWS_PER_WRITE)):
            cursor.executemany(sql, batch)


def add_cells(cells: Cells) -> None:
    """Add per-(person, day) metric vectors (possibly negative) to both rollup tables."""
    if not cells:
        return
    _write(_upsert_sql(DailyMetrics, "day"), _rows(cells))
    _write(_upsert_sql(MonthlyMetrics, "month"), _rows(to_months(cells)))


def _positions(names: Sequence[str], model: type[Model]) -> list[int] | None:
    try:
        return [names.index(name) for name in CONTRIBUTING_FIELDS[model]]
    except ValueError:
        return None


class RollupWriter:
    """Follows one upsert of facts (a `crm.signals.FactListener`): each chunk's changes are
    merged into per-(person, day) deltas, written when many have gathered and at the end, so an
    import that touches the same cells again and again writes each of them once."""

    def __init__(self, *, org: Organization, model: type[Model]) -> None:
        self.org = org
        self.model = model
        self.cells: Cells = {}
        self.people: set[int] = set()  # to recompute, when a writer leaves fields out

    def add(
        self,
        names: Sequence[str],
        before: Sequence[tuple[Any, ...]],
        after: Sequence[tuple[Any, ...]],
    ) -> None:
        positions = _positions(names, self.model)
        if positions is None:
            # A writer that did not pass every field a metric depends on: recompute the people
            # its rows belong to (before and after) from their facts at the end instead.
            if "owner_id" in names:
                owner = names.index("owner_id")
                self.people |= {row[owner] for row in (*before, *after) if row[owner] is not None}
            else:
                # Rows that do not name their owner cannot have changed it: the people are the
                # owners the rows have now (found by external id: a superset across sources).
                external = names.index("external_id")
                found = self.model._default_manager.filter(
                    org=self.org, external_id__in=[row[external] for row in after]
                ).values_list("owner_id", flat=True)
                self.people |= {pk for pk in found if pk is not None}
            return
        picked = itemgetter(*positions)
        zone = self.org.time_zone
        accumulate_facts(self.cells, self.model, map(picked, before), zone, sign=-1)
        accumulate_facts(self.cells, self.model, map(picked, after), zone)
        if len(self.cells) >= FLUSH_CELLS:
            self.flush()

    def flush(self) -> None:
        add_cells(self.cells)
        self.cells = {}

    def finish(self) -> None:
        self.flush()
        if self.people:
            rebuild_people(org=self.org, person_ids=sorted(self.people))
            self.people = set()


# -- contributed metrics (kpis.registry) ---------------------------------------------------

Contributed = dict[tuple[int, dt.date, str], int]


def _merged(amounts: Iterable[Amount]) -> Contributed:
    merged: Contributed = {}
    for person, day, key, value in amounts:
        merged[(person, day, key)] = merged.get((person, day, key), 0) + value
    return {cell: value for cell, value in merged.items() if value}


def contribute(*, org_id: int, amounts: Iterable[Amount]) -> None:
    """Add amounts (possibly negative: a write's after minus its before) of contributed
    metrics to the rollup of the organization's people, in the caller's transaction: what a
    domain app's service calls when one of its records that counts changes."""
    cells = _merged(amounts)
    if not cells:
        return
    known = set(contributed_keys())
    unknown = {key for _person, _day, key in cells} - known
    if unknown:
        raise LookupError(f"no contributed metric {', '.join(sorted(unknown))}")
    quote = connection.ops.quote_name
    adapt = connection.ops.adapt_datefield_value
    table = quote(ContributedMetrics._meta.db_table)
    value = quote("value")
    sql = (
        f"INSERT INTO {table} ({quote('person_id')}, {quote('day')}, {quote('metric')}, "  # noqa: S608
        f"{value}) VALUES (%s, %s, %s, %s) ON CONFLICT ({quote('person_id')}, {quote('day')}, "
        f"{quote('metric')}) DO UPDATE SET {value} = {table}.{value} + excluded.{value}"
    )
    rows = [(p, adapt(d), k, v) for (p, d, k), v in sorted(cells.items())]
    _write(sql, rows)
    # A cell back to nothing is no row, as a rebuild would leave it.
    ContributedMetrics.objects.filter(person_id__in={p for p, _d, _k in cells}, value=0).delete()
    data_version_bump(org_id=org_id)


def computed_contributed(org: Organization, person_ids: Sequence[int]) -> Contributed:
    """What the contributed rollup of these people should hold, from the apps' records."""
    return _merged(
        amount for contributor in contributors() for amount in contributor.amounts(org, person_ids)
    )


def _add_contributed(org: Organization, person_ids: Sequence[int]) -> None:
    """The people's contributed rollup from the apps' records (their old rows deleted)."""
    amounts = computed_contributed(org, person_ids).items()
    contribute(org_id=org.pk, amounts=((p, d, k, v) for (p, d, k), v in amounts))


def _stored_contributed(person_ids: Sequence[int]) -> Contributed:
    rows = ContributedMetrics.objects.filter(person_id__in=person_ids).values_list(
        "person_id", "day", "metric", "value"
    )
    return {(p, d, k): v for p, d, k, v in rows if v}


def _facts_of(org: Organization, person_ids: Sequence[int]) -> Iterator[Cells]:
    """Contributions of the people's facts, computed from scratch, one model at a time."""
    for model in FACT_MODELS:
        cells: Cells = {}
        rows = (
            model._default_manager.filter(org=org, owner_id__in=person_ids)
            .order_by()
            .values_list(*CONTRIBUTING_FIELDS[model])
            .iterator(chunk_size=20_000)
        )
        accumulate_facts(cells, model, rows, org.time_zone)
        yield cells


def computed_cells(org: Organization, person_ids: Sequence[int]) -> Cells:
    """What the daily rollup of these people should hold, straight from the facts."""
    total: Cells = {}
    for cells in _facts_of(org, person_ids):
        for key, vector in cells.items():
            into = total.get(key)
            if into is None:
                total[key] = vector
            else:
                for i, value in enumerate(vector):
                    into[i] += value
    return {key: vector for key, vector in total.items() if any(vector)}


def rebuild_people(*, org: Organization, person_ids: Sequence[int]) -> int:
    """Recompute the rollups of these people from their facts; returns the daily rows written."""
    ids = list(person_ids)
    if not ids:
        return 0
    with transaction.atomic():
        DailyMetrics.objects.filter(person_id__in=ids).delete()
        MonthlyMetrics.objects.filter(person_id__in=ids).delete()
        ContributedMetrics.objects.filter(person_id__in=ids).delete()
        cells = computed_cells(org, ids)
        add_cells(cells)
        _add_contributed(org, ids)
        data_version_bump(org_id=org.pk)
    return len(cells)


def _people(org: Organization) -> list[int]:
    return list(Person.objects.filter(org=org).order_by("pk").values_list("pk", flat=True))


def _batches(ids: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


Progress = Callable[[int, int], None]


def rebuild(*, org: Organization, progress: Progress | None = None) -> int:
    """Recompute every rollup of the organization from the facts, in one transaction (readers
    never see a half-built state); `progress(done, total)` after each batch of people."""
    ids = _people(org)
    written = 0
    with transaction.atomic():
        DailyMetrics.objects.filter(person__org=org).delete()
        MonthlyMetrics.objects.filter(person__org=org).delete()
        ContributedMetrics.objects.filter(person__org=org).delete()
        for done, batch in enumerate(_batches(ids, PEOPLE_PER_BATCH), start=1):
            cells = computed_cells(org, batch)
            add_cells(cells)
            _add_contributed(org, batch)
            written += len(cells)
            if progress is not None:
                progress(min(done * PEOPLE_PER_BATCH, len(ids)), len(ids))
        data_version_bump(org_id=org.pk)
    return written


@dataclass
class Difference:
    table: str
    person_id: int
    day: dt.date
    metric: str
    stored: int
    expected: int

    def __str__(self) -> str:
        return (
            f"{self.table} person {self.person_id} {self.day.isoformat()} {self.metric}: "
            f"stored {self.stored}, the facts say {self.expected}"
        )


@dataclass
class CheckResult:
    people: int = 0
    cells: int = 0
    differences: list[Difference] = field(default_factory=list)
    more: int = 0  # differences not listed

    @property
    def ok(self) -> bool:
        return not self.differences


def _stored(model: type[Model], date_column: str, person_ids: list[int]) -> Cells:
    rows = (
        model._default_manager.filter(person_id__in=person_ids)
        .order_by()
        .values_list("person_id", date_column, *METRIC_KEYS)
    )
    return {(row[0], row[1]): list(row[2:]) for row in rows if any(row[2:])}


def _compare(table: str, stored: Cells, expected: Cells, result: CheckResult, limit: int) -> None:
    zero = [0] * len(METRIC_KEYS)
    for key in sorted(set(stored) | set(expected)):
        have, want = stored.get(key, zero), expected.get(key, zero)
        if have == want:
            continue
        for i, name in enumerate(METRIC_KEYS):
            if have[i] != want[i]:
                if len(result.differences) < limit:
                    result.differences.append(
                        Difference(table, key[0], key[1], name, have[i], want[i])
                    )
                else:
                    result.more += 1


def _compare_contributed(
    stored: Contributed, expected: Contributed, result: CheckResult, limit: int
) -> None:
    for person, day, key in sorted(set(stored) | set(expected)):
        have, want = stored.get((person, day, key), 0), expected.get((person, day, key), 0)
        if have == want:
            continue
        if len(result.differences) < limit:
            result.differences.append(Difference("contributed", person, day, key, have, want))
        else:
            result.more += 1


def check(*, org: Organization, limit: int = 20, progress: Progress | None = None) -> CheckResult:
    """Recompute from the facts and compare with the stored rollups (daily and monthly),
    without writing anything."""
    ids = _people(org)
    result = CheckResult(people=len(ids))
    for done, batch in enumerate(_batches(ids, PEOPLE_PER_BATCH), start=1):
        expected = computed_cells(org, batch)
        result.cells += len(expected)
        _compare("daily", _stored(DailyMetrics, "day", batch), expected, result, limit)
        _compare(
            "monthly", _stored(MonthlyMetrics, "month", batch), to_months(expected), result, limit
        )
        _compare_contributed(
            _stored_contributed(batch), computed_contributed(org, batch), result, limit
        )
        if progress is not None:
            progress(min(done * PEOPLE_PER_BATCH, len(ids)), len(ids))
    return result
