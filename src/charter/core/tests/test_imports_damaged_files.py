"""Damaged workbooks and files that are not tables at all: refused with a message that says so,
on the command line and on the upload page, and nothing of them is kept."""

from __future__ import annotations

import gzip
import io
import random
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from charter.conftest import client_for
from charter.core.imports.readers import ImportFileError, TableReader, open_table
from charter.core.models import ImportRun
from charter.core.tests.workbooks import workbook_bytes
from charter.crm.models import Deal
from charter.crm.tests.test_import_deals import run_import

HEADER = ["id", "owner", "stage", "amount", "created", "close"]


def deals_workbook(count: int) -> bytes:
    rows = [[f"D{i}", "Rick Rep", "won", 10, "2024-01-02", "2024-01-05"] for i in range(count)]
    return workbook_bytes([HEADER, *rows])


def read_all(data: bytes, name: str = "deals.xlsx") -> TableReader:
    reader = open_table(lambda: io.BytesIO(data), name)
    list(reader.rows())
    return reader


def corrupt_part(data: bytes, part: str, *, at: float = 0.0) -> bytes:
    """`data` with the compressed bytes of `part` broken at `at` (0 = its start, 1 = its end):
    0xFF there starts a deflate block of a type that does not exist, as random damage does."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(part)
    local = data[info.header_offset : info.header_offset + 30]
    start = info.header_offset + 30 + int.from_bytes(local[26:28], "little")
    start += int.from_bytes(local[28:30], "little")
    position = start + int((info.compress_size - 8) * at)
    return data[:position] + b"\xff" * 8 + data[position + 8 :]


@pytest.mark.parametrize(
    "part",
    [
        "xl/worksheets/sheet1.xml",
        "xl/sharedStrings.xml",
        "xl/styles.xml",
        "xl/workbook.xml",
        "[Content_Types].xml",
    ],
)
def test_a_workbook_with_a_corrupt_part_is_refused_as_damaged(part: str) -> None:
    data = corrupt_part(deals_workbook(5), part)

    with pytest.raises(ImportFileError, match="this XLSX workbook is damaged"):
        read_all(data)


def test_workbooks_with_random_bytes_overwritten_are_read_or_refused_never_a_traceback() -> None:
    good = deals_workbook(40)
    outcomes = []
    for seed in range(12):
        rng = random.Random(seed)
        data = bytearray(good)
        for _ in range(16):
            data[rng.randrange(len(data))] = rng.randrange(256)
        try:
            read_all(bytes(data))
        except ImportFileError as exc:
            outcomes.append(str(exc))
        else:
            outcomes.append("read")

    # Damage to the zip's directory can also make a part look too big: refused for that.
    assert all(o == "read" or "workbook" in o for o in outcomes), outcomes
    assert sum("damaged" in o for o in outcomes) >= 6


def imports_dir() -> set[Path]:
    folder = Path(settings.MEDIA_ROOT) / "imports"
    return set(folder.iterdir()) if folder.exists() else set()


def upload(client: Any, data: bytes, name: str) -> Any:
    return client.post("/crm/import/", {"kind": "deals", "file": SimpleUploadedFile(name, data)})


def test_the_upload_page_answers_a_damaged_workbook_with_the_reason_and_keeps_nothing(
    everyone: Any,
) -> None:
    kept = imports_dir()
    data = corrupt_part(deals_workbook(5), "xl/worksheets/sheet1.xml")

    response = upload(client_for(everyone["admin"]), data, "deals.xlsx")

    assert response.status_code == 200
    assert "deals.xlsx: this XLSX workbook is damaged" in response.content.decode()
    assert not ImportRun.objects.exists()
    assert imports_dir() == kept


def test_a_workbook_damaged_past_its_first_rows_is_refused_on_preview_and_deleted(
    everyone: Any,
) -> None:
    client = client_for(everyone["admin"])
    kept = imports_dir()
    data = corrupt_part(deals_workbook(400), "xl/worksheets/sheet1.xml", at=0.8)
    response = upload(client, data, "deals.xlsx")
    assert response.status_code == 302  # its header and first row read fine
    run = ImportRun.objects.get()

    page = client.get(f"/crm/import/{run.pk}/")

    run.refresh_from_db()
    assert page.status_code == 200
    assert run.status == ImportRun.Status.REJECTED
    assert run.errors[0]["row"] > 2
    row = run.errors[0]["row"]
    assert f"deals.xlsx: row {row}: the workbook cannot be read past this row" in (
        page.content.decode()
    )
    assert imports_dir() == kept
    assert not Deal.objects.exists()


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"


@pytest.mark.parametrize(
    ("data", "name", "said"),
    [
        (PNG, "deals.csv", "it is a PNG image"),
        (PNG, "deals.xlsx", "it is a PNG image"),
        (PDF, "deals.csv", "it is a PDF document"),
        (gzip.compress(b"id,owner\nD1,Rick\n", mtime=0), "deals.csv", "it is a gzip archive"),
        (random.Random(13).randbytes(4096), "deals.csv", "its content is binary data"),
        (random.Random(14).randbytes(300), "deals.txt", "its content is binary data"),
    ],
    # Named, not derived from the bytes: xdist workers must collect the same test ids.
    ids=["png-csv", "png-xlsx", "pdf", "gzip", "random-4k", "random-txt"],
)
def test_a_binary_file_is_told_it_is_not_a_csv_or_xlsx_file(
    org: Any, tmp_path: Path, data: bytes, name: str, said: str
) -> None:
    run = run_import(org, "deals", data, tmp_path, filename=name)

    assert run.status == ImportRun.Status.REJECTED
    assert run.message.startswith(f"{name} cannot be imported: this is not a CSV or XLSX file")
    assert said in run.message
    assert "no column" not in run.message
    assert run.mapping == {}
    assert not Deal.objects.exists()


def test_a_file_named_xlsx_that_is_not_a_zip_says_so(org: Any, tmp_path: Path) -> None:
    run = run_import(org, "deals", "id,owner\nD1,Rick\n", tmp_path, filename="deals.xlsx")

    assert run.status == ImportRun.Status.REJECTED
    assert "the file is named .xlsx but is not an XLSX workbook" in run.message
    assert "not one" in run.message


def test_a_zip_archive_that_is_not_a_workbook_says_so(org: Any, tmp_path: Path) -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("deals.csv", "id,owner\nD1,Rick\n")

    run = run_import(org, "deals", archive.getvalue(), tmp_path, filename="deals.zip")

    assert run.status == ImportRun.Status.REJECTED
    assert "this is a zip archive, not an XLSX workbook" in run.message


def test_a_csv_with_one_stray_control_character_is_still_read_as_text(tmp_path: Path) -> None:
    path = tmp_path / "deals.csv"
    path.write_bytes(b"id,owner\nD1,Ri\x07ck\nD2,Rita\n")

    reader = read_all(path.read_bytes(), "deals.csv")

    assert reader.header == ("id", "owner")
