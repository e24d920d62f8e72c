"""The error report of an import: a readable table for the terminal and a CSV to download;
and the rejected rows themselves, in the file's own columns plus an "error" column, to be fixed
and uploaded again."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence

from charter.core.imports.base import Issue
from charter.core.imports.fields import cell_text, normalise_header
from charter.core.imports.readers import TableReader

REPORT_HEADER = ("row", "column", "value", "reason")
ERROR_COLUMN = "error"
_VALUE_WIDTH = 30
_NUMBER = re.compile(r"-?[\d.,\s]*\d[\d.,\s]*")


def safe_cell(value: str) -> str:
    """Keep spreadsheet programs from running a cell as a formula (CSV injection)."""
    if value and value[0] in "=+-@\t\r":
        return "'" + value
    return value


def _rejected_cell(cell: object) -> str:
    # A number stays as it is, so that a negative amount goes back into Charter unchanged;
    # any other cell a spreadsheet would run as a formula gets the quote of `safe_cell`.
    text = cell_text(cell)
    return text if _NUMBER.fullmatch(text) else safe_cell(text)


def rejected_rows(reader: TableReader, issues: Iterable[Issue]) -> Iterator[list[str]]:
    """The file's header with an "error" column, then each row that has an issue, its cells
    as the file holds them and its reasons in that column, in the file's order. A file that
    already has an "error" column (a fixed file that failed again) has it filled instead."""
    reasons: dict[int, list[str]] = {}
    for issue in issues:
        if issue.row is not None:
            said = f"{issue.column}: {issue.reason}" if issue.column else issue.reason
            reasons.setdefault(issue.row, []).append(said)
    header = list(reader.header)
    width = len(header)
    keys = [normalise_header(name) for name in header]
    at = keys.index(ERROR_COLUMN) if ERROR_COLUMN in keys else None
    yield [safe_cell(name) for name in (header if at is not None else [*header, ERROR_COLUMN])]
    if not reasons:
        return
    last = max(reasons)
    for source in reader.rows():
        if source.number > last:
            break
        found = reasons.get(source.number)
        if found is None:
            continue
        cells = [_rejected_cell(c) for c in source.cells]
        cells += [""] * (width - len(cells))
        reason = safe_cell("; ".join(found))
        if at is None:
            # After the file's columns; a row with too many values keeps them after it.
            cells.insert(width, reason)
        else:
            cells[at] = reason
        yield cells


def report_rows(issues: Iterable[Issue]) -> Iterator[list[str]]:
    yield list(REPORT_HEADER)
    for issue in issues:
        yield [
            "" if issue.row is None else str(issue.row),
            safe_cell(issue.column),
            safe_cell(issue.value),
            safe_cell(issue.reason),
        ]


def write_report_csv(issues: Iterable[Issue], stream: io.TextIOBase | io.StringIO) -> None:
    writer = csv.writer(stream)
    writer.writerows(report_rows(issues))


def _short(value: str, width: int) -> str:
    value = " ".join(value.split())
    return value if len(value) <= width else value[: width - 1] + "…"


def report_table(issues: Sequence[Issue], *, limit: int | None = 50) -> str:
    """Issues as aligned columns (row, column, value, reason), the first `limit` of them."""
    shown = list(issues if limit is None else issues[:limit])
    cells = [
        (
            "" if i.row is None else str(i.row),
            _short(i.column, 24),
            _short(i.value, _VALUE_WIDTH),
            " ".join(i.reason.split()),
        )
        for i in shown
    ]
    heads = ("Row", "Column", "Value", "Reason")
    widths = [max([len(heads[k]), *(len(c[k]) for c in cells)]) for k in range(3)]
    lines = [
        f"{heads[0]:>{widths[0]}}  {heads[1]:<{widths[1]}}  {heads[2]:<{widths[2]}}  {heads[3]}",
        f"{'-' * widths[0]}  {'-' * widths[1]}  {'-' * widths[2]}  {'-' * 6}",
    ]
    for row, column, value, reason in cells:
        lines.append(
            f"{row:>{widths[0]}}  {column:<{widths[1]}}  {value:<{widths[2]}}  {reason}".rstrip()
        )
    if limit is not None and len(issues) > limit:
        lines.append(f"… and {len(issues) - limit:,} more.")
    return "\n".join(lines)
