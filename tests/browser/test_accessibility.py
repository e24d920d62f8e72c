"""axe-core on every page the permission matrix knows, as each role that may open it.

The pages are the matrix's own (tests/test_permission_matrix.py): every URL whose GET answers
200 with HTML for the role, filled from the matrix's world. A page added to the matrix is
scanned here without another line. Any serious or critical violation fails the test.

axe-core comes from the npm registry through package.json and package-lock.json (`npm ci`,
which `.ci/run` and `make test-browser` do when npm is present); it is never fetched while the
tests run. Without it the test skips and says how to install it, as for a missing Chromium.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import sign_in
from tests.browser.test_scorecards import quarter as quarter  # a fixture
from tests.test_permission_matrix import MATRIX, OK, all_endpoints, url_for
from tests.test_permission_matrix import world as world  # the matrix's fixture

pytestmark = [pytest.mark.browser, pytest.mark.axe]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# Roles that see the most different pages: their own, their team's, the whole organization's.
ROLES = ("anonymous", "rep", "manager", "admin")
FAILING = ("serious", "critical")

# A fragment (an htmx endpoint opened on its own) has no <html>, <title> or landmarks of its
# own: the page it is swapped into has them, and is scanned itself.
DOCUMENT_RULES = ("html-has-lang", "document-title", "landmark-one-main", "page-has-heading-one")

# Runs axe on the whole document; only what fails, with enough to find each element.
RUN_AXE = """async (skip) => {
  const rules = Object.fromEntries(skip.map((id) => [id, {enabled: false}]));
  const results = await axe.run(document, {resultTypes: ["violations"], rules});
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ") + " :: " + n.failureSummary),
  }));
}"""


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        pytest.skip(
            "axe-core is not installed; run `npm ci` in the repository (package-lock.json pins it)"
        )
    return AXE.read_text(encoding="utf-8")


def html_pages(role: str, world: Any) -> list[tuple[str, str]]:
    """(url name, path) of every matrix URL the role may GET; non-HTML answers drop out later."""
    pages = []
    for endpoint in all_endpoints():
        row = MATRIX.get(endpoint.name)
        if row is None or getattr(row.get, role) != OK:
            continue
        pages.append((endpoint.name, url_for(endpoint, row, world)))
    return sorted(pages)


def scan(page: Any, path: str) -> list[dict[str, Any]] | None:
    """The serious and critical violations on `path`, or None when it is not an HTML page."""
    try:
        response = page.goto(path)
    except Exception as error:  # Playwright's Error: an attachment (CSV, XLSX) downloads.
        if "Download is starting" in str(error):
            return None
        raise
    assert response is not None, path
    if response.status != 200:
        return [{"id": "status", "impact": "critical", "help": f"answered {response.status}"}]
    if not response.headers.get("content-type", "").startswith("text/html"):
        return None
    whole = response.text().lstrip()[:15].lower().startswith("<!doctype html")
    # An init script of the context put axe on the page before the page's own scripts (the
    # Content-Security-Policy refuses a script tag added by the test, not an init script).
    found = page.evaluate(RUN_AXE, [] if whole else list(DOCUMENT_RULES))
    return [v for v in found if v["impact"] in FAILING]


@pytest.mark.parametrize("role", ROLES)
def test_no_serious_accessibility_violation_on_any_page_as(
    role: str, world: Any, browser: Any, live_server: Any, axe_source: str
) -> None:
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(15_000)
    context.add_init_script(axe_source)
    try:
        page = context.new_page()
        if role != "anonymous":
            sign_in(page, world.people[role].email)
        started = time.monotonic()
        scanned, problems = [], []
        for name, path in html_pages(role, world):
            violations = scan(page, path)
            if violations is None:
                continue
            scanned.append(name)
            for v in violations:
                where = "\n      ".join(v.get("nodes", []))
                problems.append(
                    f"{name} {path}: [{v['impact']}] {v['id']}: {v['help']}\n      {where}"
                )
        elapsed = time.monotonic() - started
    finally:
        context.close()
    print(f"axe as {role}: {len(scanned)} pages in {elapsed:.1f}s")
    # The scan must have reached the pages, or a broken sign-in would pass it by.
    assert len(scanned) >= (3 if role == "anonymous" else 20), scanned
    assert not problems, f"as {role}, {len(problems)} violations:\n  " + "\n  ".join(problems)


def test_no_serious_violation_on_scorecards_with_figures_and_charts(
    page: Any, manager: Any, rep: Any, quarter: Any, axe_source: str
) -> None:
    """The matrix's world has no deals or targets, so its scorecards draw no chart: these do."""
    page.context.add_init_script(axe_source)
    sign_in(page, manager.email)
    problems = []
    for path in (
        f"/kpis/people/{rep.pk}/?period={quarter.label}",
        f"/kpis/teams/{rep.team_id}/?period={quarter.label}",
        f"/kpis/leaderboard/?period={quarter.label}",
        "/",
    ):
        violations = scan(page, path)
        assert violations is not None, path
        problems += [f"{path}: [{v['impact']}] {v['id']}: {v.get('nodes')}" for v in violations]
    assert page.goto(f"/kpis/people/{rep.pk}/?period={quarter.label}") is not None
    assert page.locator("svg.chart desc").count() >= 1  # the scan did meet a chart
    assert not problems, "\n".join(problems)
