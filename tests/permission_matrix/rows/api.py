"""The API's own endpoints (schema, docs, me) and its people and teams."""

from __future__ import annotations

from tests.permission_matrix.outcomes import (
    API_POST_ONLY,
    API_SIGNED_IN,
    CHANGES,
    OK,
    SIGNED_IN,
    By,
    Row,
)

PERSON_PK = {"pk": lambda w: w.rep2.pk}
TEAM_PK = {"pk": lambda w: w.teams["east_ent"].pk}
# Someone in manager's team who cannot sign in yet, so an invitation can really go out.
NEWBIE_PK = {"pk": lambda w: w.newbie.pk}

ROWS: dict[str, Row] = {
    # --- API -------------------------------------------------------------------------------
    "api:schema": Row(get=API_SIGNED_IN),
    "api:docs": Row(get=SIGNED_IN),
    "api:me": Row(get=API_SIGNED_IN),
    "api:person-list": Row(
        get=API_SIGNED_IN,
        write=By(401, 403, 403, 403, CHANGES, 403),
        data=lambda w: {"full_name": "Api Person"},
        json=True,
    ),
    # The API looks the object up before it refuses a write by role: out of scope is a 404 on
    # a write as on a read (a read-only role is refused before, by the API's permission).
    "api:person-detail": Row(
        get=By(401, 404, OK, 404, OK, OK),
        write=By(401, 404, 403, 404, CHANGES, 403),
        method="patch",
        data=lambda w: {"title": "Changed by the matrix"},
        kwargs=PERSON_PK,
        json=True,
    ),
    "api:person-invite": Row(
        get=API_POST_ONLY,
        write=By(401, 404, CHANGES, 404, CHANGES, 403),
        kwargs=NEWBIE_PK,
        json=True,
    ),
    "api:person-deactivate": Row(
        get=API_POST_ONLY,
        write=By(401, 404, 403, 404, CHANGES, 403),
        kwargs=PERSON_PK,
        json=True,
    ),
    "api:team-list": Row(
        get=API_SIGNED_IN,
        write=By(401, 403, 403, 403, CHANGES, 403),
        data=lambda w: {"name": "Api Team"},
        json=True,
    ),
    "api:team-detail": Row(
        get=By(401, OK, OK, 404, OK, OK),
        write=By(401, 403, 403, 404, CHANGES, 403),
        method="patch",
        data=lambda w: {"name": "Api Renamed"},
        kwargs=TEAM_PK,
        json=True,
    ),
}
