"""What a rep finds of their team, the same on every page: their own team's members and the
managers above them, listed by name (`directory_people`); only their own record opens."""

from __future__ import annotations

from charter.conftest import client_for
from charter.org.access import directory_people, visible_people


def ids(queryset):
    return set(queryset.values_list("pk", flat=True))


def test_a_rep_finds_their_team_and_their_managers_up_the_line(everyone):
    found = ids(directory_people(everyone["rep"].user))
    assert found == {
        everyone["rep"].pk,
        everyone["rep2"].pk,
        everyone["manager"].pk,
        everyone["executive"].pk,
    }


def test_a_rep_still_reads_only_their_own_record(everyone):
    assert ids(visible_people(everyone["rep"].user)) == {everyone["rep"].pk}


def test_a_manager_finds_their_subtree_and_the_managers_above_them(everyone):
    found = ids(directory_people(everyone["manager"].user))
    assert found == {
        everyone["manager"].pk,
        everyone["rep"].pk,
        everyone["rep2"].pk,
        everyone["executive"].pk,
    }


def test_admins_and_executives_find_everyone_and_nobody_else_does_without_a_person(everyone):
    assert everyone["other_team_rep"].pk in ids(directory_people(everyone["admin"].user))
    assert everyone["other_team_rep"].pk in ids(directory_people(everyone["executive"].user))
    assert not directory_people(None).exists()


def test_home_teams_page_directory_and_chart_agree_on_the_reps_team(everyone, teams):
    client = client_for(everyone["rep"])
    home = client.get("/")
    assert home.context["team_headcount"] == 3
    tree = {n.team.name: n.headcount for _, n in client.get("/org/teams/").context["rows"]}
    assert tree["East Enterprise"] == 3
    directory = client.get(f"/org/people/?team={teams['east_ent'].pk}")
    assert directory.context["page"].paginator.count == 3
    team_page = client.get(f"/org/teams/{teams['east_ent'].pk}/")
    assert team_page.context["page"].paginator.count == 3
    chart = client.get("/org/chart/").content.decode()
    for name in ("Rita Rep", "Mona Manager", "Eve Exec", "Rick Rep"):
        assert name in chart
    assert "Olga Other" not in chart


def test_names_link_only_to_records_the_rep_may_open(everyone):
    client = client_for(everyone["rep"])
    people = client.get("/org/people/").content.decode()
    assert "Rita Rep" in people
    assert f'href="/org/people/{everyone["rep2"].pk}/"' not in people
    assert f'href="/org/people/{everyone["rep"].pk}/"' in people
    chart = client.get("/org/chart/").content.decode()
    assert f'href="/org/people/{everyone["manager"].pk}/"' not in chart
    assert client.get(f"/org/people/{everyone['rep2'].pk}/").status_code == 404


def test_a_rep_of_another_team_is_not_listed(everyone):
    people = client_for(everyone["rep"]).get("/org/people/").content.decode()
    assert "Olga Other" not in people
    assert "Omar Other" not in people
