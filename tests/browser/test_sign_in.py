import pytest

from tests.browser.conftest import PASSWORD, sign_in

pytestmark = pytest.mark.browser
expect = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed; run `make install`"
).expect


def test_a_wrong_password_shows_an_error_and_keeps_the_person_out(page, rep):
    sign_in(page, rep.email, "not the password")

    expect(page.get_by_role("alert")).to_contain_text("correct email and password")
    assert page.url.endswith("/accounts/login/")
    page.goto("/")
    assert "/accounts/login/" in page.url


def test_the_right_password_lands_on_home_with_the_persons_name(page, live_server, rep):
    page.goto("/")
    assert "/accounts/login/" in page.url  # anonymous people are sent to sign in first

    sign_in(page, rep.email, PASSWORD)

    assert page.url == f"{live_server.url}/"
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rick")
    expect(page.locator("header")).to_contain_text("Rick Rep")
