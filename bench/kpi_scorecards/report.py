"""The figures side by side with each target, as a table."""

from __future__ import annotations

from typing import Any

from bench.kpi_scorecards.common import (
    CLIENTS,
)

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
