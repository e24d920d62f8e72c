"""KPI scorecards at scale, three measurements on one data set (see `bench.kpi_data`):

1. scorecards: a quarter's scorecards for all 1,000 reps (10 KPIs) and the org, then the
   fiscal year's, Charter's path (the selectors reading the monthly rollup) next to DuckDB
   aggregating the same raw rows (exported from the SQLite file), every person x KPI compared.
   Targets are set for each quarter, or with `--targets monthly` only for each month (the
   quarter's and year's then added up). Also the time of Charter's full rollup rebuild.
2. freshness: 10,000 late deals imported through the deals importer (Salesforce CSV), then every
   affected scorecard (each rep's, their teams', the org's) read back, and checked against
   DuckDB computing them from scratch.
3. dashboard: the rep dashboard (`/kpis/`) served by `charter serve --no-worker` against that
   database, under 10 concurrent keep-alive clients, next to a trivial Django view on the same
   server that reads the signed-in person (`request.user.person`); a `charter worker` runs
   beside it meanwhile, polling the queue and ticking each minute as in production, so each
   minute-long load sees the tick's commits.

    python -m bench kpi_scorecards                    # full scale: 5 M deals, 20 M activities
    python -m bench kpi_scorecards --scale 0.01       # 50,000 deals, 200,000 activities
    python -m bench.kpi_scorecards --scale 0.1 --data /tmp/kpi-bench --keep
                                                      # keep the data set; a later run with the
                                                      # same --data and --scale reuses it

Each step runs in its own process. Targets (ARCHITECTURE.md): Charter no slower than DuckDB with
identical figures; every affected scorecard current within 2 s of the import starting; the
dashboard's p95 under 50 ms and at least 0.6x the trivial view's request rate (issue 12).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gc
import json
import os
import re
import secrets
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench import child, kpi_data

LATE_DEALS = 10_000
REPEATS = 9
CLIENTS = 10
# A minute per URL: the worker's tick (every TICK_INTERVAL_SECONDS, 60 by default) commits once
# during each load.
DEFAULT_SECONDS = 60.0
TRIVIAL_PATH = "/bench/trivial/"
DASHBOARD_PATH = "/kpis/"


def _setup_django(data_dir: str) -> None:
    os.environ["DATA_DIR"] = data_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "charter.settings"
    os.environ["TASKS_BACKEND"] = "immediate"
    os.environ["CHARTER_ENV_FILE"] = os.devnull
    import django

    django.setup()
    # Measured as in a started web or worker process (charter.wsgi, `charter worker`), which
    # freezes what it loaded at start (charter.core.heap).
    from charter.core import heap

    heap.settle()


def _db_path() -> Path:
    from django.conf import settings

    return Path(str(settings.DATABASES["default"]["NAME"]))


def _say(text: str) -> None:
    print(f"   .. {text}", file=sys.stderr, flush=True)


# -- step 0: the data set ------------------------------------------------------------------


def _child_prepare(data_dir: str, work: Path, scale: float) -> dict[str, Any]:
    _setup_django(data_dir)
    from django.core.management import call_command
    from django.db import connection

    from charter.kpis import rollups
    from charter.org.models import Organization

    sizes = kpi_data.Sizes.at(scale)
    call_command("migrate", verbosity=0, interactive=False)
    password = secrets.token_urlsafe(18)
    login = kpi_data.create_org(password)
    org = Organization.objects.get()
    connection.close()

    def progress(table: str, done: int, total: int, seconds: float) -> None:
        _say(f"{table}: {done:,} of {total:,} rows written ({done / seconds:,.0f} rows/s)")

    start = time.perf_counter()
    written = kpi_data.write_facts(_db_path(), org.pk, sizes, progress)
    generate_seconds = time.perf_counter() - start

    def rebuilt(done: int, total: int) -> None:
        if done % 200 == 0 or done == total:
            _say(f"rollups rebuilt for {done:,} of {total:,} people")

    start = time.perf_counter()
    cells = rollups.rebuild(org=org, progress=rebuilt)
    rebuild_seconds = time.perf_counter() - start
    connection.close()

    # DuckDB's copy of the same rows, read back from the SQLite file.
    start = time.perf_counter()
    deals_csv, activities_csv = work / "deals.csv", work / "activities.csv"
    max_deal_id = kpi_data.export_deals(_db_path(), deals_csv)
    kpi_data.export_activities(_db_path(), activities_csv)
    import duckdb

    duck = duckdb.connect(str(work / "facts.duckdb"))
    _duck_load(duck, "TABLE deals", deals_csv, kpi_data.DUCK_DEALS)
    _duck_load(duck, "TABLE activities", activities_csv, kpi_data.DUCK_ACTIVITIES)
    duck.close()
    deals_csv.unlink()
    activities_csv.unlink()
    export_seconds = time.perf_counter() - start
    meta = {
        "scale": scale,
        "deals": sizes.deals,
        "activities": sizes.activities,
        "max_deal_id": max_deal_id,
        "login": login,
        "password": password,
        "generate_seconds": round(generate_seconds, 1),
        **written,
        "rollup_rebuild_seconds": round(rebuild_seconds, 1),
        "rollup_daily_rows": cells,
        "duckdb_load_seconds": round(export_seconds, 1),
        "sqlite_mb": round(_db_path().stat().st_size / 1e6),
    }
    (work / "meta.json").write_text(json.dumps(meta, indent=2))
    return meta


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


def _timed(func: Callable[[], Any], repeats: int) -> tuple[list[float], Any]:
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return times, result


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def _child_migrate(data_dir: str) -> dict[str, Any]:
    _setup_django(data_dir)
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    return {}


# -- step 1: scorecards, Charter and DuckDB ------------------------------------------------


class _GcTime:
    """A `gc.callbacks` entry adding up the time the collector runs."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.full = 0
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
            return
        self.seconds += time.perf_counter() - self._started
        if info["generation"] == 2:
            self.full += 1


