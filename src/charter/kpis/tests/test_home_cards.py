"""The KPI cards of each role's home page, with figures worked out by hand.

Frozen on 15 May 2017 (UTC), day 45 of the 91 days of 2017-Q2 (47 days left), East Enterprise
under Mona (manager), East above it:
- Rick (rep): won $1,500 against a revenue target of $1,000 → 150%, ahead;
- Rita (rep2): won $4,300 against $2,000 → 215%, ahead;
- Tom: won $200 against $1,000 → expected by today 1,000 x 45/91 = $494.51, pace 40%: behind,
  short by $294.51;
- Olga (other_team_rep, West Mid-Market under Omar): won $100 against $1,000, behind.
In 2017-Q1 Rick scored 50% ($500 of $1,000) and Tom 100% ($1,000 of $1,000).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from charter.conftest import client_for, deal_fact, make_person
from charter.core.periods import parse_period
from charter.crm import services as crm_services
from charter.crm.models import Deal
from charter.kpis import services
from charter.kpis.models import KpiDefinition
from charter.org.models import Organization, Person, Role, Team

D = dt.date
Q2 = parse_period("2017-Q2")
Q1 = parse_period("2017-Q1")


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(dt.datetime(2017, 5, 15, 12, 0, tzinfo=dt.UTC), tick=False):
        yield


def won(eid: str, owner: Person, amount: str, closed: dt.date) -> dict[str, Any]:
    return deal_fact(eid, owner, amount, created=D(2017, 1, 2), closed=closed, stage="won")


def revenue_target(org: Organization, person: Person, period: Any, value: int, **more: Any) -> None:
    kpi = KpiDefinition.objects.get(org=org, key="revenue_won")
    services.target_set(
        org=org, kpi=kpi, period=period, value=value, actor=None, person=person, **more
    )


@pytest.fixture
def tom(org: Organization, teams: dict[str, Team], manager: Person) -> Person:
    return make_person(org, "Tom Third", Role.REP, team=teams["east_ent"], manager=manager)


@pytest.fixture
def world(org: Organization, everyone: dict[str, Person], tom: Person) -> dict[str, Person]:
    rep, rep2, olga = everyone["rep"], everyone["rep2"], everyone["other_team_rep"]
    rows = [
        won("r1", rep, "1500", D(2017, 4, 10)),
        won("s1", rep2, "4300", D(2017, 5, 2)),
        won("t1", tom, "200", D(2017, 4, 5)),
        won("o1", olga, "100", D(2017, 4, 5)),
        won("q1r", rep, "500", D(2017, 2, 1)),
        won("q1t", tom, "1000", D(2017, 2, 1)),
    ]
    crm_services.facts_upsert(model=Deal, org=org, source="file", rows=rows, run=None)
    for person, value in ((rep, 1000), (rep2, 2000), (tom, 1000), (olga, 1000)):
        revenue_target(org, person, Q2, value)
    revenue_target(org, rep, Q1, 1000)
    revenue_target(org, tom, Q1, 1000)
    return {**everyone, "tom": tom}


def card(html: str, heading_id: str) -> str:
    start = html.index(f'id="{heading_id}"')
    return html[start : html.index("</section>", start)]


def home(person: Person) -> str:
    response = client_for(person).get("/")
    assert response.status_code == 200
    return response.content.decode()


# -- a manager ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_manager_home_leads_with_who_is_behind_pace_and_by_how_much(world):
    html = home(world["manager"])
    team = card(html, "team-pace-h")
    assert "Your team in 2017-Q2" in team
    behind = team[team.index("behind-pace") :]
    assert "Tom Third" in behind
    assert "40%" in behind  # 200 / 494.51
    assert "$295" in behind
    assert "of $495 expected by today" in behind
    assert "Rick Rep" not in behind
    assert "Rita Rep" not in behind
    assert "Olga Other" not in html  # another manager's rep
    # The team card comes before anything else, and no empty "My KPIs" card is shown.
    assert html.index("team-pace-h") < html.index("exp-team-h")
    assert "No targets are set for you" not in html


@pytest.mark.django_db
def test_manager_home_shows_target_changes_due_and_the_teams_trend(world, org):
    manager = world["manager"]
    make_person(org, "Nina New", Role.REP, manager=manager)
    revenue_target(org, world["tom"], Q2, 1500, effective_from=D(2017, 5, 22), reason="Promoted")
    team = card(home(manager), "team-pace-h")
    assert "1 person has no target in 2017-Q2: Nina New" in team
    assert "Tom Third: Revenue won becomes 1,500 on 22 May" in team
    assert 'aria-label="Overall score of East Enterprise, last 4 periods"' in team
    for label in ("2016-Q3", "2016-Q4", "2017-Q1", "2017-Q2"):
        assert f">{label}</text>" in team


@pytest.mark.django_db
def test_rep_has_no_team_card(world):
    html = home(world["rep"])
    assert "team-pace-h" not in html
    assert "org-overview-h" not in html


@pytest.mark.django_db
def test_manager_home_costs_the_same_queries_for_3_or_12_people(world, org, teams):
    manager = world["manager"]
    client = client_for(manager)
    client.get("/")  # warm the per-process caches (KPI settings)
    with CaptureQueriesContext(connection) as few:
        client.get("/")
    for n in range(9):
        extra = make_person(org, f"Extra Rep{n}", Role.REP, team=teams["east_ent"], manager=manager)
        revenue_target(org, extra, Q2, 1000)
    with CaptureQueriesContext(connection) as many:
        client.get("/")
    assert len(many) <= len(few), [q["sql"] for q in many.captured_queries]


# -- an executive and a director -----------------------------------------------------------


@pytest.mark.django_db
def test_executive_home_shows_the_org_score_teams_over_periods_and_movers(world):
    html = home(world["executive"])
    overview = card(html, "org-overview-h")
    assert "Whole organization in 2017-Q2" in overview
    assert 'aria-label="Overall score of Whole organization, last 4 periods"' in overview
    table = overview[overview.index("team-attainment") :]
    assert ">East</a>" in table
    assert ">West</a>" in table
    assert "2016-Q3" in table
    assert "2017-Q2" in table
    improved = overview[overview.index("Most improved") : overview.index("Furthest behind")]
    # Rick: 50% in Q1, on pace for 150% (capped) now; Tom fell from 100%.
    assert "Rick Rep" in improved
    assert "Tom Third" not in improved
    behind = overview[overview.index("Furthest behind") :]
    assert behind.index("Olga Other") < behind.index("Tom Third")
    assert "No targets are set for you" not in html


@pytest.mark.django_db
def test_director_home_shows_their_teams_not_the_whole_org(world, org, teams):
    director = make_person(org, "Dora Director", Role.MANAGER, team=teams["east"])
    Person.objects.filter(pk=world["manager"].pk).update(manager=director)
    overview = card(home(director), "org-overview-h")
    assert "East in 2017-Q2" in overview
    assert ">East Enterprise</a>" in overview
    assert "West" not in overview
    assert "Olga Other" not in overview
    assert "Tom Third" in overview
    # The manager under the director leads people and has no target: not listed as missing one.
    assert "Mona Manager" not in card(home(director), "team-pace-h")
    # The team card beside it does not draw the same trend a second time.
    page = home(director)
    assert page.count('aria-label="Overall score of East') == 1, page.count("Overall score of East")
    # A manager of a team without teams under it has no such card.
    assert "org-overview-h" not in home(world["manager"])


@pytest.mark.django_db
def test_executive_home_costs_the_same_queries_for_more_teams_and_people(world, org):
    client = client_for(world["executive"])
    client.get("/")
    with CaptureQueriesContext(connection) as few:
        client.get("/")
    for n in range(4):
        team = Team.objects.create(org=org, name=f"Region {n}")
        lead = make_person(org, f"Lead {n}", Role.MANAGER, team=team)
        for m in range(3):
            rep = make_person(org, f"Rep {n}{m}", Role.REP, team=team, manager=lead)
            revenue_target(org, rep, Q2, 500)
    with CaptureQueriesContext(connection) as many:
        client.get("/")
    assert len(many) <= len(few), [q["sql"] for q in many.captured_queries]


# -- a rep ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_rep_home_says_what_matters_this_week(world):
    week = card(home(world["tom"]), "kpi-panel-h")
    assert "My week in 2017-Q2" in week
    assert "$200 of $1,000" in week
    assert "40% of pace" in week
    # $800 still needed over 47 days (6.71 weeks): $119 a week.
    assert "$119 a week to reach the target" in week
    assert "2017-Q2 ends 30 Jun (47 days left)" in week


@pytest.mark.django_db
def test_rep_home_names_the_next_change_to_their_target(world, org):
    revenue_target(org, world["rep"], Q2, 1200, effective_from=D(2017, 6, 1), reason="Territory")
    week = card(home(world["rep"]), "kpi-panel-h")
    assert "your Revenue won target becomes 1,200 on 1 Jun" in week


# -- where "Scorecards" lands ----------------------------------------------------------------


@pytest.mark.django_db
def test_scorecards_land_managers_on_their_team_and_executives_on_the_org(world, teams, org):
    manager = client_for(world["manager"]).get("/kpis/?period=2017-Q1")
    assert manager.status_code == 302
    assert manager["Location"] == f"/kpis/teams/{teams['east_ent'].pk}/?period=2017-Q1"
    assert client_for(world["executive"]).get("/kpis/")["Location"] == "/kpis/org/"
    assert client_for(world["admin"]).get("/kpis/")["Location"] == "/kpis/org/"
    assert client_for(world["rep"]).get("/kpis/").status_code == 200
    # A manager with targets of their own still opens on them.
    revenue_target(org, world["manager"], Q2, 5000)
    assert client_for(world["manager"]).get("/kpis/").status_code == 200


@pytest.mark.django_db
def test_a_managers_my_kpis_link_opens_their_own_scorecard(world):
    manager = world["manager"]
    html = client_for(manager).get(f"/kpis/people/{manager.pk}/").content.decode()
    assert f'<a href="/kpis/people/{manager.pk}/" aria-current="page">My KPIs</a>' in html


# -- trends on the team and organization views --------------------------------------------


def trend_card(html: str) -> str:
    start = html.index('id="trend-h"')
    return html[start : html.index("</section>", start)]


@pytest.mark.django_db
def test_team_view_shows_the_teams_score_over_recent_periods(world, teams):
    html = client_for(world["manager"]).get(f"/kpis/teams/{teams['east_ent'].pk}/").content.decode()
    chart = trend_card(html)
    assert 'aria-label="Overall score of East Enterprise, last 6 periods"' in chart
    for label in ("2016-Q1", "2016-Q4", "2017-Q1", "2017-Q2"):
        assert f">{label}</text>" in chart
    # Q1: Rick $500 of $1,000 and Tom $1,000 of $1,000: $1,500 of $2,000 is 75%.
    assert ">75%</text>" in chart


@pytest.mark.django_db
def test_org_view_shows_the_organizations_score_over_recent_periods(world, org):
    html = client_for(world["executive"]).get("/kpis/org/").content.decode()
    chart = trend_card(html)
    assert f'aria-label="Overall score of {org.name}, last 6 periods"' in chart
    assert ">75%</text>" in chart


@pytest.mark.django_db
def test_team_and_org_pdfs_carry_the_same_trend(world, teams):
    from charter.kpis.tests.test_views_scorecards import pdf_text

    client = client_for(world["executive"])
    team = pdf_text(client.get(f"/kpis/teams/{teams['east_ent'].pk}/export.pdf").content)
    whole = pdf_text(client.get("/kpis/org/export.pdf").content)
    for text in (team, whole):
        assert "Score over recent periods" in text
        assert "2016-Q1" in text
        assert "75%" in text


# -- leaderboard names ---------------------------------------------------------------------


@pytest.mark.django_db
def test_leaderboard_names_link_only_to_people_the_reader_may_open(world, org):
    services.scorecard_settings_update(
        org=org, actor=world["admin"].user, leaderboard_visibility="everyone"
    )
    rep, rep2, olga = world["rep"], world["rep2"], world["other_team_rep"]
    as_rep = client_for(rep).get("/kpis/leaderboard/").content.decode()
    assert f'<a href="/kpis/people/{rep.pk}/">Rick Rep</a>' in as_rep
    assert "Rita Rep" in as_rep
    assert f'href="/kpis/people/{rep2.pk}/"' not in as_rep
    as_manager = client_for(world["manager"]).get("/kpis/leaderboard/").content.decode()
    assert f'<a href="/kpis/people/{rep2.pk}/">Rita Rep</a>' in as_manager
    assert "Olga Other" in as_manager
    assert f'href="/kpis/people/{olga.pk}/"' not in as_manager
