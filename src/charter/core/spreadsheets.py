"""What every XLSX export shares: a sheet title Excel accepts, made from any text, and a header
row a person can read (frozen, bold, columns wide enough), with number formats for the figures."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

# Excel refuses these in a sheet title (openpyxl raises on them), and control characters
# cannot be stored in the workbook's XML at all.
_FORBIDDEN = re.compile(r"[:\\/?*\[\]\x00-\x1f\x7f]")
MAX_TITLE = 31
# Excel keeps this name for itself (the change history sheet).
_RESERVED = {"history"}


def sheet_title(text: str, *, taken: Iterable[str] = (), fallback: str = "Sheet") -> str:
    """`text` as a sheet title: forbidden characters become spaces, at most 31 characters, no
    apostrophe at either end, and different (ignoring case, as Excel does) from `taken`, the
    titles the workbook already has. Names come from the org chart and CRM, so anything goes."""
    title = " ".join(_FORBIDDEN.sub(" ", text).split())[:MAX_TITLE].strip().strip("'").strip()
    if not title or title.casefold() in _RESERVED:
        title = fallback
    used = {t.casefold() for t in taken}
    candidate, number = title, 2
    while candidate.casefold() in used:
        suffix = f" ({number})"
        candidate = title[: MAX_TITLE - len(suffix)].rstrip() + suffix
        number += 1
    return candidate


# Number formats a reader expects: thousands separators, money with cents, dates as dates.
MONEY_FORMAT = "#,##0.00"
INTEGER_FORMAT = "#,##0"
PERCENT_FORMAT = "0.0%"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
MIN_WIDTH = 8
MAX_WIDTH = 48


def decimal_format(places: int) -> str:
    """A number format with thousands separators and `places` decimals."""
    return INTEGER_FORMAT if places <= 0 else f"{INTEGER_FORMAT}.{'0' * places}"


def readable(header: str) -> str:
    """A machine header as a person reads it: `amount_reporting` becomes `Amount reporting`."""
    words = header.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def column_width(texts: Iterable[str]) -> int:
    """A column wide enough for its longest text (header or value), within sensible bounds."""
    longest = max((len(t) for t in texts), default=0)
    return max(MIN_WIDTH, min(MAX_WIDTH, longest + 2))


def dress_header(sheet: Any, widths: Sequence[int]) -> None:
    """Freeze the header row and set each column's width. Works on a write-only sheet too, as
    long as it runs before the first row is appended."""
    from openpyxl.utils import get_column_letter

    sheet.freeze_panes = "A2"
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def header_cells(sheet: Any, labels: Sequence[str]) -> list[Any]:
    """Bold header cells (write-only sheets take cells, not styles applied afterwards)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    cells = []
    for label in labels:
        cell = WriteOnlyCell(sheet, value=label)
        cell.font = Font(bold=True)
        cell.data_type = "s"
        cells.append(cell)
    return cells
