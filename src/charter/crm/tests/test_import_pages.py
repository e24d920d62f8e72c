"""The CRM upload page and the import API: upload, preset, stage map, preview, confirm once,
progress and counts, error report; and who may not."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from charter.api.tests.conftest import bearer, token_for
from charter.conftest import client_for
from charter.core.imports.services import TOKEN_KEY
from charter.core.models import ImportRun
from charter.crm.models import Deal
from charter.crm.tests.test_import_deals import FIXTURES

URL = "/crm/import/"
API = "/api/v1/crm/imports/"
MAVEN_LIKE = (
    "opportunity_id,sales_agent,deal_stage,engage_date,close_date,close_value\n"
    "O1,Rick Rep,Won,2024-01-02,2024-02-01,100\n"
    "O2,Rita Rep,Engaging,2024-01-03,,\n"
)


def upload(client: Client, content: str | bytes, name: str = "deals.csv", **data: Any) -> Any:
    raw = content.encode("utf-8") if isinstance(content, str) else content
    return client.post(URL, {"kind": "deals", "file": SimpleUploadedFile(name, raw), **data})


def run_of(response: Any) -> ImportRun:
    assert response.status_code == 302, response.content.decode()[:3000]
    match = re.match(r"^/crm/import/(\d+)/$", response["Location"])
    assert match, response["Location"]
    return ImportRun.objects.get(pk=int(match[1]))


def confirm_data(run: ImportRun, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {f"map_{k}": v for k, v in run.mapping.items()}
    data["stage_map"] = "\n".join(f"{k}={v}" for k, v in run.options.get("stage_map", {}).items())
    data["date_format"] = run.options.get("date_format", "")
    data.update({"token": run.options.get(TOKEN_KEY, ""), "action": "confirm"})
    data.update(overrides)
    return data


def test_upload_with_a_preset_previews_then_imports_once(
    everyone: Any, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    client = client_for(everyone["admin"])
    content = (FIXTURES / "hubspot_deals.csv").read_bytes()
    run = run_of(upload(client, content, preset="hubspot"))

    page = client.get(f"/crm/import/{run.pk}/").content.decode()

    assert run.mapping["owner"] == "Deal owner"
    assert run.options["preset"] == "hubspot"
    assert "source <strong>hubspot</strong>" in page
    assert "Big deal" in page
    assert "Every row passed the checks" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/crm/import/{run.pk}/", confirm_data(run))
    assert response.status_code == 302
    run.refresh_from_db()
    assert (run.status, run.created_count) == (ImportRun.Status.APPLIED, 3)
    assert Deal.objects.filter(source="hubspot").count() == 3
    result = client.get(f"/crm/import/{run.pk}/").content.decode()
    assert "rows checked at" in result or "created" in result

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/crm/import/{run.pk}/", confirm_data(run))
    assert ImportRun.objects.filter(status=ImportRun.Status.APPLIED).count() == 1


def test_stage_map_set_on_the_preview_clears_the_problem(
    everyone: Any, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    client = client_for(everyone["admin"])
    run = run_of(upload(client, MAVEN_LIKE))
    first = client.get(f"/crm/import/{run.pk}/").content.decode()
    assert "Stage &#x27;Engaging&#x27; is not a stage Charter knows" in first

    client.post(
        f"/crm/import/{run.pk}/", confirm_data(run, action="preview", stage_map="Engaging=open")
    )
    run.refresh_from_db()
    assert run.options["stage_map"] == {"engaging": "open"}
    assert "Every row passed the checks" in client.get(f"/crm/import/{run.pk}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/crm/import/{run.pk}/", confirm_data(run))

    assert dict(Deal.objects.values_list("external_id", "stage")) == {"O1": "won", "O2": "open"}


def test_a_failed_import_offers_its_error_report(
    everyone: Any, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    client = client_for(everyone["admin"])
    run = run_of(upload(client, MAVEN_LIKE, skip_invalid="on"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/crm/import/{run.pk}/", confirm_data(run, skip_invalid="on"))
    run.refresh_from_db()
    assert (run.created_count, run.invalid_count) == (1, 1)

    report = client.get(f"/crm/import/{run.pk}/errors.csv")

    assert report["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(report.content.decode())))
    assert lines[0] == ["row", "column", "value", "reason"]
    assert lines[1][:3] == ["3", "deal_stage", "Engaging"]
    assert lines[1][3].startswith("Stage 'Engaging' is not a stage Charter knows")


def test_an_empty_upload_is_refused_on_the_form(everyone: Any) -> None:
    response = upload(client_for(everyone["admin"]), b"")

    assert response.status_code == 200
    assert "the file is empty" in response.content.decode()
    assert not ImportRun.objects.exists()


def test_a_preset_is_refused_for_activities_and_a_bad_stage_map_for_deals(everyone: Any) -> None:
    client = client_for(everyone["admin"])

    acts = client.post(
        URL,
        {
            "kind": "activities",
            "preset": "hubspot",
            "file": SimpleUploadedFile("a.csv", b"id\n1\n"),
        },
    )
    stages = upload(client, MAVEN_LIKE, stage_map="Engaging=perhaps")

    assert "Presets are for deals files" in acts.content.decode()
    assert "a stage is open, won or lost" in stages.content.decode()
    assert not ImportRun.objects.exists()


def test_anonymous_people_are_sent_to_sign_in(db: Any) -> None:
    client = client_for(None)
    for url in (URL, "/crm/import/1/", "/crm/import/1/errors.csv"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", ["rep", "manager", "other_manager", "executive"])
def test_only_admins_may_upload_preview_confirm_or_download(
    everyone: Any, role: str, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    run = run_of(upload(client_for(everyone["admin"]), MAVEN_LIKE))
    client = client_for(everyone[role])

    assert client.get(URL).status_code == 403
    assert client.get(f"/crm/import/{run.pk}/").status_code == 403
    assert client.get(f"/crm/import/{run.pk}/errors.csv").status_code == 403
    assert upload(client, MAVEN_LIKE).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/crm/import/{run.pk}/", confirm_data(run)).status_code == 403
    assert ImportRun.objects.count() == 1
    assert not Deal.objects.exists()


# -- API ------------------------------------------------------------------------------------


@pytest.fixture
def api_for() -> Callable[..., Any]:
    def make(person: Any) -> Any:
        return bearer(token_for(person) if person is not None else None)

    return make


def api_upload(client: Any, content: bytes, **data: Any) -> Any:
    return client.post(
        API,
        {"kind": "deals", "file": SimpleUploadedFile("deals.csv", content), **data},
        format="multipart",
    )


def test_api_upload_runs_in_the_background_and_reports_status_and_errors(
    everyone: Any, api_for: Any, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    client = api_for(everyone["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = api_upload(
            client,
            MAVEN_LIKE.encode(),
            mapping=json.dumps({"owner": "sales_agent"}),
            stage_map="Won=won",
            skip_invalid="true",
        )
    assert response.status_code == 202, response.content
    run_id = response.json()["id"]

    status = client.get(f"{API}{run_id}/").json()
    assert [r["id"] for r in client.get(API).json()["results"]] == [run_id]
    errors = client.get(f"{API}{run_id}/errors/").json()["results"]

    assert status["status"] == "applied"
    assert status["created_count"] == 1
    assert status["invalid_count"] == 1
    assert status["percent"] == 100
    assert errors[0]["row"] == 3
    assert "Engaging" in errors[0]["reason"]
    assert Deal.objects.get().external_id == "O1"


def test_api_dry_run_writes_nothing(
    everyone: Any, api_for: Any, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    content = (FIXTURES / "hubspot_deals.csv").read_bytes()
    with django_capture_on_commit_callbacks(execute=True):
        response = api_upload(api_for(everyone["admin"]), content, preset="hubspot", dry_run="true")

    run = ImportRun.objects.get(pk=response.json()["id"])
    assert (run.status, run.created_count) == (ImportRun.Status.DRY_RUN, 3)
    assert not Deal.objects.exists()


def test_api_refuses_bad_settings_and_empty_files(everyone: Any, api_for: Any) -> None:
    client = api_for(everyone["admin"])

    bad = api_upload(client, MAVEN_LIKE.encode(), preset="zoho")
    empty = api_upload(client, b"")

    assert bad.status_code == 400
    assert "no preset called" in bad.content.decode()
    assert empty.status_code == 400
    assert "the file is empty" in empty.content.decode()
    assert not ImportRun.objects.exists()


def test_api_anonymous_gets_401(db: Any, api_for: Any) -> None:
    client = api_for(None)

    assert client.get(API).status_code == 401
    assert client.get(f"{API}1/").status_code == 401
    assert api_upload(client, MAVEN_LIKE.encode()).status_code == 401


@pytest.mark.parametrize("role", ["rep", "manager", "other_manager", "executive"])
def test_api_only_admins_may_upload_or_read_imports(everyone: Any, api_for: Any, role: str) -> None:
    run = ImportRun.objects.create(org=everyone["admin"].org, kind="deals", filename="x.csv")
    client = api_for(everyone[role])

    assert client.get(API).status_code == 403
    assert client.get(f"{API}{run.pk}/").status_code == 403
    assert client.get(f"{API}{run.pk}/errors/").status_code == 403
    assert api_upload(client, MAVEN_LIKE.encode()).status_code == 403
    assert ImportRun.objects.count() == 1
