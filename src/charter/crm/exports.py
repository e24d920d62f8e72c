"""Exports of a filtered fact list as CSV or XLSX. Both stream: the CSV row by row to the client,
the XLSX through openpyxl's write-only mode into a temporary file, so memory stays flat however
many rows the filters leave.

Text from the CRM is untrusted: in CSV a cell starting with = + - @ tab or CR gets a leading
apostrophe so spreadsheet programs do not run it as a formula; in XLSX text cells are typed as
strings, which spreadsheet programs never evaluate.

Times are written in the organization's time zone (the one its days and periods are counted
in), never the server's: every writer takes `time_zone`. A CSV time carries its offset; an XLSX
cell has no time zone, so it holds the organization's wall-clock time.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse

from charter.core.imports.report import safe_cell
from charter.core.spreadsheets import (
    DATE_FORMAT,
    DATETIME_FORMAT,
    INTEGER_FORMAT,
    MONEY_FORMAT,
    column_width,
    decimal_format,
    dress_header,
    header_cells,
    readable,
    sheet_title,
)
from charter.crm.models import Activity, CsatResponse, Deal, OwnedFact

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_CHUNK = 2000


@dataclass(frozen=True)
class Column:
    """One exported column: its header and how to read it from a row. Text columns carry CRM
    input and are protected; the others are numbers and dates the database typed."""

    header: str
    value: Callable[[Any], Any]
    text: bool = True
    # The XLSX heading; empty: the header in words (`close_date` reads "Close date"). The CSV
    # keeps `header`, which the importers read back.
    label: str = ""

    @property
    def heading(self) -> str:
        return self.label or readable(self.header)


def _owner_name(fact: OwnedFact) -> str:
    return fact.owner.full_name if fact.owner is not None else ""


def _owner_team(fact: OwnedFact) -> str:
    owner = fact.owner
    return owner.team.name if owner is not None and owner.team is not None else ""


_OWNER = [
    Column("owner", _owner_name),
    Column("team", _owner_team),
    Column("crm_owner", lambda f: f.owner_raw, label="CRM owner"),
]

DEAL_COLUMNS: Sequence[Column] = [
    Column("source", lambda d: d.source),
    Column("external_id", lambda d: d.external_id, label="External ID"),
    Column("name", lambda d: d.name),
    *_OWNER,
    Column("stage", lambda d: d.stage),
    Column("raw_stage", lambda d: d.raw_stage),
    Column("amount", lambda d: d.amount, text=False),
    Column("currency", lambda d: d.currency),
    Column(
        "amount_reporting",
        lambda d: d.amount_reporting,
        text=False,
        label="Amount (reporting currency)",
    ),
    Column("created_date", lambda d: d.created_date, text=False),
    Column("close_date", lambda d: d.close_date, text=False),
    Column("account", lambda d: d.account),
    Column("product", lambda d: d.product),
    Column("lead_source", lambda d: d.lead_source),
]

ACTIVITY_COLUMNS: Sequence[Column] = [
    Column("source", lambda a: a.source),
    Column("external_id", lambda a: a.external_id),
    *_OWNER,
    Column("kind", lambda a: a.kind),
    Column("raw_kind", lambda a: a.raw_kind),
    Column("occurred_at", lambda a: a.occurred_at, text=False),
    Column("duration_minutes", lambda a: a.duration_minutes, text=False),
    Column("outcome", lambda a: a.outcome),
    Column("subject", lambda a: a.subject),
]

CSAT_COLUMNS: Sequence[Column] = [
    Column("source", lambda c: c.source),
    Column("external_id", lambda c: c.external_id),
    *_OWNER,
    Column("score", lambda c: c.score, text=False),
    Column("scale", lambda c: c.scale, text=False),
    Column("date", lambda c: c.date, text=False),
    Column("account", lambda c: c.account),
]

COLUMNS: dict[type[OwnedFact], Sequence[Column]] = {
    Deal: DEAL_COLUMNS,
    Activity: ACTIVITY_COLUMNS,
    CsatResponse: CSAT_COLUMNS,
}


def _zone(time_zone: str) -> ZoneInfo:
    return ZoneInfo(time_zone or "UTC")


def _csv_value(column: Column, value: Any, zone: ZoneInfo) -> str:
    if value is None:
        return ""
    if column.text:
        return safe_cell(str(value))
    if isinstance(value, dt.datetime):
        return value.astimezone(zone).isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


class _Echo:
    """A file-like object whose write returns the line, for csv.writer in a generator."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: QuerySet[Any], columns: Sequence[Column], *, time_zone: str) -> Iterator[str]:
    # The zone is passed in rather than read from Django's current time zone: the lines are
    # generated while the response streams, after the view (and any override) has returned.
    zone = _zone(time_zone)
    writer = csv.writer(_Echo())
    yield writer.writerow([c.header for c in columns])
    for row in rows.iterator(chunk_size=_CHUNK):
        yield writer.writerow([_csv_value(c, c.value(row), zone) for c in columns])


