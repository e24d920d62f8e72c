"""KPIs: scorecards, explain pages, targets, the library, periods and settings."""

from __future__ import annotations

from typing import Any

from tests.permission_matrix.outcomes import (
    ADMIN_PAGE,
    API_POST_ONLY,
    API_SIGNED_IN,
    CHANGES,
    LOGIN,
    OK,
    REDIRECT,
    SIGNED_IN,
    By,
    Row,
)
from tests.permission_matrix.world import (
    World,
    last_quarter,
    rita_target,
    targets_run,
)

# Explain pages: a built-in KPI every org has.
EXPLAIN = {"key": lambda w: "win_rate"}
EXPLAIN_CSV = {**EXPLAIN, "fmt": lambda w: "csv"}
# Targets: a rejected targets import, and a target of Rita (both made on first use).
TARGETS_RUN = {"run_id": lambda w: targets_run(w).pk}
RITA_TARGET = {"pk": lambda w: rita_target(w).pk}
# KPI library: a built-in KPI every org has, and the quarter before today's.
KPI_KEY = {"key": lambda w: "win_rate"}
LAST_QUARTER = {"label": lambda w: last_quarter(w)}


def _kpi_fields(w: World) -> dict[str, Any]:
    return {
        "key": "matrix_kpi",
        "name": "Matrix KPI",
        "formula": "deals_won_count * 2",
        "unit": "count",
        "direction": "higher",
        "decimals": "0",
        "threshold_ahead": "1.1",
        "threshold_on_track": "0.95",
        "threshold_at_risk": "0.8",
        "weight": "5",
        "score_cap": "",
        "active": "on",
        "effective_from": "2026-01-01",
    }


