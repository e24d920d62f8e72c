"""Workbooks too big to read are refused before openpyxl unpacks them: unpacked size, how well a
part compresses, shared texts and cells; and an upload page reads only the rows it shows."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl.cell.text import Text

from charter.conftest import client_for
from charter.core.imports import readers, workbook
from charter.core.imports.readers import ImportFileError, open_table
from charter.core.models import ImportRun
from charter.core.tests.workbooks import rewrite, workbook_bytes
from charter.crm.models import Deal

SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"


def deals(count: int) -> list[list[Any]]:
    return [
        ["id", "owner", "stage", "amount", "created", "close"],
        *([f"D{i}", f"Owner {i}", "won", 10, "2024-01-02", "2024-01-05"] for i in range(count)),
    ]


def opened(data: bytes, name: str = "deals.xlsx") -> readers.TableReader:
    return open_table(lambda: io.BytesIO(data), name)


@pytest.fixture
def openpyxl_never_opens(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("openpyxl opened a workbook that should have been refused first")

    monkeypatch.setattr(workbook, "open_workbook", refuse)


def claiming(count: int) -> Any:
    """A shared-text table whose header says it holds `count` texts."""

    def change(xml: bytes) -> bytes:
        return re.sub(rb'uniqueCount="\d+"', f'uniqueCount="{count}"'.encode(), xml, count=1)

    return change


def test_a_table_that_claims_five_million_texts_is_refused_before_reading(
    openpyxl_never_opens: None,
) -> None:
    data = rewrite(workbook_bytes(deals(3)), {STRINGS: claiming(5_000_000)})

    with pytest.raises(ImportFileError) as refused:
        opened(data)

    assert "5,000,000 distinct texts" in str(refused.value)
    assert f"at most {workbook.MAX_XLSX_SHARED_STRINGS:,}" in str(refused.value)


def test_more_texts_than_the_table_claims_are_caught_while_reading(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(workbook, "MAX_XLSX_SHARED_STRINGS", 50)
    data = rewrite(workbook_bytes(deals(100)), {STRINGS: claiming(10)})
    reader = opened(data)  # the header's texts come first, well under the limit

    with pytest.raises(ImportFileError) as refused:
        list(reader.rows())

    assert "at most 50" in str(refused.value)
    assert refused.value.row is not None


def test_a_part_that_unpacks_hundreds_of_times_its_size_is_refused(
    openpyxl_never_opens: None,
) -> None:
    padding = b"<x>" + b" " * (4 * 1024 * 1024) + b"</x>"
    data = rewrite(workbook_bytes(deals(3)), {"xl/media/padding.xml": padding})

    with pytest.raises(ImportFileError) as refused:
        opened(data)

    message = str(refused.value)
    assert "xl/media/padding.xml" in message
    assert f"more than {workbook.MAX_XLSX_RATIO} times" in message


def test_a_workbook_that_unpacks_past_the_limit_is_refused(
    monkeypatch: pytest.MonkeyPatch, openpyxl_never_opens: None
) -> None:
    monkeypatch.setattr(workbook, "MAX_XLSX_UNPACKED_BYTES", 5 * 1024 * 1024)
    # Scrambled digits compress about twice, so only the unpacked size can refuse this.
    noise = "".join(str((i * 7919) % 10007) for i in range(1_500_000)).encode()
    data = rewrite(workbook_bytes(deals(3)), {"xl/media/noise.xml": noise})

    with pytest.raises(ImportFileError, match=r"unpacks to \d+ MB; an import reads at most 5 MB"):
        opened(data)


def test_a_sheet_spanning_more_cells_than_the_limit_is_refused_by_its_dimension(
    openpyxl_never_opens: None,
) -> None:
    def huge(xml: bytes) -> bytes:
        return re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:Z1000000"', xml)

    data = rewrite(workbook_bytes(deals(3)), {SHEET: huge})

    with pytest.raises(ImportFileError, match=r"spans 26,000,000 cells \(A1:Z1000000\)"):
        opened(data)


def test_cells_are_counted_while_reading_when_the_sheet_does_not_say(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(workbook, "MAX_XLSX_CELLS", 100)

    def undimensioned(xml: bytes) -> bytes:
        return re.sub(rb"<dimension [^>]*/>", b"", xml)

    data = rewrite(workbook_bytes(deals(30)), {SHEET: undimensioned})
    reader = opened(data)

    with pytest.raises(ImportFileError) as refused:
        list(reader.rows())

    assert "more than 100 cells" in str(refused.value)
    assert refused.value.row == 17  # 6 columns: the 17th row holds the 97th to 102nd cells


def imports_dir() -> set[Path]:
    folder = Path(settings.MEDIA_ROOT) / "imports"
    return set(folder.iterdir()) if folder.exists() else set()


def test_the_upload_page_refuses_a_workbook_bomb_by_name_and_keeps_nothing(
    everyone: Any, openpyxl_never_opens: None
) -> None:
    bomb = rewrite(workbook_bytes(deals(3)), {STRINGS: claiming(5_000_000)})
    kept = imports_dir()

    response = client_for(everyone["admin"]).post(
        "/crm/import/", {"kind": "deals", "file": SimpleUploadedFile("bomb.xlsx", bomb)}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "bomb.xlsx: the workbook holds 5,000,000 distinct texts" in page
    assert not ImportRun.objects.exists()
    assert imports_dir() == kept


def test_the_upload_and_its_preview_read_only_the_texts_of_the_rows_they_look_at(
    everyone: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 12,000 deals of two texts of their own each: far more than a page shows or checks.
    data = workbook_bytes(deals(12_000))
    texts_read = 0
    from_tree = Text.from_tree.__func__

    def counting(cls: type[Text], node: Any) -> Text:
        nonlocal texts_read
        texts_read += 1
        return from_tree(cls, node)

    monkeypatch.setattr(Text, "from_tree", classmethod(counting))
    client = client_for(everyone["admin"])

    response = client.post(
        "/crm/import/", {"kind": "deals", "file": SimpleUploadedFile("deals.xlsx", data)}
    )
    run = ImportRun.objects.get()
    page = client.get(f"/crm/import/{run.pk}/")

    assert response.status_code == 302
    assert page.status_code == 200
    assert "Owner 19" in page.content.decode()
    # The upload reads the header and a row; the preview counts up to 5,001 rows and shows 20
    # (each pass opens the file anew). Reading the table whole, each open read 24,000 texts.
    assert 0 < texts_read <= 2 * (5_001 + 20) + 100
    assert not Deal.objects.exists()
