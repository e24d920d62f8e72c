"""The error report of an import: a readable table for the terminal and a CSV to download."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence

from charter.core.imports.base import Issue

REPORT_HEADER = ("row", "column", "value", "reason")
_VALUE_WIDTH = 30


def safe_cell(value: str) -> str:
    """Keep spreadsheet programs from running a cell as a formula (CSV injection)."""
    if value and value[0] in "=+-@\t\r":
        return "'" + value
    return value


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
