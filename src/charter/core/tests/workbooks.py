"""Workbooks for import tests, written the way Excel writes them: texts in a shared table.

openpyxl writes every text inline in its sheet; Excel, LibreOffice and CRM exports put them in
xl/sharedStrings.xml and refer to them by number, which is what a reader must cope with."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from typing import Any

import openpyxl

_INLINE = re.compile(
    rb'<c r="([A-Z]+\d+)"([^>]*?) t="inlineStr"><is><t(?: [^>]*)?>(.*?)</t></is></c>'
)
_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_STRINGS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def workbook_bytes(rows: list[list[Any]], *, shared: bool = True) -> bytes:
    """An XLSX file of `rows` on one sheet; its texts in a shared table unless `shared` is off."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    data = out.getvalue()
    return with_shared_strings(data) if shared else rewrite(data, {})


def with_shared_strings(data: bytes) -> bytes:
    texts: dict[bytes, int] = {}

    def shared(match: re.Match[bytes]) -> bytes:
        index = texts.setdefault(match[3], len(texts))
        return b'<c r="%s"%s t="s"><v>%d</v></c>' % (match[1], match[2], index)

    def sheet(xml: bytes) -> bytes:
        return _INLINE.sub(shared, xml)

    with zipfile.ZipFile(io.BytesIO(data)) as source:
        converted = sheet(source.read("xl/worksheets/sheet1.xml"))
    items = b"".join(b"<si><t>%s</t></si>" % text for text in texts)
    table = (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        b'count="%d" uniqueCount="%d">%s</sst>' % (len(texts), len(texts), items)
    )
    return rewrite(
        data,
        {
            "xl/worksheets/sheet1.xml": converted,
            "xl/sharedStrings.xml": table,
            "[Content_Types].xml": lambda xml: xml.replace(
                b"</Types>",
                f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_STRINGS_TYPE}"/>'
                "</Types>".encode(),
            ),
            "xl/_rels/workbook.xml.rels": lambda xml: xml.replace(
                b"</Relationships>",
                f'<Relationship Id="rIdStrings" Type="{_STRINGS_REL}" '
                'Target="sharedStrings.xml"/></Relationships>'.encode(),
            ),
        },
    )


def rewrite(data: bytes, changes: dict[str, bytes | Callable[[bytes], bytes]]) -> bytes:
    """The workbook with parts changed, each to new bytes or by a function of its old bytes;
    parts it does not have yet are added. Its times are fixed, so the same rows give the same
    bytes on every run (a seeded test damages them in the same places)."""
    pending = dict(changes)
    pending.setdefault("docProps/core.xml", _fixed_times)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            change = pending.pop(info.filename, None)
            if callable(change):
                content = change(content)
            elif change is not None:
                content = change
            target.writestr(_fixed(info.filename), content, compress_type=zipfile.ZIP_DEFLATED)
        for name, change in pending.items():
            assert not callable(change), f"{name} is not in the workbook"
            target.writestr(_fixed(name), change, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _fixed(name: str) -> zipfile.ZipInfo:
    return zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))


def _fixed_times(xml: bytes) -> bytes:
    return re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2024-01-01T00:00:00Z", xml)
