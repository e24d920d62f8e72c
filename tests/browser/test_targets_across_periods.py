"""Monthly targets in a real browser (issue 18): an admin imports a quarter's monthly targets
through the web import, and the quarter's scorecard shows their sum, saying where it came from,
down to the explain page.

Rick's revenue targets for July, August and September 2024 are 10,000, 12,000 and 14,000, so his
target for 2024-Q3 (a January fiscal year) is 36,000, and no target is set for the quarter
itself."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from charter.kpis.models import Target
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser
expect = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed; run `make install`"
).expect


def test_admin_imports_monthly_targets_and_the_quarter_shows_their_sum(
    page: Any, admin: Any, rep: Any, tmp_path: Path
) -> None:
    upload = tmp_path / "monthly-targets.csv"
    upload.write_text(
        "person,kpi,period,value\n"
        f"{rep.email},revenue_won,2024-07,10000\n"
        f"{rep.email},revenue_won,2024-08,12000\n"
        f"{rep.email},revenue_won,2024-09,14000\n",
        encoding="utf-8",
    )
    sign_in(page, admin.email)
    page.goto("/kpis/targets/import/")
    page.locator("input[type=file]").set_input_files(str(upload))
    page.get_by_role("button", name="Upload and preview").click()
    page.get_by_role("button", name="Import 3 rows").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_text("Created 3", exact=False).first).to_be_visible()
    assert Target.objects.filter(person=rep, period_label__startswith="2024-0").count() == 3
    assert not Target.objects.filter(person=rep, period_label="2024-Q3").exists()

    page.goto(f"/kpis/people/{rep.pk}/?period=2024-Q3")
    row = page.locator('tr[data-kpi="revenue_won"]')
    expect(row.locator('[data-label="Target"]')).to_contain_text("$36,000")
    expect(row.locator("[data-target-source]")).to_have_text(
        "Sum of Jul 2024, Aug 2024, Sep 2024: $10,000 + $12,000 + $14,000 = $36,000"
    )

    row.locator('[data-label="Target"] a').click()
    expect(page.locator("[data-target-source]")).to_contain_text(
        "sum of Jul 2024, Aug 2024, Sep 2024"
    )
    parts = page.locator("[data-target-parts] li")
    expect(parts).to_have_count(3)
    expect(parts.nth(1)).to_contain_text("Aug 2024: $12,000")