def csv_response(
    rows: QuerySet[Any], columns: Sequence[Column], name: str, *, time_zone: str
) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        csv_lines(rows, columns, time_zone=time_zone), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


def _number_format(value: Any) -> str | None:
    if isinstance(value, dt.datetime):
        return DATETIME_FORMAT
    if isinstance(value, dt.date):
        return DATE_FORMAT
    if isinstance(value, Decimal):
        # Money is stored with cents; other decimals (a metric's value) keep their places.
        exponent = value.as_tuple().exponent
        places = -exponent if isinstance(exponent, int) else 0
        return MONEY_FORMAT if places == 2 else decimal_format(places)
    if isinstance(value, int):
        return INTEGER_FORMAT
    return None


def _xlsx_cell(sheet: Any, column: Column, value: Any, zone: ZoneInfo) -> Any:
    if value is None:
        return None
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if not column.text:
        if isinstance(value, dt.datetime):
            # Spreadsheets have no time zones: write the organization's wall-clock time.
            value = value.astimezone(zone).replace(tzinfo=None)
        elif not isinstance(value, Decimal | int | dt.date):
            return str(value)
        cell = WriteOnlyCell(sheet, value=value)
        number_format = _number_format(value)
        if number_format is not None:
            cell.number_format = number_format
        return cell
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", str(value)))
    # openpyxl would store "=…" as a formula; a string cell is never evaluated.
    cell.data_type = "s"
    return cell


# Widths by what a column holds (a streamed sheet is sized before its rows are read).
_WIDTHS = {True: 22, False: 14}


def write_xlsx(
    rows: QuerySet[Any], columns: Sequence[Column], target: Any, title: str, *, time_zone: str
) -> int:
    """Write `rows` to the file object `target`; returns how many data rows were written."""
    # openpyxl is imported on first use: the processes that never write a workbook (the import
    # command, every page that only links to an export) need not load it.
    from openpyxl import Workbook

    zone = _zone(time_zone)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=sheet_title(title))
    headings = [c.heading for c in columns]
    dress_header(
        sheet,
        [column_width([h, "x" * _WIDTHS[c.text]]) for h, c in zip(headings, columns, strict=True)],
    )
    sheet.append(header_cells(sheet, headings))
    count = 0
    for row in rows.iterator(chunk_size=_CHUNK):
        sheet.append([_xlsx_cell(sheet, c, c.value(row), zone) for c in columns])
        count += 1
    book.save(target)
    return count


def xlsx_response(
    rows: QuerySet[Any], columns: Sequence[Column], name: str, *, title: str, time_zone: str
) -> FileResponse:
    # The temporary file goes away when the response closes it after sending.
    target = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - closed by FileResponse
    write_xlsx(rows, columns, target, title=title, time_zone=time_zone)
    target.seek(0)
    return FileResponse(target, as_attachment=True, filename=f"{name}.xlsx", content_type=XLSX_TYPE)
