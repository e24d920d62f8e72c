"""Streaming CSV and XLSX readers: encodings, delimiters, row numbers, broken files."""

from __future__ import annotations

import codecs
import datetime as dt
import re
import tracemalloc
from itertools import islice
from pathlib import Path
from typing import IO

import openpyxl
import pytest

from charter.core.imports.readers import (
    CsvReader,
    ImportFileError,
    TableReader,
    XlsxReader,
    open_table,
    path_opener,
)

FIXTURES = Path(__file__).parent / "fixtures"


def write(tmp_path: Path, data: bytes, name: str = "f.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def table(path: Path, sheet: str | None = None) -> TableReader:
    return open_table(path_opener(path), path.name, sheet=sheet)


def rows(reader: TableReader) -> list[tuple[int, tuple[object, ...], str]]:
    return [(r.number, r.cells, r.problem) for r in reader.rows()]


TEXT = "Name;City\r\nJosé Núñez;Zürich\r\nAnna;Malmö\r\n"


@pytest.mark.parametrize(
    ("data", "label"),
    [
        (TEXT.encode("utf-8"), "UTF-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "UTF-8 with byte-order mark"),
        (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), "UTF-16 LE (with byte-order mark)"),
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "UTF-16 BE (with byte-order mark)"),
        (TEXT.encode("utf-16-le"), "UTF-16 LE (no byte-order mark)"),
        (TEXT.encode("cp1252"), "Windows-1252 / Latin-1 (the file is not valid UTF-8)"),
    ],
)
def test_csv_is_decoded_in_its_encoding_and_says_which(
    tmp_path: Path, data: bytes, label: str
) -> None:
    reader = table(write(tmp_path, data))

    assert isinstance(reader, CsvReader)
    assert reader.header == ("Name", "City")
    assert rows(reader) == [(2, ("José Núñez", "Zürich"), ""), (3, ("Anna", "Malmö"), "")]
    assert label in reader.describe()


def test_bytes_that_are_not_even_windows_1252_fall_back_to_latin_1(tmp_path: Path) -> None:
    reader = table(write(tmp_path, b"Name\n\x81bc\n"))

    assert reader.describe() == "CSV, Latin-1 (ISO-8859-1; the file is not valid UTF-8), " + (
        "comma-separated"
    )
    assert rows(reader) == [(2, ("\x81bc",), "")]


def test_a_late_non_utf8_byte_still_switches_the_whole_file(tmp_path: Path) -> None:
    body = "".join(f"Person {i}\n" for i in range(3000)).encode() + "Renée\n".encode("cp1252")

    reader = table(write(tmp_path, b"Name\n" + body))

    assert list(reader.rows())[-1].cells == ("Renée",)


@pytest.mark.parametrize(
    ("data", "delimiter"),
    [
        (b"a,b,c\n1,2,3\n", ","),
        (b"a;b;c\n1;2,5;3\n", ";"),
        (b"a\tb\tc\n1\t2\t3\n", "\t"),
        (b'"x;y",b\n1,2\n', ","),
    ],
)
def test_the_delimiter_is_sniffed(tmp_path: Path, data: bytes, delimiter: str) -> None:
    reader = table(write(tmp_path, data))

    assert isinstance(reader, CsvReader)
    assert reader.delimiter == delimiter


def test_quoted_newlines_count_as_one_row_as_a_spreadsheet_shows_them(tmp_path: Path) -> None:
    data = b'Name,Note\r\nAda,"two\r\nlines"\r\n\r\nBo,"say ""hi"""\r\n'

    assert rows(table(write(tmp_path, data))) == [
        (2, ("Ada", "two\r\nlines"), ""),
        (4, ("Bo", 'say "hi"'), ""),
    ]


def test_blank_leading_rows_are_skipped_and_numbers_stay_true(tmp_path: Path) -> None:
    reader = table(write(tmp_path, b"\n,\nName\nAda\n"))

    assert reader.header_row == 3
    assert rows(reader) == [(4, ("Ada",), "")]


def test_a_row_with_too_many_or_too_few_values_is_flagged_not_fatal(tmp_path: Path) -> None:
    data = b"a,b\n1,2,3\n1\n1,2,,\n"

    assert rows(table(write(tmp_path, data))) == [
        (2, ("1", "2"), "this row has 3 values but the header has 2 columns"),
        (3, ("1", None), "this row has 1 values but the header has 2 columns"),
        (4, ("1", "2"), ""),
    ]


