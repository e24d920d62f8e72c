"""The permission matrix: every URL of the project, for every role, against an explicit table.

The test walks the whole URL configuration (web pages and `/api/v1/`), fills each pattern's
keyword arguments from the objects of one small world (see `world`), requests it as each role
and compares the outcome with `MATRIX`. A URL without an entry fails the test: whoever adds a
URL must say here who may open it. Objects in the table are chosen *outside* some roles' scope
(another rep's page, another team's job) so the matrix checks scope, not only roles.

A second pass sends the write (POST, or the method given) of every state-changing URL as each
role: a role that may not must get its refusal and leave the database exactly as it was; a role
that may gets a success (inside a rolled-back savepoint, so the next URL sees the same world).

Outcomes: a status code (200, 400, 401, 403, 404, 405), LOGIN (a redirect to the sign-in page),
REDIRECT (any other redirect), CHANGES (write pass: success that changed the database).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import pytest
from django.apps import apps
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from charter.accounts.models import ApiToken, Session, User
from charter.conftest import make_person
from charter.core import jobs
from charter.core.models import ImportRun
from charter.org import services
from charter.org.models import OwnerAlias, Person, Role

ROLES = ("anonymous", "rep", "manager", "other_manager", "admin", "executive")

LOGIN = "login"
REDIRECT = "redirect"
CHANGES = "changes"
OK = 200


class By(NamedTuple):
    """The outcome for each role, in the order of ROLES."""

    anonymous: Any
    rep: Any
    manager: Any
    other_manager: Any
    admin: Any
    executive: Any


# Shorthands for the common shapes.
SIGNED_IN = By(LOGIN, OK, OK, OK, OK, OK)
ADMIN_PAGE = By(LOGIN, 403, 403, 403, OK, 403)
PUBLIC = By(OK, OK, OK, OK, OK, OK)
API_SIGNED_IN = By(401, OK, OK, OK, OK, OK)
POST_ONLY = By(405, 405, 405, 405, 405, 405)
API_POST_ONLY = By(401, 405, 405, 405, 405, 405)


@dataclass
class World:
    """The objects the URLs point at. Most are outside some persona's scope on purpose."""

    people: dict[str, Person]
    teams: dict[str, Any]
    objects: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        if name in self.people:
            return self.people[name]
        if name in self.objects:
            return self.objects[name]
        raise AttributeError(name)


Value = Callable[[World], Any]


@dataclass
class Row:
    """What each role gets from GET, and from the write of a state-changing URL."""

    get: By
    write: By | None = None
    method: str = "post"
    data: Callable[[World], dict[str, Any]] = lambda w: {}
    kwargs: dict[str, Value] = field(default_factory=dict)
    json: bool = False


# How URL keyword arguments are filled unless a row says otherwise. `person_id` is Rita
# (rep2): another rep for `rep`, in `manager`'s team, outside `other_manager`'s.
KWARGS: dict[str, Value] = {
    "person_id": lambda w: w.rep2.pk,
    "team_id": lambda w: w.teams["east_ent"].pk,
    "job_id": lambda w: w.manager_job.pk,
    "alias_id": lambda w: w.rita_alias.pk,
    "run_id": lambda w: w.import_run.pk,
    "token_id": lambda w: w.manager_token.pk,
    "uidb64": lambda w: urlsafe_base64_encode(force_bytes(w.invitee.user_id)),
    "token": lambda w: default_token_generator.make_token(w.invitee.user),
    "format": lambda w: "json",
    # Expectations: the East Enterprise team document (manager's team, not other_manager's).
    "document_id": lambda w: w.team_doc.pk,
    "number": lambda w: 1,
    "section_id": lambda w: w.team_section.pk,
    "expectation_id": lambda w: w.team_expectation.pk,
    "value_id": lambda w: w.value.pk,
    "question_id": lambda w: w.question.pk,
    "distribution_id": lambda w: w.distribution.pk,
    # Learning: an East Enterprise training (manager's team, not other_manager's).
    "training_id": lambda w: _east_training(w).pk,
    "completion_id": lambda w: _rita_completion(w).pk,
    "requirement_id": lambda w: _east_requirement(w).pk,
}
# Learning: a rejected completions import (made on first use).
COMPLETIONS_RUN = {"run_id": lambda w: _completions_run(w).pk}

