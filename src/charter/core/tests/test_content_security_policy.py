"""Every response carries the Content-Security-Policy, and the pages need nothing it forbids."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from charter.api.tests.conftest import bearer, token_for
from charter.conftest import client_for

PACKAGE = Path(settings.PACKAGE_DIR)


def directives(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {
        part.split(" ", 1)[0]: part.split(" ", 1)[1] if " " in part else ""
        for part in (p.strip() for p in header.split(";"))
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/", "/accounts/login/", "/no-such-page/", "/org/people/", "/api/v1/me/"]
)
def test_every_response_carries_the_policy(rep, path):
    response = client_for(rep).get(path)
    policy = directives(response)
    assert policy["script-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["base-uri"] == "'self'"
    assert policy["form-action"] == "'self'"
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_anonymous_redirects_and_api_errors_carry_it_too(rep):
    assert "Content-Security-Policy" in client_for(None).get("/org/people/")
    assert "Content-Security-Policy" in bearer(None).get("/api/v1/me/")
    assert "Content-Security-Policy" in bearer(token_for(rep)).get("/api/v1/teams/999999/")


def _web_templates() -> list[Path]:
    # PDFs (WeasyPrint) and emails are not pages a browser loads under the policy.
    return [
        path
        for path in PACKAGE.rglob("templates/**/*.html")
        if "/pdf/" not in str(path) and "/emails/" not in str(path)
    ]


def test_no_page_template_has_an_inline_script_or_event_handler():
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
    handler = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
    found = []
    for path in _web_templates():
        text = path.read_text(encoding="utf-8")
        found += [f"{path}: inline script" for _ in inline_script.finditer(text)]
        found += [f"{path}: {m.group().strip()}" for m in handler.finditer(text)]
        if "javascript:" in text:
            found.append(f"{path}: javascript: URL")
    assert _web_templates()
    assert found == []
