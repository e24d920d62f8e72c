"""What a rep notices of their team and of their targets: the home page, the teams page, People
and the org chart show the same team (their teammates and the managers above them); a change
to their target reaches their home page with its reason."""

from __future__ import annotations

from typing import Any

import pytest

from charter.core.periods import period_containing
from charter.kpis import services
from charter.kpis.models import KpiDefinition
from charter.kpis.selectors.calendar import org_today
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser
expect = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed; run `make install`"
).expect


def test_rep_sees_the_same_team_on_home_teams_people_and_chart(
    page: Any, rep: Any, rep2: Any, manager: Any, other_team_rep: Any
) -> None:
    sign_in(page, rep.email)
    expect(page.locator("main")).to_contain_text("3 people")
    page.goto("/org/teams/")
    expect(page.locator("main")).to_contain_text("East Enterprise")
    page.goto("/org/people/")
    main = page.locator("main")
    for name in (rep.full_name, rep2.full_name, manager.full_name):
        expect(main).to_contain_text(name)
    expect(main).not_to_contain_text(other_team_rep.full_name)
    # A teammate is listed by name; only the rep's own record opens.
    expect(main.get_by_role("link", name=rep2.full_name)).to_have_count(0)
    expect(main.get_by_role("link", name=rep.full_name)).to_have_count(1)
    page.goto("/org/chart/")
    for name in (rep2.full_name, manager.full_name):
        expect(page.locator("main")).to_contain_text(name)


def test_rep_reads_a_change_to_their_target_and_its_reason_on_their_home_page(
    page: Any, org: Any, rep: Any, manager: Any
) -> None:
    period = period_containing(org_today(org), "quarter", org.fiscal_year_start_month)
    kpi = KpiDefinition.objects.get(org=org, key="revenue_won")
    for value, reason in (("3000", ""), ("4500", "Took over the Quayside accounts")):
        services.target_set(
            org=org, kpi=kpi, period=period, value=value, actor=manager.user, person=rep,
            reason=reason,
        )  # fmt: skip
    sign_in(page, rep.email)
    card = page.locator("[data-panel='target-changes']")
    expect(card.get_by_role("heading")).to_have_text("Your targets changed")
    expect(card).to_contain_text("$3,000 → $4,500")
    expect(card).to_contain_text("Why: Took over the Quayside accounts")
    expect(card).to_contain_text(manager.full_name)
    card.get_by_role("link", name="My target history").click()
    expect(page.locator("main")).to_contain_text("Took over the Quayside accounts")
