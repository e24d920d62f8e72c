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
from charter.kpis import services
from charter.kpis.models import KpiDefinition
from charter.kpis.selectors.calendar import org_today
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser
expect = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed; run `make install`"
).expect


@pytest.fixture
def quarter(org: Any, rep: Any, manager: Any) -> Any:
    """This quarter: Rick won 1,200 + 300 and lost one deal; his revenue target is 3,000."""
    period = period_containing(org_today(org), "quarter", org.fiscal_year_start_month)
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


def test_manager_changes_a_target_mid_quarter_and_the_rep_reads_why(
    new_page: Any, manager: Any, rep: Any, quarter: Any
) -> None:
    boss = new_page()
    sign_in(boss, manager.email)
    boss.goto(f"/kpis/targets/?period={quarter.label}&kpi=revenue_won")
    cell = boss.get_by_label(f"{rep.full_name} · Revenue won")
    expect(cell).to_have_value("3,000")
    cell.fill("6000")
    boss.get_by_label("Reason for the changes").fill("Territory expanded: took over Quayside")
    boss.get_by_role("button", name="Save changes").click()
    expect(boss.get_by_role("status")).to_be_visible()
    expect(boss.get_by_label(f"{rep.full_name} · Revenue won")).to_have_value("6,000")

    page = new_page()
    sign_in(page, rep.email)
    page.get_by_role("link", name="Scorecards").first.click()
    page.get_by_role("link", name="My target history").click()
    main = page.locator("main")
    expect(main).to_contain_text("Territory expanded: took over Quayside")
    expect(main).to_contain_text(manager.full_name)
    expect(main).to_contain_text("$6,000")
    # The change applies from today: 3,000 for the days before, 6,000 from today on, weighted
    # by days; 1,500 won against that is the attainment after the change.
    today = org_today(manager.org)
    before = (today - quarter.start).days
    prorated = (Decimal(3000) * before + Decimal(6000) * (quarter.days - before)) / quarter.days
    expect(main).to_contain_text(f"$3,000 → ${prorated:,.0f}")
    expect(main).to_contain_text(f"50.0% → {Decimal(1500) / prorated * 100:.1f}%")
