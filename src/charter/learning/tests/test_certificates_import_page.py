"""The certificates upload page: the shared import pages for `charter import certifications`,
with the preview, skip-invalid, row-numbered errors and the rejected rows to download."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from charter.conftest import client_for
from charter.core.imports.base import Row
from charter.core.imports.services import TOKEN_KEY
from charter.core.models import ImportRun
from charter.learning.importers import CertificateImporter
from charter.learning.models import Certificate
from charter.learning.services.certificates import certification_create

URL = "/learning/import/certificates/"
GOOD = (
    "Email,Certificate,Issue date,Expiry,Credential\n"
    "rick.rep@acme.test,Cloud badge,2026-01-15,,CB-1\n"
    "Rita Rep,cloud badge,2026-02-01,2026-12-31,\n"
)


@pytest.fixture(autouse=True)
def _today() -> Any:
    with time_machine.travel(dt.datetime(2026, 5, 20, 12, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def badge(org: Any, admin: Any) -> Any:
    return certification_create(org=org, actor=admin.user, name="Cloud badge", validity_months=12)


def upload(client: Client, text: str, **data: Any) -> Any:
    return client.post(URL, {"file": SimpleUploadedFile("certs.csv", text.encode()), **data})


def run_of(response: Any) -> ImportRun:
    assert response.status_code == 302, response.content.decode()[:2000]
    match = re.match(r"^/learning/import/certificates/(\d+)/$", response["Location"])
    assert match, response["Location"]
    return ImportRun.objects.get(pk=int(match[1]))


def confirm(client: Client, run: ImportRun, capture: Callable[..., Any]) -> Any:
    data: dict[str, Any] = {f"map_{k}": v for k, v in run.mapping.items()}
    data.update({"token": run.options.get(TOKEN_KEY, ""), "action": "confirm"})
    if run.skip_invalid:
        data["skip_invalid"] = "on"
    with capture(execute=True):
        return client.post(f"{URL}{run.pk}/", data)


@pytest.mark.parametrize("role", ["rep", "manager", "executive"])
def test_only_admins_import_certificates(everyone: Any, badge: Any, role: str) -> None:
    run = run_of(upload(client_for(everyone["admin"]), GOOD))
    client = client_for(everyone[role])

    assert client.get(URL).status_code == 403
    assert upload(client, GOOD).status_code == 403
    assert client.get(f"{URL}{run.pk}/").status_code == 403
    assert client.get(f"{URL}{run.pk}/errors.csv").status_code == 403


def test_upload_previews_then_confirming_imports(
    everyone: Any, badge: Any, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    client = client_for(everyone["admin"])
    run = run_of(upload(client, GOOD))
    assert run.kind == "certifications"
    assert run.mapping["certification"] == "Certificate"
    preview = client.get(f"{URL}{run.pk}/").content.decode()
    assert "rick.rep@acme.test" in preview
    assert 'value="confirm"' in preview
    assert not Certificate.objects.exists()  # nothing before the confirmation

    response = confirm(client, run, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    run.refresh_from_db()
    assert (run.status, run.created_count) == (ImportRun.Status.APPLIED, 2)
    ends = dict(Certificate.objects.values_list("person__full_name", "expires_on"))
    assert ends == {"Rick Rep": dt.date(2027, 1, 14), "Rita Rep": dt.date(2026, 12, 31)}
    assert "See the certificates" in client.get(response["Location"]).content.decode()


BAD = (
    GOOD + "rick.rep@acme.test,Unknown badge,2026-01-15,,\n"
    "gia.globex@acme.test,Cloud badge,2026-01-15,,\n"
    "rick.rep@acme.test,Cloud badge,2026-07-01,,\n"
)


def test_bad_rows_are_named_by_row_and_nothing_is_written(
    everyone: Any, badge: Any, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    client = client_for(everyone["admin"])
    run = run_of(upload(client, BAD))

    page = client.get(f"{URL}{run.pk}/").content.decode()
    assert "there is no certification called &#x27;Unknown badge&#x27;" in page
    assert 'value="confirm"' not in page
    confirm(client, run, django_capture_on_commit_callbacks)

    run.refresh_from_db()
    assert run.status == ImportRun.Status.REJECTED
    errors = {(e["row"], e["column"]): e["reason"] for e in run.errors}
    assert "no certification called 'Unknown badge'" in errors[(4, "Certificate")]
    assert "nobody in Charter has the email gia.globex@acme.test" in errors[(5, "Email")]
    assert "in the future" in errors[(6, "Issue date")]
    assert not Certificate.objects.exists()
    report = client.get(f"{URL}{run.pk}/errors.csv").content.decode().splitlines()
    assert report[0] == "row,column,value,reason"
    assert report[1].startswith("4,Certificate,Unknown badge,")


def test_skip_invalid_imports_the_good_rows_and_offers_the_rejected_ones(
    everyone: Any, badge: Any, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    client = client_for(everyone["admin"])
    run = run_of(upload(client, BAD, skip_invalid="on"))

    confirm(client, run, django_capture_on_commit_callbacks)

    run.refresh_from_db()
    assert (run.status, run.created_count, run.invalid_count) == (ImportRun.Status.APPLIED, 2, 3)
    assert Certificate.objects.count() == 2
    rejected = client.get(f"{URL}{run.pk}/rejected.csv")
    assert rejected.status_code == 200
    lines = rejected.content.decode().splitlines()
    assert lines[0].startswith("Email,Certificate,Issue date")
    assert [line.split(",")[1] for line in lines[1:]] == [
        "Unknown badge", "Cloud badge", "Cloud badge",
    ]  # fmt: skip


def test_a_row_naming_someone_outside_the_importers_reach_is_refused(
    org: Any, manager: Any, other_team_rep: Any, badge: Any
) -> None:
    importer = CertificateImporter(org=org, actor=manager.user)
    importer.prepare()
    row = Row(number=7, raw={"person": "Olga Other"}, columns={"person": "Person"})
    row.values = {
        "person": "Olga Other",
        "certification": "Cloud badge",
        "issued_on": dt.date(2026, 1, 15),
        "expires_on": None,
        "credential_id": None,
    }

    assert importer.clean(row) is None
    assert row.issues[0].row == 7
    assert "not among the people you may import for" in row.issues[0].reason
