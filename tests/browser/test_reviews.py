"""Reviews in a browser: a rep signs off a shared review, disagreeing, through the form; and
axe-core finds no serious violation on the reviews pages filled with a written, frozen review
and a self review being written (the matrix's world holds only an empty one)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import expect

from charter.expectations import services as ex
from charter.reviews.models import Review
from charter.reviews.services.cycles import cycle_advance, cycle_create
from charter.reviews.services.reviews import response_save, review_share
from charter.reviews.services.templates import template_generate
from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import AXE, scan

pytestmark = pytest.mark.browser


def _answers(review: Review) -> dict[str, Any]:
    return {i["key"]: 3 if i["scale"] else "Solid quarter" for i in review.items
            if i["kind"] != "kpis"}  # fmt: skip


def _cycle(org: Any, admin: Any, teams: Any, version: Any, name: str, period: str) -> Any:
    return cycle_create(
        org=org, actor=admin.user, name=name, period=period, template_version=version,
        self_due=dt.date(2017, 7, 10), manager_due=dt.date(2017, 7, 20),
        sharing_due=dt.date(2017, 7, 31), audience="team", audience_team=teams["east_ent"],
    )  # fmt: skip


@pytest.fixture
def filled(org: Any, teams: Any, admin: Any, manager: Any, rep: Any, rep2: Any) -> dict[str, Any]:
    ex.value_create(org=org, actor=admin.user, name="Ownership")
    version = template_generate(org=org, actor=admin.user, name="Quarterly", document=None)
    done = _cycle(org, admin, teams, version, "Q2 reviews", "2017-Q2")
    cycle_advance(cycle=done, actor=admin.user)
    review = Review.objects.get(cycle=done, person=rep)
    response_save(response=review.responses.get(kind="self"), actor=rep.user,
                  answers=_answers(review), submit=True)  # fmt: skip
    cycle_advance(cycle=done, actor=admin.user)
    response_save(response=review.responses.get(kind="manager"), actor=manager.user,
                  answers=_answers(review), submit=True)  # fmt: skip
    cycle_advance(cycle=done, actor=admin.user)
    review_share(review=review, actor=manager.user)
    running = _cycle(org, admin, teams, version, "Q3 reviews", "2017-Q3")
    cycle_advance(cycle=running, actor=admin.user)
    return {"review": review, "writing": Review.objects.get(cycle=running, person=rep),
            "cycle": done, "template": version.template}  # fmt: skip


def test_the_rep_signs_off_and_disagrees(page: Any, filled: Any, rep: Any) -> None:
    review = filled["review"]
    sign_in(page, rep.email)
    page.goto(f"/reviews/{review.pk}/")
    page.get_by_label("Comment").fill("The territory change is missing.")
    page.get_by_label("I disagree with this review").check()
    page.get_by_role("button", name="Sign off").click()
    expect(page.get_by_text("Signed off.")).to_be_visible()
    review.refresh_from_db()
    assert review.disagrees
    assert review.acknowledged_at is not None


@pytest.mark.axe
def test_no_serious_violation_on_the_reviews_pages(
    page: Any, filled: Any, admin: Any, manager: Any, rep: Any
) -> None:
    if not AXE.exists():
        pytest.skip("axe-core is not installed; run `npm ci`")
    page.context.add_init_script(AXE.read_text(encoding="utf-8"))
    review, writing = filled["review"], filled["writing"]
    problems = []
    for person, paths in (
        (rep, ["/reviews/", f"/reviews/{review.pk}/", f"/reviews/{writing.pk}/write/self/"]),
        (manager, ["/reviews/", f"/reviews/{review.pk}/"]),
        (admin, ["/reviews/cycles/", f"/reviews/cycles/{filled['cycle'].pk}/",
                 "/reviews/templates/", f"/reviews/templates/{filled['template'].pk}/"]),
    ):  # fmt: skip
        page.context.clear_cookies()
        sign_in(page, person.email)
        for path in paths:
            violations = scan(page, path)
            assert violations is not None, path
            problems += [f"{path}: [{v['impact']}] {v['id']}: {v.get('nodes')}" for v in violations]
    assert not problems, "\n".join(problems)
