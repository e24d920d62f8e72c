"""Records whose owner matches nobody: flagged in the preview, counted apart on the finished
run (page and command line), with the way to the unmatched owners page."""

from __future__ import annotations

from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

from django.core.management import call_command

from charter.conftest import client_for
from charter.crm.tests.test_import_pages import confirm_data, run_of, upload

DEALS = (
    "id,owner,stage,amount,created,close\n"
    "D1,rick.rep@acme.test,won,10,2024-01-01,2024-01-15\n"
    "D2,Zed Stranger,won,10,2024-01-01,2024-01-15\n"
    "D3,zed stranger,open,,2024-01-01,\n"
)


def test_preview_flags_rows_whose_owner_matches_nobody(everyone: Any) -> None:
    client = client_for(everyone["admin"])
    run = run_of(upload(client, DEALS))

    page = client.get(f"/crm/import/{run.pk}/").content.decode()

    assert "2 rows: the owner matches nobody in Charter yet" in page
    assert '<span class="badge badge-warn" title="&#x27;Zed Stranger&#x27; matches nobody' in page
    assert 'href="/crm/owners/"' in page
    # Only a note: the import may still be confirmed.
    assert 'value="confirm"' in page


def test_finished_run_says_how_many_records_wait_for_an_owner(
    everyone: Any, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    client = client_for(everyone["admin"])
    run = run_of(upload(client, DEALS))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/crm/import/{run.pk}/", confirm_data(run))

    page = client.get(f"/crm/import/{run.pk}/").content.decode()

    assert "2 deals written by this import wait for an owner" in page
    assert "Say who the unmatched owners are" in page


def test_a_file_whose_owners_all_match_has_no_such_note(
    everyone: Any, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    client = client_for(everyone["admin"])
    run = run_of(upload(client, DEALS.rsplit("\n", 3)[0] + "\n"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/crm/import/{run.pk}/", confirm_data(run))

    preview_free = client.get(f"/crm/import/{run.pk}/").content.decode()

    assert "wait for an owner" not in preview_free
    assert "Say who the unmatched owners are" not in preview_free


def test_command_line_import_says_how_many_records_wait(everyone: Any, tmp_path: Path) -> None:
    path = tmp_path / "deals.csv"
    path.write_text(DEALS)
    out = StringIO()

    call_command("import", "deals", str(path), stdout=out)

    assert "2 deals written by this import wait for an owner" in out.getvalue()