DOC_PK = {"pk": lambda w: w.team_doc.pk}
CRM_RUN = {"run_id": lambda w: w.crm_run.pk}
CRM_RUN_PK = {"pk": lambda w: w.crm_run.pk}
# Readers of the team document: its team (rep, manager), admins and executives.
DOC_READERS = By(LOGIN, OK, OK, 404, OK, OK)
DOC_EDITORS = By(LOGIN, 403, OK, 404, OK, 403)
DOC_EDIT_WRITE = By(LOGIN, 403, CHANGES, 404, CHANGES, 403)
API_DOC_READERS = By(401, OK, OK, 404, OK, OK)
API_DOC_EDIT_WRITE = By(401, 403, CHANGES, 404, CHANGES, 403)

PERSON_PK = {"pk": lambda w: w.rep2.pk}
TEAM_PK = {"pk": lambda w: w.teams["east_ent"].pk}
# Explain pages: a built-in KPI every org has.
EXPLAIN = {"key": lambda w: "win_rate"}
EXPLAIN_CSV = {**EXPLAIN, "fmt": lambda w: "csv"}
# Someone in manager's team who cannot sign in yet, so an invitation can really go out.
NEWBIE = {"person_id": lambda w: w.newbie.pk}
NEWBIE_PK = {"pk": lambda w: w.newbie.pk}


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


# Targets: a rejected targets import, and a target of Rita (both made on first use).
TARGETS_RUN = {"run_id": lambda w: _targets_run(w).pk}
RITA_TARGET = {"pk": lambda w: _rita_target(w).pk}


# KPI library: a built-in KPI every org has, and the quarter before today's.
KPI_KEY = {"key": lambda w: "win_rate"}
LAST_QUARTER = {"label": lambda w: _last_quarter(w)}


def _last_quarter(w: World) -> str:
    from charter.core.periods import shift
    from charter.kpis.selectors.calendar import period_of

    org = w.admin.org
    return shift(period_of(org, None), -1, org.fiscal_year_start_month).label


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


