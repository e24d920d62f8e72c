"""A CRM import as an admin meets it: an owner who matches nobody is flagged before and after,
the finished run no longer says it is importing, and the unmatched owner is picked from
suggestions and a search."""

from __future__ import annotations

from pathlib import Path

import pytest

from charter.conftest import make_person
from charter.crm.models import Deal
from charter.crm.tests.test_import_deals import run_import
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser
expect = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed; run `make install`"
).expect

DEALS = (
    "id,owner,stage,amount,created,close\n"
    "D1,rick.rep@acme.test,won,10,2024-01-01,2024-01-15\n"
    "D2,t.jackson@oldcrm.com,won,20,2024-01-02,2024-01-16\n"
)


def test_an_import_flags_the_unknown_owner_and_ends_without_saying_importing(
    page, everyone, tmp_path: Path
):
    source = tmp_path / "deals.csv"
    source.write_text(DEALS)
    sign_in(page, everyone["admin"].email)

    page.goto("/crm/import/")
    page.locator("#id_file").set_input_files(str(source))
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.locator("main")).to_contain_text("1 row: the owner matches nobody in Charter yet")
    page.get_by_role("button", name="Import 2 rows").click()

    run = page.locator("#import-run")
    expect(run).to_contain_text("1 deal written by this import waits for an owner")
    expect(run).not_to_contain_text("Importing")
    expect(page.locator("main")).not_to_contain_text("Importing deals.csv")
    run.get_by_role("link", name="Say who the unmatched owners are").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Unmatched CRM owners")


def test_the_owner_picker_suggests_the_likely_person_and_searches(
    page, everyone, org, tmp_path: Path
):
    tyrone = make_person(org, "Tyrone Jackson", "rep")
    run_import(org, "deals", DEALS, tmp_path)
    sign_in(page, everyone["admin"].email)

    page.goto("/crm/owners/")
    picker = page.get_by_label("of", exact=True)
    expect(picker).to_have_value(str(tyrone.pk))
    page.get_by_label("Find a person").fill("rita")
    expect(picker.locator("option")).to_contain_text(["— a new person —", "Rita Rep"])
    picker.select_option(label=f"Rita Rep ({everyone['rep2'].email})")
    page.get_by_role("button", name="Attribute 1 record").click()

    expect(page.get_by_role("status").first).to_contain_text("is now Rita Rep")
    assert Deal.objects.get(external_id="D2").owner == everyone["rep2"]
