"""The team heatmap: people down the side, the requirements in effect across the top, and in
each cell where the person stands on that requirement, with totals both ways.

A requirement can ask several things (hours and trainings); its cell shows the most pressing of
them, so one overdue training makes the cell overdue even when the hours are done. A cell is
done only when everything the requirement asks of the person is done, and not applicable when
the requirement does not reach the person or none of its items applies to them. Every state
carries a symbol and a word: the grid never speaks through colour alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from charter.learning.compliance import (
    DONE,
    DUE,
    DUE_SOON,
    LABELS,
    NOT_APPLICABLE,
    OVERDUE,
    STATES,
    Item,
)
from charter.learning.selectors import ComplianceRow, rules_on, team_compliance
from charter.org.models import Team

# Shapes that differ without colour; the word always follows, the symbol is decoration for
# assistive technology (`aria-hidden` in the page).
SYMBOLS = {DONE: "✓", DUE: "○", DUE_SOON: "◔", OVERDUE: "✗", NOT_APPLICABLE: "\u2013"}  # an en dash
# The badge class a state wears; the colour only repeats what the symbol and word say.
BADGES = {DONE: "badge-ok", DUE: "", DUE_SOON: "badge-warn", OVERDUE: "badge-bad",
          NOT_APPLICABLE: "muted"}  # fmt: skip


@dataclass(frozen=True)
class Column:
    requirement_id: int
    name: str


@dataclass(frozen=True)
class Cell:
    state: str
    items: tuple[Item, ...]

    @property
    def label(self) -> str:
        return LABELS[self.state]

    @property
    def symbol(self) -> str:
        return SYMBOLS[self.state]

    @property
    def badge(self) -> str:
        return BADGES[self.state]

    @property
    def detail(self) -> str:
        """Each item of the cell in words, for the cell's tooltip and the spreadsheet."""
        return "; ".join(f"{i.label}: {i.state_label}" for i in self.items)


@dataclass(frozen=True)
class Row:
    compliance: ComplianceRow
    cells: list[Cell]
    totals: dict[str, int]


@dataclass(frozen=True)
class Heatmap:
    team: Team
    day: dt.date
    columns: list[Column]
    rows: list[Row]
    totals: list[dict[str, int]]  # per column, state -> people

    @property
    def states(self) -> list[tuple[str, str, str]]:
        return [(s, LABELS[s], SYMBOLS[s]) for s in STATES]


def cell_state(items: list[Item]) -> str:
    """The most pressing state among `items` (STATES runs from most to least pressing), and not
    applicable when there is none."""
    if not items:
        return NOT_APPLICABLE
    return min((i.state for i in items), key=STATES.index)


def _count(states: list[str]) -> dict[str, int]:
    return {s: states.count(s) for s in STATES}


def build(rows: list[ComplianceRow], columns: list[Column], team: Team, day: dt.date) -> Heatmap:
    """The grid of `rows` over `columns`; a requirement that reaches nobody in the grid (another
    team's, another role's) is left out rather than shown as a column of "not applicable"."""
    reached = {item.requirement_id for row in rows for item in row.items}
    columns = [c for c in columns if c.requirement_id in reached]
    grid: list[Row] = []
    for row in rows:
        by_requirement: dict[int | None, list[Item]] = {}
        for item in row.items:
            by_requirement.setdefault(item.requirement_id, []).append(item)
        cells = []
        for column in columns:
            items = by_requirement.get(column.requirement_id, [])
            cells.append(Cell(state=cell_state(items), items=tuple(items)))
        grid.append(Row(compliance=row, cells=cells, totals=_count([c.state for c in cells])))
    totals = [_count([r.cells[i].state for r in grid]) for i in range(len(columns))]
    return Heatmap(team=team, day=day, columns=columns, rows=grid, totals=totals)


def team_heatmap(user: Any, team: Team, day: dt.date) -> Heatmap:
    """The heatmap of `team` and the teams below it as `user` reads it (the caller checked
    `can_view_team_compliance`). The rules are read once and handed to the compliance, so the
    query count does not grow with the people or the requirements."""
    rules = rules_on(team.org_id, day)
    columns = [Column(requirement_id=r.pk, name=r.name) for r, _version, _asks in rules.entries]
    return build(team_compliance(user, team, day, rules=rules), columns, team, day)
