import pytest

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser
expect = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed; run `make install`"
).expect


def test_an_admin_finds_a_person_and_sees_their_manager(page, everyone):
    sign_in(page, everyone["admin"].email)

    page.get_by_role("navigation").get_by_role("link", name="People").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("People")
    page.get_by_role("searchbox").fill("Rita")
    # The list updates in place (htmx) as the admin types.
    rows = page.locator("#people-rows")
    expect(rows).to_contain_text("Rita Rep")
    expect(rows).not_to_contain_text("Olga Other")
    rows.get_by_role("link", name="Rita Rep").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Rita Rep")
    details = page.locator("dl.facts")
    expect(details).to_contain_text("Mona Manager")
    details.get_by_role("link", name="Mona Manager").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mona Manager")