ROWS: dict[str, Row] = {
    # --- kpis: scorecards, leaderboards, exports ------------------------------------------------
    # Without targets of their own, managers land on their team and admins and executives on
    # the organization instead of an empty "My KPIs".
    "kpis:dashboard": Row(get=By(LOGIN, OK, REDIRECT, REDIRECT, REDIRECT, REDIRECT)),
    # Rita's scorecard: hidden from another rep and from the other team's manager.
    "kpis:person": Row(get=By(LOGIN, 404, OK, 404, OK, OK)),
    "kpis:person_pdf": Row(get=By(LOGIN, 404, OK, 404, OK, OK)),
    # East Enterprise: its rep sees the team row only; other_manager cannot see the team.
    "kpis:team": Row(get=By(LOGIN, OK, OK, 404, OK, OK)),
    "kpis:team_export": Row(get=By(LOGIN, OK, OK, 404, OK, OK), kwargs={"fmt": lambda w: "csv"}),
    "kpis:org": Row(get=By(LOGIN, 403, OK, OK, OK, OK)),
    "kpis:org_export": Row(get=By(LOGIN, 403, OK, OK, OK, OK), kwargs={"fmt": lambda w: "xlsx"}),
    # Leaderboards default to managers and up.
    "kpis:leaderboard": Row(get=By(LOGIN, 403, OK, OK, OK, OK)),
    # --- kpis: explain (the records and formula behind a number) --------------------------------
    # Rita's figure: hidden from another rep and from the other team's manager.
    "kpis:explain_person": Row(get=By(LOGIN, 404, OK, 404, OK, OK), kwargs=EXPLAIN),
    "kpis:explain_person_export": Row(get=By(LOGIN, 404, OK, 404, OK, OK), kwargs=EXPLAIN_CSV),
    # East Enterprise: its rep reads the figure but not the records (so the export is a 403).
    "kpis:explain_team": Row(get=By(LOGIN, OK, OK, 404, OK, OK), kwargs=EXPLAIN),
    "kpis:explain_team_export": Row(get=By(LOGIN, 403, OK, 404, OK, OK), kwargs=EXPLAIN_CSV),
    # The org figure is for managers up; its records for admins and executives.
    "kpis:explain_org": Row(get=By(LOGIN, 403, OK, OK, OK, OK), kwargs=EXPLAIN),
    "kpis:explain_org_export": Row(get=By(LOGIN, 403, 403, 403, OK, OK), kwargs=EXPLAIN_CSV),
    # Without ?subject=&kpi= there is nothing to explain.
    "api:kpis-explain": Row(get=By(401, 400, 400, 400, 400, 400)),
    # --- kpis: targets ----------------------------------------------------------------------------
    # The grid opens on the viewer's own team (the first team for admins and executives); it
    # posts East Enterprise with a target for Rita, which other_manager cannot even see.
    "kpis:targets": Row(
        get=By(LOGIN, 403, OK, OK, OK, OK),
        write=By(LOGIN, 403, CHANGES, 404, CHANGES, 403),
        data=lambda w: {"team": w.teams["east_ent"].pk, f"p{w.rep2.pk}:revenue_won": "1000"},
    ),
    # Rita's target history: hers, her managers', admins' and executives'.
    "kpis:target_history": Row(get=By(LOGIN, 404, OK, 404, OK, OK)),
    "kpis:targets_import": Row(get=ADMIN_PAGE, write=ADMIN_PAGE._replace(admin=OK)),
    "kpis:import_run": Row(
        get=ADMIN_PAGE, write=ADMIN_PAGE._replace(admin=REDIRECT), kwargs=TARGETS_RUN
    ),
    "kpis:import_errors": Row(get=ADMIN_PAGE, kwargs=TARGETS_RUN),
    "kpis:import_rejected": Row(get=ADMIN_PAGE._replace(admin=REDIRECT), kwargs=TARGETS_RUN),
    # A new target for Rita: her managers and admins set it; Rick cannot see her (404).
    "api:kpi-target-list": Row(
        get=API_SIGNED_IN,
        write=By(401, 404, CHANGES, 404, CHANGES, 403),
        data=lambda w: {
            "kpi": "revenue_won",
            "period": "2026-Q2",
            "person": w.rep2.pk,
            "value": "1000",
        },
        json=True,
    ),
    "api:kpi-target-detail": Row(get=By(401, 404, OK, 404, OK, OK), kwargs=RITA_TARGET),
    "api:kpi-target-revisions": Row(get=By(401, 404, OK, 404, OK, OK), kwargs=RITA_TARGET),
    # --- kpis: library, periods, settings (everyone reads; admins change) ---------------------
    "kpis:library": Row(get=SIGNED_IN),
    "kpis:kpi": Row(get=SIGNED_IN, kwargs=KPI_KEY),
    "kpis:kpi_create": Row(
        get=ADMIN_PAGE, write=By(LOGIN, 403, 403, 403, CHANGES, 403), data=_kpi_fields
    ),
    "kpis:formula_check": Row(get=ADMIN_PAGE),
    "kpis:kpi_revise": Row(
        get=ADMIN_PAGE,
        write=By(LOGIN, 403, 403, 403, CHANGES, 403),
        data=lambda w: {**_kpi_fields(w), "weight": "25", "reason": "Matrix revision"},
        kwargs=KPI_KEY,
    ),
    # How a KPI's longer targets are shared among months: admins only, read and write.
    "kpis:kpi_seasonality": Row(
        get=ADMIN_PAGE,
        write=By(LOGIN, 403, 403, 403, CHANGES, 403),
        data=lambda w: {
            "method": "days",
            "effective_from": "2026-01-01",
            "reason": "Matrix seasonality",
        },
        kwargs=KPI_KEY,
    ),
    "kpis:periods": Row(get=SIGNED_IN),
    # Last quarter: ended and not closed, so the admin may close it.
    "kpis:period_close": Row(
        get=ADMIN_PAGE, write=By(LOGIN, 403, 403, 403, CHANGES, 403), kwargs=LAST_QUARTER
    ),
    "kpis:settings": Row(
        get=ADMIN_PAGE,
        write=By(LOGIN, 403, 403, 403, CHANGES, 403),
        data=lambda w: {
            "leaderboard_visibility": "off",
            "auto_close": "on",
            "auto_close_after_days": "5",
        },
    ),
    "api:kpi-definition-list": Row(
        get=API_SIGNED_IN,
        write=By(401, 403, 403, 403, CHANGES, 403),
        data=lambda w: {**_kpi_fields(w), "key": "api_matrix", "score_cap": "1.5"},
        json=True,
    ),
    "api:kpi-definition-detail": Row(get=API_SIGNED_IN, kwargs=KPI_KEY),
    "api:kpi-definition-revise": Row(
        get=API_POST_ONLY,
        write=By(401, 403, 403, 403, CHANGES, 403),
        data=lambda w: {"effective_from": "2026-01-01", "weight": "25", "reason": "Matrix"},
        kwargs=KPI_KEY,
        json=True,
    ),
    # Everyone reads how a KPI's targets are shared; only admins set it.
    "api:kpi-definition-seasonality": Row(
        get=API_SIGNED_IN,
        write=By(401, 403, 403, 403, CHANGES, 403),
        data=lambda w: {
            "method": "shares",
            "shares": ["2"] + ["1"] * 11,
            "effective_from": "2026-01-01",
            "reason": "Matrix",
        },
        kwargs=KPI_KEY,
        json=True,
    ),
    # Without a subject: the people each role may see.
    "api:kpi-scorecards": Row(get=API_SIGNED_IN),
    "api:kpi-period-list": Row(get=API_SIGNED_IN),
    "api:kpi-period-close": Row(
        get=API_POST_ONLY, write=By(401, 403, 403, 403, CHANGES, 403), kwargs=LAST_QUARTER
    ),
}
