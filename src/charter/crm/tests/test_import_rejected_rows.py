"""The rejected rows of an import, given back in the file's own columns with an "error" column,
fixed and uploaded again; the file kept for that only while the run refused rows."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

from django.core.management import call_command

from charter.conftest import client_for
from charter.core.imports.base import Issue
from charter.core.imports.readers import open_table
from charter.core.imports.report import rejected_rows
from charter.core.imports.services import FILE_KEY
from charter.core.models import ImportRun
from charter.crm.models import Deal
from charter.crm.tests.test_import_pages import MAVEN_LIKE, confirm_data, run_of, upload


def _reader(text: str) -> Any:
    return open_table(lambda: io.BytesIO(text.encode()), "file.csv")


def _import(client: Any, content: str, capture: Callable[..., Any], **data: Any) -> ImportRun:
    run = run_of(upload(client, content, **data))
    with capture(execute=True):
        client.post(f"/crm/import/{run.pk}/", confirm_data(run, **data))
    run.refresh_from_db()
    return run


def test_rejected_rows_can_be_fixed_and_uploaded_again(
    everyone: Any, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    client = client_for(everyone["admin"])
    first = _import(client, MAVEN_LIKE, django_capture_on_commit_callbacks, skip_invalid="on")
    assert (first.created_count, first.invalid_count) == (1, 1)
    page = client.get(f"/crm/import/{first.pk}/").content.decode()
    assert "Download the rejected rows (CSV)" in page

    response = client.get(f"/crm/import/{first.pk}/rejected.csv")

    assert response["Content-Type"].startswith("text/csv")
    assert "rejected-rows" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [*MAVEN_LIKE.splitlines()[0].split(","), "error"]
    assert rows[1][:6] == ["O2", "Rita Rep", "Engaging", "2024-01-03", "", ""]
    assert rows[1][6].startswith("deal_stage: Stage 'Engaging' is not a stage Charter knows")
    assert len(rows) == 2

    rows[1][2] = "open"
    fixed = io.StringIO()
    csv.writer(fixed).writerows(rows)
    second = _import(client, fixed.getvalue(), django_capture_on_commit_callbacks, name="fixed.csv")

    assert second.status == ImportRun.Status.APPLIED, second.message
    assert (second.created_count, second.invalid_count) == (1, 0)
    assert dict(Deal.objects.values_list("external_id", "stage")) == {"O1": "won", "O2": "open"}
    # Nothing refused: the second file is not kept; the first still is, for its download.
    assert FILE_KEY not in second.options
    assert FILE_KEY in first.options


def test_without_the_kept_file_the_download_says_why(
    everyone: Any, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    client = client_for(everyone["admin"])
    run = _import(client, MAVEN_LIKE, django_capture_on_commit_callbacks, skip_invalid="on")
    run.options = {k: v for k, v in run.options.items() if k != FILE_KEY}
    run.save(update_fields=["options"])

    response = client.get(f"/crm/import/{run.pk}/rejected.csv", follow=True)

    assert "its file is kept only 3 days" in response.content.decode()
    assert "Download the rejected rows" not in response.content.decode()


def test_only_admins_download_rejected_rows(
    everyone: Any, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    admin = client_for(everyone["admin"])
    run = _import(admin, MAVEN_LIKE, django_capture_on_commit_callbacks, skip_invalid="on")

    response = client_for(everyone["manager"]).get(f"/crm/import/{run.pk}/rejected.csv")

    assert response.status_code == 403
    assert "Engaging" not in response.content.decode()


def test_rejected_rows_fill_an_existing_error_column_and_keep_numbers_but_not_formulas() -> None:
    reader = _reader("id,amount,note,Error\nA,-5,=HYPERLINK(1),old\nB,7,fine,\nC,1,x,\n")
    issues = [
        Issue(row=2, column="amount", value="-5", reason="is negative"),
        Issue(row=4, column="", value="", reason="too many values"),
        Issue(row=2, column="note", value="x", reason="odd"),
    ]

    rows = list(rejected_rows(reader, issues))

    assert rows == [
        ["id", "amount", "note", "Error"],
        ["A", "-5", "'=HYPERLINK(1)", "amount: is negative; note: odd"],
        ["C", "1", "x", "too many values"],
    ]


def test_command_line_writes_the_rejected_rows_to_fix_and_import_again(
    everyone: Any, tmp_path: Any
) -> None:
    source = tmp_path / "deals.csv"
    source.write_text(MAVEN_LIKE)
    rejected = tmp_path / "rejected.csv"

    call_command(
        "import",
        "deals",
        str(source),
        "--skip-invalid",
        "--rejected-csv",
        str(rejected),
        stdout=io.StringIO(),
    )

    rows = list(csv.reader(rejected.open(newline="")))
    assert [r[0] for r in rows] == ["opportunity_id", "O2"]
    assert rows[1][-1].startswith("deal_stage: Stage 'Engaging'")
    rows[1][2] = "open"
    with rejected.open("w", newline="") as out:
        csv.writer(out).writerows(rows)
    call_command("import", "deals", str(rejected), stdout=io.StringIO())
    assert Deal.objects.get(external_id="O2").stage == "open"
