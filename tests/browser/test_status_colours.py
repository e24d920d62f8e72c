"""Colour and status agree, and say so: a rep whose revenue is under 95% of target but heading
well past it sees the cell coloured "ahead", the legend naming every status and its basis, and
on the explain page how the status was decided (pace, forecast, thresholds). A manager's team
grid and leaderboard carry each cell's status in text and a legend too."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_CEILING, Decimal
from typing import Any

import pytest

from charter.core.periods import period_containing
from charter.crm import services as crm_services
from charter.crm.models import Deal
from charter.kpis import services
from charter.kpis.models import KpiDefinition
from charter.kpis.selectors.calendar import org_today
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser
expect = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed; run `make install`"
).expect

STATUSES = ("Ahead", "On track", "At risk", "Behind", "No target")


@pytest.fixture
def heading_ahead(org: Any, rep: Any, manager: Any) -> Any:
    """Rick won 1,200 this quarter against a target set so that his pace is 125% of it on any
    day of the quarter: attained, that is 125% of the share of the quarter gone by."""
    period = period_containing(org_today(org), "quarter", org.fiscal_year_start_month)
    elapsed = period.elapsed_days(org_today(org))
    won = Decimal(1200)
    # The whole quarter's target that 1,200 by today is 125% of the pro-rated part of.
    target = (won * period.days / elapsed / Decimal("1.25")).quantize(
        Decimal(1), rounding=ROUND_CEILING
    )
    crm_services.facts_upsert(
        model=Deal,
        org=org,
        source="file",
        rows=[
            {
                "external_id": "h1",
                "owner_id": rep.pk,
                "owner_raw": rep.email,
                "owner_key": rep.email,
                "stage": "won",
                "raw_stage": "won",
                "amount": won,
                "currency": "USD",
                "amount_reporting": won,
                "created_date": period.start,
                "close_date": period.start + dt.timedelta(days=min(1, elapsed - 1)),
                "name": "Harbor Lights renewal",
            }
        ],
        run=None,
    )
    services.target_set(
        org=org,
        kpi=KpiDefinition.objects.get(org=org, key="revenue_won"),
        period=period,
        value=str(target),
        actor=manager.user,
        person=rep,
    )
    return {"period": period, "attainment": won / target, "elapsed": elapsed}


def test_rep_sees_colour_and_status_agree_and_reads_how_the_status_was_decided(
    page: Any, rep: Any, heading_ahead: Any
) -> None:
    sign_in(page, rep.email)
    page.goto("/kpis/")
    revenue = page.locator("tr[data-kpi='revenue_won']")
    expect(revenue.locator("td[data-label='Status']")).to_have_text("Ahead")
    attainment = revenue.locator("td[data-label='Attainment']")
    expect(attainment).to_have_class("num heat-ahead")
    legend = page.locator("[data-legend]")
    for status in STATUSES:
        expect(legend).to_contain_text(status)
    expect(legend).to_contain_text("forecast")
    expect(legend).to_contain_text("pace")

    attainment.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Revenue won")
    expect(page.locator("[data-status]")).to_have_text("Ahead")
    basis = page.locator("[data-status-basis]")
    elapsed, days = heading_ahead["elapsed"], heading_ahead["period"].days
    if elapsed < days:
        expect(basis).to_contain_text(f"Day {elapsed} of {days}")
        expect(basis.locator("[data-pace]")).to_be_visible()
        expect(basis.locator("[data-forecast]")).to_be_visible()
    expect(basis.locator("[data-thresholds]")).to_contain_text("Ahead at 110.0% and more")


def test_manager_reads_each_cells_status_as_text_and_a_legend_on_grid_and_leaderboard(
    page: Any, manager: Any, rep: Any, heading_ahead: Any
) -> None:
    sign_in(page, manager.email)
    page.goto(f"/kpis/teams/{rep.team_id}/")
    row = page.locator(f"tr[data-row='person-{rep.pk}']")
    cell = row.locator("td", has=page.locator("a[href*='/explain/revenue_won/']"))
    expect(cell).to_have_class("num heat heat-ahead")
    # Not only colour: the status is in the cell's text for a screen reader.
    expect(cell.locator(".visually-hidden")).to_have_text(", status: Ahead")
    for status in STATUSES:
        expect(page.locator("[data-legend]")).to_contain_text(status)

    page.goto("/kpis/leaderboard/")
    board = page.locator("table[data-board='score']")
    expect(board).to_contain_text(rep.full_name)
    expect(board.locator(".visually-hidden").first).to_contain_text("status:")
    for status in STATUSES:
        expect(page.locator("[data-legend]")).to_contain_text(status)