MATRIX: dict[str, Row] = {
    # --- core ------------------------------------------------------------------------------
    "web:home": Row(get=SIGNED_IN),
    "web:audit": Row(get=ADMIN_PAGE),
    "web:audit_csv": Row(get=ADMIN_PAGE),
    "web:jobs": Row(get=SIGNED_IN),
    # The job was started by `manager`: only they and admins may watch it.
    "web:job": Row(get=By(LOGIN, 404, OK, 404, OK, 404)),
    # --- accounts --------------------------------------------------------------------------
    "accounts:login": Row(
        get=By(OK, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
        write=By(OK, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    ),
    "accounts:logout": Row(get=POST_ONLY, write=By(*[LOGIN] * 6)),
    "accounts:password_reset": Row(
        get=PUBLIC, write=By(OK, OK, OK, OK, OK, OK), data=lambda w: {"email": "x@acme.test"}
    ),
    # A valid set-password link works for whoever holds it, signed in or not.
    "accounts:set_password": Row(
        get=PUBLIC,
        write=By(*[CHANGES] * 6),
        data=lambda w: {
            "new_password1": "A-long-new-pass-92",
            "new_password2": "A-long-new-pass-92",
        },
    ),
    "accounts:profile": Row(
        get=SIGNED_IN,
        write=By(LOGIN, CHANGES, CHANGES, CHANGES, CHANGES, CHANGES),
        data=lambda w: {"reminders": "on", "digest": "daily"},
    ),
    "accounts:token_create": Row(
        get=By(405, 405, 405, 405, 405, 405),
        write=By(LOGIN, CHANGES, CHANGES, CHANGES, CHANGES, CHANGES),
        data=lambda w: {"name": "matrix", "read_only": "on", "expires_in_days": "30"},
    ),
    # The token belongs to `manager`; nobody else can even find it.
    "accounts:token_revoke": Row(get=POST_ONLY, write=By(LOGIN, 404, CHANGES, 404, 404, 404)),
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
        kwargs={"request_id": lambda w: _rita_request(w).pk},
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
    # --- crm: imports, owners, exchange rates (admins only) -----------------------------------
    "crm:import": Row(get=ADMIN_PAGE, write=ADMIN_PAGE._replace(admin=OK)),
    # Confirming a run that was already rejected only leads back to it.
    "crm:import_run": Row(
        get=ADMIN_PAGE, write=ADMIN_PAGE._replace(admin=REDIRECT), kwargs=CRM_RUN
    ),
    "crm:import_errors": Row(get=ADMIN_PAGE, kwargs=CRM_RUN),
    "crm:import_rejected": Row(get=ADMIN_PAGE._replace(admin=REDIRECT), kwargs=CRM_RUN),
    "crm:owners": Row(get=ADMIN_PAGE, write=ADMIN_PAGE._replace(admin=OK)),
    "crm:rates": Row(get=ADMIN_PAGE, write=ADMIN_PAGE._replace(admin=OK)),
    # Uploads are multipart; an upload without a file is a 400.
    "api:crm-import-list": Row(
        get=By(401, 403, 403, 403, OK, 403), write=By(401, 403, 403, 403, 400, 403)
    ),
    "api:crm-import-detail": Row(get=By(401, 403, 403, 403, OK, 403), kwargs=CRM_RUN_PK),
    "api:crm-import-errors": Row(get=By(401, 403, 403, 403, OK, 403), kwargs=CRM_RUN_PK),
    # --- crm: browsing and exports (everyone signed in, each within their scope) ---------------
    "crm:deals": Row(get=SIGNED_IN),
    "crm:deals_csv": Row(get=SIGNED_IN),
    "crm:deals_xlsx": Row(get=SIGNED_IN),
    "crm:activities": Row(get=SIGNED_IN),
    "crm:activities_csv": Row(get=SIGNED_IN),
    "crm:activities_xlsx": Row(get=SIGNED_IN),
    "crm:csat": Row(get=SIGNED_IN),
    "crm:csat_csv": Row(get=SIGNED_IN),
    "crm:csat_xlsx": Row(get=SIGNED_IN),
    "api:deal-list": Row(get=API_SIGNED_IN, write=By(401, 405, 405, 405, 405, 403), json=True),
    "api:activity-list": Row(get=API_SIGNED_IN, write=By(401, 405, 405, 405, 405, 403), json=True),
    "api:csat-list": Row(get=API_SIGNED_IN, write=By(401, 405, 405, 405, 405, 403), json=True),
    # Rita's records: hidden from another rep and from the other team's manager.
    "api:deal-detail": Row(get=By(401, 404, OK, 404, OK, OK), kwargs={"pk": lambda w: w.deal.pk}),
    "api:activity-detail": Row(
        get=By(401, 404, OK, 404, OK, OK), kwargs={"pk": lambda w: w.activity.pk}
    ),
    "api:csat-detail": Row(get=By(401, 404, OK, 404, OK, OK), kwargs={"pk": lambda w: w.csat.pk}),
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
    # --- learning: the catalogue (East Enterprise's training: not other_manager's team) ------
    "learning:catalogue": Row(get=SIGNED_IN),
    # other_manager may add trainings, but not for East Enterprise: the form refuses it.
    "learning:training_create": Row(
        get=By(LOGIN, 403, OK, OK, OK, 403),
        write=By(LOGIN, 403, CHANGES, OK, CHANGES, 403),
        data=lambda w: {
            "title": "Matrix training",
            "kind": "course",
            "expected_hours": "2",
            "team": w.teams["east_ent"].pk,
        },
    ),
    "learning:training": Row(get=By(LOGIN, OK, OK, 404, OK, OK)),
    "learning:training_edit": Row(
        get=By(LOGIN, 403, OK, 404, OK, 403),
        write=By(LOGIN, 403, CHANGES, 404, CHANGES, 403),
        data=lambda w: {"retire": "1"},
    ),
    # other_manager does not see East Enterprise: it reads as no such team (400).
    "api:learning-training-list": Row(
        get=API_SIGNED_IN,
        write=By(401, 403, CHANGES, 400, CHANGES, 403),
        data=lambda w: {
            "title": "Api training",
            "kind": "course",
            "expected_hours": "2",
            "team": w.teams["east_ent"].pk,
        },
        json=True,
    ),
    "api:learning-training-detail": Row(
        get=By(401, OK, OK, 404, OK, OK),
        write=By(401, 403, CHANGES, 404, CHANGES, 403),
        method="patch",
        data=lambda w: {"is_active": False},
        kwargs={"pk": lambda w: _east_training(w).pk},
        json=True,
    ),
    # --- learning: completions (Rita's pending one: her managers and admins review it) --------
    # other_manager cannot see East Enterprise's training: the form refuses it.
    "learning:my_record": Row(
        get=SIGNED_IN,
        write=By(LOGIN, CHANGES, CHANGES, OK, CHANGES, CHANGES),
        data=lambda w: {
            "training": _east_training(w).pk,
            "completed_on": "2026-01-05",
            "hours": "1.5",
        },
    ),
    "learning:person_record": Row(get=By(LOGIN, 404, OK, 404, OK, OK)),
    "learning:approvals": Row(get=By(LOGIN, 403, OK, OK, OK, 403)),
    "learning:review": Row(
        get=POST_ONLY,
        write=By(LOGIN, 404, CHANGES, 404, CHANGES, 403),
        data=lambda w: {"decision": "approve"},
    ),
    # Only Rita corrects her own completion, and only once it was sent back.
    "learning:resubmit": Row(
        get=By(LOGIN, 404, 403, 404, 403, 403),
        write=By(LOGIN, 404, 403, 404, 403, 403),
        data=lambda w: {"completed_on": "2026-01-06", "hours": "1"},
    ),
    "learning:completions_import": Row(get=ADMIN_PAGE, write=ADMIN_PAGE._replace(admin=OK)),
    "learning:import_run": Row(
        get=ADMIN_PAGE, write=ADMIN_PAGE._replace(admin=REDIRECT), kwargs=COMPLETIONS_RUN
    ),
    "learning:import_errors": Row(get=ADMIN_PAGE, kwargs=COMPLETIONS_RUN),
    "learning:import_rejected": Row(
        get=ADMIN_PAGE._replace(admin=REDIRECT), kwargs=COMPLETIONS_RUN
    ),
    # Reporting one's own learning is personal: executives too.
    "api:learning-completion-list": Row(
        get=API_SIGNED_IN,
        write=By(401, CHANGES, CHANGES, 400, CHANGES, CHANGES),
        data=lambda w: {
            "training": _east_training(w).pk,
            "completed_on": "2026-01-05",
            "hours": "1.5",
        },
        json=True,
    ),
    "api:learning-completion-detail": Row(
        get=By(401, 404, OK, 404, OK, OK), kwargs={"pk": lambda w: _rita_completion(w).pk}
    ),
    "api:learning-completion-review": Row(
        get=API_POST_ONLY,
        write=By(401, 404, CHANGES, 404, CHANGES, 403),
        data=lambda w: {"approve": True},
        kwargs={"pk": lambda w: _rita_completion(w).pk},
        json=True,
    ),
    # --- learning: requirements and compliance (East Enterprise's requirement) ---------------
    # other_manager may set requirements, but not for East Enterprise: the form refuses it.
    "learning:requirements": Row(
        get=SIGNED_IN,
        write=By(LOGIN, 403, CHANGES, OK, CHANGES, 403),
        data=lambda w: {
            "name": "Matrix requirement",
            "scope": "team",
            "team": w.teams["east_ent"].pk,
            "effective_from": "2026-01-01",
            "hours": "2",
            "hours_period": "month",
        },
    ),
    "learning:requirement": Row(
        get=By(LOGIN, OK, OK, 404, OK, OK),
        write=By(LOGIN, 403, CHANGES, 404, CHANGES, 403),
        data=lambda w: {
            "effective_from": "2027-06-01",
            "hours": "3",
            "hours_period": "month",
            "reason": "Matrix",
        },
    ),
    # Who is behind in East Enterprise: its managers, admins and executives.
    "learning:team": Row(get=By(LOGIN, 404, OK, 404, OK, OK)),
    "learning:team_csv": Row(get=By(LOGIN, 404, OK, 404, OK, OK)),
    "api:learning-requirement-list": Row(
        get=API_SIGNED_IN, write=By(401, 405, 405, 405, 405, 403), json=True
    ),
    "api:learning-requirement-detail": Row(
        get=By(401, OK, OK, 404, OK, OK), kwargs={"pk": lambda w: _east_requirement(w).pk}
    ),
    # Without ?person= or ?team= there is nobody to report on.
    "api:learning-compliance": Row(get=By(401, 400, 400, 400, 400, 400)),
    # --- learning: certificates (a certificate for Rita: her managers and admins record it) ---
    "learning:certificates": Row(
        get=SIGNED_IN,
        write=By(LOGIN, OK, CHANGES, OK, CHANGES, OK),
        data=lambda w: {
            "person": w.rep2.pk,
            "certification": _certification(w).pk,
            "issued_on": "2026-01-05",
        },
    ),
    "learning:certifications": Row(
        get=SIGNED_IN,
        write=By(LOGIN, 403, 403, 403, CHANGES, 403),
        data=lambda w: {"name": "Matrix cert", "validity_months": "12", "expiring_days": "30"},
    ),
}


def _completions_run(w: World) -> ImportRun:
    """A rejected completions import by the admin (made on first use)."""
    run, _ = ImportRun.objects.get_or_create(
        org=w.admin.org,
        kind="completions",
        filename="completions.csv",
        defaults={
            "status": ImportRun.Status.REJECTED,
            "errors": [{"row": 2, "column": "hours", "value": "30", "reason": "over 24"}],
            "created_by": w.admin.user,
        },
    )
    return run


def _rita_completion(w: World) -> Any:
    """Rita's pending completion of East Enterprise's training (made on first use)."""
    from charter.learning.models import Completion
    from charter.learning.services.completions import completion_report

    found = Completion.objects.filter(person=w.rep2).first()
    if found is None:
        found = completion_report(
            person=w.rep2,
            actor=w.rep2.user,
            training=_east_training(w),
            completed_on=dt.date(2026, 1, 6),
            hours="2",
        )
    return found


def _certification(w: World) -> Any:
    """A certification people can hold (made on first use)."""
    from charter.learning.models import Certification
    from charter.learning.services.certificates import certification_create

    found = Certification.objects.filter(org=w.admin.org, name="Matrix badge").first()
    if found is None:
        found = certification_create(
            org=w.admin.org, actor=w.admin.user, name="Matrix badge", validity_months=12
        )
    return found


def _east_requirement(w: World) -> Any:
    """East Enterprise's requirement, set by its manager (made on first use)."""
    from charter.learning.models import Requirement
    from charter.learning.services.requirements import Ask, requirement_create

    found = Requirement.objects.filter(org=w.manager.org, name="East learning").first()
    if found is None:
        found = requirement_create(
            org=w.manager.org,
            actor=w.manager.user,
            name="East learning",
            scope="team",
            team=w.teams["east_ent"],
            effective_from=dt.date(2026, 1, 1),
            asks=[Ask(training=_east_training(w), due_rule="after_hire", due_days=30)],
        )
    return found


def _east_training(w: World) -> Any:
    """East Enterprise's training, added by its manager (made on first use)."""
    from charter.learning.models import Training
    from charter.learning.services.catalogue import training_create

    found = Training.objects.filter(org=w.manager.org, title="East discovery").first()
    if found is None:
        found = training_create(
            org=w.manager.org,
            actor=w.manager.user,
            title="East discovery",
            kind="shadowing",
            expected_hours=4,
            team=w.teams["east_ent"],
        )
    return found


def _targets_run(w: World) -> ImportRun:
    """A rejected targets import by the admin (made on first use, like the world's others)."""
    run, _ = ImportRun.objects.get_or_create(
        org=w.admin.org,
        kind="targets",
        filename="targets.csv",
        defaults={
            "status": ImportRun.Status.REJECTED,
            "errors": [{"row": 2, "column": "kpi", "value": "x", "reason": "unknown"}],
            "created_by": w.admin.user,
        },
    )
    return run


def _rita_request(w: World) -> Any:
    """Rita's open request to sign the team document."""
    from charter.expectations.models import SignatureRequest

    return SignatureRequest.objects.get(person=w.rep2, version__document=w.team_doc)


def _rita_target(w: World) -> Any:
    """Rita's deals-won target for 2025-Q4, set once through the service."""
    from charter.core.periods import parse_period
    from charter.kpis import services as kpi_services
    from charter.kpis.models import KpiDefinition, Target

    rita = w.rep2
    found = Target.objects.filter(person=rita, period_label="2025-Q4").first()
    if found is None:
        kpi_services.target_set(
            org=rita.org,
            kpi=KpiDefinition.objects.get(org=rita.org, key="deals_won"),
            period=parse_period("2025-Q4", rita.org.fiscal_year_start_month),
            value="10",
            actor=None,
            person=rita,
        )
        found = Target.objects.get(person=rita, period_label="2025-Q4")
    return found


# --- walking the URL configuration ----------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    name: str
    route: str
    kwarg_names: tuple[str, ...]


def _kwarg_names(pattern: Any) -> list[str]:
    converters = getattr(pattern, "converters", None)
    if converters:
        return list(converters)
    regex = getattr(pattern, "regex", None)
    return list(regex.groupindex) if regex is not None else []


def _walk(
    patterns: list[Any], prefix: str = "", namespace: str = "", kwargs: tuple[str, ...] = ()
) -> Iterator[Endpoint]:
    for entry in patterns:
        names = kwargs + tuple(_kwarg_names(entry.pattern))
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry.url_patterns, route, ns, names)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield Endpoint(name=name or f"<unnamed {route}>", route=route, kwarg_names=names)


def all_endpoints() -> list[Endpoint]:
    seen: dict[tuple[str, tuple[str, ...]], Endpoint] = {}
    for endpoint in _walk(get_resolver().url_patterns):
        seen.setdefault((endpoint.name, tuple(sorted(endpoint.kwarg_names))), endpoint)
    return list(seen.values())


def url_for(endpoint: Endpoint, row: Row, world: World) -> str:
    values = {**KWARGS, **row.kwargs}
    missing = [k for k in endpoint.kwarg_names if k not in values]
    if missing:
        raise AssertionError(
            f"{endpoint.name} ({endpoint.route}) takes {missing}: add a value to KWARGS in "
            f"tests/test_permission_matrix.py, or to the row's kwargs."
        )
    return reverse(endpoint.name, kwargs={k: values[k](world) for k in endpoint.kwarg_names})


# --- the world ------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fast_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(everyone, teams, org) -> World:
    admin_user = everyone["admin"].user
    newbie = make_person(
        org, "Nina New", Role.REP, team=teams["east_ent"], manager=everyone["manager"], login=False
    )
    invitee = make_person(
        org,
        "Ivan Invitee",
        Role.REP,
        team=teams["east_ent"],
        manager=everyone["manager"],
        login=False,
    )
    services.person_invite(person=invitee, actor=admin_user)
    invitee.refresh_from_db()
    gone = make_person(org, "Gina Gone", Role.REP, manager=everyone["manager"])
    services.person_deactivate(person=gone, actor=admin_user, leave_date=dt.date(2026, 1, 31))
    run = ImportRun.objects.create(
        org=org,
        kind="people",
        filename="people.csv",
        status=ImportRun.Status.REJECTED,
        errors=[{"row": 2, "column": "name", "value": "", "reason": "missing"}],
        created_by=admin_user,
    )
    token_user = everyone["manager"].user
    raw = "chr_matrix_" + "x" * 30
    token = ApiToken.objects.create(
        user=token_user, name="matrix", prefix=raw[:12], token_hash=ApiToken.hash(raw)
    )
    expectation_objects = _expectations_world(everyone, teams, org)
    crm_run = ImportRun.objects.create(
        org=org,
        kind="deals",
        filename="deals.csv",
        status=ImportRun.Status.REJECTED,
        errors=[{"row": 3, "column": "amount", "value": "abc", "reason": "not a number"}],
        created_by=admin_user,
    )
    return World(
        people={**everyone, "newbie": newbie, "invitee": invitee, "gone": gone},
        teams=teams,
        objects={
            **expectation_objects,
            "crm_run": crm_run,
            **_crm_world(everyone, org),
            "manager_job": jobs.job_create(
                kind="import", title="Mona's import", org=org, actor=everyone["manager"].user
            ),
            "rita_alias": OwnerAlias.objects.create(
                org=org, person=everyone["rep2"], kind="name", value="rita r."
            ),
            "import_run": run,
            "manager_token": token,
        },
    )


def _expectations_world(everyone: dict[str, Person], teams: dict[str, Any], org: Any) -> dict:
    """A published East Enterprise team document with a question on it, and a company value."""
    from charter.expectations import services as ex
    from charter.expectations.models import Change, Distribution

    manager = everyone["manager"].user
    value = ex.value_create(org=org, actor=everyone["admin"].user, name="Ownership")
    document = ex.document_create(
        org=org, actor=manager, title="East rules", audience="team", audience_team=teams["east_ent"]
    )
    for section in document.sections.filter(provider=""):
        ex.expectation_add(
            section=section, actor=manager, title=section.title, text="Do it.", values=[value]
        )
    version = ex.document_publish(
        document=document, actor=manager, summary="v1", change=Change.MATERIAL, distribute=False
    )
    section = document.sections.filter(provider="").order_by("order").first()
    assert section is not None
    expectation = section.expectations.get()
    question = ex.question_ask(
        document=document,
        actor=everyone["rep"].user,
        expectation_key=str(expectation.key),
        text="Does email count?",
        visibility="public",
    )
    ex.question_answer(question=question, actor=manager, text="Yes.")
    return {
        "value": value,
        "team_doc": document,
        "team_section": section,
        "team_expectation": expectation,
        "question": question,
        "distribution": Distribution.objects.create(version=version, created_by=manager),
    }


def _crm_world(everyone: dict[str, Person], org: Any) -> dict:
    """One deal, activity and CSAT response of Rita (rep2, in manager's team)."""
    from decimal import Decimal

    from django.utils import timezone

    from charter.crm.models import Activity, CsatResponse, Deal

    rita = everyone["rep2"]
    common = {"org": org, "source": "salesforce", "owner": rita, "owner_raw": rita.full_name}
    return {
        "deal": Deal.objects.create(
            **common,
            external_id="006A",
            stage="won",
            amount=Decimal("1000"),
            currency="USD",
            amount_reporting=Decimal("1000"),
            created_date=dt.date(2026, 1, 5),
            close_date=dt.date(2026, 2, 5),
        ),
        "activity": Activity.objects.create(
            **common, external_id="00TA", kind="call", occurred_at=timezone.now()
        ),
        "csat": CsatResponse.objects.create(
            **common, external_id="S1", score=Decimal("4"), scale=5, date=dt.date(2026, 2, 6)
        ),
    }


def client_as(world: World, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(world.people[role].user)
    return client


def outcome(response: Any) -> Any:
    if response.status_code in (301, 302, 303):
        return LOGIN if response["Location"].startswith("/accounts/login/") else REDIRECT
    return response.status_code


def fingerprint() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every Charter table: the database, as far as the product is concerned."""
    state: dict[str, list[tuple[Any, ...]]] = {}
    for model in apps.get_models():
        # Sessions are who is signed in, not the product's data: signing out ends one.
        if not model.__module__.startswith("charter.") or model is Session:
            continue
        fields = [f.attname for f in model._meta.concrete_fields]
        state[model._meta.label] = sorted(
            (tuple(map(repr, row)) for row in model.objects.values_list(*fields)), key=repr
        )
    return state


def diff(before: dict, after: dict) -> list[str]:
    return [label for label in before if before[label] != after.get(label)]


# --- the tests ------------------------------------------------------------------------------


def test_every_url_has_an_entry_in_the_matrix():
    names = {e.name for e in all_endpoints()}
    missing = sorted(names - set(MATRIX))
    assert not missing, (
        "These URLs have no entry in MATRIX (tests/test_permission_matrix.py). Add one per URL "
        "saying what each role gets, and the write pass for state-changing URLs:\n  "
        + "\n  ".join(missing)
    )
    stale = sorted(set(MATRIX) - names)
    assert not stale, f"MATRIX lists URLs that no longer exist: {stale}"


@pytest.mark.parametrize("role", ROLES)
def test_get_every_url_as(role, world):
    client = client_as(world, role)
    wrong = []
    for endpoint in all_endpoints():
        row = MATRIX.get(endpoint.name)
        if row is None:
            continue  # reported by test_every_url_has_an_entry_in_the_matrix
        url = url_for(endpoint, row, world)
        expected = getattr(row.get, role)
        got = outcome(client.get(url))
        if got != expected:
            wrong.append(f"{endpoint.name:32} GET {url}: expected {expected}, got {got}")
    assert not wrong, f"as {role}:\n  " + "\n  ".join(wrong)


@pytest.mark.parametrize("role", ROLES)
def test_write_every_state_changing_url_as(role, world):
    wrong = []
    for endpoint in all_endpoints():
        row = MATRIX.get(endpoint.name)
        if row is None:
            continue
        client = client_as(world, role)
        url = url_for(endpoint, row, world)
        send = getattr(client, row.method)
        body = row.data(world)
        options = {"content_type": "application/json"} if row.json else {}
        expected = getattr(row.write, role) if row.write is not None else None
        before = fingerprint()
        with transaction.atomic():
            response = send(url, body, **options)
            after = fingerprint()
            transaction.set_rollback(True)
        got = outcome(response)
        changed = diff(before, after)
        label = f"{endpoint.name:32} {row.method.upper()} {url}"
        if expected is None:
            # A read-only URL: whatever is posted, nothing may change and nothing may break.
            if changed or response.status_code >= 500:
                wrong.append(f"{label}: read-only URL answered {got} and changed {changed}")
        elif expected == CHANGES:
            if response.status_code >= 400 or not changed:
                wrong.append(f"{label}: expected a change, got {got}, changed {changed}")
        elif got != expected:
            wrong.append(f"{label}: expected {expected}, got {got}")
        elif expected in (LOGIN, 400, 401, 403, 404, 405) and changed:
            wrong.append(f"{label}: refused with {got} but changed {changed}")
    assert not wrong, f"as {role}:\n  " + "\n  ".join(wrong)


SCOPE = [
    # (url name, kwargs, role, expected): objects inside and outside each persona's scope.
    ("org:person", {"person_id": "rep"}, "rep", OK),
    ("org:person", {"person_id": "rep"}, "rep2", 404),
    ("org:person", {"person_id": "other_team_rep"}, "manager", 404),
    ("org:person", {"person_id": "rep"}, "other_manager", 404),
    ("org:person", {"person_id": "manager"}, "manager", OK),
    ("org:person", {"person_id": "executive"}, "manager", 404),
    ("org:person", {"person_id": "gone"}, "manager", OK),
    ("org:person", {"person_id": "gone"}, "gone", LOGIN),
    ("org:person_invite", {"person_id": "manager"}, "manager", 403),
    ("org:person_invite", {"person_id": "rep"}, "rep", 403),
    ("org:team", {"team_id": "east"}, "manager", OK),
    ("org:team", {"team_id": "west_mm"}, "manager", 404),
    ("org:team", {"team_id": "west"}, "rep", 404),
    ("org:team", {"team_id": "west_mm"}, "other_team_rep", OK),
    # A rep opens their own team's scorecard; a region above it adds up sibling teams, so it
    # stays closed unless the organization says otherwise (`Organization.rep_team_totals`).
    ("kpis:team", {"team_id": "east_ent"}, "rep", OK),
    ("kpis:team", {"team_id": "east"}, "rep", 404),
    ("kpis:team_export", {"team_id": "east", "fmt": "csv"}, "rep", 404),
    ("api:person-detail", {"pk": "other_team_rep"}, "manager", 404),
    ("api:person-detail", {"pk": "rep"}, "rep", OK),
    ("api:person-detail", {"pk": "rep2"}, "rep", 404),
    ("api:team-detail", {"pk": "west"}, "rep", 404),
    ("api:team-detail", {"pk": "west_mm"}, "other_manager", OK),
]


@pytest.mark.parametrize(("name", "kwargs", "role", "expected"), SCOPE)
def test_objects_outside_my_scope_are_not_found(world, name, kwargs, role, expected):
    resolved = {
        k: (
            world.teams[v].pk
            if v in world.teams
            else world.people[v].pk
            if v in world.people
            else v  # a plain value, such as an export's format
        )
        for k, v in kwargs.items()
    }
    client = Client()
    client.force_login(User.objects.get(pk=world.people[role].user_id))
    assert outcome(client.get(reverse(name, kwargs=resolved))) == expected
