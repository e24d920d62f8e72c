"""Streaming readers for CSV and XLSX files: one row at a time, never the whole file in memory.

A reader is opened from an *opener* (a function returning a fresh binary file object) rather
than from a path, because every pass (header, count, validation) re-opens the file and the file
may live in Django's storage instead of on the local disk.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import functools
import io
import os
import re
import struct
import zipfile
import zlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import closing, suppress
from typing import IO, Any, NamedTuple

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


# Limits on a workbook, checked from the zip's directory and the first bytes of its parts before
# openpyxl reads anything, and again while streaming. Sized for real CRM exports with room to
# spare: a 200,000-deal export of 30 columns is 6 M cells, some 150 MB of sheet XML and a few
# hundred thousand distinct texts (ids, names, emails, account names). A crafted 208 KB workbook
# of 5,000,000 shared strings (85 MB unpacked) held a web request for 155 s and half a gigabyte.
MAX_XLSX_UNPACKED_BYTES = 256 * 1024 * 1024
# The sheet XML of real exports deflates 5 to 40 times; that crafted file 400 times. Parts under
# a megabyte unpacked cannot hurt, so their ratio is not looked at.
MAX_XLSX_RATIO = 200
_RATIO_FROM_BYTES = 1024 * 1024
# openpyxl keeps every distinct text of the workbook in memory (some 100 bytes each).
MAX_XLSX_SHARED_STRINGS = 1_000_000
MAX_XLSX_CELLS = 20_000_000
# Excel's own last row; a row number past it only comes from a damaged or crafted file, and
# openpyxl would hand out an empty row for every number skipped.
_XLSX_LAST_ROW = 1_048_576
_MB = 1024 * 1024

# What a damaged zip or XML part raises somewhere in zipfile, zlib, the XML parser or openpyxl:
# all of it means the same to the person, "this workbook is damaged".
_DAMAGED = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    struct.error,
    EOFError,
    OSError,
    KeyError,
    IndexError,
    ValueError,
    TypeError,
    AttributeError,
    SyntaxError,  # xml.etree.ElementTree.ParseError
    NotImplementedError,  # a compression method zipfile does not know
    RuntimeError,  # an encrypted part
    OverflowError,
    ArithmeticError,
)
_DAMAGED_WORKBOOK = (
    "this XLSX workbook is damaged and cannot be read (a part of it is corrupt or cut off); "
    "open it in Excel or LibreOffice, save it again and upload the new file"
)


class ImportFileError(Exception):
    """The file as a whole cannot be read: empty, damaged, cut off, a bad header."""

    def __init__(self, reason: str, *, row: int | None = None, column: str = "", value: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.row = row
        self.column = column
        self.value = value

    def __str__(self) -> str:
        where = f"row {self.row}" if self.row else ""
        if self.column:
            where = f"{where}, column {self.column!r}" if where else f"column {self.column!r}"
        return f"{where}: {self.reason}" if where else self.reason


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
        check_workbook_limits(opener)
        self._load_header()

    def describe(self) -> str:
        return f"XLSX workbook, sheet {self.sheet_name!r}"

    def _records(self) -> Generator[tuple[int, list[Cell]], None, None]:
        with self.opener() as raw:
            try:
                workbook, strings = _open_workbook(raw)
            except _DAMAGED as exc:
                raise ImportFileError(_DAMAGED_WORKBOOK) from exc
            try:
                sheet = self._pick_sheet(workbook)
                number = cells = 0
                try:
                    # read_only mode yields empty tuples for missing rows, so counting keeps the
                    # numbers identical to the row numbers Excel shows.
                    for values in sheet.iter_rows(values_only=True):
                        number += 1
                        cells += len(values)
                        if number > _XLSX_LAST_ROW:
                            raise ImportFileError(_DAMAGED_WORKBOOK, row=number)
                        if cells > MAX_XLSX_CELLS:
                            raise ImportFileError(
                                f"the sheet has more than {MAX_XLSX_CELLS:,} cells, the most an "
                                "import reads; split the file",
                                row=number,
                            )
                        yield number, list(values)
                except ImportFileError as exc:
                    exc.row = exc.row or number + 1
                    raise
                except _DAMAGED as exc:
                    raise ImportFileError(
                        "the workbook cannot be read past this row: it is damaged or cut off; "
                        "open it in Excel or LibreOffice, save it again and upload the new file",
                        row=number + 1,
                    ) from exc
            finally:
                if strings is not None:
                    strings.close()
                # Closing a damaged archive has nothing left to tell.
                with suppress(*_DAMAGED):
                    workbook.close()

    def _pick_sheet(self, workbook: Any) -> Any:
        names = list(workbook.sheetnames)
        if self.requested_sheet is None:
            if not names:
                raise ImportFileError("the workbook has no sheets")
            self.sheet_name = names[0]
            return workbook[names[0]]
        for name in names:
            if name == self.requested_sheet or name.casefold() == self.requested_sheet.casefold():
                self.sheet_name = name
                return workbook[name]
        raise ImportFileError(
            f"the workbook has no sheet called {self.requested_sheet!r}; "
            f"its sheets are: {', '.join(repr(n) for n in names)}"
        )


_SST_COUNT = re.compile(rb'<(?:\w+:)?sst\b[^>]*?\bcount="(\d+)"')
_SST_UNIQUE = re.compile(rb'<(?:\w+:)?sst\b[^>]*?\buniqueCount="(\d+)"')
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*?\bref="([A-Za-z0-9:$]+)"')
# The start tags that carry the counts come first in a part; 8 KB leaves room for namespaces.
_HEAD_BYTES = 8192


def check_workbook_limits(opener: Opener) -> None:
    """Refuse a workbook too big to read (see the MAX_XLSX_* limits) from its zip directory and
    the first bytes of its parts, before openpyxl unpacks anything; a damaged zip is refused."""
    with opener() as raw:
        try:
            with zipfile.ZipFile(raw) as archive:
                _check_archive(archive)
        except _DAMAGED as exc:
            raise ImportFileError(_DAMAGED_WORKBOOK) from exc


def _check_archive(archive: zipfile.ZipFile) -> None:
    infos = archive.infolist()
    if not any(info.filename == "[Content_Types].xml" for info in infos):
        raise ImportFileError(
            "this is a zip archive, not an XLSX workbook (a workbook holds [Content_Types].xml "
            "and its sheets); upload the CSV or XLSX file itself"
        )
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size >= _RATIO_FROM_BYTES and ratio > MAX_XLSX_RATIO:
            raise ImportFileError(
                f"the workbook's part {info.filename} unpacks {ratio:,.0f} times larger than it "
                f"is stored ({info.file_size / _MB:,.0f} MB); more than {MAX_XLSX_RATIO} times "
                "is refused, as no real export compresses that well"
            )
    if total > MAX_XLSX_UNPACKED_BYTES:
        raise ImportFileError(
            f"the workbook unpacks to {total / _MB:,.0f} MB; an import reads at most "
            f"{MAX_XLSX_UNPACKED_BYTES // _MB} MB unpacked; split the file or export it as CSV"
        )
    for info in infos:
        name = info.filename.lower()
        if name.endswith("sharedstrings.xml"):
            head = _head(archive, info)
            match = _SST_UNIQUE.search(head) or _SST_COUNT.search(head)
            count = int(match[1]) if match else 0
            if count > MAX_XLSX_SHARED_STRINGS:
                raise ImportFileError(_too_many_strings(count))
        elif name.startswith("xl/worksheets/") and name.endswith(".xml"):
            match = _DIMENSION.search(_head(archive, info))
            ref = match[1].decode("ascii") if match else ""
            cells = _dimension_cells(ref) if ref else 0
            if cells > MAX_XLSX_CELLS:
                raise ImportFileError(
                    f"a sheet of the workbook spans {cells:,} cells ({ref}); an import reads at "
                    f"most {MAX_XLSX_CELLS:,}; split the file"
                )


def _head(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    with archive.open(info) as part:
        return part.read(_HEAD_BYTES)


def _dimension_cells(ref: str) -> int:
    from openpyxl.utils.cell import range_boundaries

    try:
        low_col, low_row, high_col, high_row = range_boundaries(ref.replace("$", ""))
    except (ValueError, TypeError):
        return 0  # openpyxl ignores what it cannot read, and the cells are counted as read
    if None in (low_col, low_row, high_col, high_row):
        return 0
    return (high_col - low_col + 1) * (high_row - low_row + 1)


def _too_many_strings(count: int) -> str:
    return (
        f"the workbook holds {count:,} distinct texts; an import reads at most "
        f"{MAX_XLSX_SHARED_STRINGS:,}; split the file or export it as CSV"
    )


class _SharedStrings:
    """A workbook's shared-text table, read only as far as the cells asked for so far.

    openpyxl reads the whole table when it opens a workbook, before the first row; a preview of
    the first rows then paid for every text of the file. Read lazily, it costs what it shows,
    and the count is checked while streaming, whatever the table's header claimed."""

    def __init__(self, archive: zipfile.ZipFile, path: str) -> None:
        self._archive = archive
        self._path = path
        self._items: list[str] = []
        self._source: IO[bytes] | None = None
        self._nodes: Iterator[tuple[str, Any]] | None = None

    def __getitem__(self, index: int) -> str:
        if index < 0:
            raise IndexError(index)
        while index >= len(self._items):
            if not self._advance():
                raise IndexError(index)
        return self._items[index]

    def _advance(self) -> bool:
        from openpyxl.cell.text import Text
        from openpyxl.xml.constants import SHEET_MAIN_NS
        from openpyxl.xml.functions import iterparse

        if self._nodes is None:
            self._source = self._archive.open(self._path)
            self._nodes = iter(iterparse(self._source))
        tag = f"{{{SHEET_MAIN_NS}}}si"
        for _, node in self._nodes:
            if node.tag == tag:
                # As openpyxl's own reader: the text of every run, with Excel's escape undone.
                self._items.append(Text.from_tree(node).content.replace("x005F_", ""))
                node.clear()
                if len(self._items) > MAX_XLSX_SHARED_STRINGS:
                    raise ImportFileError(_too_many_strings(len(self._items)))
                return True
        return False

    def close(self) -> None:
        if self._source is not None:
            self._source.close()


@functools.cache
def _reader_class() -> type[Any]:
    # openpyxl is imported on first use: the web process need not load it to start.
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.xml.constants import SHARED_STRINGS

    class LazyStringsReader(ExcelReader):
        def read_strings(self) -> None:
            part = self.package.find(SHARED_STRINGS)
            if part is not None:
                self.shared_strings = _SharedStrings(self.archive, part.PartName[1:])

    return LazyStringsReader


def _open_workbook(raw: IO[bytes]) -> tuple[Any, _SharedStrings | None]:
    """A read-only workbook whose shared texts are read on demand, and that table."""
    reader = _reader_class()(raw, read_only=True, data_only=True)
    reader.read()
    strings = reader.shared_strings
    return reader.wb, strings if isinstance(strings, _SharedStrings) else None


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
