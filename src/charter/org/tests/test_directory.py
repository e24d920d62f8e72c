"""The people directory: filters, htmx rows, pagination, scope and query counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from charter.accounts.models import User
from charter.conftest import client_for, make_person
from charter.org import services
from charter.org.models import Person, Role


def listed(response) -> list[str]:
    """Names of the people rows in a directory response, in order."""
    return [p.full_name for p in response.context["page"].object_list]


def test_admin_sees_every_active_person_sorted_by_name(everyone):
    response = client_for(everyone["admin"]).get("/org/people/")
    assert response.status_code == 200
    assert listed(response) == sorted(p.full_name for p in everyone.values())
    assert "Add a person" in response.content.decode()


def test_people_who_left_show_only_when_asked(everyone):
    services.person_deactivate(person=everyone["rep2"], actor=everyone["admin"].user)
    client = client_for(everyone["admin"])
    assert "Rita Rep" not in listed(client.get("/org/people/"))
    response = client.get("/org/people/?inactive=on")
    assert "Rita Rep" in listed(response)
    assert "Left" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("rita", ["Rita Rep"]),
        ("OLGA.OTHER@acme", ["Olga Other"]),
        ("rep", ["Rick Rep", "Rita Rep"]),
        ("Senior", ["Rick Rep"]),
        ("senior rick", ["Rick Rep"]),
        ("nobody-like-this", []),
    ],
)
def test_search_matches_name_email_and_title(everyone, query, expected):
    services.person_update(person=everyone["rep"], actor=None, title="Senior AE")
    response = client_for(everyone["admin"]).get("/org/people/", {"q": query})
    assert sorted(listed(response)) == sorted(expected)


def test_team_filter_includes_subteams(everyone, teams):
    response = client_for(everyone["admin"]).get("/org/people/", {"team": teams["east"].pk})
    assert listed(response) == ["Mona Manager", "Rick Rep", "Rita Rep"]


def test_role_filter(everyone):
    response = client_for(everyone["admin"]).get("/org/people/", {"role": "manager"})
    assert listed(response) == ["Mona Manager", "Omar Other"]


def test_no_login_filter_lists_people_never_invited(everyone, org):
    make_person(org, "Nina New", Role.REP, login=False)
    invited = make_person(org, "Ivy Invite", Role.REP, login=False)
    services.person_invite(person=invited, actor=everyone["admin"].user)
    client = client_for(everyone["admin"])
    assert listed(client.get("/org/people/?login=none")) == ["Nina New"]
    response = client.get("/org/people/?login=invited")
    assert listed(response) == ["Ivy Invite"]
    assert "Invited" in response.content.decode()
    assert "Nina New" not in listed(client.get("/org/people/?login=active"))


def test_unreadable_filters_are_ignored(everyone):
    response = client_for(everyone["admin"]).get(
        "/org/people/", {"team": "abc", "role": "boss", "login": "maybe"}
    )
    assert response.status_code == 200
    assert len(listed(response)) == len(everyone)


def test_filtering_by_a_team_outside_my_scope_is_ignored(everyone, teams):
    response = client_for(everyone["manager"]).get("/org/people/", {"team": teams["west"].pk})
    assert response.status_code == 200
    assert "Olga Other" not in listed(response)


def test_htmx_request_gets_only_the_rows(everyone):
    response = client_for(everyone["admin"]).get(
        "/org/people/", {"q": "rita"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert "Rita Rep" in body
    assert "Rick Rep" not in body
    assert "HX-Request" in response["Vary"]


def test_full_page_has_a_live_filter_form(everyone):
    body = client_for(everyone["admin"]).get("/org/people/").content.decode()
    assert 'hx-get="/org/people/"' in body
    assert 'hx-target="#people-rows"' in body
    assert '<label for="id_q">Search</label>' in body


def test_directory_is_paginated(everyone, org):
    for i in range(55):
        make_person(org, f"Zed Person {i:02}", Role.REP, login=False)
    client = client_for(everyone["admin"])
    first = client.get("/org/people/")
    assert len(listed(first)) == 50
    second = client.get("/org/people/?page=2")
    assert len(listed(second)) == len(everyone) + 55 - 50
    assert "Page 2 of 2" in second.content.decode()


def test_manager_sees_their_subtree_and_the_managers_above_them(everyone):
    response = client_for(everyone["manager"]).get("/org/people/")
    assert listed(response) == ["Eve Exec", "Mona Manager", "Rick Rep", "Rita Rep"]
    assert "Add a person" not in response.content.decode()


def test_other_manager_does_not_see_my_reps(everyone):
    names = listed(client_for(everyone["other_manager"]).get("/org/people/?q=rep"))
    assert names == []


def test_rep_sees_their_team_and_the_managers_above_them(everyone):
    listing = listed(client_for(everyone["rep"]).get("/org/people/"))
    assert listing == ["Eve Exec", "Mona Manager", "Rick Rep", "Rita Rep"]


def test_executive_sees_everyone_but_cannot_add(everyone):
    response = client_for(everyone["executive"]).get("/org/people/")
    assert len(listed(response)) == len(everyone)
    assert "Add a person" not in response.content.decode()


def test_anonymous_is_sent_to_sign_in(db):
    response = client_for(None).get("/org/people/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/org/people/")


def test_login_without_a_person_is_refused(everyone):
    from django.test import Client

    client = Client()
    client.force_login(User.objects.create_user("stranger@acme.test", "long-enough-pass-1"))
    assert client.get("/org/people/").status_code == 403


def _directory_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/org/people/")
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("persona", ["admin", "manager"])
def test_directory_queries_do_not_grow_with_people(everyone, org, teams, persona):
    viewer = everyone[persona]
    client = client_for(viewer)
    # Warm the session so both counts include the same session/auth queries.
    client.get("/org/people/")
    small = _directory_queries(client)
    for i in range(17):
        extra = make_person(
            org, f"Extra {i:02}", Role.REP, team=teams["east_ent"], manager=everyone["manager"]
        )
        if i % 2:
            services.person_invite(
                person=make_person(org, f"Inv {i}", Role.REP, login=False), actor=None
            )
        services.owner_alias_add(person=extra, actor=None, kind="crm_id", value=f"id{i}")
    assert Person.objects.count() >= 20
    assert _directory_queries(client) == small
