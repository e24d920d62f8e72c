"""Scorecard pages: my dashboard, a team's grid, the org view, leaderboards, exports and the home
card, with figures worked out by hand.

The world, frozen on 15 May 2017 (UTC), day 45 of the 91 days of 2017-Q2, East Enterprise:
- Rick (rep): won $1,500 (and lost one deal) against a revenue target of $1,000 → 150%;
- Rita (rep2): won $4,300 against $2,000 → 215% (her score is capped at 150%);
- Tom: won $450 and lost two against $1,000 → 45%.
In 2017-Q1 Rick won $500 against $1,000 (50%) and Rita $3,000 against $2,000 (150%).
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from charter.conftest import client_for, deal_fact, make_person
from charter.core.periods import parse_period
from charter.crm import services as crm_services
from charter.crm.models import Deal
from charter.kpis import charts, services
from charter.kpis.models import KpiDefinition
from charter.org.models import Organization, Person, Role, Team

D = dt.date
Q2 = parse_period("2017-Q2")
Q1 = parse_period("2017-Q1")


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(dt.datetime(2017, 5, 15, 12, 0, tzinfo=dt.UTC), tick=False):
        yield


def deal(eid: str, owner: Person, stage: str, amount: str, closed: dt.date) -> dict[str, Any]:
    return deal_fact(eid, owner, amount, created=D(2017, 1, 2), closed=closed, stage=stage)


def upsert(org: Organization, rows: list[dict[str, Any]]) -> None:
    crm_services.facts_upsert(model=Deal, org=org, source="file", rows=rows, run=None)


def revenue_target(org: Organization, person: Person, period: Any, value: int, admin: Any) -> None:
    kpi = KpiDefinition.objects.get(org=org, key="revenue_won")
    services.target_set(org=org, kpi=kpi, period=period, value=value, actor=admin, person=person)


@pytest.fixture
def tom(org: Organization, teams: dict[str, Team], manager: Person) -> Person:
    return make_person(org, "Tom Third", Role.REP, team=teams["east_ent"], manager=manager)


@pytest.fixture
def world(org: Organization, everyone: dict[str, Person], tom: Person) -> dict[str, Person]:
    rep, rep2, admin = everyone["rep"], everyone["rep2"], everyone["admin"].user
    upsert(
        org,
        [
            deal("r1", rep, "won", "1500", D(2017, 4, 10)),
            deal("r2", rep, "lost", "900", D(2017, 4, 20)),
            deal("r3", rep2, "won", "4300", D(2017, 5, 2)),
            deal("t1", tom, "won", "450", D(2017, 4, 5)),
            deal("t2", tom, "lost", "100", D(2017, 4, 6)),
            deal("t3", tom, "lost", "100", D(2017, 4, 7)),
            deal("q1r", rep, "won", "500", D(2017, 2, 1)),
            deal("q1s", rep2, "won", "3000", D(2017, 3, 1)),
        ],
    )
    for person, value in ((rep, 1000), (rep2, 2000), (tom, 1000)):
        revenue_target(org, person, Q2, value, admin)
    revenue_target(org, rep, Q1, 1000, admin)
    revenue_target(org, rep2, Q1, 2000, admin)
    return {**everyone, "tom": tom}


def row_of(html: str, kpi: str) -> str:
    start = html.index(f'data-kpi="{kpi}"')
    return html[start : html.index("</tr>", start)]


def team_row(html: str, marker: str) -> str:
    start = html.index(f'data-row="{marker}"')
    return html[start : html.index("</tr>", start)]


# -- my dashboard --------------------------------------------------------------------------


@pytest.mark.django_db
def test_rep_dashboard_shows_actual_target_attainment_pace_forecast_and_status(world):
    rep = world["rep"]
    response = client_for(rep).get("/kpis/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "My KPIs" in html
    assert "2017-Q2" in html
    revenue = row_of(html, "revenue_won")
    # Expected by day 45: 1,000 x 45/91 = 494.51; pace 1,500 / 494.51 = 303%.
    # Forecast: 1,500 / (45/91) = 3,033.33; projected 303% is past the 110% "ahead" line.
    for figure in ("$1,500", "$1,000", "150%", "303%", "$3,033", "Ahead"):
        assert figure in revenue, figure
    assert f'href="/kpis/people/{rep.pk}/explain/revenue_won/?period=2017-Q2"' in revenue
    # Win rate: 1 won of 2 closed, no target.
    win_rate = row_of(html, "win_rate")
    assert "50.0%" in win_rate
    assert "No target" in win_rate
    # The only weighted KPI with a target is revenue: the score is its 150%.
    assert "Overall score" in html
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart"' in html


@pytest.mark.django_db
def test_attainment_is_not_capped_but_the_score_is(world):
    html = client_for(world["rep2"]).get("/kpis/").content.decode()
    revenue = row_of(html, "revenue_won")
    assert "$4,300" in revenue
    assert "215%" in revenue
    # The built-in cap counts at most 150% of a KPI into the score.
    assert "<strong>150%</strong>" in html


@pytest.mark.django_db
def test_period_picker_moves_and_switches_kind(world):
    client = client_for(world["rep"])
    html = client.get("/kpis/?period=2017-Q1").content.decode()
    assert "$500" in row_of(html, "revenue_won")
    assert "50%" in row_of(html, "revenue_won")
    assert "?period=2016-Q4" in html
    assert "?period=2017-Q2" in html
    # Month and year of the same moment are offered.
    assert "?period=2017-01" in html
    assert "?period=FY2017" in html
    month = client.get("/kpis/?period=2017-04").content.decode()
    # April alone: $1,500 won, no target set for the month.
    assert "$1,500" in row_of(month, "revenue_won")


@pytest.mark.django_db
def test_a_bad_period_label_is_a_clear_message_not_an_error(world):
    response = client_for(world["rep"]).get("/kpis/?period=2017-Q7")
    assert response.status_code == 400
    assert "is not a period" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "page",
    [
        "person",
        "person_pdf",
        "team",
        "team_export",
        "org",
        "org_export",
    ],
)
def test_every_page_of_a_period_answers_a_bad_label_the_same_way(world, page):
    rep = world["rep"]
    arguments = {
        "person": {"person_id": rep.pk},
        "person_pdf": {"person_id": rep.pk},
        "team": {"team_id": rep.team_id},
        "team_export": {"team_id": rep.team_id, "fmt": "csv"},
        "org": {},
        "org_export": {"fmt": "csv"},
    }[page]
    url = reverse(f"kpis:{page}", kwargs=arguments)
    response = client_for(world["admin"]).get(url + "?period=2017-Q7")
    assert response.status_code == 400
    assert "is not a period" in response.content.decode()


@pytest.mark.django_db
def test_htmx_gets_only_the_scorecard_part(world):
    response = client_for(world["rep"]).get("/kpis/?period=2017-Q1", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html
    assert 'data-kpi="revenue_won"' in html


@pytest.mark.django_db
def test_the_running_total_chart_counts_every_day_so_far(world):
    from charter.kpis import dashboards

    org, rep = world["rep"].org, world["rep"]
    board = dashboards.person_dashboard(org, rep, Q2, today=D(2017, 5, 15))
    assert board.chart_result is not None
    assert board.chart_result.key == "revenue_won"
    points = board.chart_points
    assert len(points) == 45  # 1 April to 15 May
    assert points[8] == (D(2017, 4, 9), Decimal(0))
    assert points[9] == (D(2017, 4, 10), Decimal(1500))
    assert points[-1] == (D(2017, 5, 15), Decimal(1500))
    # The trend holds the six quarters up to 2017-Q2, oldest first.
    assert [c.period.label for c in board.trend] == [
        "2016-Q1",
        "2016-Q2",
        "2016-Q3",
        "2016-Q4",
        "2017-Q1",
        "2017-Q2",
    ]
    assert [c.score for c in board.trend[-2:]] == [Decimal("0.5"), Decimal("1.5")]
    # Only revenue had a target in these periods: the per-period table follows it alone.
    assert [spec.key for spec, _ in board.trend_rows] == ["revenue_won"]


def test_bar_chart_labels_are_uncapped_and_escaped():
    svg = charts.attainment_bars(
        [charts.Bar("<Q1>", Decimal("2.15"), "heat-ahead"), charts.Bar("Q2", None)], title="T&C"
    )
    assert "215%" in svg
    assert "&lt;Q1&gt;" in svg
    assert "T&amp;C" in svg
    assert "no data" in svg


@pytest.mark.django_db
def test_closed_period_shows_frozen_figures_and_the_restatement(world):
    org, rep = world["rep"].org, world["rep"]
    services.period_close(org=org, period=Q1, actor=world["admin"].user)
    upsert(org, [deal("late", rep, "won", "300", D(2017, 3, 30))])
    html = client_for(rep).get("/kpis/?period=2017-Q1").content.decode()
    revenue = row_of(html, "revenue_won")
    assert "$500" in revenue
    assert "Restated: $500 → $800" in revenue
    assert "is closed" in html


@pytest.mark.django_db
def test_someone_elses_dashboard_needs_to_see_them(world):
    rep2 = world["rep2"]
    assert client_for(world["manager"]).get(f"/kpis/people/{rep2.pk}/").status_code == 200
    assert client_for(world["rep"]).get(f"/kpis/people/{rep2.pk}/").status_code == 404
    assert client_for(world["other_manager"]).get(f"/kpis/people/{rep2.pk}/").status_code == 404


@pytest.mark.django_db
def test_dashboard_costs_the_same_queries_with_more_facts(world, django_assert_max_num_queries):
    rep, org = world["rep"], world["rep"].org
    client = client_for(rep)
    client.get("/kpis/")  # warm the session
    # Computed, not served from the fragment cache: what a first view costs.
    cache.clear()
    with CaptureQueriesContext(connection) as few:
        client.get("/kpis/")
    upsert(org, [deal(f"more{i}", rep, "won", "10", D(2017, 4, 1 + i % 28)) for i in range(40)])
    cache.clear()
    with django_assert_max_num_queries(len(few)), CaptureQueriesContext(connection) as many:
        response = client.get("/kpis/")
    assert "$1,900" in row_of(response.content.decode(), "revenue_won")
    assert len(many) == len(few)


@pytest.mark.django_db
def test_a_repeated_dashboard_is_served_from_cache_until_a_figure_changes(world):
    rep, org = world["rep"], world["rep"].org
    client = client_for(rep)
    client.get("/kpis/")
    with CaptureQueriesContext(connection) as computed:
        cache.clear()
        client.get("/kpis/")
    with CaptureQueriesContext(connection) as cached:
        first = client.get("/kpis/").content.decode()
    # The session, the user with their person and organization, and the data version; the
    # scorecard itself costs nothing.
    assert len(cached) < len(computed)
    assert len(cached) == 3, [q["sql"] for q in cached.captured_queries]
    # New facts raise the data version: the next view is computed again and shows them.
    before = row_of(first, "revenue_won")
    upsert(org, [deal("late", rep, "won", "1000", D(2017, 4, 3))])
    after = row_of(client.get("/kpis/").content.decode(), "revenue_won")
    assert after != before
    # So does a new target.
    kpi = KpiDefinition.objects.get(org=org, key="revenue_won")
    services.target_set(
        org=org,
        kpi=kpi,
        period=Q2,
        value="99999",
        actor=world["manager"].user,
        person=rep,
        effective_from=D(2017, 4, 1),
        reason="Bigger territory",
    )
    assert "$99,999" in row_of(client.get("/kpis/").content.decode(), "revenue_won")


# -- the team grid -------------------------------------------------------------------------


@pytest.mark.django_db
def test_manager_team_grid_has_heatmap_and_team_row_from_summed_metrics(world, teams):
    team = teams["east_ent"]
    html = client_for(world["manager"]).get(f"/kpis/teams/{team.pk}/").content.decode()
    rita = team_row(html, f"person-{world['rep2'].pk}")
    assert "heat-ahead" in rita
    assert "215%" in rita
    tom = team_row(html, f"person-{world['tom'].pk}")
    # 450 of 1,000 on day 45 of 91 is 45% attained but a pace of 91%: at risk, not behind,
    # and coloured as its status says (the colour once went by the 45%).
    revenue = next(c for c in tom.split("<td")[1:] if "/explain/revenue_won/" in c)
    assert "45%" in revenue
    assert "heat-risk" in revenue
    assert "status: At risk" in revenue
    whole = team_row(html, "team")
    # 1,500 + 4,300 + 450 = 6,250 against 1,000 + 2,000 + 1,000 = 4,000: 156.25%.
    assert "$6,250" in whole
    assert "$4,000" in whole
    assert "156%" in whole
    # Win rate from the sums: 3 won of 6 closed is 50.0% (the mean of 50, 100, 33.3 is 61.1).
    assert "50.0%" in whole
    assert "61.1%" not in whole
    assert f'href="/kpis/teams/{team.pk}/explain/revenue_won/?period=2017-Q2"' in whole


def _order(html: str, names: list[str]) -> list[str]:
    return sorted(names, key=html.index)


@pytest.mark.django_db
def test_team_grid_sorts_by_any_column(world, teams):
    client = client_for(world["manager"])
    url = f"/kpis/teams/{teams['east_ent'].pk}/"
    names = ["Rick Rep", "Rita Rep", "Tom Third"]
    down = client.get(url + "?sort=revenue_won&dir=desc", HTTP_HX_REQUEST="true")
    assert "<html" not in down.content.decode()
    assert _order(down.content.decode(), names) == ["Rita Rep", "Rick Rep", "Tom Third"]
    up = client.get(url + "?sort=revenue_won&dir=asc").content.decode()
    assert _order(up, names) == ["Tom Third", "Rick Rep", "Rita Rep"]
    # Win rate: Rita 100%, Rick 50%, Tom 33.3%.
    rate = client.get(url + "?sort=win_rate&dir=asc").content.decode()
    assert _order(rate, names) == ["Tom Third", "Rick Rep", "Rita Rep"]
    assert 'aria-sort="ascending"' in rate


@pytest.mark.django_db
def test_rep_sees_only_the_team_row_not_teammates(world, teams):
    team = teams["east_ent"]
    response = client_for(world["rep"]).get(f"/kpis/teams/{team.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "$6,250" in team_row(html, "team")
    assert "Rita Rep" not in html
    assert "Tom Third" not in html
    assert 'data-row="person-' not in html
    # Nor in the export.
    csv = client_for(world["rep"]).get(f"/kpis/teams/{team.pk}/export.csv").content.decode()
    assert "Rita Rep" not in csv
    assert "East Enterprise" in csv
    # Another team is out of a rep's scope.
    assert client_for(world["rep"]).get(f"/kpis/teams/{teams['west_mm'].pk}/").status_code == 404


@pytest.mark.django_db
def test_team_grid_costs_the_same_queries_for_4_or_13_members(
    world, teams, org, django_assert_max_num_queries
):
    team = teams["east_ent"]
    client = client_for(world["manager"])
    url = f"/kpis/teams/{team.pk}/?sort=revenue_won&dir=desc"
    client.get(url)
    with CaptureQueriesContext(connection) as three:
        # Mona herself and her three reps.
        assert client.get(url).content.decode().count('data-row="person-') == 4
    for i in range(9):
        extra = make_person(
            org, f"Extra {i}", Role.REP, team=team, manager=world["manager"], login=False
        )
        upsert(org, [deal(f"x{i}", extra, "won", "100", D(2017, 4, 3))])
        revenue_target(org, extra, Q2, 200, world["admin"].user)
    with django_assert_max_num_queries(len(three)), CaptureQueriesContext(connection) as twelve:
        html = client.get(url).content.decode()
    assert html.count('data-row="person-') == 13
    assert len(twelve) == len(three)


# -- org view ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_org_view_for_managers_and_up_only(world, teams):
    html = client_for(world["executive"]).get("/kpis/org/").content.decode()
    whole = team_row(html, "org")
    # Everyone's revenue (6,250) against the East region's summed targets (4,000).
    assert "$6,250" in whole
    assert "156%" in whole
    east_ent = team_row(html, f"team-{teams['east_ent'].pk}")
    assert "--depth: 1" in east_ent
    assert "156%" in east_ent
    assert "heat-none" in team_row(html, f"team-{teams['west'].pk}")
    assert client_for(world["rep"]).get("/kpis/org/").status_code == 403
    assert client_for(world["manager"]).get("/kpis/org/").status_code == 200


# -- leaderboards --------------------------------------------------------------------------


@pytest.mark.django_db
def test_leaderboard_ranks_by_score_and_by_improvement(world):
    html = client_for(world["manager"]).get("/kpis/leaderboard/").content.decode()
    by_score = html[html.index('data-board="score"') : html.index('data-board="improvement"')]
    improvement = html[html.index('data-board="improvement"') :]
    # Rick and Rita both count 150% (Rita's 215% is capped in the score): they share rank 1.
    assert _order(by_score, ["Rick Rep", "Rita Rep", "Tom Third"])[2] == "Tom Third"
    assert by_score.count('<td class="num">1</td>') == 2
    assert '<td class="num">3</td>' in by_score
    # Rick went from 50% to 150% (+100 points), Rita stayed at 150%; Tom had no Q1 target.
    assert _order(improvement, ["Rick Rep", "Rita Rep"]) == ["Rick Rep", "Rita Rep"]
    assert "+100.0 pts" in improvement
    assert "±0.0 pts" in improvement
    assert "Tom Third" not in improvement


@pytest.mark.django_db
def test_leaderboard_visibility_setting(world, org):
    admin = world["admin"].user
    # The default shows leaderboards to managers and up.
    assert client_for(world["rep"]).get("/kpis/leaderboard/").status_code == 403
    services.scorecard_settings_update(org=org, actor=admin, leaderboard_visibility="everyone")
    assert client_for(world["rep"]).get("/kpis/leaderboard/").status_code == 200
    services.scorecard_settings_update(org=org, actor=admin, leaderboard_visibility="off")
    response = client_for(world["manager"]).get("/kpis/leaderboard/")
    assert response.status_code == 403
    assert "Leaderboards are off" in response.content.decode()


# -- exports -------------------------------------------------------------------------------


@pytest.fixture
def sneaky(org: Organization, teams: dict[str, Team], manager: Person) -> Person:
    return make_person(org, "=HYPERLINK(1)", Role.REP, team=teams["east_ent"], manager=manager)


@pytest.mark.django_db
def test_team_csv_export_has_the_figures_and_guards_formulas(world, teams, sneaky):
    url = f"/kpis/teams/{teams['east_ent'].pk}/export.csv?sort=revenue_won&dir=desc"
    response = client_for(world["manager"]).get(url)
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    header = lines[0].split(",")
    at = header.index("revenue_won actual (USD)")
    assert header[at : at + 4] == [
        "revenue_won actual (USD)",
        "revenue_won target (USD)",
        "revenue_won attainment %",
        "revenue_won status",
    ]
    assert lines[1].startswith("East Enterprise,Team,2017-Q2,no,")
    assert lines[1].split(",")[at : at + 3] == ["6250.00", "4000.00", "156.3"]
    rita = next(line.split(",") for line in lines if line.startswith("Rita Rep"))
    assert rita[at : at + 4] == ["4300.00", "2000.00", "215.0", "Ahead"]
    assert any(line.startswith("'=HYPERLINK(1)") for line in lines)


@pytest.mark.django_db
def test_org_xlsx_export_opens_and_types_names_as_text(world, teams):
    response = client_for(world["admin"]).get("/kpis/org/export.xlsx?period=2017-Q2")
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    at = header.index("Revenue won: actual (USD)")
    assert rows[1][:2] == ("Whole organization", "Organization")
    assert (rows[1][at], rows[1][at + 2]) == (6250, 1.563)  # a fraction, shown as 156.3%
    names = [r[0] for r in rows[2:]]
    assert names == ["East", "East Enterprise", "West", "West Mid-Market"]


@pytest.mark.django_db
def test_team_xlsx_keeps_a_formula_like_name_as_text(world, teams, sneaky):
    response = client_for(world["manager"]).get(f"/kpis/teams/{teams['east_ent'].pk}/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    cell = next(c for c in sheet["A"] if c.value == "=HYPERLINK(1)")
    assert cell.data_type == "s"


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF")
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    return subprocess.run(
        [tool, "-layout", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


@pytest.mark.django_db
def test_person_pdf_has_the_figures_and_the_charts(world):
    rep = world["rep"]
    response = client_for(world["manager"]).get(f"/kpis/people/{rep.pk}/scorecard.pdf")
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Scorecard of Rick Rep" in text
    assert "$1,500" in text
    assert "150%" in text
    assert "303%" in text
    # Chart text drawn from the SVG: the trend's period labels and the target line's label.
    assert "2016-Q3" in text
    assert "Revenue won so far" in text
    assert (
        client_for(world["rep"]).get(f"/kpis/people/{world['rep2'].pk}/scorecard.pdf").status_code
        == 404
    )


@pytest.mark.django_db
def test_team_pdf_export(world, teams):
    response = client_for(world["manager"]).get(f"/kpis/teams/{teams['east_ent'].pk}/export.pdf")
    text = pdf_text(response.content)
    assert "East Enterprise" in text
    assert "Rita Rep" in text
    assert "215%" in text


# -- home card -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_home_card_shows_my_score_and_each_kpi_with_its_status(world):
    html = client_for(world["rep"]).get("/").content.decode()
    start = html.index("My week in 2017-Q2")
    card = html[start : html.index("</section>", start)]
    assert "150%" in card
    assert "Open my dashboard" in card
    revenue = card[card.index('data-kpi="revenue_won"') :]
    assert "Ahead</span>" in revenue[: revenue.index("</li>")]
    # An executive without targets of their own gets the organization's card instead.
    executive = client_for(world["executive"]).get("/").content.decode()
    assert "My week in" not in executive
    assert "Whole organization in 2017-Q2" in executive


@pytest.mark.django_db
def test_org_view_costs_the_same_queries_however_many_teams(world, org):
    client = client_for(world["admin"])
    client.get("/kpis/org/")  # warm the session
    with CaptureQueriesContext(connection) as few:
        client.get("/kpis/org/")
    for n in range(4):
        region = Team.objects.create(org=org, name=f"Region {n}")
        pod = Team.objects.create(org=org, name=f"Pod {n}", parent=region)
        make_person(org, f"Pod Rep {n}", Role.REP, team=pod, login=False)
    with CaptureQueriesContext(connection) as many:
        html = client.get("/kpis/org/").content.decode()
    assert "Pod 3" in html
    assert len(many) == len(few)


@pytest.mark.django_db
def test_a_managers_leaderboard_ranks_only_their_people_unless_published(world, org):
    # Olga (West Mid-Market) is not below Mona: not on Mona's board, but on Omar's and the
    # admin's; with the board published to everyone, everyone sees the whole org.
    olga = world["other_team_rep"]
    upsert(org, [deal("olga1", olga, "won", "100", D(2017, 4, 5))])
    kpi = KpiDefinition.objects.get(org=org, key="revenue_won")
    services.target_set(
        org=org, kpi=kpi, period=Q2, value="100", actor=world["admin"].user, person=olga
    )
    boards = {
        who: client_for(world[who]).get("/kpis/leaderboard/").content.decode()
        for who in ("manager", "other_manager", "admin")
    }
    assert "Olga Other" not in boards["manager"]
    assert "Rick Rep" in boards["manager"]
    assert "Olga Other" in boards["other_manager"]
    assert "Rick Rep" not in boards["other_manager"]
    assert "Olga Other" in boards["admin"]
    assert "Rick Rep" in boards["admin"]
    services.scorecard_settings_update(
        org=org, actor=world["admin"].user, leaderboard_visibility="everyone"
    )
    everyone = client_for(world["rep"]).get("/kpis/leaderboard/").content.decode()
    assert "Olga Other" in everyone
    assert "Rita Rep" in everyone
