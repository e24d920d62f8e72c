"""Browser tests: the system Chromium driven by Playwright against pytest-django's live server.

Playwright never downloads a browser here: it launches whatever `chromium` is on PATH (Debian:
`apt-get install chromium`). Without it, or without the playwright package, the tests skip and
say why.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

# The personas of the main suite, so browser tests speak about the same people.
from charter.conftest import (  # noqa: F401
    PASSWORD,
    _fast_hashing,
    admin,
    everyone,
    executive,
    manager,
    org,
    other_manager,
    other_team_rep,
    rep,
    rep2,
    teams,
)

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 15_000


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed; run `make install` (it is in requirements.lock)")
    executable = chromium_path()
    if executable is None:
        pytest.skip(
            "no Chromium on PATH; install the system one (Debian: apt-get install chromium)"
        )
    # Playwright's sync API keeps an event loop in this thread, which makes Django refuse ORM
    # calls from the test as "async"; they are plain synchronous calls, so allow them here only.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def new_page(browser: Any, live_server: Any) -> Iterator[Any]:
    """Opens a page in a fresh browser context (its own cookies: a different person's browser)."""
    contexts = []

    def open_page() -> Any:
        context = browser.new_context(base_url=live_server.url)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Any) -> Any:
    return new_page()


def sign_in(page: Any, email: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")
