"""The Content-Security-Policy in a real browser: the pages that use htmx (and the API docs)
work under it and the browser reports no violation. A refused script or eval would break htmx
without a visible error, so the violations are collected from the page itself."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser
expect = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed; run `make install`"
).expect

# Runs before any of the page's own scripts, in every document the page loads.
COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


def watched(page: Any) -> list[str]:
    """Collects violations reported on the console too (those in workers or before a load)."""
    console: list[str] = []
    page.add_init_script(COLLECT_VIOLATIONS)
    page.on(
        "console",
        lambda message: (
            console.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return console


def violations(page: Any, console: list[str]) -> list[str]:
    return list(page.evaluate("window.__cspViolations || []")) + console


def test_htmx_pages_work_without_a_policy_violation(page, everyone):
    console = watched(page)
    sign_in(page, everyone["admin"].email)
    response = page.goto("/org/people/")
    assert response is not None
    assert "script-src 'self'" in response.headers["content-security-policy"]

    # The directory filters in place (htmx) as the admin types.
    page.get_by_role("searchbox").fill("Rita")
    rows = page.locator("#people-rows")
    expect(rows).to_contain_text("Rita Rep")
    expect(rows).not_to_contain_text("Olga Other")
    assert violations(page, console) == []

    # The profile's token card is swapped in place by htmx after a create.
    page.goto("/accounts/profile/")
    page.get_by_label("Name").first.fill("CSP check")
    page.get_by_role("button", name="Create token").click()
    token = page.locator("#new-token")
    expect(token).to_be_visible()
    token.focus()
    # charter.js selects the new token on focus (it used to be an inline onfocus handler).
    assert page.evaluate("document.activeElement.selectionEnd") > 0
    assert violations(page, console) == []

    page.goto("/audit/")
    expect(page.locator("#audit-rows")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert violations(page, console) == []


def test_the_api_docs_start_under_the_policy(page, everyone):
    console = watched(page)
    sign_in(page, everyone["rep"].email)
    page.goto("/api/v1/docs/")
    # Swagger UI builds the operation list from the schema with its own (external) scripts.
    expect(page.locator(".opblock").first).to_be_visible()
    assert violations(page, console) == []
