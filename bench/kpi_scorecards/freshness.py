"""Step 2: late deals imported through the deals importer, then every affected scorecard read
back and checked against DuckDB computing them from scratch."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench import kpi_data
from bench.kpi_scorecards.common import (
    LATE_DEALS,
    _ms,
    _setup_django,
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
