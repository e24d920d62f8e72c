import re

import pytest

from charter.conftest import make_person
from charter.org.models import Role
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser
expect = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed; run `make install`"
).expect

NEW_PASSWORD = "a fresh start in the browser"


def test_an_invited_person_sets_a_password_from_the_email_and_is_signed_in(
    new_page, live_server, settings, mailoutbox, admin, teams, manager
):
    settings.SITE_URL = live_server.url  # links in emails must point at this server
    newcomer = make_person(
        admin.org, "Nina Newcomer", Role.REP, team=teams["east_ent"], manager=manager, login=False
    )
    page = new_page()
    sign_in(page, admin.email)

    page.goto(f"/org/people/{newcomer.pk}/")
    expect(page.locator("dl.facts")).to_contain_text("No login")
    page.get_by_role("button", name="Send invitation").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("status")).to_contain_text("Invitation sent to nina.newcomer@acme.test")

    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == ["nina.newcomer@acme.test"]
    link = re.search(r"https?://\S+/accounts/set-password/\S+/", email.body)
    assert link, email.body
    assert link.group(0).startswith(live_server.url)

    invited = new_page()  # the newcomer's own browser: nobody is signed in there
    invited.goto(link.group(0))
    invited.get_by_label("New password").fill(NEW_PASSWORD)
    invited.get_by_label("Type it again").fill(NEW_PASSWORD)
    invited.get_by_role("button", name="Set password and sign in").click()
    invited.wait_for_load_state("networkidle")

    assert invited.url == f"{live_server.url}/"
    expect(invited.locator("header")).to_contain_text("Nina Newcomer")
    newcomer.refresh_from_db()
    assert newcomer.user is not None
    assert newcomer.user.check_password(NEW_PASSWORD)
