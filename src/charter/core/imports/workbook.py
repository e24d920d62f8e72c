"""What an XLSX workbook may hold before Charter reads it, and how its shared texts are read.

A workbook is a zip of XML parts: a few hundred kilobytes can unpack to gigabytes, or declare
millions of texts that openpyxl would load before the first row. The limits are checked from the
zip's directory and the first bytes of its parts before openpyxl reads anything, and again while
the rows stream (`readers.XlsxReader`), whatever the file claims.
"""

from __future__ import annotations

import functools
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING, Any

from charter.core.imports.base import ImportFileError

if TYPE_CHECKING:
    from charter.core.imports.readers import Opener

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
XLSX_LAST_ROW = 1_048_576
_MB = 1024 * 1024

# What a damaged zip or XML part raises somewhere in zipfile, zlib, the XML parser or openpyxl:
# all of it means the same to the person, "this workbook is damaged".
DAMAGED = (
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
    NotImplementedError,  # zipfile's answer to a compression method it cannot decompress
    RuntimeError,  # an encrypted part
    OverflowError,
    ArithmeticError,
)
DAMAGED_WORKBOOK = (
    "this XLSX workbook is damaged and cannot be read (a part of it is corrupt or cut off); "
    "open it in Excel or LibreOffice, save it again and upload the new file"
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
        except DAMAGED as exc:
            raise ImportFileError(DAMAGED_WORKBOOK) from exc


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


def open_workbook(raw: IO[bytes]) -> tuple[Any, _SharedStrings | None]:
    """A read-only workbook whose shared texts are read on demand, and that table."""
    reader = _reader_class()(raw, read_only=True, data_only=True)
    reader.read()
    strings = reader.shared_strings
    return reader.wb, strings if isinstance(strings, _SharedStrings) else None
