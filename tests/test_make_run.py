"""`make run` serves the demo as a person would meet it: Charter's own error pages (no Django
debug page listing every URL), static files, and signing in over plain HTTP."""

from __future__ import annotations

import re
import shlex
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.test import Client, RequestFactory
from django.views.defaults import server_error

from tests.helpers import ROOT, Running, charter, clean_env, sqlite_url
from tests.test_cli import ADMIN_PASSWORD, sign_in


def make_run_env() -> dict[str, str]:
    """The variables the Makefile's `run` target sets, with its default host and port."""
    makefile = (ROOT / "Makefile").read_text()
    line = re.search(r"^RUN_ENV := (.*)$", makefile, re.MULTILINE)
    assert line, "the Makefile sets RUN_ENV"
    text = line.group(1).replace("$(HOST)", "127.0.0.1").replace("$(PORT)", "8000")
    return dict(word.split("=", 1) for word in shlex.split(text))


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - http://127.0.0.1
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_make_run_is_not_debug() -> None:
    assert make_run_env().get("DEBUG") in ("0", None)


def test_the_demo_server_shows_charters_own_404_serves_static_files_and_signs_in(
    tmp_path: Path,
) -> None:
    db = tmp_path / "charter.sqlite3"
    env = clean_env(tmp_path / "data", DATABASE_URL=sqlite_url(db), **make_run_env())
    charter("migrate", "--no-input", "-v", "0", env=env)
    charter(
        "createadmin",
        *("--email", "ann@example.com", "--name", "Ann Admin", "--org", "Acme"),
        *("--password", ADMIN_PASSWORD),
        env=env,
    )
    server = Running("serve", "--port", "0", "--threads", "2", "--no-worker", env=env)
    try:
        base = server.printed(r"Charter is serving on (http://127\.0\.0\.1:\d+)/ ").group(1)

        status, page = fetch(f"{base}/no/such/page/")
        css_status, css = fetch(f"{base}/static/charter/charter.css")
        home = sign_in(base, "ann@example.com", ADMIN_PASSWORD)
    finally:
        returncode, output = server.stop()

    assert status == 404
    assert "Nothing here" in page
    assert "URLconf" not in page  # Django's debug page lists every URL pattern
    assert css_status == 200
    assert "{" in css
    assert "Ann" in home
    assert returncode == 0, output


def test_a_server_error_shows_charters_own_page(settings) -> None:
    settings.DEBUG = False

    response = server_error(RequestFactory().get("/"))

    page = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong" in page
    assert "charter.css" in page


@pytest.mark.django_db
def test_an_expired_form_and_a_bad_request_show_charters_own_pages(settings) -> None:
    settings.DEBUG = False

    expired = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "x"})
    bad = Client(HTTP_HOST="not-allowed.example").get("/accounts/login/")

    assert expired.status_code == 403
    assert "This form has expired" in expired.content.decode()
    assert bad.status_code == 400
    assert "Charter could not read this request" in bad.content.decode()
