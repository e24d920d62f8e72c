"""Scorecard exports: a grid of scorecards (a team's people, the org's teams) as CSV, XLSX or
PDF, and one person's scorecard as PDF.

CSV and XLSX carry plain numbers a spreadsheet can compute with (money with two decimals,
attainment in percent, never capped); names are text from the org chart, so the CSV guards
against formula injection and the XLSX types them as strings. The PDF is the web page's own
markup and inline SVG charts laid out by WeasyPrint.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.http import HttpResponse
from django.template.loader import render_to_string

from charter.core.imports.report import safe_cell
from charter.core.pdf import tagged_pdf
from charter.core.spreadsheets import (
    PERCENT_FORMAT,
    column_width,
    decimal_format,
    dress_header,
    header_cells,
    sheet_title,
)
from charter.kpis.cascade import describe
from charter.kpis.scoring import KpiResult, KpiSpec
from charter.kpis.selectors.subjects import Scorecard

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

GridRow = tuple[str, Scorecard]  # (what the row is: Person, Team, Organization; the card)


def _places(spec: KpiSpec) -> int:
    return max(spec.decimals, 2) if spec.unit == "money" else spec.decimals


def _rounded(value: Decimal | None, places: int) -> Decimal | None:
    if value is None:
        return None
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _percent(value: Decimal | None) -> Decimal | None:
    return _rounded(value * 100, 1) if value is not None else None


def header(specs: Sequence[KpiSpec], currency: str) -> list[str]:
    out = ["name", "kind", "period", "closed"]
    for spec in specs:
        unit = f" ({currency})" if spec.unit == "money" else ""
        out += [
            f"{spec.key} actual{unit}",
            f"{spec.key} target{unit}",
            f"{spec.key} attainment %",
            f"{spec.key} status",
            f"{spec.key} target source",
        ]
    out.append("score %")
    return out


def _status(result: KpiResult) -> str:
    """Empty without a target; a target with nothing to measure yet is not "No target"."""
    if result.target is None:
        return ""
    return result.status_label if result.status is not None else "No data yet"


def values(specs: Sequence[KpiSpec], kind: str, card: Scorecard) -> list[Any]:
    """One row: text first (untrusted names), then numbers (None where there is no figure)."""
    row: list[Any] = [card.name, kind, card.period.label, "yes" if card.closed else "no"]
    for spec in specs:
        result: KpiResult | None = card.result(spec.key)
        if result is None:
            row += [None, None, None, "", ""]
            continue
        places = _places(spec)
        row += [
            _rounded(result.actual, places),
            _rounded(result.target, places),
            _percent(result.attainment),
            _status(result),
            # Where the target came from, in words and figures (`kpis.cascade`).
            describe(result.target_source, result.target),
        ]
    row.append(_percent(card.score))
    return row


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return safe_cell(value)
    return str(value)


def csv_bytes(specs: Sequence[KpiSpec], rows: Sequence[GridRow], currency: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header(specs, currency))
    for kind, card in rows:
        writer.writerow([_csv_cell(v) for v in values(specs, kind, card)])
    return out.getvalue().encode("utf-8")


# What a figure counts, after the KPI's name in the XLSX heading (money: the currency).
_XLSX_UNITS = {"percent": "%", "days": "days", "points": "points"}


def xlsx_header(specs: Sequence[KpiSpec], currency: str) -> list[str]:
    """The XLSX header in words: the KPI's name, not its key (the CSV keeps keys for scripts)."""
    out = ["Name", "Kind", "Period", "Closed"]
    for spec in specs:
        unit = f" ({_XLSX_UNITS.get(spec.unit, currency)})" if spec.unit != "count" else ""
        out += [
            f"{spec.name}: actual{unit}",
            f"{spec.name}: target{unit}",
            f"{spec.name}: attainment",
            f"{spec.name}: status",
            f"{spec.name}: target source",
        ]
    out.append("Score")
    return out


def _xlsx_formats(specs: Sequence[KpiSpec]) -> list[str | None]:
    """Each column's number format, matching `values`: None for text."""
    out: list[str | None] = [None] * 4
    for spec in specs:
        figure = decimal_format(_places(spec))
        out += [figure, figure, PERCENT_FORMAT, None, None]
    out.append(PERCENT_FORMAT)
    return out


def _xlsx_value(value: Any, number_format: str | None) -> Any:
    # Attainment and score are percent numbers in `values` (156.3); a spreadsheet's percent
    # format wants the fraction (1.563), so a formula over the cell computes right.
    if number_format == PERCENT_FORMAT and value is not None:
        return value / 100
    return value


def xlsx_bytes(
    specs: Sequence[KpiSpec], rows: Sequence[GridRow], currency: str, title: str
) -> bytes:
    # Imported on first use, as in crm.exports: most processes never write a workbook.
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = sheet_title(title, fallback="Scorecards")
    labels = xlsx_header(specs, currency)
    formats = _xlsx_formats(specs)
    sheet.append(header_cells(sheet, labels))
    texts: list[list[str]] = [[label] for label in labels]
    for kind, card in rows:
        row = [_xlsx_value(v, f) for v, f in zip(values(specs, kind, card), formats, strict=True)]
        sheet.append(row)
        for cell, number_format, seen in zip(sheet[sheet.max_row], formats, texts, strict=True):
            if isinstance(cell.value, str):
                # A name starting with "=" stays text: openpyxl would store it as a formula.
                cell.value = ILLEGAL_CHARACTERS_RE.sub("", cell.value)
                cell.data_type = "s"
                seen.append(cell.value)
            elif cell.value is not None and number_format is not None:
                cell.number_format = number_format
                seen.append(f"{cell.value:,.2f}")
    dress_header(sheet, [column_width(seen) for seen in texts])
    target = io.BytesIO()
    book.save(target)
    return target.getvalue()


def pdf_bytes(template: str, context: dict[str, Any]) -> bytes:
    from weasyprint import HTML

    return tagged_pdf(HTML(string=render_to_string(template, context), base_url=None))


def _download(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def pdf_response(template: str, context: dict[str, Any], name: str) -> HttpResponse:
    return _download(pdf_bytes(template, context), "application/pdf", f"{name}.pdf")


def grid_response(
    fmt: str,
    specs: Sequence[KpiSpec],
    rows: Sequence[GridRow],
    *,
    name: str,
    title: str,
    context: dict[str, Any],
    currency: str,
) -> HttpResponse:
    if fmt == "csv":
        return _download(csv_bytes(specs, rows, currency), "text/csv; charset=utf-8", f"{name}.csv")
    if fmt == "xlsx":
        return _download(xlsx_bytes(specs, rows, currency, title), XLSX_TYPE, f"{name}.xlsx")
    return pdf_response("kpis/scorecards/pdf/grid.html", {**context, "title": title}, name)
