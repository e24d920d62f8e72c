"""Scorecards in a real browser: a rep reads their KPIs this quarter and follows a number down
to the deals behind it; a manager changes a target mid-quarter with a reason and the rep reads
the change in their target history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from charter.core.periods import period_containing
from charter.crm import services as crm_services
from charter.crm.models import Deal
from charter.kpis import selectors, services
from charter.kpis.models import KpiDefinition
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser
expect = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed; run `make install`"
).expect


@pytest.fixture
def quarter(org: Any, rep: Any, manager: Any) -> Any:
    """This quarter: Rick won 1,200 + 300 and lost one deal; his revenue target is 3,000."""
    period = period_containing(selectors.org_today(org), "quarter", org.fiscal_year_start_month)
    day = period.start

    def deal(eid: str, name: str, stage: str, amount: str) -> dict[str, Any]:
        return {
            "external_id": eid,
            "owner_id": rep.pk,
            "owner_raw": rep.email,
            "owner_key": rep.email,
            "stage": stage,
            "raw_stage": stage,
            "amount": Decimal(amount),
            "currency": "USD",
            "amount_reporting": Decimal(amount),
            "created_date": day,
            "close_date": day + dt.timedelta(days=1),
            "name": name,
        }

    crm_services.facts_upsert(
        model=Deal,
        org=org,
        source="file",
        rows=[
            deal("b1", "Harbor Lights renewal", "won", "1200"),
            deal("b2", "Quayside add-on", "won", "300"),
            deal("b3", "Lost to a rival", "lost", "900"),
        ],
        run=None,
    )
    services.target_set(
        org=org,
        kpi=KpiDefinition.objects.get(org=org, key="revenue_won"),
        period=period,
        value="3000",
        actor=manager.user,
        person=rep,
    )
    return period


def test_rep_reads_the_dashboard_and_drills_down_to_the_deals(
    page: Any, rep: Any, quarter: Any
) -> None:
    sign_in(page, rep.email)
    page.get_by_role("link", name="Scorecards").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("My KPIs")
    revenue = page.locator("tr[data-kpi='revenue_won']")
    # 1,500 won against 3,000: 50%, uncapped and unrounded by hand.
    expect(revenue).to_contain_text("$1,500")
    expect(revenue).to_contain_text("$3,000")
    expect(revenue).to_contain_text("50%")
    win_rate = page.locator("tr[data-kpi='win_rate']")
    expect(win_rate).to_contain_text("66.7%")

    revenue.get_by_role("link", name="$1,500").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Revenue won")
    expect(page.get_by_text("Harbor Lights renewal")).to_be_visible()
    expect(page.get_by_text("Quayside add-on")).to_be_visible()
    # The lost deal counts in the win rate, never in revenue.
    expect(page.get_by_text("Lost to a rival")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("1500")

    page.go_back()
    page.locator("tr[data-kpi='win_rate']").get_by_role("link", name="66.7%").click()
    # won / (won + lost) with the figures in place.
    expect(page.locator("main")).to_contain_text("2 / (2 + 1)")
    expect(page.get_by_text("Lost to a rival")).to_be_visible()
