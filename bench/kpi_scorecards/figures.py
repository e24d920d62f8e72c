"""The two ways of computing the figures: DuckDB aggregating the raw rows, Charter's selectors
reading the rollup; and comparing them figure by figure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from bench import kpi_data
from bench.kpi_scorecards.common import (
    _db_path,
)

# -- the two ways of computing the figures -------------------------------------------------


def _duck_sql(deals: str) -> str:
    won = "stage = 'won' AND close_date BETWEEN $start AND $end"
    lost = "stage = 'lost' AND close_date BETWEEN $start AND $end"
    created = "created_date BETWEEN $start AND $end"
    return f"""
    WITH deal_sums AS (
        SELECT owner_id AS person_id,
            count(*) FILTER (WHERE {won}) AS deals_won_count,
            coalesce(sum(amount_reporting) FILTER (WHERE {won}), 0) AS deals_won_amount,
            count(*) FILTER (WHERE {lost}) AS deals_lost_count,
            coalesce(sum(close_date - created_date) FILTER (WHERE {won}), 0)
                AS won_cycle_days_sum,
            coalesce(sum(amount_reporting) FILTER (WHERE {created}), 0)
                AS pipeline_created_amount
        FROM {deals}
        WHERE owner_id IS NOT NULL
          AND (close_date BETWEEN $start AND $end OR {created})
        GROUP BY owner_id
    ), activity_sums AS (
        SELECT owner_id AS person_id,
            count(*) FILTER (WHERE kind = 'call') AS activities_call_count,
            count(*) FILTER (WHERE kind = 'email') AS activities_email_count,
            count(*) FILTER (WHERE kind = 'meeting') AS activities_meeting_count
        FROM activities
        WHERE owner_id IS NOT NULL AND occurred_at >= $from AND occurred_at < $to
        GROUP BY owner_id
    ), per_person AS (
        SELECT p.id AS person_id,
            coalesce(d.deals_won_count, 0) AS deals_won_count,
            coalesce(d.deals_won_amount, 0) AS deals_won_amount,
            coalesce(d.deals_lost_count, 0) AS deals_lost_count,
            coalesce(d.won_cycle_days_sum, 0) AS won_cycle_days_sum,
            coalesce(d.pipeline_created_amount, 0) AS pipeline_created_amount,
            coalesce(a.activities_call_count, 0) AS activities_call_count,
            coalesce(a.activities_email_count, 0) AS activities_email_count,
            coalesce(a.activities_meeting_count, 0) AS activities_meeting_count
        FROM people p
        LEFT JOIN deal_sums d ON d.person_id = p.id
        LEFT JOIN activity_sums a ON a.person_id = p.id
    ), subjects AS (
        SELECT * FROM per_person
        UNION ALL
        SELECT NULL, sum(deals_won_count), sum(deals_won_amount), sum(deals_lost_count),
            sum(won_cycle_days_sum), sum(pipeline_created_amount), sum(activities_call_count),
            sum(activities_email_count), sum(activities_meeting_count)
        FROM per_person
    )
    SELECT person_id, deals_won_count, deals_won_amount, deals_lost_count, won_cycle_days_sum,
        pipeline_created_amount, activities_call_count, activities_email_count,
        activities_meeting_count,
        deals_won_amount AS revenue_won,
        deals_won_count AS deals_won,
        deals_lost_count AS deals_lost,
        100.0 * deals_won_count / nullif(deals_won_count + deals_lost_count, 0) AS win_rate,
        deals_won_amount / nullif(deals_won_count, 0) AS avg_deal_size,
        won_cycle_days_sum / nullif(deals_won_count, 0) AS avg_cycle_days,
        pipeline_created_amount AS pipeline_created,
        activities_call_count AS activities_calls,
        activities_email_count AS activities_emails,
        activities_meeting_count AS activities_meetings
    FROM subjects
    """


def _duck_load(duck: Any, table: str, path: Path, columns: dict[str, str]) -> None:
    # The columns and dialect are given, so an empty file loads as an empty table.
    duck.execute(
        f"CREATE OR REPLACE {table} AS SELECT * FROM read_csv(?, header = false, delim = ',', "
        "quote = '\"', auto_detect = false, columns = ?)",
        [str(path), columns],
    )


def _duck(work: Path, person_ids: Sequence[int], after_deal_id: int) -> Any:
    """DuckDB with the exported facts, the people, and any deal written since the export."""
    import duckdb

    duck = duckdb.connect(str(work / "facts.duckdb"))
    duck.execute("CREATE OR REPLACE TEMP TABLE people (id BIGINT)")
    duck.executemany("INSERT INTO people VALUES (?)", [(pk,) for pk in person_ids])
    late = work / "late-deals-export.csv"
    kpi_data.export_deals(_db_path(), late, after_id=after_deal_id)
    _duck_load(duck, "TEMP TABLE late_deals", late, kpi_data.DUCK_DEALS)
    late.unlink()
    return duck


_ALL_DEALS = "(SELECT * FROM deals UNION ALL SELECT * FROM late_deals)"


def _duck_params(org: Any, period: Any) -> dict[str, Any]:
    from charter.core.periods import day_bounds

    first, last = day_bounds(period.start, period.end, org.time_zone)
    utc = dt.UTC
    return {
        "start": period.start,
        "end": period.end,
        # The quarter's local days as UTC instants: no per-row time-zone conversion.
        "from": first.astimezone(utc).replace(tzinfo=None),
        "to": last.astimezone(utc).replace(tzinfo=None),
    }


def _duck_figures(duck: Any, sql: str, params: dict[str, Any]) -> dict[int | None, dict[str, Any]]:
    cursor = duck.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return {row[0]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}


def _charter_scorecards(org: Any, label: str, people_ids: Sequence[int] | None = None) -> Any:
    """What a page showing every rep's scorecard and the org's does, from the org on."""
    from charter.kpis.selectors.calendar import period_of
    from charter.kpis.selectors.definitions import kpi_specs
    from charter.kpis.selectors.scorecards import org_scorecard, person_scorecards
    from charter.kpis.selectors.targets import org_targets
    from charter.org.models import Person

    period = period_of(org, label)
    people = Person.objects.filter(org=org).order_by("pk")
    if people_ids is not None:
        people = people.filter(pk__in=people_ids)
    specs = [s for s in kpi_specs(org, period) if s.key in kpi_data.KPI_KEYS]
    # As the org pages do: everyone's targets read once, for the people and the org row.
    targets = org_targets(org, period)
    cards = person_scorecards(
        org, period, list(people), today=kpi_data.LAST_DAY, specs=specs, targets=targets
    )
    whole = org_scorecard(org, period, today=kpi_data.LAST_DAY, specs=specs, targets=targets)
    return cards, whole


# Ratios are compared as exact fractions of DuckDB's integer sums; Charter computes them on
# 28-digit Decimals, so they agree to that precision and no further.
_RATIOS: dict[str, tuple[str, Callable[[dict[str, Any]], int | Decimal], int]] = {
    "win_rate": (
        "deals_won_count",
        lambda f: f["deals_won_count"] + f["deals_lost_count"],
        100,
    ),
    "avg_deal_size": ("deals_won_amount", lambda f: f["deals_won_count"], 1),
    "avg_cycle_days": ("won_cycle_days_sum", lambda f: f["deals_won_count"], 1),
}


def _same(key: str, actual: Decimal | None, figures: dict[str, Any]) -> bool:
    if key not in _RATIOS:
        return actual is not None and actual == figures[key]
    numerator_key, denominator, factor = _RATIOS[key]
    below = denominator(figures)
    if below == 0:
        return actual is None and figures[key] is None
    if actual is None:
        return False
    exact = Fraction(figures[numerator_key]) * factor / Fraction(below)
    close_to_exact = abs(Fraction(actual) - exact) <= abs(exact) * Fraction(1, 10**25)
    # DuckDB's own ratio is a double: equal to the exact one to a double's precision.
    double = figures[key]
    return close_to_exact and abs(double - float(exact)) <= 1e-9 * max(1.0, abs(float(exact)))


def _compare(cards: Sequence[Any], whole: Any, duck: dict[int | None, dict[str, Any]]) -> dict:
    compared = 0
    differences: list[str] = []
    subjects = [(card.person.pk, card) for card in cards] + [(None, whole)]
    for pk, card in subjects:
        figures = duck.get(pk)
        if figures is None:
            differences.append(f"DuckDB has no row for person {pk}")
            continue
        results = card.by_key
        for key in kpi_data.KPI_KEYS:
            compared += 1
            actual = results[key].actual
            if not _same(key, actual, figures):
                differences.append(f"{pk or 'org'} {key}: Charter {actual}, DuckDB {figures[key]}")
    return {"compared": compared, "differences": len(differences), "first": differences[:10]}
