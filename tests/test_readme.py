"""The README tells a newcomer the truth: its links open, the mail files it names are the ones
the backend writes, and it says where the API docs are and how to pick the port and host."""

from __future__ import annotations

import re
from pathlib import Path

from django.core.mail import EmailMessage
from django.urls import reverse

from charter.core.mail import PrivateFileEmailBackend
from tests.helpers import ROOT

README = (ROOT / "README.md").read_text()
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")
FILE_NAME = re.compile(r"`[^`\s]*\b([A-Z]+\.md)`")


def test_readme_links_to_files_in_the_repository():
    local = [target for target in LINK.findall(README) if "://" not in target]
    assert local, "the README links to nothing in the repository"
    missing = [target for target in local if not (ROOT / target).exists()]
    assert missing == []


def test_readme_names_no_markdown_file_that_is_not_in_the_repository():
    named = set(FILE_NAME.findall(README))
    assert [name for name in named if not list(ROOT.glob(f"**/{name}"))] == []


def test_readme_names_the_mail_files_the_backend_writes(tmp_path: Path, settings):
    settings.EMAIL_FILE_PATH = str(tmp_path)
    backend = PrivateFileEmailBackend(file_path=str(tmp_path))
    backend.send_messages([EmailMessage("Hello", "Body", "a@acme.test", ["b@acme.test"])])
    suffixes = {path.suffix for path in tmp_path.iterdir()}
    assert len(suffixes) == 1
    (suffix,) = suffixes
    assert f"mail/*{suffix}`" in README
    assert "*.eml" not in README or suffix == ".eml"


def test_readme_gives_the_api_docs_address_and_how_to_change_port_and_host():
    assert f"http://127.0.0.1:8000{reverse('api:docs')}" in README
    assert "PORT=" in README
    assert "HOST=" in README
