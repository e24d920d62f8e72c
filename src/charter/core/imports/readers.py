"""Streaming readers for CSV and XLSX files: one row at a time, never the whole file in memory.

A reader is opened from an *opener* (a function returning a fresh binary file object) rather
than from a path, because every pass (header, count, validation) re-opens the file and the file
may live in Django's storage instead of on the local disk.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import os
from abc import ABC, abstractmethod
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import closing, suppress
from typing import IO, Any, NamedTuple

from charter.core.imports import workbook
from charter.core.imports.base import ImportFileError
from charter.core.imports.fields import (
    CONTROL_CHARACTER,
    cell_text,
    control_characters,
    normalise_header,
    visible_text,
)

Cell = str | int | float | bool | dt.date | dt.time | dt.timedelta | None
Opener = Callable[[], IO[bytes]]

_CHUNK = 1 << 20
_DELIMITERS = (",", ";", "\t")
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
# UTF-32 marks start with the UTF-16 LE mark, so they are tried first.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32 LE (with byte-order mark)"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32 BE (with byte-order mark)"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8 with byte-order mark"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16 LE (with byte-order mark)"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16 BE (with byte-order mark)"),
)


class SourceRow(NamedTuple):
    """One data row as read from the file, before any field is parsed."""

    number: int  # as the person sees it: the header is row 1 when it is the first line
    cells: tuple[Cell, ...]
    # Set when the row cannot be lined up with the header (too many or too few values).
    problem: str = ""


def _is_blank_row(cells: Iterable[Cell]) -> bool:
    # Called for every row of files with millions of them: a plain loop that stops at the
    # first value is several times faster than all(is_blank(c) for c in cells).
    for cell in cells:
        if cell is None:
            continue
        if not isinstance(cell, str) or (cell and not cell.isspace()):
            return False
    return True


class TableReader(ABC):
    """A table in a file: a header row, then data rows, read lazily on each call to `rows()`."""

    format_name = ""

    def __init__(self, opener: Opener, filename: str) -> None:
        self.opener = opener
        self.filename = filename
        self.header: tuple[str, ...] = ()
        self.header_row = 1

    @abstractmethod
    def _records(self) -> Generator[tuple[int, list[Cell]], None, None]:
        """Every row of the file with its number, blank ones included."""

    @abstractmethod
    def describe(self) -> str:
        """How the file was read, in words: format, encoding, delimiter or sheet."""

    def _load_header(self) -> None:
        with closing(self._records()) as records:
            first = next((r for r in records if not _is_blank_row(r[1])), None)
        if first is None:
            raise ImportFileError("the file is empty")
        number, cells = first
        names = [cell_text(c).strip() for c in cells]
        while names and not names[-1]:
            names.pop()
        seen: dict[str, int] = {}
        for index, name in enumerate(names, start=1):
            if found := control_characters(name):
                raise ImportFileError(
                    f"column {index} of the header ('{visible_text(name)}') contains {found}; "
                    "column names are plain text",
                    row=number,
                )
            if not name:
                raise ImportFileError(
                    f"column {index} of the header has no name; every column needs one",
                    row=number,
                )
            key = normalise_header(name)
            if key in seen:
                raise ImportFileError(
                    f"the header has two columns called {name!r} "
                    f"(columns {seen[key]} and {index}); rename one of them",
                    row=number,
                    column=name,
                )
            seen[key] = index
        self.header = tuple(names)
        self.header_row = number

    def rows(self) -> Generator[SourceRow, None, None]:
        """The data rows after the header; blank rows are skipped."""
        width = len(self.header)
        header_row = self.header_row
        with closing(self._records()) as records:
            for number, cells in records:
                if number <= header_row or _is_blank_row(cells):
                    continue
                if len(cells) == width:
                    yield SourceRow(number, tuple(cells))
                    continue
                problem = ""
                if len(cells) > width:
                    extra = cells[width:]
                    if not _is_blank_row(extra):
                        problem = (
                            f"this row has {width + len(extra)} values but the header has "
                            f"{width} columns"
                        )
                    cells = cells[:width]
                elif len(cells) < width:
                    problem = f"this row has {len(cells)} values but the header has {width} columns"
                    cells = [*cells, *([None] * (width - len(cells)))]
                yield SourceRow(number=number, cells=tuple(cells), problem=problem)

    def count(self) -> int:
        """How many data rows there are (one streaming pass): the rows `rows` yields, without
        building them."""
        header_row = self.header_row
        with closing(self._records()) as records:
            return sum(
                1 for number, cells in records if number > header_row and not _is_blank_row(cells)
            )

    def check_has_data(self) -> None:
        with closing(self.rows()) as rows:
            if next(rows, None) is None:
                raise ImportFileError(
                    "the file has a header row but no data rows", row=self.header_row
                )


def detect_encoding(opener: Opener) -> tuple[str, str]:
    """(codec, description) for a text file: a byte-order mark wins; then UTF-16 without a mark
    (NUL bytes give it away); then UTF-8 if every byte decodes; else Windows-1252/Latin-1."""
    with opener() as f:
        head = f.read(4096)
    for bom, codec, label in _BOMS:
        if head.startswith(bom):
            return codec, label
    if b"\x00" in head:
        even, odd = head[0::2], head[1::2]
        if odd.count(0) > len(odd) // 2 and even.count(0) == 0:
            return "utf-16-le", "UTF-16 LE (no byte-order mark)"
        if even.count(0) > len(even) // 2 and odd.count(0) == 0:
            return "utf-16-be", "UTF-16 BE (no byte-order mark)"
    if _decodes(opener, "utf-8"):
        return "utf-8", "UTF-8"
    if _decodes(opener, "cp1252"):
        return "cp1252", "Windows-1252 / Latin-1 (the file is not valid UTF-8)"
    return "latin-1", "Latin-1 (ISO-8859-1; the file is not valid UTF-8)"


def _decodes(opener: Opener, codec: str) -> bool:
    decoder = codecs.getincrementaldecoder(codec)(errors="strict")
    with opener() as f:
        try:
            while chunk := f.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


_BINARY_SAMPLE = 8192
_BINARY_MIN_CONTROLS = 4
_BINARY_SHARE = 0.05


class _LineTracker:
    """Feeds lines to the csv module and remembers whether the last one ended with a newline,
    which tells a file that was cut off from one that merely lacks a final line break."""

    def __init__(self, lines: Iterable[str]) -> None:
        self._lines = iter(lines)
        self.ended_with_newline = True

    def __iter__(self) -> Iterator[str]:
        for line in self._lines:
            self.ended_with_newline = line.endswith(("\n", "\r"))
            yield line


class CsvReader(TableReader):
    format_name = "CSV"

    def __init__(self, opener: Opener, filename: str) -> None:
        super().__init__(opener, filename)
        self.encoding, self.encoding_label = detect_encoding(opener)
        self._refuse_binary()
        self.delimiter = self._sniff_delimiter()
        self._load_header()

    def describe(self) -> str:
        delimiter = _DELIMITER_NAMES[self.delimiter]
        return f"CSV, {self.encoding_label}, {delimiter}-separated"

    def _text(self, raw: IO[bytes]) -> io.TextIOWrapper:
        return io.TextIOWrapper(raw, encoding=self.encoding, errors="strict", newline="")

    def _refuse_binary(self) -> None:
        """Binary data decodes as Latin-1 like any byte string, and its first line then became
        a header of garbage ("no column for external_id"). Text has almost no control
        characters; binary data is full of them. A stray one in a cell is left for the row
        check, which names its row and column."""
        with self.opener() as raw:
            sample = raw.read(_BINARY_SAMPLE)
        text = sample.decode(self.encoding, errors="replace")
        controls = len(CONTROL_CHARACTER.findall(text)) + text.count("\ufffd")
        if controls >= _BINARY_MIN_CONTROLS and controls >= len(text) * _BINARY_SHARE:
            raise ImportFileError(
                f"{_NOT_A_TABLE}: its content is binary data, not text "
                f"({controls:,} of its first {len(text):,} characters are control characters)"
            )

    def _sniff_delimiter(self) -> str:
        """The candidate that splits the first lines into the most columns, consistently."""
        with self.opener() as raw:
            sample = self._text(raw).read(64 * 1024)
        lines = sample.splitlines(keepends=True)
        if len(sample) == 64 * 1024 and len(lines) > 1:
            lines = lines[:-1]  # the last line of the sample may be cut in the middle
        lines = [line for line in lines if line.strip()][:20]
        best, best_score = ",", (False, 0)
        for delimiter in _DELIMITERS:
            try:
                records = list(csv.reader(lines, delimiter=delimiter))
            except csv.Error:
                continue
            if not records:
                continue
            width = len(records[0])
            consistent = all(len(r) == width for r in records[1:])
            score = (consistent and width > 1, width)
            if score > best_score:
                best, best_score = delimiter, score
        return best

    def _records(self) -> Generator[tuple[int, list[Cell]], None, None]:
        width = len(self.header)
        with self.opener() as raw:
            tracker = _LineTracker(self._text(raw))
            reader = csv.reader(tracker, delimiter=self.delimiter, strict=True)
            number = 0
            previous: list[str] | None = None
            while True:
                try:
                    cells = next(reader)
                except StopIteration:
                    break
                except csv.Error as exc:
                    raise _csv_problem(exc, number + 1) from exc
                number += 1
                if previous is not None:
                    yield number - 1, previous  # type: ignore[misc]
                previous = cells
            if previous is not None:
                if (
                    width
                    and 0 < len(previous) < width
                    and not tracker.ended_with_newline
                    and not _is_blank_row(previous)
                ):
                    raise ImportFileError(
                        f"the file seems cut off: its last row has {len(previous)} of {width} "
                        "values and no line break at the end; export the file again",
                        row=number,
                    )
                yield number, previous  # type: ignore[misc]


def _csv_problem(exc: csv.Error, number: int) -> ImportFileError:
    text = str(exc)
    if "unexpected end of data" in text:
        return ImportFileError(
            "the file ends inside a quoted value that starts on this row: the file seems cut "
            "off, or a quote is never closed",
            row=number,
        )
    if "field larger than field limit" in text:
        return ImportFileError(
            f"a value is longer than {csv.field_size_limit():,} characters; a quote is "
            "probably never closed",
            row=number,
        )
    if "NUL" in text:
        return ImportFileError(
            "this row contains NUL bytes; save the file as UTF-8 CSV and try again", row=number
        )
    return ImportFileError(f"this row is not valid CSV ({visible_text(text)})", row=number)


class XlsxReader(TableReader):
    format_name = "XLSX"

    def __init__(self, opener: Opener, filename: str, sheet: str | None = None) -> None:
        super().__init__(opener, filename)
        self.requested_sheet = sheet or None
        self.sheet_name = ""
        workbook.check_workbook_limits(opener)
        self._load_header()

    def describe(self) -> str:
        return f"XLSX workbook, sheet {self.sheet_name!r}"

    def _records(self) -> Generator[tuple[int, list[Cell]], None, None]:
        with self.opener() as raw:
            try:
                book, strings = workbook.open_workbook(raw)
            except workbook.DAMAGED as exc:
                raise ImportFileError(workbook.DAMAGED_WORKBOOK) from exc
            try:
                sheet = self._pick_sheet(book)
                number = cells = 0
                try:
                    # read_only mode yields empty tuples for missing rows, so counting keeps the
                    # numbers identical to the row numbers Excel shows.
                    for values in sheet.iter_rows(values_only=True):
                        number += 1
                        cells += len(values)
                        if number > workbook.XLSX_LAST_ROW:
                            raise ImportFileError(workbook.DAMAGED_WORKBOOK, row=number)
                        if cells > workbook.MAX_XLSX_CELLS:
                            raise ImportFileError(
                                f"the sheet has more than {workbook.MAX_XLSX_CELLS:,} cells, the "
                                "most an import reads; split the file",
                                row=number,
                            )
                        yield number, list(values)
                except ImportFileError as exc:
                    exc.row = exc.row or number + 1
                    raise
                except workbook.DAMAGED as exc:
                    raise ImportFileError(
                        "the workbook cannot be read past this row: it is damaged or cut off; "
                        "open it in Excel or LibreOffice, save it again and upload the new file",
                        row=number + 1,
                    ) from exc
            finally:
                if strings is not None:
                    strings.close()
                # Closing a damaged archive has nothing left to tell.
                with suppress(*workbook.DAMAGED):
                    book.close()

    def _pick_sheet(self, book: Any) -> Any:
        names = list(book.sheetnames)
        if self.requested_sheet is None:
            if not names:
                raise ImportFileError("the workbook has no sheets")
            self.sheet_name = names[0]
            return book[names[0]]
        for name in names:
            if name == self.requested_sheet or name.casefold() == self.requested_sheet.casefold():
                self.sheet_name = name
                return book[name]
        raise ImportFileError(
            f"the workbook has no sheet called {self.requested_sheet!r}; "
            f"its sheets are: {', '.join(repr(n) for n in names)}"
        )


_XLSX_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"
# Files people upload by mistake, told by their first bytes rather than their name.
_BINARY_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\xfd7zXZ\x00", "an xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\x28\xb5\x2f\xfd", "a Zstandard archive"),
    (b"\x7fELF", "a program"),
    (b"SQLite format 3\x00", "an SQLite database"),
)
_NOT_A_TABLE = "this is not a CSV or XLSX file"


def open_table(opener: Opener, filename: str, *, sheet: str | None = None) -> TableReader:
    """Open a CSV or XLSX file (told apart by content, then by name) and check that it has a
    usable header and at least one data row."""
    with opener() as f:
        head = f.read(16)
    extension = os.path.splitext(filename)[1].lower()
    if head.startswith(_OLE_MAGIC) or extension == ".xls":
        raise ImportFileError(
            "old Excel .xls files cannot be read; save the sheet as .xlsx or CSV and try again"
        )
    for magic, kind in _BINARY_MAGIC:
        if head.startswith(magic):
            raise ImportFileError(f"{_NOT_A_TABLE}: it is {kind}")
    reader: TableReader
    if head.startswith(_XLSX_MAGIC):
        reader = XlsxReader(opener, filename, sheet=sheet)
    elif extension in (".xlsx", ".xlsm"):
        if not head:
            raise ImportFileError("the file is empty")
        raise ImportFileError(
            f"the file is named {extension} but is not an XLSX workbook: a workbook is a zip "
            "archive and this file is not one (it may be damaged, or another kind of file)"
        )
    else:
        if sheet:
            raise ImportFileError(
                f"a sheet name only applies to XLSX workbooks; {filename} is a CSV file"
            )
        reader = CsvReader(opener, filename)
    reader.check_has_data()
    return reader


def path_opener(path: str | os.PathLike[str]) -> Opener:
    def opener() -> IO[bytes]:
        return open(path, "rb")

    return opener