@pytest.mark.parametrize("data", [b"", b"   \n\n", codecs.BOM_UTF8, codecs.BOM_UTF16_LE])
def test_an_empty_file_says_so(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(ImportFileError, match="the file is empty"):
        table(write(tmp_path, data))


def test_a_header_without_rows_names_the_header_row(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError) as exc:
        table(write(tmp_path, b"Name,Email\r\n\r\n"))

    assert exc.value.row == 1
    assert str(exc.value) == "row 1: the file has a header row but no data rows"


def test_an_unterminated_quote_at_the_end_names_its_row(tmp_path: Path) -> None:
    path = write(tmp_path, b'Name,Note\nAda,ok\nBo,"never closed\nCy,lost\n')

    with pytest.raises(ImportFileError) as exc:
        list(table(path).rows())

    assert exc.value.row == 3
    assert "ends inside a quoted value" in exc.value.reason


def test_a_last_row_cut_short_without_a_final_newline_is_a_cut_file(tmp_path: Path) -> None:
    reader = table(write(tmp_path, b"Name,Email,Team\nAda,ada@x.test,East\nBo,bo@x."))

    with pytest.raises(ImportFileError) as exc:
        list(reader.rows())

    assert exc.value.row == 3
    assert "cut off" in exc.value.reason


def test_a_full_last_row_without_a_final_newline_is_fine(tmp_path: Path) -> None:
    assert rows(table(write(tmp_path, b"Name,Team\nAda,East"))) == [(2, ("Ada", "East"), "")]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"Name,Email,name\nA,b,c\n", "two columns called 'name' (columns 1 and 3)"),
        (b"Name,,Email\nA,b,c\n", "column 2 of the header has no name"),
        (b"Full Name,full_name\nA,b\n", "two columns called 'full_name'"),
    ],
)
def test_duplicate_or_blank_header_names_are_refused(
    tmp_path: Path, data: bytes, message: str
) -> None:
    with pytest.raises(ImportFileError, match=re.escape(message)) as exc:
        table(write(tmp_path, data))

    assert exc.value.row == 1


def test_trailing_blank_header_cells_are_ignored(tmp_path: Path) -> None:
    reader = table(write(tmp_path, b"Name,Email,,\nAda,a@x.test,,\n"))

    assert reader.header == ("Name", "Email")
    assert rows(reader) == [(2, ("Ada", "a@x.test"), "")]


def test_a_sheet_name_for_a_csv_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="only applies to XLSX"):
        table(write(tmp_path, b"a\n1\n"), sheet="Staff")


def test_old_xls_files_are_refused_with_advice(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match=r"save the sheet as \.xlsx or CSV"):
        table(write(tmp_path, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "old.xls"))


def workbook(tmp_path: Path, *sheets: tuple[str, list[list[object]]]) -> Path:
    book = openpyxl.Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    for title, data in sheets:
        sheet = book.create_sheet(title)
        for row in data:
            sheet.append(row)
    path = tmp_path / "book.xlsx"
    book.save(path)
    return path


def test_xlsx_reads_the_first_sheet_with_native_dates_and_numbers(tmp_path: Path) -> None:
    path = workbook(
        tmp_path,
        ("People", [["Name", "Hired", "Score"], ["Ada", dt.date(2020, 5, 17), 7]]),
        ("Other", [["x"]]),
    )

    reader = table(path)

    assert isinstance(reader, XlsxReader)
    assert reader.describe() == "XLSX workbook, sheet 'People'"
    assert rows(reader) == [(2, ("Ada", dt.datetime(2020, 5, 17), 7), "")]


def test_xlsx_reads_a_named_sheet_and_keeps_excel_row_numbers(tmp_path: Path) -> None:
    path = workbook(
        tmp_path,
        ("Cover", [["not this"]]),
        ("Staff", [[], ["Name", "Team"], ["Ada", "East"], [None, None], ["Bo", None]]),
    )

    reader = table(path, sheet="staff")

    assert reader.header_row == 2
    assert rows(reader) == [(3, ("Ada", "East"), ""), (5, ("Bo", None), "")]


def test_an_unknown_sheet_lists_the_sheets(tmp_path: Path) -> None:
    path = workbook(tmp_path, ("People", [["Name"], ["Ada"]]), ("Teams", [["x"]]))

    with pytest.raises(ImportFileError, match="no sheet called 'Staff'; its sheets are: 'People'"):
        table(path, sheet="Staff")


def test_an_empty_sheet_says_the_file_is_empty(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="the file is empty"):
        table(workbook(tmp_path, ("People", [])))


def test_a_cut_xlsx_file_is_refused_as_damaged(tmp_path: Path) -> None:
    data = workbook(tmp_path, ("People", [["Name"], ["Ada"]])).read_bytes()

    with pytest.raises(ImportFileError, match="workbook is damaged"):
        table(write(tmp_path, data[: len(data) // 2], "cut.xlsx"))


def test_an_empty_xlsx_named_file_is_empty_not_damaged(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="the file is empty"):
        table(write(tmp_path, b"", "people.xlsx"))


class CountingOpener:
    """Opens the file and remembers every handle, to see how far each pass read."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.handles: list[IO[bytes]] = []

    def __call__(self) -> IO[bytes]:
        handle = open(self.path, "rb")  # noqa: SIM115 - the reader closes it
        self.handles.append(handle)
        return handle


def test_reading_a_big_file_is_lazy_and_does_not_hold_it_in_memory(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write("Name,Email,Team\n")
        out.writelines(f"Person {i},p{i}@example.test,Team {i % 40}\n" for i in range(200_000))
    size = path.stat().st_size
    opener = CountingOpener(path)
    reader = open_table(opener, path.name)

    lazy = reader.rows()
    first = list(islice(lazy, 3))
    row_handle = opener.handles[-1]

    assert [r.number for r in first] == [2, 3, 4]
    # The pass that produced the rows read one buffer, not the file.
    assert row_handle.tell() < 256 * 1024 < size
    lazy.close()
    assert row_handle.closed
    tracemalloc.start()
    try:
        traced = sum(1 for _ in islice(reader.rows(), 5_000))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert traced == 5_000
    # Holding the file (or its rows) would cost megabytes; streaming costs a few buffers.
    assert peak < size // 20, (peak, size)
    assert reader.count() == 200_000
