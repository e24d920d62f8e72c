"""Expectations: documents, values, questions, signatures, on the web and the API."""

from __future__ import annotations

from tests.permission_matrix.outcomes import (
    ADMIN_PAGE,
    API_POST_ONLY,
    API_SIGNED_IN,
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
    rita_request,
)

DOC_PK = {"pk": lambda w: w.team_doc.pk}
# Readers of the team document: its team (rep, manager), admins and executives.
DOC_READERS = By(LOGIN, OK, OK, 404, OK, OK)
DOC_EDITORS = By(LOGIN, 403, OK, 404, OK, 403)
DOC_EDIT_WRITE = By(LOGIN, 403, CHANGES, 404, CHANGES, 403)
API_DOC_READERS = By(401, OK, OK, 404, OK, OK)
API_DOC_EDIT_WRITE = By(401, 403, CHANGES, 404, CHANGES, 403)

ROWS: dict[str, Row] = {
    # --- expectations ------------------------------------------------------------------------
    "expectations:list": Row(get=SIGNED_IN),
    "expectations:create": Row(
        get=By(LOGIN, 403, OK, OK, OK, 403),
        # other_manager may write documents, but not for East Enterprise: the form refuses it.
        write=By(LOGIN, 403, CHANGES, OK, CHANGES, 403),
        data=lambda w: {
            "title": "Matrix document",
            "audience": "team",
            "audience_team": w.teams["east_ent"].pk,
            "default_due_days": 14,
        },
    ),
    "expectations:values": Row(
        get=SIGNED_IN,
        write=By(LOGIN, 403, 403, 403, CHANGES, 403),
        data=lambda w: {"name": "Matrix value"},
    ),
    "expectations:value_edit": Row(
        get=ADMIN_PAGE,
        write=By(LOGIN, 403, 403, 403, CHANGES, 403),
        data=lambda w: {"name": "Renamed value", "description": "", "order": 3},
    ),
    "expectations:questions": Row(get=By(LOGIN, 403, OK, OK, OK, 403)),
    # Rick's public question on the team document: his managers and admins answer it.
    "expectations:answer": Row(
        get=POST_ONLY,
        write=By(LOGIN, 403, CHANGES, 404, CHANGES, 403),
        data=lambda w: {"text": "Matrix answer"},
    ),
    "expectations:fold": Row(get=POST_ONLY, write=By(LOGIN, 403, CHANGES, 404, CHANGES, 403)),
    "expectations:distribution": Row(get=By(LOGIN, 403, OK, 403, OK, 403)),
    # Rita's open signature of the team document: her manager and admins remind her; Rick (who
    # may not see her) and the other manager get a 404, the read-only executive a 403.
    "expectations:remind": Row(
        get=POST_ONLY,
        write=By(LOGIN, 404, CHANGES, 404, CHANGES, 403),
        kwargs={"request_id": lambda w: rita_request(w).pk},
    ),
    "expectations:document": Row(get=DOC_READERS),
    "expectations:ask": Row(
        get=POST_ONLY,
        write=By(LOGIN, CHANGES, CHANGES, 404, CHANGES, 403),
        data=lambda w: {
            "expectation": str(w.team_expectation.key),
            "text": "Matrix question",
            "visibility": "public",
        },
    ),
    # Only people the document applies to sign; admins and executives here have no team.
    "expectations:sign": Row(
        get=By(LOGIN, OK, OK, 404, REDIRECT, REDIRECT),
        # The typed name is Rick's: the manager's signature is refused and the page shown again.
        write=By(LOGIN, CHANGES, OK, 404, REDIRECT, REDIRECT),
        data=lambda w: {"typed_name": "Rick Rep", "confirm": "on", "version": "1"},
    ),
    "expectations:changelog": Row(get=DOC_READERS),
    "expectations:compare": Row(get=DOC_READERS),
    "expectations:edit": Row(get=DOC_EDITORS),
    "expectations:preview": Row(get=DOC_EDITORS),
    "expectations:settings": Row(
        get=POST_ONLY,
        write=DOC_EDIT_WRITE,
        data=lambda w: {"title": "Matrix title", "default_due_days": 9},
    ),
    # The draft equals version 1, so a valid publish is refused as "nothing changed".
    "expectations:publish": Row(
        get=POST_ONLY,
        write=By(LOGIN, 403, 400, 404, 400, 403),
        data=lambda w: {"summary": "Matrix", "change": "material", "effective_date": "2027-01-04"},
    ),
    "expectations:section_add": Row(
        get=POST_ONLY, write=DOC_EDIT_WRITE, data=lambda w: {"title": "Matrix section"}
    ),
    "expectations:section_edit": Row(
        get=DOC_EDITORS,
        write=DOC_EDIT_WRITE,
        data=lambda w: {"title": "Matrix section", "intro": "", "revision": 1},
    ),
    "expectations:section_delete": Row(get=POST_ONLY, write=DOC_EDIT_WRITE),
    "expectations:section_move": Row(
        get=POST_ONLY, write=DOC_EDIT_WRITE, data=lambda w: {"direction": "down"}
    ),
    "expectations:expectation_add": Row(
        get=DOC_EDITORS,
        write=DOC_EDIT_WRITE,
        data=lambda w: {"title": "Matrix", "text": "Matrix text", "values": [w.value.pk]},
    ),
    "expectations:expectation_edit": Row(
        get=DOC_EDITORS,
        write=DOC_EDIT_WRITE,
        data=lambda w: {
            "title": "Matrix",
            "text": "Matrix text",
            "values": [w.value.pk],
            "revision": w.team_expectation.revision,
        },
    ),
    "expectations:expectation_delete": Row(get=POST_ONLY, write=DOC_EDIT_WRITE),
    "expectations:expectation_move": Row(
        get=POST_ONLY, write=DOC_EDIT_WRITE, data=lambda w: {"direction": "up"}
    ),
    "expectations:version": Row(get=DOC_READERS),
    # Version 1 is current: its sign link leads to the sign page.
    "expectations:sign_version": Row(get=By(LOGIN, REDIRECT, REDIRECT, 404, REDIRECT, REDIRECT)),
    "expectations:pdf": Row(get=DOC_READERS),
    "expectations:poster": Row(get=DOC_READERS),
    "expectations:coverage": Row(get=By(LOGIN, 403, OK, 404, OK, OK)),
    "expectations:coverage_csv": Row(get=By(LOGIN, 403, OK, 404, OK, OK)),
    # --- API: expectations -------------------------------------------------------------------
    "api:value-list": Row(
        get=API_SIGNED_IN,
        write=By(401, 403, 403, 403, CHANGES, 403),
        data=lambda w: {"name": "Api value"},
        json=True,
    ),
    # Another region's manager does not see the team: it reads as no such team (400), the
    # answer a team id that does not exist gets.
    "api:document-list": Row(
        get=API_SIGNED_IN,
        write=By(401, 403, CHANGES, 400, CHANGES, 403),
        data=lambda w: {
            "title": "Api document",
            "audience": "team",
            "audience_team": w.teams["east_ent"].pk,
        },
        json=True,
    ),
    "api:document-detail": Row(get=API_DOC_READERS, kwargs=DOC_PK),
    "api:document-draft": Row(get=By(401, 403, OK, 404, OK, 403), kwargs=DOC_PK),
    "api:document-expectations": Row(
        get=API_POST_ONLY,
        write=API_DOC_EDIT_WRITE,
        data=lambda w: {
            "section": w.team_section.pk,
            "title": "Api expectation",
            "text": "Api text",
            "values": ["Ownership"],
        },
        kwargs=DOC_PK,
        json=True,
    ),
    "api:document-versions": Row(get=API_DOC_READERS, kwargs=DOC_PK),
    "api:document-publish": Row(
        get=API_POST_ONLY,
        write=By(401, 403, 400, 404, 400, 403),
        data=lambda w: {"summary": "Api", "change": "material"},
        kwargs=DOC_PK,
        json=True,
    ),
    # Without ?a=&b= the diff is a 400 for everyone who may read the document.
    "api:document-diff": Row(get=By(401, 400, 400, 404, 400, 400), kwargs=DOC_PK),
    # Rick signs; the manager typed the wrong name; admins and executives are not asked.
    "api:document-sign": Row(
        get=API_POST_ONLY,
        write=By(401, CHANGES, 400, 404, 403, 403),
        data=lambda w: {"version": 1, "typed_name": "Rick Rep"},
        kwargs=DOC_PK,
        json=True,
    ),
    "api:document-questions": Row(
        get=API_DOC_READERS,
        write=By(401, CHANGES, CHANGES, 404, CHANGES, 403),
        data=lambda w: {
            "expectation_key": str(w.team_expectation.key),
            "text": "Api question",
            "visibility": "public",
        },
        kwargs=DOC_PK,
        json=True,
    ),
    "api:document-version": Row(get=API_DOC_READERS),
    "api:expectation": Row(
        get=API_POST_ONLY,
        write=API_DOC_EDIT_WRITE,
        method="patch",
        data=lambda w: {"title": "Api", "text": "Api text", "values": ["Ownership"]},
        json=True,
    ),
    "api:signatures-mine": Row(get=API_SIGNED_IN),
    # Without ?document= there is no document to report on.
    "api:signatures-team": Row(get=By(401, 403, 404, 404, 404, 404)),
    "api:question-answer": Row(
        get=API_POST_ONLY,
        write=By(401, 403, CHANGES, 404, CHANGES, 403),
        data=lambda w: {"text": "Api answer"},
        json=True,
    ),
}
