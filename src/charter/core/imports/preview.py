"""What the upload page shows before anything is written: the first rows as they will be
read, with their problems, and — for files small enough to check within a page load — every
problem in the file, cross-row rules included."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import islice
from typing import TYPE_CHECKING, Any

from charter.core.imports.base import CleanRow, Importer, Issue, display_value
from charter.core.imports.mapping import ColumnMap
from charter.core.imports.readers import TableReader
from charter.core.imports.runner import validate
from charter.core.imports.store import RowStore

if TYPE_CHECKING:
    from charter.org.models import Organization

PREVIEW_ROWS = 20
FULL_CHECK_LIMIT = 5_000


@dataclass(frozen=True)
class PreviewCell:
    text: str
    problem: str = ""
    note: str = ""


@dataclass
class PreviewRow:
    number: int
    cells: list[PreviewCell]
    issues: list[Issue]
    notes: list[Issue] = field(default_factory=list)


@dataclass
class Preview:
    columns: list[tuple[str, str]]  # (field label, column in the file)
    rows: list[PreviewRow] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    issue_count: int = 0
    invalid_rows: int = 0
    # None when the file is too long to count in a page load.
    total_rows: int | None = None
    full_check: bool = False
    # (summary, rows) of what the importer noted on rows it will import as they are.
    notes: list[tuple[str, int]] = field(default_factory=list)

    @property
    def issues_elsewhere(self) -> list[Issue]:
        """Problems on rows the preview table does not show (or on no row at all)."""
        shown = {r.number for r in self.rows}
        return [i for i in self.issues if i.row not in shown]


def build_preview(
    *,
    importer_cls: type[Importer[Any]],
    reader: TableReader,
    column_map: ColumnMap,
    org: Organization,
    actor: Any,
    options: Mapping[str, Any],
    skip_invalid: bool,
    show: int = PREVIEW_ROWS,
    full_check_limit: int = FULL_CHECK_LIMIT,
) -> Preview:
    counted = sum(1 for _ in islice(reader.rows(), full_check_limit + 1))
    full = counted <= full_check_limit
    importer = importer_cls(
        org=org,
        actor=actor,
        options=options,
        skip_invalid=skip_invalid,
        columns=column_map.names(),
    )
    importer.prepare()
    mapped = [f for f in importer_cls.fields if f.name in column_map.indexes]
    preview = Preview(
        columns=[(f.label, column_map.column(f.name)) for f in mapped],
        total_rows=counted if full else None,
        full_check=full,
    )
    with RowStore[CleanRow[Any]]() as store:
        result = validate(
            importer,
            reader,
            column_map,
            store=store,
            limit=None if full else show,
            samples=show,
            cross_check=full,
        )
    for number, raw, issues in result.samples:
        by_column = {i.column: i.reason for i in issues}
        notes = importer.row_notes.get(number, [])
        noted = {i.column: i.reason for i in notes}
        cells = [
            PreviewCell(
                text=display_value(raw.get(f.name)),
                problem=by_column.get(column_map.column(f.name), ""),
                note=noted.get(column_map.column(f.name), ""),
            )
            for f in mapped
        ]
        preview.rows.append(PreviewRow(number=number, cells=cells, issues=issues, notes=notes))
    preview.notes = importer.notes.most_common()
    preview.issues = result.issues.sorted()
    preview.issue_count = result.issues.total
    preview.invalid_rows = len(result.issues.rows)
    return preview
