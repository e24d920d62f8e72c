"""Charter with the keyboard alone: signing a document, answering a question and changing a
target, each done with Tab, typing, Space and Enter only (no clicks, no filling by locator).
After an in-page update (htmx) the keyboard stays on the control that was used, and the focus
ring stands out at 3:1 from what surrounds it."""

from __future__ import annotations

from typing import Any

import pytest

from charter.expectations import services as ex
from charter.expectations.models import Question, Signature
from charter.kpis.models import Target
from tests.browser.conftest import sign_in
from tests.browser.test_scorecards import quarter as quarter  # a fixture
from tests.test_permission_matrix import _expectations_world

pytestmark = pytest.mark.browser
expect = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed; run `make install`"
).expect

MAX_TABS = 150


def tab_to(page: Any, target: Any) -> None:
    """Presses Tab until `target` has focus; fails if it is never reached."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {target}")


def focused(page: Any) -> dict[str, Any]:
    return page.evaluate(
        """() => { const el = document.activeElement;
        return {tag: el.tagName, rel: el.getAttribute("rel"), text: el.textContent.trim(),
                inScorecard: !!el.closest("#scorecard")}; }"""
    )


@pytest.fixture
def document_world(everyone: Any, teams: Any, org: Any) -> dict[str, Any]:
    """East rules, published for East Enterprise, and an open question from Rick on it."""
    found = _expectations_world(everyone, teams, org)
    found["open_question"] = ex.question_ask(
        document=found["team_doc"],
        actor=everyone["rep"].user,
        expectation_key=str(found["team_expectation"].key),
        text="Do calls on Saturday count?",
        visibility="public",
    )
    return found


def test_a_rep_signs_a_document_with_the_keyboard_alone(page, rep, document_world):
    sign_in(page, rep.email)
    page.goto("/expectations/")
    link = page.get_by_role("link", name="East rules, version 1")
    tab_to(page, link)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Read and sign")
    tab_to(page, page.get_by_label("Type your full name to sign"))
    page.keyboard.type("Rick Rep")
    tab_to(page, page.get_by_label("I have read this version"))
    page.keyboard.press("Space")
    tab_to(page, page.get_by_role("button", name="Sign version 1"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("You signed version 1")
    assert Signature.objects.filter(person=rep, version__number=1).exists()


def test_a_manager_answers_a_question_with_the_keyboard_alone(page, manager, document_world):
    question = document_world["open_question"]
    sign_in(page, manager.email)
    page.goto("/expectations/questions/")
    tab_to(page, page.locator(f"#a{question.pk}"))
    page.keyboard.type("Yes, logged calls count every day.")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Answer").first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Answer posted")
    answers = Question.objects.get(pk=question.pk).answers.values_list("text", flat=True)
    assert list(answers) == ["Yes, logged calls count every day."]


def test_a_manager_changes_a_target_with_the_keyboard_alone(page, manager, rep, quarter):
    sign_in(page, manager.email)
    page.goto(f"/kpis/targets/?period={quarter.label}&kpi=revenue_won")
    tab_to(page, page.get_by_label(f"{rep.full_name} · Revenue won"))
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type("4500")
    tab_to(page, page.get_by_label("Reason for the changes"))
    page.keyboard.type("New accounts in the north")
    tab_to(page, page.get_by_role("button", name="Save changes"))
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("Saved 1 target")
    target = Target.objects.get(person=rep, kpi__key="revenue_won", period_label=quarter.label)
    latest = target.revisions.order_by("id").last()
    assert latest is not None
    assert (latest.value, latest.reason) == (4500, "New accounts in the north")


def test_focus_stays_on_the_control_after_an_in_page_update(page, manager, rep, quarter):
    sign_in(page, manager.email)
    page.goto(f"/kpis/teams/{rep.team_id}/?period={quarter.label}")
    previous = page.locator("#scorecard a[rel=prev]")
    label = previous.inner_text()
    tab_to(page, previous)
    with page.expect_response(lambda r: "period=" in r.url):
        page.keyboard.press("Enter")
    expect(page.locator("#scorecard a[rel=next]")).to_contain_text(quarter.label)
    expect(page.locator("#scorecard a[rel=prev]")).not_to_have_text(label)
    # The new "previous" link, in the new content: the next Enter goes back one more period.
    expect(page.locator("#scorecard a[rel=prev]")).to_be_focused()

    # A column sort: the heading's arrow changes, the keyboard stays on that heading.
    score = page.locator("#scorecard thead a", has_text="Score")
    tab_to(page, score)
    with page.expect_response(lambda r: "sort=" in r.url):
        page.keyboard.press("Enter")
    expect(page.locator("#scorecard thead a", has_text="Score")).to_contain_text("↓")
    # Focus is put back once htmx has settled the new content, a moment after the swap. The
    # locator's own wait polls without evaluating a string, which the page's CSP refuses.
    expect(page.locator("#scorecard thead a", has_text="Score")).to_be_focused()
    now = focused(page)
    assert now["inScorecard"], now
    assert now["tag"] == "A", now
    assert now["text"].startswith("Score"), now


def test_focus_stays_on_the_charts_show_link_after_it_redraws_the_chart(page, rep, quarter):
    sign_in(page, rep.email)
    page.goto("/kpis/")
    link = page.locator(".chart-choice a", has_text="Deals won")
    tab_to(page, link)
    with page.expect_response(lambda r: "kpi=deals_won" in r.url):
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Deals won so far")).to_be_visible()
    expect(page.locator(".chart-choice a", has_text="Deals won")).to_be_focused()


def test_without_a_matching_control_focus_goes_to_the_updated_regions_heading(page, rep, quarter):
    sign_in(page, rep.email)
    page.goto("/kpis/")
    # Take the region's controls out of the new content: nothing matches, so the heading does.
    page.route(
        "**/kpis/?period=*",
        lambda route: route.fulfill(
            status=200,
            content_type="text/html",
            body="<h2>Another period</h2><p>Nothing to show.</p>",
        ),
    )
    previous = page.locator("#scorecard a[rel=prev]")
    tab_to(page, previous)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Another period")).to_be_focused()


RING_CONTRAST = """(el) => {
  const rgb = (c) => c.match(/\\d+(\\.\\d+)?/g).slice(0, 4).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  // What the ring sits on: the nearest ancestor that paints a background.
  let host = el.parentElement, bg = "rgb(255, 255, 255)";
  while (host) {
    const c = getComputedStyle(host).backgroundColor;
    if (c && !c.startsWith("rgba(0, 0, 0, 0)") && c !== "transparent") { bg = c; break; }
    host = host.parentElement;
  }
  const style = getComputedStyle(el);
  if (style.outlineStyle === "none" || parseFloat(style.outlineWidth) < 2) { return 0; }
  const [a, b] = [lum(rgb(style.outlineColor)), lum(rgb(bg))].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}"""


def test_the_focus_ring_stands_out_on_cards_on_the_page_and_in_the_top_bar(page, rep):
    sign_in(page, rep.email)
    page.goto("/accounts/profile/")
    for where in (".card a[href], .card button", "main > * a[href]", ".topbar a[href]"):
        control = page.locator(where).first
        tab_to(page, control)
        ratio = control.evaluate(RING_CONTRAST)
        assert ratio >= 3, f"{where}: focus ring contrast {ratio:.2f}:1"