def _child_scorecards(data_dir: str, work: Path, granularity: str) -> dict[str, Any]:
    _setup_django(data_dir)
    from charter.core.periods import YEAR, period_containing
    from charter.org.models import Organization, Person

    meta_path = work / "meta.json"
    meta = json.loads(meta_path.read_text())
    org = Organization.objects.get()
    if meta.get("targets") != granularity:
        start = time.perf_counter()
        kpi_data.write_targets(org, granularity)
        _say(f"{granularity} targets written in {time.perf_counter() - start:.1f} s")
        meta["targets"] = granularity
        meta_path.write_text(json.dumps(meta, indent=2))
    ids = list(Person.objects.filter(org=org).order_by("pk").values_list("pk", flat=True))
    duck = _duck(work, ids, meta["max_deal_id"])
    year = period_containing(kpi_data.QUARTER_START, YEAR, org.fiscal_year_start_month)
    try:
        found = {"targets": granularity, "year": year.label}
        found.update(_scorecards_of(org, ids, duck, kpi_data.QUARTER))
        found.update(
            {f"year_{k}": v for k, v in _scorecards_of(org, ids, duck, year.label).items()}
        )
        return found
    finally:
        duck.close()


def _scorecards_of(org: Any, ids: list[int], duck: Any, label: str) -> dict[str, Any]:
    """Every rep's scorecard and the org's for the period labelled `label`, Charter and
    DuckDB in turns, the figures compared, and where Charter's time goes."""
    from charter.kpis.scoring import Scorer
    from charter.kpis.selectors.calendar import period_of
    from charter.kpis.selectors.definitions import kpi_specs
    from charter.kpis.selectors.sums import metric_sums_by_person
    from charter.kpis.selectors.targets import org_targets

    period = period_of(org, label)
    sql, params = _duck_sql(_ALL_DEALS), _duck_params(org, period)
    collector = _GcTime()

    def charter_run() -> Any:
        gc.callbacks.append(collector)
        try:
            return _charter_scorecards(org, label)
        finally:
            gc.callbacks.remove(collector)

    # Taken in turns, Charter then DuckDB, each time: a shared machine's speed drifts by half
    # and more within a minute, and alternating puts both through the same drift. The first
    # run of each (cold caches) is reported, not counted in the median.
    charter_times: list[float] = []
    duck_times: list[float] = []
    for _ in range(1 + REPEATS):
        more, (cards, whole) = _timed(charter_run, 1)
        charter_times += more
        more, figures = _timed(lambda: _duck_figures(duck, sql, params), 1)
        duck_times += more
    threads = duck.execute("SELECT current_setting('threads')").fetchone()[0]
    comparison = _compare(cards, whole, figures)

    # Where Charter's time goes: the rollup read, the targets, the arithmetic.
    specs = [s for s in kpi_specs(org, period) if s.key in kpi_data.KPI_KEYS]
    sums_times, sums = _timed(lambda: metric_sums_by_person(ids, period), REPEATS)
    target_times, _ = _timed(lambda: org_targets(org, period), REPEATS)

    def arithmetic() -> None:
        scorer = Scorer(specs, period, kpi_data.LAST_DAY)
        for pk in ids:
            scorer.results(sums[pk], {})

    arithmetic_times, _ = _timed(arithmetic, REPEATS)
    charter_median = statistics.median(charter_times[1:])
    duck_median = statistics.median(duck_times[1:])
    return {
        "people": len(ids),
        "kpis": len(specs),
        "charter_ms_median": _ms(charter_median),
        "charter_ms_first": _ms(charter_times[0]),
        "duckdb_ms_median": _ms(duck_median),
        "duckdb_ms_first": _ms(duck_times[0]),
        "duckdb_threads": threads,
        "charter_to_duckdb_time_ratio": round(charter_median / duck_median, 2),
        "figures_compared": comparison["compared"],
        "figures_different": comparison["differences"],
        "first_differences": comparison["first"],
        "charter_rollup_read_ms": _ms(statistics.median(sums_times)),
        "charter_targets_read_ms": _ms(statistics.median(target_times)),
        "charter_kpi_arithmetic_ms": _ms(statistics.median(arithmetic_times)),
        # Python's cyclic garbage collector, over Charter's 1 + REPEATS runs: part of the time
        # above, reported so a slow repetition can be told from a slow computation.
        "charter_gc_ms_total": _ms(collector.seconds),
        "charter_gc_full_collections": collector.full,
    }


