"""What the scorecard pages say around the figures: the menu offers only pages the reader may
open, a KPI with a target but nothing to measure yet does not claim it has no target, and a
grid cell without an attainment links its actual rather than a bare dash.

Frozen on 15 May 2017 (UTC), in 2017-Q2. Rick (rep) has a win-rate target of 30% and has not
closed a deal this quarter; he won $1,500 with no revenue target.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from charter.conftest import client_for
from charter.core.periods import parse_period
from charter.crm import services as crm_services
from charter.crm.models import Deal
from charter.kpis import services
from charter.kpis.models import KpiDefinition
from charter.org.models import Person

Q2 = parse_period("2017-Q2")
LEADERBOARD_LINK = 'href="/kpis/leaderboard/"'


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(dt.datetime(2017, 5, 15, 12, 0, tzinfo=dt.UTC), tick=False):
        yield


def _row(html: str, marker: str) -> str:
    start = html.index(marker)
    return html[start : html.index("</tr>", start)]


@pytest.mark.django_db
def test_menu_offers_the_leaderboard_only_to_who_may_open_it(
    everyone: dict[str, Person], django_capture_on_commit_callbacks: Any
) -> None:
    rep, manager, admin = everyone["rep"], everyone["manager"], everyone["admin"]
    # By default leaderboards are for managers and up: a rep is not offered a refusal.
    assert LEADERBOARD_LINK not in client_for(rep).get("/kpis/").content.decode()
    assert LEADERBOARD_LINK in client_for(manager).get("/kpis/", follow=True).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin).post("/kpis/settings/", {"leaderboard_visibility": "everyone"})
    assert response.status_code == 302
    # The saved setting shows on the rep's next page, not after the menu's cache expires.
    assert LEADERBOARD_LINK in client_for(rep).get("/kpis/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client_for(admin).post("/kpis/settings/", {"leaderboard_visibility": "off"})
    assert LEADERBOARD_LINK not in client_for(manager).get("/kpis/", follow=True).content.decode()
    assert LEADERBOARD_LINK not in client_for(manager).get("/kpis/org/").content.decode()


@pytest.mark.django_db
def test_a_target_without_data_says_no_data_yet_and_a_cell_without_attainment_links_its_actual(
    everyone: dict[str, Person],
) -> None:
    rep, manager, admin = everyone["rep"], everyone["manager"], everyone["admin"]
    org = rep.org
    services.target_set(
        org=org,
        kpi=KpiDefinition.objects.get(org=org, key="win_rate"),
        period=Q2,
        value=Decimal(30),
        actor=admin.user,
        person=rep,
    )
    crm_services.facts_upsert(
        model=Deal,
        org=org,
        source="file",
        rows=[
            {
                "external_id": "open1",
                "owner_id": rep.pk,
                "owner_raw": rep.email,
                "owner_key": rep.email,
                "stage": "open",
                "raw_stage": "open",
                "amount": Decimal(1500),
                "currency": "USD",
                "amount_reporting": Decimal(1500),
                "created_date": dt.date(2017, 4, 3),
                "close_date": None,
            }
        ],
        run=None,
    )
    dashboard = client_for(rep).get("/kpis/").content.decode()
    win_rate = _row(dashboard, 'data-kpi="win_rate"')
    assert "No data yet" in win_rate
    assert "No target" not in win_rate
    assert "No target" in _row(dashboard, 'data-kpi="deals_lost"')
    explain = client_for(rep).get(f"/kpis/people/{rep.pk}/explain/win_rate/").content.decode()
    assert "<dt>Status</dt><dd data-status>No data yet</dd>" in explain
    # In the team grid Rick's pipeline ($1,500, no target) is the link, not a dash.
    grid = client_for(manager).get(f"/kpis/teams/{rep.team_id}/").content.decode()
    cell = _row(grid, f'data-row="person-{rep.pk}"')
    assert f'/kpis/people/{rep.pk}/explain/pipeline_created/?period=2017-Q2"' in cell
    pipeline = cell[cell.index('data-label="Pipeline created"') :]
    assert ">$1,500</a>" in pipeline[: pipeline.index("</td>")]
    # The win-rate cell names the target it has no attainment against yet.
    win = cell[cell.index('data-label="Win rate"') :]
    assert "target 30.0%" in win[: win.index("</td>")]
    # The export says the same: Rick's win-rate status is "No data yet", not "No target".
    csv_text = client_for(manager).get(f"/kpis/teams/{rep.team_id}/export.csv").content.decode()
    header, *lines = csv_text.splitlines()
    rick = next(line.split(",") for line in lines if line.startswith(rep.full_name))
    assert rick[header.split(",").index("win_rate status")] == "No data yet"
