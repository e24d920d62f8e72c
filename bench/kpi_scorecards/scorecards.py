"""Step 1: every rep's scorecard and the org's for the quarter and the fiscal year, Charter and
DuckDB in turns, the figures compared."""

from __future__ import annotations

import gc
import json
import statistics
import time
from pathlib import Path
from typing import Any

from bench import kpi_data
from bench.kpi_scorecards.common import (
    REPEATS,
    _ms,
    _say,
    _setup_django,
    _timed,
)
from bench.kpi_scorecards.figures import (
    _ALL_DEALS,
    _charter_scorecards,
    _compare,
    _duck,
    _duck_figures,
    _duck_params,
    _duck_sql,
)

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
