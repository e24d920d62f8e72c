"""Which column of the file feeds which field of the importer.

Columns are matched to fields by name and aliases, ignoring case, spaces, dashes and
underscores; an explicit mapping (`--map field=column`, a saved profile, the upload page's
selects) wins, and mapping a field to "" leaves it out of the import.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from charter.core.imports.fields import Field, normalise_header


@dataclass(frozen=True)
class ColumnMap:
    """The columns chosen for each field of one import."""

    header: tuple[str, ...]
    indexes: dict[str, int] = field(default_factory=dict)

    def column(self, name: str) -> str:
        index = self.indexes.get(name)
        return self.header[index] if index is not None else ""

    def names(self) -> dict[str, str]:
        """{field: column name}, the form saved in profiles and import runs."""
        return {name: self.header[index] for name, index in self.indexes.items()}

    def ignored(self) -> list[str]:
        used = set(self.indexes.values())
        return [name for index, name in enumerate(self.header) if index not in used]


class MappingError(Exception):
    """The columns of the file do not fit the importer's fields."""

    def __init__(self, problems: list[str], *, fields: Sequence[Field], header: Sequence[str]):
        super().__init__("; ".join(problems))
        self.problems = problems
        self.expected = ", ".join(f"{f.name} (required)" if f.required else f.name for f in fields)
        self.found = ", ".join(repr(h) for h in header)

    def __str__(self) -> str:
        lines = [*self.problems, f"Fields: {self.expected}.", f"Columns in the file: {self.found}."]
        return "\n".join(lines)


def _find_column(header: Sequence[str], wanted: str) -> int | None:
    for index, name in enumerate(header):
        if name == wanted:
            return index
    key = normalise_header(wanted)
    for index, name in enumerate(header):
        if normalise_header(name) == key:
            return index
    return None


def match_columns(
    fields: Sequence[Field], header: Sequence[str], overrides: Mapping[str, str] | None = None
) -> tuple[ColumnMap, list[str]]:
    """The best mapping that can be made, and every problem with it (empty when usable)."""
    overrides = dict(overrides or {})
    known = {f.name for f in fields}
    problems: list[str] = []
    indexes: dict[str, int] = {}
    for name in overrides:
        if name not in known:
            problems.append(
                f"there is no field called {name!r}; the fields are {', '.join(sorted(known))}"
            )
    for f in fields:
        if f.name not in overrides:
            continue
        wanted = (overrides[f.name] or "").strip()
        if not wanted:
            continue
        index = _find_column(header, wanted)
        if index is None:
            problems.append(f"the field {f.name!r} is mapped to {wanted!r}, which is not a column")
        else:
            indexes[f.name] = index
    taken = set(indexes.values())
    keyed: dict[str, int] = {}
    for index, name in enumerate(header):
        keyed.setdefault(normalise_header(name), index)
    for f in fields:
        if f.name in overrides:
            continue
        for key in f.header_keys():
            index = keyed.get(key)
            if index is not None and index not in taken:
                indexes[f.name] = index
                taken.add(index)
                break
    for f in fields:
        if f.required and f.name not in indexes and not overrides.get(f.name):
            expected = " or ".join(repr(x) for x in [f.label, *f.aliases])
            problems.append(
                f"no column for the required field {f.name!r}: expected a column called "
                f"{expected}, or map another column to it"
            )
    ordered = {f.name: indexes[f.name] for f in fields if f.name in indexes}
    return ColumnMap(header=tuple(header), indexes=ordered), problems


def resolve_mapping(
    fields: Sequence[Field], header: Sequence[str], overrides: Mapping[str, str] | None = None
) -> ColumnMap:
    column_map, problems = match_columns(fields, header, overrides)
    if problems:
        raise MappingError(problems, fields=fields, header=header)
    return column_map
