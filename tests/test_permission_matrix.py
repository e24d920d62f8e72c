"""The permission matrix's tests: every URL, for every role, against MATRIX.

The table and what it needs live in tests/permission_matrix/ (its docstring says how to add a
URL): the rows in `rows/` (one module per app), the world in `world.py`, the walk of the URL
configuration in `urls.py`. A URL without a row fails `test_every_url_has_an_entry_in_the_matrix`.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from charter.accounts.models import User
from tests.permission_matrix.outcomes import (
    CHANGES,
    LOGIN,
    OK,
    ROLES,
    diff,
    fingerprint,
    outcome,
)
from tests.permission_matrix.rows import MATRIX
from tests.permission_matrix.urls import all_endpoints, url_for
from tests.permission_matrix.world import (  # fixtures, and what other tests import from here
    _expectations_world,
    _fast_hashing,
    client_as,
    world,
)

__all__ = [
    "MATRIX",
    "OK",
    "_expectations_world",
    "_fast_hashing",
    "all_endpoints",
    "url_for",
    "world",
]


def test_every_url_has_an_entry_in_the_matrix():
    names = {e.name for e in all_endpoints()}
    missing = sorted(names - set(MATRIX))
    assert not missing, (
        "These URLs have no entry in MATRIX. Add one per URL, in its app's module of "
        "tests/permission_matrix/rows/, "
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
