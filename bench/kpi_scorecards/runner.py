"""Running it: the options, each step in its own process, and a child's entry point."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench import child, kpi_data
from bench.kpi_scorecards.common import (
    DEFAULT_SECONDS,
)
from bench.kpi_scorecards.dashboard import (
    _dashboard,
)
from bench.kpi_scorecards.freshness import _child_freshness
from bench.kpi_scorecards.prepare import _child_migrate, _child_prepare
from bench.kpi_scorecards.report import summary
from bench.kpi_scorecards.scorecards import _child_scorecards


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