# -- step 2: freshness after an import -----------------------------------------------------


def _time_methods(cls: type, names: Sequence[str], total: list[float]) -> Callable[[], None]:
    """Add the time spent in these methods of `cls` to total[0]; returns the undo."""
    originals = {name: cls.__dict__[name] for name in names}

    def timed(method: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                total[0] += time.perf_counter() - start

        return wrapper

    for name, method in originals.items():
        setattr(cls, name, timed(method))

    def undo() -> None:
        for name, method in originals.items():
            setattr(cls, name, method)

    return undo


def _child_freshness(data_dir: str, work: Path) -> dict[str, Any]:
    _setup_django(data_dir)
    from charter.core.imports.readers import path_opener
    from charter.core.imports.runner import Observer, execute_run, get_importer
    from charter.core.imports.services import file_sha256, import_run_create
    from charter.core.models import ImportRun
    from charter.crm.models import Deal
    from charter.kpis import rollups
    from charter.kpis.metrics import METRIC_KEYS
    from charter.kpis.models import DailyMetrics
    from charter.kpis.selectors.calendar import period_of
    from charter.kpis.selectors.definitions import kpi_specs
    from charter.kpis.selectors.scorecards import team_scorecards
    from charter.org.models import Organization, Person, Team

    meta = json.loads((work / "meta.json").read_text())
    org = Organization.objects.get()
    people = list(Person.objects.filter(org=org).order_by("pk"))
    batch = ImportRun.objects.filter(kind="deals").count() + 1
    csv_path = work / f"late-deals-{batch}.csv"
    kpi_data.late_deals_csv(csv_path, [p.full_name for p in people], LATE_DEALS, batch)

    marks: dict[str, float] = {}
    rollup_seconds = [0.0]

    class Stopwatch(Observer):
        def applying(self, *, rows: int) -> None:
            marks["validated"] = time.perf_counter()

    # The rollups follow the upsert through the listener the kpis receiver hands the CRM
    # (`rollups.RollupWriter`): timing its two entry points times the rollup update inside the
    # import's transaction without changing what runs.
    restore = _time_methods(rollups.RollupWriter, ("add", "finish"), rollup_seconds)
    try:
        start = time.perf_counter()
        opener = path_opener(csv_path)
        run = import_run_create(
            org=org,
            kind="deals",
            filename=csv_path.name,
            actor=None,
            options=get_importer("deals").clean_settings({"preset": "salesforce"}),
            file_sha256=file_sha256(opener),
        )
        execute_run(run, opener=opener, observer=Stopwatch())
        imported = time.perf_counter()
    finally:
        restore()
    if run.status != ImportRun.Status.APPLIED or run.created_count != LATE_DEALS:
        raise RuntimeError(f"the late deals were not imported: {run.message}")

    # Every scorecard the import touched, read back: the owners', their teams' (and the teams
    # above them) and the org's.
    owners = set(Deal.objects.filter(import_run=run).values_list("owner_id", flat=True))
    cards, whole = _charter_scorecards(org, kpi_data.QUARTER, [o for o in owners if o])
    people_done = time.perf_counter()
    period = period_of(org, kpi_data.QUARTER)
    specs = [s for s in kpi_specs(org, period) if s.key in kpi_data.KPI_KEYS]
    # The owners' teams and every team above them, walked up from one read of the org's teams.
    by_id = {team.pk: team for team in Team.objects.filter(org=org)}
    teams: dict[int, Team] = {}
    for owner_team in Person.objects.filter(pk__in=owners).values_list("team_id", flat=True):
        team_id: int | None = owner_team
        while team_id is not None and team_id not in teams:
            teams[team_id] = by_id[team_id]
            team_id = by_id[team_id].parent_id
    # Every affected team in one batch, as the org view reads them.
    team_scorecards(org, period, list(teams.values()), today=kpi_data.LAST_DAY, specs=specs)
    finished = time.perf_counter()

    # From scratch: DuckDB over every stored deal, and the rollup cells of some owners
    # recomputed from their facts.
    duck = _duck(work, [p.pk for p in people], meta["max_deal_id"])
    figures = _duck_figures(duck, _duck_sql(_ALL_DEALS), _duck_params(org, period))
    duck.close()
    comparison = _compare(cards, whole, figures)
    sample = sorted(o for o in owners if o)[:10]
    expected = rollups.computed_cells(org, sample)
    stored = {
        (row[0], row[1]): list(row[2:])
        for row in DailyMetrics.objects.filter(person_id__in=sample).values_list(
            "person_id", "day", *METRIC_KEYS
        )
        if any(row[2:])
    }
    validated = marks.get("validated", imported)
    return {
        "late_deals": LATE_DEALS,
        "people_affected": len(cards),
        "teams_affected": len(teams),
        "import_parse_validate_ms": _ms(validated - start),
        "import_write_ms": _ms(imported - validated - rollup_seconds[0]),
        "import_rollups_ms": _ms(rollup_seconds[0]),
        "import_total_ms": _ms(imported - start),
        "person_and_org_scorecards_ms": _ms(people_done - imported),
        "team_scorecards_ms": _ms(finished - people_done),
        "import_to_all_scorecards_ms": _ms(finished - start),
        "figures_compared": comparison["compared"],
        "figures_different": comparison["differences"],
        "first_differences": comparison["first"],
        "rollup_cells_checked": len(expected),
        "rollup_cells_wrong": sum(
            1 for k in set(expected) | set(stored) if expected.get(k) != stored.get(k)
        ),
    }


# -- step 3: the dashboard under load ------------------------------------------------------


def _env(data_dir: str) -> dict[str, str]:
    # As installed: jobs wait in the database queue for `charter worker`.
    return {
        **child.env(),
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATA_DIR": data_dir,
        "CHARTER_ENV_FILE": os.devnull,
        "DEBUG": "0",
        "HTTPS": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "http://127.0.0.1",
        "TASKS_BACKEND": "db",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }


def _serve(data_dir: str, log: Path) -> tuple[subprocess.Popen[str], int]:
    """`charter serve --no-worker` on a port the system picks; returns the process and the port
    it printed once listening."""
    command = [sys.executable, "-m", "charter.cli", "serve", "--no-worker", "--port", "0"]
    server = subprocess.Popen(
        command,
        cwd=child.ROOT,
        env=_env(data_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert server.stdout is not None
    said = []
    for line in server.stdout:
        said.append(line)
        found = re.search(r"serving on http://127\.0\.0\.1:(\d+)/", line)
        if found:
            # The rest of its output goes to the log: a pipe nobody reads would fill up and stall
            # the server.
            threading.Thread(target=_copy, args=(server.stdout, log), daemon=True).start()
            return server, int(found.group(1))
    server.wait(timeout=30)
    raise RuntimeError(f"the server stopped: {''.join(said)[-2000:]}")


def _copy(source: Any, log: Path) -> None:
    with log.open("a") as out:
        for line in source:
            out.write(line)


def _work(data_dir: str, log: Path) -> subprocess.Popen[bytes]:
    """`charter worker`: every lane polling the queue, and the tick each minute."""
    command = [sys.executable, "-m", "charter.cli", "worker"]
    with log.open("wb") as out:
        return subprocess.Popen(command, cwd=child.ROOT, env=_env(data_dir), stdout=out, stderr=out)


def _jobs_done(data_dir: str) -> int:
    """Jobs the worker has finished so far (the tick among them)."""
    db = sqlite3.connect(Path(data_dir) / "charter.sqlite3")
    try:
        (count,) = db.execute(
            "SELECT COUNT(*) FROM django_tasks_database_dbtaskresult WHERE status = 'SUCCESSFUL'"
        ).fetchone()
    finally:
        db.close()
    return int(count)


async def _request(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> tuple[int, dict[str, str], bytes]:
    writer.write(request)
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=120)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            if name.lower() == "set-cookie" and "set-cookie" in headers:
                headers["set-cookie"] += "\n" + value.strip()
            else:
                headers[name.lower()] = value.strip()
    if status in (204, 304):
        body = b""
    elif "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        parts = []
        while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
            parts.append(await reader.readexactly(size))
            await reader.readexactly(2)
        await reader.readuntil(b"\r\n")
        body = b"".join(parts)
    else:
        raise RuntimeError(f"a {status} answer without a length: {head[:300]!r}")
    return status, headers, body


def _get(path: str, port: int, cookie: str = "") -> bytes:
    extra = f"Cookie: {cookie}\r\n" if cookie else ""
    return (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{extra}Connection: keep-alive\r\n\r\n"
    ).encode()


def _cookies(headers: dict[str, str]) -> dict[str, str]:
    found = {}
    for line in headers.get("set-cookie", "").split("\n"):
        name, _, rest = line.partition("=")
        if name:
            found[name.strip()] = rest.split(";")[0]
    return found


async def _login(port: int, email: str, password: str) -> str:
    """Sign in through the login form, as a browser does; returns the Cookie header."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    status, headers, body = await _request(reader, writer, _get("/accounts/login/", port))
    cookies = _cookies(headers)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if status != 200 or token is None or "csrftoken" not in cookies:
        raise RuntimeError(f"the login page answered {status}")
    form = urlencode(
        {"csrfmiddlewaretoken": token.group(1).decode(), "username": email, "password": password}
    ).encode()
    post = (
        f"POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Cookie: csrftoken={cookies['csrftoken']}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(form)}\r\nConnection: keep-alive\r\n\r\n"
    ).encode() + form
    status, headers, _ = await _request(reader, writer, post)
    writer.close()
    session = _cookies(headers).get("sessionid")
    if status != 302 or not session:
        raise RuntimeError(f"signing in answered {status} without a session")
    return f"csrftoken={cookies['csrftoken']}; sessionid={session}"


async def _load(port: int, path: str, cookie: str, seconds: float) -> dict[str, Any]:
    """CLIENTS connections, each sending the next request as soon as the last is answered;
    the first second warms up and is not counted."""
    request = _get(path, port, cookie)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    begin = time.perf_counter()
    counted_from, stop_at = begin + 1.0, begin + 1.0 + seconds

    async def client() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while (sent := time.perf_counter()) < stop_at:
            status, _, _ = await _request(reader, writer, request)
            if sent >= counted_from:
                latencies.append(time.perf_counter() - sent)
                statuses[status] = statuses.get(status, 0) + 1
        writer.close()

    await asyncio.gather(*(client() for _ in range(CLIENTS)))
    latencies.sort()
    count = len(latencies)
    return {
        "requests": count,
        "per_s": round(count / seconds, 1),
        "p50_ms": _ms(latencies[count // 2]) if count else None,
        "p95_ms": _ms(latencies[min(count - 1, int(count * 0.95))]) if count else None,
        "statuses": statuses,
    }


def _dashboard(data_dir: str, work: Path, seconds: float) -> dict[str, Any]:
    meta = json.loads((work / "meta.json").read_text())
    worker = _work(data_dir, work / "worker.log")
    server, port = _serve(data_dir, work / "server.log")
    try:
        cookie = asyncio.run(_login(port, meta["login"], meta["password"]))
        before = _jobs_done(data_dir)
        trivial = asyncio.run(_load(port, TRIVIAL_PATH, cookie, seconds))
        between = _jobs_done(data_dir)
        dashboard = asyncio.run(_load(port, DASHBOARD_PATH, cookie, seconds))
        trivial["worker_jobs_done"] = between - before
        dashboard["worker_jobs_done"] = _jobs_done(data_dir) - between
    finally:
        for process in (server, worker):
            process.terminate()
        for process in (server, worker):
            process.wait(timeout=60)
    result: dict[str, Any] = {"clients": CLIENTS, "seconds_each": seconds}
    for name, found in (("trivial", trivial), ("dashboard", dashboard)):
        for key, value in found.items():
            result[f"{name}_{key}"] = value
    if dashboard["per_s"] and trivial["per_s"]:
        result["dashboard_to_trivial_rate"] = round(dashboard["per_s"] / trivial["per_s"], 2)
    return result


# -- running it ----------------------------------------------------------------------------


def _verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("met" if ok else "MISSED")


def summary(r: dict[str, Any]) -> str:
    """The side-by-side figures and each target, as a table."""
    rows: list[tuple[str, str, str, str]] = []
    for prefix, name in (("scorecards_", "1 quarter"), ("scorecards_year_", "fiscal year")):
        if f"{prefix}charter_ms_median" not in r:
            continue
        ratio = r[f"{prefix}charter_to_duckdb_time_ratio"]
        same = r[f"{prefix}figures_different"] == 0
        rows.append(
            (
                f"org scorecards, {name}, {r.get('scorecards_targets')} targets (median)",
                f"{r[f'{prefix}charter_ms_median']:,} ms",
                f"DuckDB {r[f'{prefix}duckdb_ms_median']:,} ms",
                f"x{ratio} <= 1: {_verdict(ratio <= 1)}; "
                f"{r[f'{prefix}figures_compared']:,} figures identical: {_verdict(same)}",
            )
        )
    if "freshness_import_to_all_scorecards_ms" in r:
        total = r["freshness_import_to_all_scorecards_ms"]
        rows.append(
            (
                f"{r['freshness_late_deals']:,} deals imported -> scorecards",
                f"{total:,} ms",
                "",
                f"< 2,000 ms: {_verdict(total < 2000)}; figures identical: "
                f"{_verdict(r['freshness_figures_different'] == 0)}",
            )
        )
    if "dashboard_dashboard_per_s" in r:
        p95 = r["dashboard_dashboard_p95_ms"]
        share = r.get("dashboard_dashboard_to_trivial_rate")
        rows.append(
            (
                f"rep dashboard, {CLIENTS} clients",
                f"{r['dashboard_dashboard_per_s']} req/s, p95 {p95} ms",
                f"trivial {r['dashboard_trivial_per_s']} req/s, "
                f"p95 {r['dashboard_trivial_p95_ms']} ms",
                f"p95 < 50 ms: {_verdict(p95 is not None and p95 < 50)}; rate x{share} >= 0.6: "
                f"{_verdict(None if share is None else share >= 0.6)}",
            )
        )
    widths = [max(len(row[i]) for row in rows) if rows else 0 for i in range(4)]
    head = (
        f"   KPI benchmark at scale {r.get('scale')} ({r.get('deals', 0):,} deals, "
        f"{r.get('activities', 0):,} activities), {r.get('wall_seconds')} s"
    )
    lines = [head]
    for row in rows:
        lines.append(
            "   " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        )
    return "\n".join(lines)


def _measure(step: str, data_dir: str, work: Path, *extra: str) -> dict[str, Any]:
    # Progress goes straight to the terminal: preparing the full data set takes minutes.
    return child.measure(
        "bench.kpi_scorecards", step, data_dir, str(work), *extra, show_progress=True
    )


def _options(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench kpi_scorecards")
    parser.add_argument(
        "--scale", type=float, default=1.0, help="1 = 5 M deals and 20 M activities"
    )
    parser.add_argument("--data", help="where the data set is (reused if its scale matches)")
    parser.add_argument("--keep", action="store_true", help="keep the data set")
    parser.add_argument(
        "--seconds", type=float, default=DEFAULT_SECONDS, help="load per URL (default 60)"
    )
    parser.add_argument(
        "--steps", default="scorecards,freshness,dashboard", help="which measurements to run"
    )
    parser.add_argument(
        "--targets",
        choices=(kpi_data.QUARTERLY, kpi_data.MONTHLY),
        default=kpi_data.QUARTERLY,
        help="set for each quarter, or only for each month (the quarter and year add them up)",
    )
    options, _unknown = parser.parse_known_args(argv)
    return options


def run(argv: Sequence[str] | None = None) -> dict[str, Any]:
    options = _options(sys.argv[1:] if argv is None else argv)
    work = Path(options.data or tempfile.mkdtemp(prefix="charter-bench-kpi-"))
    work.mkdir(parents=True, exist_ok=True)
    data_dir = str(work / "db")
    began = time.perf_counter()
    results: dict[str, Any] = {}
    try:
        meta_path = work / "meta.json"
        meta = json.loads(meta_path.read_text()) if meta_path.exists() else None
        if meta is None or meta["scale"] != options.scale:
            shutil.rmtree(data_dir, ignore_errors=True)
            meta = _measure("prepare", data_dir, work, "--scale", str(options.scale))
        else:
            # A kept data set may predate migrations added since: bring it up to date first.
            _measure("migrate", data_dir, work)
        results.update({k: v for k, v in meta.items() if k not in ("login", "password")})
        steps = options.steps.split(",")
        if "scorecards" in steps:
            results.update(
                {
                    f"scorecards_{k}": v
                    for k, v in _measure("scorecards", data_dir, work, options.targets).items()
                }
            )
        if "freshness" in steps:
            results.update(
                {f"freshness_{k}": v for k, v in _measure("freshness", data_dir, work).items()}
            )
        if "dashboard" in steps:
            found = _dashboard(data_dir, work, options.seconds)
            results.update({f"dashboard_{k}": v for k, v in found.items()})
        results["wall_seconds"] = round(time.perf_counter() - began, 1)
        print(summary(results))
        results["targets"] = (
            "scorecards: charter_to_duckdb_time_ratio <= 1, figures_different 0; freshness: "
            "import_to_all_scorecards_ms < 2000; dashboard: p95 < 50 ms, rate >= 0.6 x trivial"
        )
        return results
    finally:
        if options.keep or options.data:
            print(f"   data set kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def main(argv: Sequence[str]) -> int:
    if argv[:1] == ["--child"]:
        step, data_dir, work = argv[1], argv[2], Path(argv[3])
        if step == "prepare":
            scale = float(argv[argv.index("--scale") + 1])
            result = _child_prepare(data_dir, work, scale)
        elif step == "migrate":
            result = _child_migrate(data_dir)
        elif step == "scorecards":
            result = _child_scorecards(data_dir, work, argv[4])
        else:
            result = _child_freshness(data_dir, work)
        child.report(result)
        return 0
    for key, value in run(argv).items():
        print(f"   {key:<48} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
