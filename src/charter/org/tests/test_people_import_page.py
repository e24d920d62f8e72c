"""The people upload page: upload, map and preview, confirm once, watch the result."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from charter.conftest import client_for
from charter.core.imports.services import FILE_KEY, TOKEN_KEY
from charter.core.models import AuditEvent, ImportProfile, ImportRun, Job
from charter.org.models import Person, Team

URL = "/org/import/"
GOOD = (
    "Full Name,E-mail,Role,Team,Manager,Hire date,Notes\n"
    "Xena New,xena@acme.test,Manager,East Enterprise,Mona Manager,2024-02-01,hello\n"
    "Yuri New,yuri@acme.test,rep,East Enterprise,xena@acme.test,,\n"
)


def upload(client: Client, text: str | bytes, name: str = "people.csv", **data: Any) -> Any:
    content = text.encode("utf-8") if isinstance(text, str) else text
    return client.post(URL, {"file": SimpleUploadedFile(name, content), **data})


def run_of(response: Any) -> ImportRun:
    assert response.status_code == 302, response.content.decode()[:2000]
    match = re.match(r"^/org/import/(\d+)/$", response["Location"])
    assert match, response["Location"]
    return ImportRun.objects.get(pk=int(match[1]))


def confirm_data(run: ImportRun, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {f"map_{k}": v for k, v in run.mapping.items()}
    data.update({"token": run.options.get(TOKEN_KEY, ""), "action": "confirm"})
    data.update({o: "on" for o in ("create_teams",) if run.options.get(o)})
    if run.skip_invalid:
        data["skip_invalid"] = "on"
    data.update(overrides)
    return data


def stored_file(run: ImportRun) -> Path:
    return Path(settings.MEDIA_ROOT) / str(run.options[FILE_KEY])


# -- who may not ---------------------------------------------------------------------------


def test_anonymous_people_are_sent_to_sign_in(db: Any) -> None:
    response = client_for(None).get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", ["rep", "manager", "executive"])
def test_only_admins_may_open_upload_preview_or_results(everyone: Any, role: str) -> None:
    run = run_of(upload(client_for(everyone["admin"]), GOOD))
    client = client_for(everyone[role])

    assert client.get(URL).status_code == 403
    assert client.get(f"/org/import/{run.pk}/").status_code == 403
    assert client.get(f"/org/import/{run.pk}/errors.csv").status_code == 403


@pytest.mark.parametrize("role", ["rep", "manager", "executive"])
def test_others_cannot_upload_or_confirm(
    everyone: Any, role: str, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    run = run_of(upload(client_for(everyone["admin"]), GOOD))
    client = client_for(everyone[role])
    people = Person.objects.count()

    assert upload(client, GOOD).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/org/import/{run.pk}/", confirm_data(run))

    assert response.status_code == 403
    assert ImportRun.objects.count() == 1
    assert Person.objects.count() == people
    run.refresh_from_db()
    assert run.job is None
    assert run.status == ImportRun.Status.PENDING


# -- upload, preview, confirm --------------------------------------------------------------


def test_upload_keeps_the_file_and_shows_a_preview_of_mapped_rows(everyone: Any) -> None:
    client = client_for(everyone["admin"])

    run = run_of(upload(client, GOOD))

    assert run.status == ImportRun.Status.PENDING
    assert run.job is None
    assert stored_file(run).read_text(encoding="utf-8") == GOOD
    assert str(run.options[FILE_KEY]).startswith("imports/")
    assert run.mapping == {
        "name": "Full Name",
        "email": "E-mail",
        "title": "",
        "role": "Role",
        "team": "Team",
        "manager": "Manager",
        "hire_date": "Hire date",
    }
    page = client.get(f"/org/import/{run.pk}/").content.decode()
    assert "Xena New" in page
    assert "yuri@acme.test" in page
    assert "Every row passed the checks" in page
    assert "Not imported: Notes" in page
    assert 'value="confirm"' in page
    assert Person.objects.filter(email="xena@acme.test").count() == 0


def test_confirm_runs_the_import_as_a_job_and_shows_the_result(
    everyone: Any, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    admin = everyone["admin"]
    client = client_for(admin)
    run = run_of(upload(client, GOOD))
    path = stored_file(run)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/org/import/{run.pk}/", confirm_data(run))

    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == ImportRun.Status.APPLIED
    assert (run.created_count, run.updated_count, run.unchanged_count) == (2, 0, 0)
    xena = Person.objects.get(email="xena@acme.test")
    assert xena.manager == everyone["manager"]
    assert xena.hire_date == dt.date(2024, 2, 1)
    assert Person.objects.get(email="yuri@acme.test").manager == xena
    assert run.job is not None
    assert run.job.status == Job.Status.SUCCEEDED
    assert run.job.created_by == admin.user
    assert run.job.task_result_id
    assert AuditEvent.objects.filter(action="org.person.created", actor=admin.user).count() == 2
    assert not path.exists()
    assert FILE_KEY not in run.options
    page = client.get(response["Location"]).content.decode()
    assert "Created 2" in page
    assert "UTF-8" in page
    jobs = client.get("/jobs/").content.decode()
    assert "Import people from people.csv" in jobs


def test_posting_the_confirm_form_twice_imports_once(
    everyone: Any, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    client = client_for(everyone["admin"])
    run = run_of(upload(client, GOOD))
    data = confirm_data(run)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/org/import/{run.pk}/", data)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = client.post(f"/org/import/{run.pk}/", data)

    assert callbacks == []
    assert again.status_code == 302
    assert Person.objects.filter(email="xena@acme.test").count() == 1
    assert Job.objects.count() == 1
    assert AuditEvent.objects.filter(action="org.person.created").count() == 2


def test_a_token_from_an_older_preview_does_not_confirm(
    everyone: Any, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    client = client_for(everyone["admin"])
    run = run_of(upload(client, GOOD))
    stale = confirm_data(run)
    client.post(f"/org/import/{run.pk}/", {**stale, "action": "preview", "map_title": "Notes"})

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/org/import/{run.pk}/", {**stale, "map_title": "Notes"})

    run.refresh_from_db()
    assert response.status_code == 302
    assert run.job is None
    assert run.status == ImportRun.Status.PENDING
    assert not Person.objects.filter(email="xena@acme.test").exists()


def test_confirming_with_a_changed_mapping_asks_to_check_the_preview_first(
    everyone: Any, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    client = client_for(everyone["admin"])
    run = run_of(upload(client, GOOD))

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/org/import/{run.pk}/", confirm_data(run, map_title="Notes"))

    run.refresh_from_db()
    assert run.job is None
    assert run.mapping["title"] == "Notes"
    assert not Person.objects.filter(email="xena@acme.test").exists()


def test_the_preview_highlights_bad_rows_and_holds_back_the_import(everyone: Any) -> None:
    client = client_for(everyone["admin"])
    text = GOOD + "Zoe Bad,zoe@acme.test,boss,Atlantis,Nobody Known,someday,\n"

    run = run_of(upload(client, text))
    page = client.get(f"/org/import/{run.pk}/").content.decode()

    assert "1 row has problems" in page
    assert "there is no team called &#x27;Atlantis&#x27;" in page
    assert "unknown manager &#x27;Nobody Known&#x27;" in page
    assert 'class="badge badge-bad" title="Role is not one of' in page
    assert 'value="confirm"' not in page


def test_skipping_invalid_rows_imports_the_rest(
    everyone: Any, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    client = client_for(everyone["admin"])
    run = run_of(upload(client, GOOD + "Zoe Bad,zoe@acme.test,,Atlantis,,,\n", skip_invalid="on"))
    assert run.skip_invalid
    assert 'value="confirm"' in client.get(f"/org/import/{run.pk}/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/org/import/{run.pk}/", confirm_data(run))

    run.refresh_from_db()
    assert (run.status, run.created_count, run.invalid_count) == (ImportRun.Status.APPLIED, 2, 1)
    assert not Person.objects.filter(email="zoe@acme.test").exists()
    report = client.get(f"/org/import/{run.pk}/errors.csv")
    assert report["Content-Type"].startswith("text/csv")
    rows = report.content.decode().splitlines()
    assert rows[0] == "row,column,value,reason"
    assert rows[1].startswith("4,Team,Atlantis,")


def test_create_teams_option_from_the_page(
    everyone: Any, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    client = client_for(everyone["admin"])
    run = run_of(upload(client, "Name,Email,Team\nAl Nord,al@acme.test,Nordics\n"))
    assert "there is no team called" in client.get(f"/org/import/{run.pk}/").content.decode()
    client.post(
        f"/org/import/{run.pk}/",
        {**confirm_data(run), "action": "preview", "create_teams": "on"},
    )
    run.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/org/import/{run.pk}/", confirm_data(run))

    assert Person.objects.get(email="al@acme.test").team == Team.objects.get(name="Nordics")


def test_columns_can_be_chosen_from_the_file_header(everyone: Any) -> None:
    client = client_for(everyone["admin"])
    run = run_of(upload(client, "Who,Mail\nAl Alias,al@acme.test\n"))
    page = client.get(f"/org/import/{run.pk}/").content.decode()
    assert "no column for the required field" in page
    assert '<option value="Who">Who</option>' in page

    client.post(
        f"/org/import/{run.pk}/",
        {**confirm_data(run), "action": "preview", "map_name": "Who", "map_email": "Mail"},
    )

    run.refresh_from_db()
    assert run.mapping["name"] == "Who"
    assert run.mapping["email"] == "Mail"
    page = client.get(f"/org/import/{run.pk}/").content.decode()
    assert "Al Alias" in page
    assert 'value="confirm"' in page


def test_a_mapping_saved_on_the_preview_is_offered_for_the_next_file(everyone: Any) -> None:
    admin = everyone["admin"]
    client = client_for(admin)
    run = run_of(upload(client, "Who,Mail\nAl Alias,al@acme.test\n"))
    client.post(
        f"/org/import/{run.pk}/",
        {
            **confirm_data(run),
            "action": "preview",
            "map_name": "Who",
            "map_email": "Mail",
            "save_as": "Payroll export",
        },
    )
    profile = ImportProfile.objects.get(name="Payroll export")
    assert profile.mapping["name"] == "Who"
    assert profile.created_by == admin.user

    assert "Payroll export" in client.get(URL).content.decode()
    second = run_of(upload(client, "Who,Mail\nBo Alias,bo@acme.test\n", profile=profile.pk))

    assert second.mapping["name"] == "Who"
    assert second.mapping["email"] == "Mail"


def test_a_saved_mapping_can_be_applied_on_the_preview(everyone: Any) -> None:
    admin = everyone["admin"]
    profile = ImportProfile.objects.create(
        org=admin.org, kind="people", name="HR", mapping={"name": "Who", "email": "Mail"}
    )
    client = client_for(admin)
    run = run_of(upload(client, "Who,Mail\nAl Alias,al@acme.test\n"))

    client.post(f"/org/import/{run.pk}/", {"action": "profile", "profile": profile.pk})

    run.refresh_from_db()
    assert run.mapping["name"] == "Who"
    assert run.mapping["email"] == "Mail"


def test_xlsx_uploads_preview_their_rows(everyone: Any) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Name", "Email", "Hire date"])
    sheet.append(["Xl Person", "xl@acme.test", dt.date(2023, 5, 6)])
    buffer = io.BytesIO()
    book.save(buffer)
    client = client_for(everyone["admin"])

    run = run_of(upload(client, buffer.getvalue(), name="people.xlsx"))

    page = client.get(f"/org/import/{run.pk}/").content.decode()
    assert "Xl Person" in page
    assert "2023-05-06" in page
    assert "XLSX workbook" in page


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"Name,Email\n", "no data rows"),
        (b'Name,Email\nAl,al@acme.test\nBo,"bo@acme', "row 3"),
    ],
)
def test_unreadable_files_are_refused_on_upload_and_not_kept(
    everyone: Any, content: bytes, message: str
) -> None:
    client = client_for(everyone["admin"])
    imports = Path(settings.MEDIA_ROOT) / "imports"
    kept_before = set(imports.iterdir()) if imports.exists() else set()

    response = upload(client, content)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ImportRun.objects.exists()
    assert (set(imports.iterdir()) if imports.exists() else set()) == kept_before


def test_other_file_types_are_refused(everyone: Any) -> None:
    response = upload(client_for(everyone["admin"]), "hello", name="notes.pdf")

    assert "Upload a .csv or .xlsx file." in response.content.decode()
    assert not ImportRun.objects.exists()


def test_uploads_never_confirmed_expire_after_two_days(everyone: Any) -> None:
    client = client_for(everyone["admin"])
    old = run_of(upload(client, GOOD))
    ImportRun.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=3))
    path = stored_file(old)

    run_of(upload(client, GOOD))

    old.refresh_from_db()
    assert old.status == ImportRun.Status.FAILED
    assert "expired" in old.message
    assert not path.exists()


def test_a_queued_run_keeps_its_file_until_the_task_has_run(
    everyone: Any, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    client = client_for(everyone["admin"])
    run = run_of(upload(client, GOOD))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(f"/org/import/{run.pk}/", confirm_data(run))
    run.refresh_from_db()
    page = client.get(f"/org/import/{run.pk}/").content.decode()

    assert stored_file(run).exists()
    assert "Queued" in page
    assert 'hx-trigger="every 1s"' in page
    for callback in callbacks:
        callback()
    run.refresh_from_db()
    assert run.status == ImportRun.Status.APPLIED
    assert FILE_KEY not in run.options


def test_runs_of_another_kind_are_not_shown_here(everyone: Any) -> None:
    admin = everyone["admin"]
    other = ImportRun.objects.create(org=admin.org, kind="deals", filename="deals.csv")

    assert client_for(admin).get(f"/org/import/{other.pk}/").status_code == 404
