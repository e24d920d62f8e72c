"""Teams (tree, page, create, rename, move) and the org chart."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from charter.conftest import client_for, make_person
from charter.core.models import AuditEvent
from charter.org import services
from charter.org.models import Role, Team


def team_url(team: Team, action: str = "") -> str:
    return f"/org/teams/{team.pk}/{action + '/' if action else ''}"


def rows(response) -> list[tuple[int, str, int, int]]:
    """(depth, name, headcount, total) of the teams page."""
    return [(d, n.team.name, n.headcount, n.total) for d, n in response.context["rows"]]


def test_teams_page_shows_the_tree_with_headcounts(everyone):
    response = client_for(everyone["admin"]).get("/org/teams/")
    assert rows(response) == [
        (0, "East", 0, 3),
        (1, "East Enterprise", 3, 3),
        (0, "West", 0, 2),
        (1, "West Mid-Market", 2, 2),
    ]
    assert "Create a team" in response.content.decode()


def test_headcounts_skip_people_who_left(everyone):
    services.person_deactivate(person=everyone["rep2"], actor=everyone["admin"].user)
    response = client_for(everyone["admin"]).get("/org/teams/")
    assert (1, "East Enterprise", 2, 2) in rows(response)


def test_manager_sees_their_branch_and_counts_only_people_they_see(everyone):
    response = client_for(everyone["manager"]).get("/org/teams/")
    assert rows(response) == [(0, "East", 0, 3), (1, "East Enterprise", 3, 3)]
    assert "Create a team" not in response.content.decode()


def test_rep_sees_their_branch_with_their_whole_team(everyone):
    response = client_for(everyone["rep"]).get("/org/teams/")
    assert rows(response) == [(0, "East", 0, 3), (1, "East Enterprise", 3, 3)]


def test_admin_creates_a_team_under_a_parent(everyone, teams):
    client = client_for(everyone["admin"])
    token = client.get("/org/teams/").context["form"].initial["submission"]
    data = {"submission": token, "name": "East SMB", "parent": teams["east"].pk}
    response = client.post("/org/teams/new/", data)
    created = Team.objects.get(name="East SMB")
    assert response["Location"] == team_url(created)
    assert created.parent == teams["east"]
    assert AuditEvent.objects.filter(action="org.team.created").count() == 1
    # The same form again (double click, reload) does not make a second team or an error.
    again = client.post("/org/teams/new/", data)
    assert again["Location"] == team_url(created)
    assert Team.objects.filter(name="East SMB").count() == 1


def test_duplicate_team_name_is_explained(everyone):
    response = client_for(everyone["admin"]).post("/org/teams/new/", {"name": "west"})
    assert response.status_code == 200
    assert "A team called &#x27;west&#x27; already exists." in response.content.decode()
    assert Team.objects.filter(name__iexact="west").count() == 1


@pytest.mark.parametrize("persona", ["manager", "rep", "executive"])
def test_only_admins_create_teams(everyone, persona):
    client = client_for(everyone[persona])
    assert client.get("/org/teams/new/").status_code == 403
    assert client.post("/org/teams/new/", {"name": "Rogue"}).status_code == 403
    assert not Team.objects.filter(name="Rogue").exists()


def test_team_page_lists_members_of_subteams_and_the_breadcrumb(everyone, teams):
    response = client_for(everyone["admin"]).get(team_url(teams["east"]))
    body = response.content.decode()
    assert [p.full_name for p in response.context["page"]] == [
        "Mona Manager",
        "Rick Rep",
        "Rita Rep",
    ]
    assert f'href="{team_url(teams["east_ent"])}"' in body
    assert "Rename or move" in body
    sub = client_for(everyone["admin"]).get(team_url(teams["east_ent"])).content.decode()
    assert re.search(r'<nav class="breadcrumb".*href="/org/teams/\d+/">East</a>', sub)


def test_manager_cannot_open_another_regions_team(everyone, teams):
    client = client_for(everyone["manager"])
    assert client.get(team_url(teams["east_ent"])).status_code == 200
    assert client.get(team_url(teams["west"])).status_code == 404
    assert client.get(team_url(teams["west_mm"])).status_code == 404


def test_rep_sees_their_teammates_in_their_team(everyone, teams):
    response = client_for(everyone["rep"]).get(team_url(teams["east_ent"]))
    names = [p.full_name for p in response.context["page"]]
    assert names == ["Mona Manager", "Rick Rep", "Rita Rep"]
    assert "Rename or move" not in response.content.decode()


def test_admin_renames_and_moves_a_team(everyone, teams):
    client = client_for(everyone["admin"])
    response = client.post(
        team_url(teams["east_ent"], "edit"), {"name": "Enterprise", "parent": teams["west"].pk}
    )
    assert response.status_code == 302
    team = Team.objects.get(pk=teams["east_ent"].pk)
    assert (team.name, team.parent_id) == ("Enterprise", teams["west"].pk)


def test_moving_a_team_under_its_own_subteam_is_refused(everyone, teams):
    client = client_for(everyone["admin"])
    form = client.get(team_url(teams["east"], "edit")).context["form"]
    offered = {t.name for t in form.fields["parent"].queryset}
    assert offered == {"West", "West Mid-Market"}
    response = client.post(
        team_url(teams["east"], "edit"), {"name": "East", "parent": teams["east_ent"].pk}
    )
    assert response.status_code == 200
    assert "parent" in response.context["form"].errors
    assert Team.objects.get(pk=teams["east"].pk).parent_id is None


@pytest.mark.parametrize(
    ("persona", "team", "status"),
    [("manager", "east_ent", 403), ("manager", "west", 404), ("executive", "east", 403)],
)
def test_who_may_not_change_a_team(everyone, teams, persona, team, status):
    target = teams[team]
    client = client_for(everyone[persona])
    assert client.get(team_url(target, "edit")).status_code == status
    response = client.post(team_url(target, "edit"), {"name": "Hijacked", "parent": ""})
    assert response.status_code == status
    assert Team.objects.get(pk=target.pk).name == target.name


def _team_page_queries(client, team) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(team_url(team))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_team_page_queries_do_not_grow_with_people(everyone, org, teams):
    client = client_for(everyone["admin"])
    client.get(team_url(teams["east"]))
    small = _team_page_queries(client, teams["east"])
    for i in range(17):
        make_person(
            org, f"Extra {i:02}", Role.REP, team=teams["east_ent"], manager=everyone["manager"]
        )
    assert len(client.get(team_url(teams["east"])).context["page"]) == 20
    assert _team_page_queries(client, teams["east"]) == small


def test_teams_page_queries_do_not_grow_with_people(everyone, org, teams):
    client = client_for(everyone["admin"])
    client.get("/org/teams/")
    with CaptureQueriesContext(connection) as small:
        client.get("/org/teams/")
    for i in range(17):
        make_person(org, f"Extra {i:02}", Role.REP, team=teams["west_mm"])
    with CaptureQueriesContext(connection) as large:
        client.get("/org/teams/")
    assert len(large.captured_queries) == len(small.captured_queries)


# --- org chart ------------------------------------------------------------------------------


def chart_tree(nodes) -> list:
    return [(n.person.full_name, chart_tree(n.reports)) for n in nodes]


def test_org_chart_nests_people_under_their_managers(everyone):
    response = client_for(everyone["admin"]).get("/org/chart/")
    assert chart_tree(response.context["roots"]) == [
        ("Ada Admin", []),
        (
            "Eve Exec",
            [
                ("Mona Manager", [("Rick Rep", []), ("Rita Rep", [])]),
                ("Omar Other", [("Olga Other", [])]),
            ],
        ),
    ]
    body = response.content.decode()
    assert body.count("<details") == 3  # one per person with reports
    assert "5 below" in body


def test_org_chart_for_a_manager_starts_at_the_top_of_their_line(everyone):
    response = client_for(everyone["manager"]).get("/org/chart/")
    assert chart_tree(response.context["roots"]) == [
        ("Eve Exec", [("Mona Manager", [("Rick Rep", []), ("Rita Rep", [])])])
    ]
    assert "Omar Other" not in response.content.decode()


def test_org_chart_leaves_out_people_who_left(everyone):
    services.person_deactivate(person=everyone["rep2"], actor=everyone["admin"].user)
    body = client_for(everyone["admin"]).get("/org/chart/").content.decode()
    assert "Rita Rep" not in body


def test_org_chart_for_a_rep_is_their_team_under_their_managers(everyone):
    response = client_for(everyone["rep"]).get("/org/chart/")
    assert chart_tree(response.context["roots"]) == [
        ("Eve Exec", [("Mona Manager", [("Rick Rep", []), ("Rita Rep", [])])])
    ]
    assert "Omar Other" not in response.content.decode()


def test_anonymous_cannot_open_teams_or_chart(db, teams):
    for path in ("/org/teams/", "/org/chart/", team_url(teams["east"])):
        response = client_for(None).get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
