"""Labels of the import pages that must say what is true now: the field help lists each column
name once, a finished run's audit entry and page do not say it is still going."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from charter.conftest import client_for
from charter.core.models import AuditEvent, ImportRun
from charter.crm.tests.test_import_pages import MAVEN_LIKE, confirm_data, run_of, upload


def test_import_help_lists_each_column_name_once(everyone: Any) -> None:
    page = client_for(everyone["admin"]).get("/crm/import/").content.decode()

    assert "External ID, External ID" not in page
    assert "External ID, ID, Record ID" in page


def test_finished_import_says_nothing_of_running(
    everyone: Any, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    client = client_for(everyone["admin"])
    run = run_of(upload(client, MAVEN_LIKE, skip_invalid="on"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/crm/import/{run.pk}/", confirm_data(run, skip_invalid="on"))
    run.refresh_from_db()
    assert run.status == ImportRun.Status.APPLIED

    page = client.get(f"/crm/import/{run.pk}/").content.decode()
    entry = AuditEvent.objects.get(action="core.import_run.applied")

    assert "Importing deals.csv" not in page
    assert "Running" not in entry.object_repr
    assert entry.object_repr == "deals import of deals.csv"


def test_a_run_under_way_says_it_is_importing(everyone: Any) -> None:
    client = client_for(everyone["admin"])
    run = run_of(upload(client, MAVEN_LIKE, skip_invalid="on"))
    client.post(f"/crm/import/{run.pk}/", confirm_data(run, skip_invalid="on"))

    page = client.get(f"/crm/import/{run.pk}/").content.decode()

    assert "Importing deals.csv; this page shows how far it got." in page
