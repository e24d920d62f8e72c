"""The `Importer` contract every import (people, deals, activities, …) implements.

The runner (`charter.core.imports.runner`) drives an importer through four steps:

1. `prepare()`: load what validation needs in a few queries (existing teams, people, …);
2. `clean(row)` for every data row, streaming: the row's fields are already parsed by the
   field specs; `clean` adds importer rules with `row.error(...)` and returns the clean data;
3. `check(rows)` once, over every valid row: cross-row rules (duplicates, references between
   rows, cycles), returning issues;
4. `apply(rows)` inside one transaction: write the valid rows and say how many were created,
   updated or left unchanged. A dry run calls it too and rolls the transaction back.

`check` and `apply` run on the same instance, so `check` may keep what it resolved for `apply`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from charter.core.imports.fields import (
    CONTROL_CHARACTER,
    Field,
    FieldInvalid,
    Parser,
    cell_text,
    control_characters,
    is_blank,
    plain_text,
    visible_text,
)

if TYPE_CHECKING:
    from charter.core.models import ImportRun
    from charter.org.models import Organization

T = TypeVar("T")

_VALUE_DISPLAY_LIMIT = 200
# Rows whose notes are kept one by one (the preview shows the first few); past it only counted.
MAX_ROW_NOTES = 1_000


@dataclass(frozen=True)
class Issue:
    """One problem with the file: where it is as the person sees it, and why."""

    row: int | None
    column: str
    value: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "value": self.value, "reason": self.reason}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Issue:
        return cls(
            row=data.get("row"),
            column=str(data.get("column") or ""),
            value=str(data.get("value") or ""),
            reason=str(data.get("reason") or ""),
        )


@dataclass(frozen=True)
class ImportOption:
    """A yes/no switch an importer understands, e.g. `--create-teams`."""

    name: str
    label: str
    help: str

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.created + other.created,
            self.updated + other.updated,
            self.unchanged + other.unchanged,
        )


@dataclass(frozen=True)
class CleanRow(Generic[T]):
    number: int
    data: T


class ApplyError(Exception):
    """Raised from `apply` when a write is refused; the whole import is rolled back."""

    def __init__(self, issues: list[Issue]):
        super().__init__("; ".join(i.reason for i in issues))
        self.issues = issues


class ImportFileError(Exception):
    """The file as a whole cannot be read: empty, damaged, cut off, a bad header."""

    def __init__(self, reason: str, *, row: int | None = None, column: str = "", value: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.row = row
        self.column = column
        self.value = value

    def __str__(self) -> str:
        where = f"row {self.row}" if self.row else ""
        if self.column:
            where = f"{where}, column {self.column!r}" if where else f"column {self.column!r}"
        return f"{where}: {self.reason}" if where else self.reason


def display_value(cell: Any) -> str:
    # Control characters shown as escapes: the report must show them, and PostgreSQL would
    # refuse a NUL in the run's stored errors.
    text = visible_text(cell_text(cell))
    return text if len(text) <= _VALUE_DISPLAY_LIMIT else text[: _VALUE_DISPLAY_LIMIT - 1] + "…"


class Row:
    """One data row while it is being cleaned: parsed values by field, and its problems."""

    def __init__(self, *, number: int, raw: dict[str, Any], columns: Mapping[str, str]):
        self.number = number
        self.raw = raw
        self.columns = columns
        self.values: dict[str, Any] = {}
        self.issues: list[Issue] = []

    def __getitem__(self, name: str) -> Any:
        return self.values.get(name)

    def given(self, name: str) -> bool:
        """The field has a column and this row has something in it."""
        return name in self.raw and not is_blank(self.raw[name])

    def error(self, name: str, reason: str) -> None:
        self.issues.append(
            Issue(
                row=self.number,
                column=self.columns.get(name) or name,
                value=display_value(self.raw.get(name)),
                reason=reason,
            )
        )

    def parse(self, plan: ParsePlan) -> None:
        """Parse every field of `plan` (see `parse_plan`) into `values`, noting problems."""
        raw, values = self.raw, self.values
        # One search of the row's text rather than one per cell: almost no row holds a control
        # character, and the cells of one that does are then searched one by one.
        suspect = CONTROL_CHARACTER.search("".join(c for c in raw.values() if type(c) is str))
        for name, parse, required, label in plan:
            # `given`, written out: this runs for every cell of every row.
            cell = raw.get(name)
            if cell is None or (isinstance(cell, str) and (not cell or cell.isspace())):
                values[name] = None
                if required:
                    self.error(name, f"{label} is required")
                continue
            if suspect and type(cell) is str and CONTROL_CHARACTER.search(cell):
                values[name] = None
                self.error(
                    name, f"{label} contains {control_characters(cell)}; remove it from the file"
                )
                continue
            try:
                values[name] = parse(cell)
            except FieldInvalid as exc:
                values[name] = None
                self.error(name, f"{label} {exc}")


# (field name, parser, required, label) for each field a row is parsed for.
ParsePlan = tuple[tuple[str, Parser, bool, str], ...]


def parse_plan(fields: Sequence[Field]) -> ParsePlan:
    """What `Row.parse` needs of each field, read off the fields once per import instead of once
    per cell (a million-row file has millions of cells)."""
    return tuple((f.name, f.parse or plain_text, f.required, f.label) for f in fields)


class Importer(ABC, Generic[T]):
    """Base class of every importer; register subclasses with `registry.register_importer`."""

    name: ClassVar[str]
    label: ClassVar[str]  # what is imported, in words: "people"
    fields: ClassVar[tuple[Field, ...]]
    options: ClassVar[tuple[ImportOption, ...]] = ()
    # Options with a value rather than a yes/no switch (`--preset`, `--stage-map`,
    # `--date-format`, `--source`) that this importer understands; `clean_settings` checks them.
    valued_options: ClassVar[tuple[str, ...]] = ()

    def __init__(
        self,
        *,
        org: Organization,
        actor: Any,
        options: Mapping[str, Any] | None = None,
        skip_invalid: bool = False,
        columns: Mapping[str, str] | None = None,
        run: ImportRun | None = None,
    ) -> None:
        self.org = org
        # The run being applied (None for a preview), so written rows can point at it.
        self.run = run
        self.actor = actor
        known = {o.name for o in self.options}
        self.flags = {k: bool(v) for k, v in (options or {}).items() if k in known}
        self.skip_invalid = skip_invalid
        # {field: column name in the file}, so cross-row issues name the person's column.
        self.columns = dict(columns or {})
        # Notes on rows imported as they are but worth a word before confirming (an owner who
        # matches nobody yet, a date left empty): how many rows each summary covers, and the
        # notes of the first rows, for the preview to flag.
        self.notes: Counter[str] = Counter()
        self.row_notes: dict[int, list[Issue]] = {}

    def option(self, name: str) -> bool:
        return self.flags.get(name, False)

    def issue(self, row: int, name: str, value: Any, reason: str) -> Issue:
        return Issue(
            row=row,
            column=self.columns.get(name) or name,
            value=display_value(value),
            reason=reason,
        )

    def note(self, row: Row, name: str, reason: str, *, summary: str) -> None:
        """Say something about a row that does not stop it being imported; `summary` is what
        the preview says of all such rows ("the owner matches nobody in Charter yet")."""
        self.notes[summary] += 1
        if row.number in self.row_notes or len(self.row_notes) < MAX_ROW_NOTES:
            self.row_notes.setdefault(row.number, []).append(
                self.issue(row.number, name, row.raw.get(name), reason)
            )

    def prepare(self) -> None:
        """Load what validation needs; called once before the first row."""

    @abstractmethod
    def clean(self, row: Row) -> T:
        """Turn a parsed row into the data `apply` needs; report problems with `row.error`."""

    def check(self, rows: Iterable[CleanRow[T]]) -> Iterable[Issue]:
        """Cross-row rules over every valid row; the issues make their rows invalid."""
        return ()

    @abstractmethod
    def apply(self, rows: Iterable[CleanRow[T]]) -> Counts:
        """Write the rows (inside the runner's transaction); raise ApplyError to refuse."""

    @classmethod
    def clean_settings(cls, values: Mapping[str, Any]) -> dict[str, Any]:
        """Check the valued options a person gave and return them as stored in the run's
        options; raise ValueError with a reason they can act on."""
        if values:
            raise ValueError(f"the {cls.name} importer takes no {', '.join(sorted(values))}")
        return {}

    @classmethod
    def preset_mapping(cls, header: Sequence[str], options: Mapping[str, Any]) -> dict[str, str]:
        """Columns a preset chosen in `options` picks for fields ({field: column}); an explicit
        mapping still wins over them."""
        return {}

    @classmethod
    def result_url(cls, run: ImportRun) -> str:
        """Where a person sees the outcome of `run` (the job page links there)."""
        return ""

    @classmethod
    def outcome_notes(cls, run: ImportRun) -> list[str]:
        """What a person should know about a finished run beyond its counts (records that
        wait for something); the run page and the CLI show them."""
        return []

    @classmethod
    def describe_fields(cls) -> str:
        return "; ".join(f.describe() for f in cls.fields)
