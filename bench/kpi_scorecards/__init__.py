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

Modules: `prepare` (step 0, the data set), `figures` (DuckDB's and Charter's ways of computing
the figures, compared), `scorecards`, `freshness` and `dashboard` (steps 1 to 3), `report` (the
table of figures and targets), `runner` (options, one process per step), `common` (setup,
progress, timing).
"""

from bench.kpi_scorecards.report import summary
from bench.kpi_scorecards.runner import main, run

__all__ = ["main", "run", "summary"]
