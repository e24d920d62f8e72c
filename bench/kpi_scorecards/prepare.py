"""Step 0, the data set: facts written, rollups rebuilt, DuckDB's copy loaded; or a kept data
set brought up to the latest migrations."""

from __future__ import annotations

import json
import secrets
import time
from pathlib import Path
from typing import Any

from bench import kpi_data
from bench.kpi_scorecards.common import (
    _db_path,
    _say,
    _setup_django,
)
from bench.kpi_scorecards.figures import (
    _duck_load,
)

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
        # What `create_org` wrote: the scorecards step rewrites them only for the other kind.
        "targets": kpi_data.QUARTERLY,
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


def _child_migrate(data_dir: str) -> dict[str, Any]:
    _setup_django(data_dir)
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    return {}
