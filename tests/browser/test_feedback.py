"""Feedback pages in a browser: a rep gives praise through the form and the recipient reads it
on their page; and axe-core finds no serious violation on the feedback pages filled with
feedback, a request, badges and an award (the matrix's world holds few of them)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import expect

from charter.expectations import services as ex
from charter.feedback.services.badges import award_give, badge_create
from charter.feedback.services.feedback import feedback_give, request_create
from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import AXE, scan

pytestmark = pytest.mark.browser


@pytest.fixture
def filled(org: Any, admin: Any, manager: Any, rep: Any, rep2: Any) -> dict[str, Any]:
    value = ex.value_create(org=org, actor=admin.user, name="Ownership")
    feedback_give(giver=rep2, actor=rep2.user, recipient=rep, kind="praise", visibility="public",
                  text="Great demo", values=[value])  # fmt: skip
    feedback_give(giver=manager, actor=manager.user, recipient=rep, kind="constructive",
                  visibility="managers", text="Follow up sooner", values=[value])  # fmt: skip
    due = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=5)
    (asked,) = request_create(asked_by=manager, actor=manager.user, subject=rep, asked=[rep2],
                              topic="Demos", due_on=due)  # fmt: skip
    badge = badge_create(org=org, actor=admin.user, name="Closer", icon="trophy", value=value)
    award_give(badge=badge, person=rep, actor=manager.user, awarder=manager, reason="Acme deal")
    return {"value": value, "request": asked, "badge": badge}


def test_a_rep_gives_praise_and_the_recipient_reads_it(page: Any, filled: Any, rep: Any,
                                                       rep2: Any) -> None:  # fmt: skip
    sign_in(page, rep2.email)
    page.goto("/feedback/give/")
    page.get_by_label("To").select_option(str(rep.pk))
    page.get_by_label("Who may read it").select_option("private")
    page.get_by_label("Values").select_option(str(filled["value"].pk))
    page.get_by_label("Text").fill("Thanks for covering my call")
    page.get_by_role("button", name="Send feedback").click()
    expect(page.get_by_text("Feedback sent to Rick Rep.")).to_be_visible()
    page.context.clear_cookies()
    sign_in(page, rep.email)
    page.goto(f"/feedback/people/{rep.pk}/received/")
    expect(page.get_by_text("Thanks for covering my call")).to_be_visible()


@pytest.mark.axe
def test_no_serious_violation_on_the_feedback_pages(
    page: Any, filled: Any, admin: Any, manager: Any, rep: Any, rep2: Any
) -> None:
    if not AXE.exists():
        pytest.skip("axe-core is not installed; run `npm ci`")
    page.context.add_init_script(AXE.read_text(encoding="utf-8"))
    problems = []
    for person, paths in (
        (rep2, ["/", f"/feedback/requests/{filled['request'].pk}/answer/", "/feedback/requests/"]),
        (manager, [
            "/feedback/", "/feedback/give/", f"/feedback/people/{rep.pk}/received/",
            f"/feedback/people/{manager.pk}/given/", f"/feedback/requests/{filled['request'].pk}/",
            "/feedback/badges/", "/feedback/badges/award/", "/feedback/leaderboard/",
            "/expectations/values/", f"/org/people/{rep.pk}/",
        ]),
        (admin, [f"/feedback/badges/{filled['badge'].pk}/edit/", "/feedback/badges/"]),
    ):  # fmt: skip
        page.context.clear_cookies()
        sign_in(page, person.email)
        for path in paths:
            violations = scan(page, path)
            assert violations is not None, path
            problems += [f"{path}: [{v['impact']}] {v['id']}: {v.get('nodes')}" for v in violations]
    assert not problems, "\n".join(problems)
