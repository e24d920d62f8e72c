"""The team endpoints: everyone reads what they may see; only admins create and change."""

from __future__ import annotations

import pytest

from charter.core.models import AuditEvent
from charter.org.models import Team

TEAMS = "/api/v1/teams/"


def _names(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["name"] for row in response.json()["results"]}


def test_admin_and_executive_list_every_team(api_for, everyone):
    for role in ("admin", "executive"):
        assert _names(api_for(everyone[role]).get(TEAMS)) == {
            "East",
            "West",
            "East Enterprise",
            "West Mid-Market",
        }


def test_rep_lists_their_team_and_the_teams_above_it(api_for, everyone):
    assert _names(api_for(everyone["rep"]).get(TEAMS)) == {"East", "East Enterprise"}


def test_rep_cannot_read_another_team(api_for, everyone, teams):
    client = api_for(everyone["rep"])
    assert client.get(f"{TEAMS}{teams['east_ent'].pk}/").json()["parent"] == teams["east"].pk
    assert client.get(f"{TEAMS}{teams['west_mm'].pk}/").status_code == 404


def test_anonymous_cannot_list_teams(teams, api_for):
    assert api_for(None).get(TEAMS).status_code == 401


def test_admin_creates_a_team_under_a_region(api_for, everyone, teams):
    response = api_for(everyone["admin"]).post(
        TEAMS, {"name": "East SMB", "parent": teams["east"].pk}, format="json"
    )
    assert response.status_code == 201, response.content
    team = Team.objects.get(name="East SMB")
    assert team.parent == teams["east"]
    assert response.json() == {"id": team.pk, "name": "East SMB", "parent": teams["east"].pk}
    assert AuditEvent.objects.filter(action="org.team.created", object_id=str(team.pk)).exists()


def test_a_duplicate_team_name_is_a_400_naming_the_field(api_for, everyone, teams):
    response = api_for(everyone["admin"]).post(TEAMS, {"name": "east"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"name": ["A team called 'east' already exists."]}
    assert Team.objects.count() == 4


@pytest.mark.parametrize("role", ["rep", "manager", "executive"])
def test_only_admins_create_teams(api_for, everyone, role):
    response = api_for(everyone[role]).post(TEAMS, {"name": "Skunkworks"}, format="json")
    assert response.status_code == 403
    assert not Team.objects.filter(name="Skunkworks").exists()


def test_admin_renames_a_team_and_keeps_its_parent(api_for, everyone, teams):
    team = teams["east_ent"]
    response = api_for(everyone["admin"]).patch(
        f"{TEAMS}{team.pk}/", {"name": "East Strategic"}, format="json"
    )
    assert response.status_code == 200, response.content
    team.refresh_from_db()
    assert team.name == "East Strategic"
    assert team.parent == teams["east"]


def test_admin_moves_a_team_to_the_top(api_for, everyone, teams):
    team = teams["east_ent"]
    response = api_for(everyone["admin"]).patch(
        f"{TEAMS}{team.pk}/", {"parent": None}, format="json"
    )
    assert response.status_code == 200
    team.refresh_from_db()
    assert team.parent is None
    assert team.name == "East Enterprise"


def test_a_team_cannot_move_under_its_own_child(api_for, everyone, teams):
    response = api_for(everyone["admin"]).patch(
        f"{TEAMS}{teams['east'].pk}/", {"parent": teams["east_ent"].pk}, format="json"
    )
    assert response.status_code == 400
    assert "parent" in response.json()
    teams["east"].refresh_from_db()
    assert teams["east"].parent is None


@pytest.mark.parametrize("role", ["manager", "executive"])
def test_only_admins_change_teams(api_for, everyone, teams, role):
    response = api_for(everyone[role]).patch(
        f"{TEAMS}{teams['east_ent'].pk}/", {"name": "Renamed"}, format="json"
    )
    assert response.status_code == 403
    teams["east_ent"].refresh_from_db()
    assert teams["east_ent"].name == "East Enterprise"
