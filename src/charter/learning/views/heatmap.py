"""The team heatmap (a row per person, a column per requirement) and its spreadsheet."""

from __future__ import annotations

import tempfile
from typing import Any

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, render

from charter.core.downloads import download_name
from charter.core.http import AuthenticatedHttpRequest, person_required
from charter.core.spreadsheets import (
    DATE_FORMAT,
    column_width,
    decimal_format,
    dress_header,
    header_cells,
    sheet_title,
)
from charter.learning.access import can_view_team_compliance
from charter.learning.heatmap import Heatmap, team_heatmap
from charter.learning.selectors import org_today
from charter.org.models import Team

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ITEM_HEADINGS = ["Person", "Email", "Team", "Requirement", "Item", "State", "Due", "Hours done",
                 "Hours asked", "Why"]  # fmt: skip


def _team(request: AuthenticatedHttpRequest, team_id: int) -> Team:
    found = get_object_or_404(Team, pk=team_id, org_id=request.person.org_id)
    if not can_view_team_compliance(request.user, found):
        raise Http404("No such team.")
    return found


@person_required
def heatmap(request: AuthenticatedHttpRequest, team_id: int) -> HttpResponse:
    found = _team(request, team_id)
    grid = team_heatmap(request.user, found, org_today(request.person.org))
    return render(request, "learning/heatmap.html", {"team": found, "grid": grid})


def _text(value: Any) -> Any:
    """Names and labels come from people: a leading = would make a formula of them."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def _grid_sheet(book: Any, grid: Heatmap) -> None:
    from openpyxl.cell import WriteOnlyCell

    sheet = book.create_sheet(title=sheet_title("Heatmap"))
    states = grid.states
    headings = ["Person", "Team"] + [c.name for c in grid.columns] + [s[1] for s in states]
    names = [r.compliance.person.full_name for r in grid.rows]
    widths = [column_width([h, *names] if i == 0 else [h, "x Not applicable"])
              for i, h in enumerate(headings)]  # fmt: skip
    dress_header(sheet, widths)
    sheet.append(header_cells(sheet, headings))
    for row in grid.rows:
        person = row.compliance.person
        cells: list[Any] = [_text(person.full_name), _text(person.team.name if person.team else "")]
        cells += [f"{c.symbol} {c.label}" for c in row.cells]
        cells += [row.totals[s] for s, _label, _symbol in states]
        sheet.append(cells)
    for state, label, _symbol in states:
        total = WriteOnlyCell(sheet, value=f"{label} (people)")
        sheet.append([total, ""] + [t[state] for t in grid.totals])


def _items_sheet(book: Any, grid: Heatmap) -> None:
    from openpyxl.cell import WriteOnlyCell

    sheet = book.create_sheet(title=sheet_title("Items", taken=["Heatmap"]))
    dress_header(sheet, [column_width([h, "x" * 16]) for h in ITEM_HEADINGS])
    sheet.append(header_cells(sheet, ITEM_HEADINGS))
    hours = decimal_format(2)
    for row in grid.rows:
        person = row.compliance.person
        for item in row.compliance.items:
            due = WriteOnlyCell(sheet, value=item.due)
            due.number_format = DATE_FORMAT
            done = WriteOnlyCell(sheet, value=item.hours_done)
            done.number_format = hours
            asked = WriteOnlyCell(sheet, value=item.hours_asked)
            asked.number_format = hours
            sheet.append(
                [_text(person.full_name), _text(person.email),
                 _text(person.team.name if person.team else ""), _text(item.requirement),
                 _text(item.label), item.state_label, due, done, asked, item.reason]
            )  # fmt: skip


@person_required
def team_xlsx(request: AuthenticatedHttpRequest, team_id: int) -> FileResponse:
    """The heatmap as a workbook: the grid with its totals, then one row per item as in the CSV."""
    from openpyxl import Workbook

    found = _team(request, team_id)
    day = org_today(request.person.org)
    grid = team_heatmap(request.user, found, day)
    book = Workbook(write_only=True)
    _grid_sheet(book, grid)
    _items_sheet(book, grid)
    # The temporary file goes away when the response closes it after sending.
    target = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - closed by FileResponse
    book.save(target)
    target.seek(0)
    name = download_name(found.name, "learning", day.isoformat(), extension="xlsx")
    return FileResponse(target, as_attachment=True, filename=name, content_type=XLSX_TYPE)
