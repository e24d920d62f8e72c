"""Org: people, teams, the chart, settings and the people import."""

from __future__ import annotations

from typing import Any

from tests.permission_matrix.outcomes import (
    ADMIN_PAGE,
    CHANGES,
    LOGIN,
    OK,
    POST_ONLY,
    REDIRECT,
    SIGNED_IN,
    By,
    Row,
)
from tests.permission_matrix.world import (
    World,
)

# Someone in manager's team who cannot sign in yet, so an invitation can really go out.
NEWBIE = {"person_id": lambda w: w.newbie.pk}


def _edit(w: World) -> dict[str, Any]:
    rita = w.rep2
    return {
        "full_name": rita.full_name,
        "email": rita.email,
        "title": "Changed by the matrix",
        "role": rita.role,
        "team": rita.team_id,
        "manager": rita.manager_id,
        "hire_date": "",
        "start_date": "",
        "leave_date": "",
    }


ROWS: dict[str, Row] = {
    # --- org: people -----------------------------------------------------------------------
    "org:directory": Row(get=SIGNED_IN),
    "org:person_create": Row(
        get=ADMIN_PAGE,
        write=By(LOGIN, 403, 403, 403, CHANGES, 403),
        data=lambda w: {"full_name": "Matrix Person", "role": "rep"},
    ),
    # Rita: hidden from another rep and from the other team's manager.
    "org:person": Row(get=By(LOGIN, 404, OK, 404, OK, OK)),
    "org:person_edit": Row(
        get=By(LOGIN, 404, 403, 404, OK, 403),
        write=By(LOGIN, 404, 403, 404, CHANGES, 403),
        data=_edit,
    ),
    "org:person_invite": Row(
        get=By(LOGIN, 404, OK, 404, OK, 403),
        write=By(LOGIN, 404, CHANGES, 404, CHANGES, 403),
        kwargs=NEWBIE,
    ),
    "org:person_deactivate": Row(
        get=By(LOGIN, 404, 403, 404, OK, 403), write=By(LOGIN, 404, 403, 404, CHANGES, 403)
    ),
    "org:person_reactivate": Row(
        get=POST_ONLY,
        write=By(LOGIN, 404, 403, 404, CHANGES, 403),
        kwargs={"person_id": lambda w: w.gone.pk},
    ),
    "org:alias_add": Row(
        get=POST_ONLY,
        write=By(LOGIN, 404, 403, 404, CHANGES, 403),
        data=lambda w: {"kind": "name", "value": "matrix alias"},
    ),
    "org:alias_remove": Row(get=POST_ONLY, write=By(LOGIN, 404, 403, 404, CHANGES, 403)),
    # --- org: teams and chart ----------------------------------------------------------------
    "org:teams": Row(get=SIGNED_IN),
    "org:team_create": Row(
        get=ADMIN_PAGE,
        write=By(LOGIN, 403, 403, 403, CHANGES, 403),
        data=lambda w: {"name": "Matrix Team"},
    ),
    # East Enterprise: the team of `rep` and `manager`, not of `other_manager`.
    "org:team": Row(get=By(LOGIN, OK, OK, 404, OK, OK)),
    "org:team_edit": Row(
        get=By(LOGIN, 403, 403, 404, OK, 403),
        write=By(LOGIN, 403, 403, 404, CHANGES, 403),
        data=lambda w: {"name": "Matrix Renamed", "parent": ""},
    ),
    "org:chart": Row(get=SIGNED_IN),
    # Everyone reads the fiscal calendar and time zone; only admins change them.
    "org:settings": Row(
        get=SIGNED_IN,
        write=By(LOGIN, 403, 403, 403, CHANGES, 403),
        data=lambda w: {"name": "Acme Renamed", "fiscal_year_start_month": "2", "time_zone": "UTC"},
    ),
    # --- org: imports --------------------------------------------------------------------------
    "org:import_people": Row(get=ADMIN_PAGE, write=ADMIN_PAGE._replace(admin=OK)),
    "org:import_run": Row(get=ADMIN_PAGE, write=By(LOGIN, 403, 403, 403, REDIRECT, 403)),
    "org:import_errors": Row(get=ADMIN_PAGE),
    # The run's file is gone, so even an admin is sent back to the run page.
    "org:import_rejected": Row(get=ADMIN_PAGE._replace(admin=REDIRECT)),
}
