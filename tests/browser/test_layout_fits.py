"""Pages fit the screens people use: the target grid with every KPI on a 1366-pixel laptop, a
rep's scorecard (per-period table and charts) on a 390-pixel phone, neither scrolling sideways.
The grid's cells show their thousands separated and read them back; its KPI picker filters."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from charter.conftest import deal_fact, make_person
from charter.core.periods import period_containing
from charter.crm import services as crm_services
from charter.crm.models import Deal
from charter.kpis import services
from charter.kpis.models import KpiDefinition
from charter.kpis.selectors.calendar import org_today
from charter.kpis.selectors.definitions import kpi_specs
from charter.org.models import Role
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser
expect = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed; run `make install`"
).expect

LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}

# Every element wider than its box, with its own scroll width: a page "fits" when none is.
OVERFLOWS = """() => {
  const out = [];
  const root = document.scrollingElement;
  if (root.scrollWidth > root.clientWidth) out.push(["page", root.scrollWidth, root.clientWidth]);
  for (const el of document.querySelectorAll("main .table-wrap, main table, main .card")) {
    if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0) {
      out.push([el.tagName + "." + el.className, el.scrollWidth, el.clientWidth]);
    }
  }
  // A chart has no scroll width of its own: it must end inside the window.
  for (const chart of document.querySelectorAll("main svg")) {
    const right = Math.ceil(chart.getBoundingClientRect().right);
    if (right > root.clientWidth) out.push(["svg", right, root.clientWidth]);
  }
  return out;
}"""


@pytest.fixture
def quarter(org: Any) -> Any:
    return period_containing(org_today(org), "quarter", org.fiscal_year_start_month)


@pytest.fixture
def busy_team(org: Any, teams: Any, manager: Any, rep: Any, quarter: Any) -> list[Any]:
    """Rick and five colleagues with long names, each with a seven-figure revenue target."""
    people = [rep] + [
        make_person(
            org, f"Maximiliana Wolfeschlegel {n}", Role.REP, team=teams["east_ent"], manager=manager
        )
        for n in range(5)
    ]
    kpi = KpiDefinition.objects.get(org=org, key="revenue_won")
    for n, person in enumerate(people):
        services.target_set(
            org=org,
            kpi=kpi,
            period=quarter,
            value=Decimal(1_250_000 + n),
            actor=manager.user,
            person=person,
        )
    return people


def test_the_target_grid_with_every_kpi_fits_a_1366_pixel_screen(
    new_page: Any, manager: Any, busy_team: Any, quarter: Any, org: Any
) -> None:
    page = new_page()
    page.set_viewport_size(LAPTOP)
    sign_in(page, manager.email)
    page.goto(f"/kpis/targets/?period={quarter.label}")
    active = [s for s in kpi_specs(org, quarter) if s.weight is not None]
    expect(page.locator("table.target-grid thead th")).to_have_count(len(active) + 2)
    assert page.evaluate(OVERFLOWS) == []


def test_target_cells_show_thousands_and_save_what_is_typed(
    new_page: Any, manager: Any, rep: Any, busy_team: Any, quarter: Any
) -> None:
    page = new_page()
    sign_in(page, manager.email)
    page.goto(f"/kpis/targets/?period={quarter.label}&kpi=revenue_won")
    cell = page.get_by_label(f"{rep.full_name} · Revenue won")
    expect(cell).to_have_value("1,250,000")
    cell.fill("2500000.5")
    cell.blur()
    expect(cell).to_have_value("2,500,000.5")
    page.get_by_label("Reason for the changes").fill("Bigger territory")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status")).to_contain_text("Saved 1 target")
    expect(page.get_by_label(f"{rep.full_name} · Revenue won")).to_have_value("2,500,000.5")


def test_the_kpi_picker_filters_by_name(
    new_page: Any, manager: Any, busy_team: Any, quarter: Any
) -> None:
    page = new_page()
    sign_in(page, manager.email)
    page.goto(f"/kpis/targets/?period={quarter.label}")
    picker = page.locator("#grid-kpis")
    total = picker.locator("option").count()
    page.get_by_label("Filter the KPI list by name").fill("deal")
    visible = picker.locator("option:not([hidden])")
    names = visible.all_inner_texts()
    assert names
    assert all("deal" in name.lower() for name in names)
    assert len(names) < total
    visible.first.click()
    page.get_by_label("Filter the KPI list by name").fill("")
    expect(picker.locator("option:not([hidden])")).to_have_count(total)


@pytest.fixture
def history(org: Any, rep: Any, manager: Any, quarter: Any) -> None:
    """Deals and targets over the last four quarters, so the trend table and charts are full."""
    kpi = KpiDefinition.objects.get(org=org, key="revenue_won")
    rows = []
    start = quarter.start
    for back in range(4):
        period = period_containing(start - dt.timedelta(days=1 + 91 * back), "quarter", 1)
        if back == 0:
            period = quarter
        day = period.start
        rows.append(deal_fact(f"h{back}", rep, f"{1_234_567 + back}", created=day, closed=day))
        services.target_set(
            org=org, kpi=kpi, period=period, value=2_000_000, actor=manager.user, person=rep
        )
    crm_services.facts_upsert(model=Deal, org=org, source="file", rows=rows, run=None)


def test_a_reps_scorecard_reads_on_a_phone_without_sideways_scrolling(
    new_page: Any, rep: Any, history: Any
) -> None:
    page = new_page()
    page.set_viewport_size(PHONE)
    sign_in(page, rep.email)
    page.goto("/kpis/")
    expect(page.locator("main svg").first).to_be_visible()
    expect(page.locator("main table").first).to_be_visible()
    assert page.evaluate(OVERFLOWS) == []
