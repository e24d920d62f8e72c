"""Forms of the KPI pages: the target grid of a team (people and the team itself, by KPI).

A grid cell holds the target in effect on the period's last day (see `scoring.value_on`).
Saving sends only the cells that differ from it, each through `services.target_set`, all in one
transaction: one refused cell writes nothing at all.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction

from charter.core.periods import Period
from charter.kpis import services
from charter.kpis.models import KpiDefinition
from charter.kpis.scoring import KpiSpec, Revision, value_on
from charter.org.models import Organization, Person, Team

FOUR_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class GridRow:
    """One subject of the grid: the team itself or one of its people."""

    key: str  # "t<id>" or "p<id>": the prefix of the row's field names
    name: str
    person: Person | None = None
    team: Team | None = None
    editable: bool = False


@dataclass(frozen=True)
class GridColumn:
    spec: KpiSpec
    definition: KpiDefinition

    @property
    def key(self) -> str:
        return self.spec.key


@dataclass(frozen=True)
class CellChange:
    row: GridRow
    column: GridColumn
    value: Decimal
    effective_from: dt.date | None
    reason: str
    first: bool  # the subject had no target for this KPI and period yet

    @property
    def label(self) -> str:
        return f"{self.row.name} · {self.column.spec.name}"


def cell_name(row_key: str, kpi_key: str) -> str:
    return f"{row_key}:{kpi_key}"


def grid_value(revisions: Sequence[Revision], period: Period) -> Decimal | None:
    """What a cell shows: the target in effect on the period's last day."""
    return value_on(revisions, period.end)


def _grouped_number(value: Decimal | None) -> str | None:
    """120,000 rather than 120000.0000 (or 1.2E+5) in an input: a target of seven digits is
    read at a glance with its thousands separated, as the scorecard writes it."""
    if value is None:
        return None
    return f"{value.normalize():,f}"


# Separators people type between groups of digits: spaces (plain, no-break, thin), apostrophes
# and underscores anywhere; commas only between groups of three digits before the point, so
# "27,5" (a European decimal comma) is refused rather than read as 275.
_GAP = re.compile(r"[\s\u00a0\u202f'\u2019_]")
_COMMA_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")


def ungroup_number(text: str) -> str:
    """The number `text` with its thousands separators taken out; text that uses commas any
    other way is given back unchanged, for the decimal field to refuse."""
    plain = _GAP.sub("", text)
    if "," in plain and _COMMA_GROUPED.match(plain):
        return plain.replace(",", "")
    return plain


class GroupedDecimalField(forms.DecimalField):
    """A decimal typed with or without thousands separators ("1,250,000", "1 250 000")."""

    default_error_messages = {
        "invalid": "Enter a number, e.g. 125000 or 125,000.50 (a point before the decimals)."
    }

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if isinstance(value, str):
            value = ungroup_number(value)
        return super().to_python(value)


class TargetGridForm(forms.Form):
    reason = forms.CharField(
        label="Reason for the changes",
        required=False,
        max_length=300,
        help_text="Required when a target that exists changes; the person sees it with the "
        "change. A row's own reason wins over this one.",
    )
    effective_from = forms.DateField(
        label="Changes take effect on",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The first day a changed target applies; the period's target becomes the "
        "day-weighted mix of the old and the new value. A first target applies to the whole "
        "period.",
    )

    def __init__(
        self,
        data: Any = None,
        *,
        rows: Sequence[GridRow],
        columns: Sequence[GridColumn],
        revisions: dict[tuple[str, str], list[Revision]],
        period: Period,
        default_day: dt.date,
    ) -> None:
        super().__init__(data, initial={"effective_from": default_day})
        self.rows = list(rows)
        self.columns = list(columns)
        self.revisions = revisions
        self.period = period
        self.current: dict[str, Decimal | None] = {}
        for row in self.rows:
            if not row.editable:
                continue
            for column in self.columns:
                name = cell_name(row.key, column.key)
                found = revisions.get((row.key, column.key), [])
                current = grid_value(found, period) if found else None
                self.current[name] = current
                self.fields[name] = GroupedDecimalField(
                    label=f"{row.name} · {column.spec.name}",
                    required=False,
                    min_value=Decimal(0),
                    max_digits=18,
                    decimal_places=4,
                    initial=_grouped_number(current),
                    # Text, not a number input: browsers refuse "125,000" in type=number.
                    widget=forms.TextInput(
                        attrs={
                            "class": "target-input",
                            "inputmode": "decimal",
                            "autocomplete": "off",
                            "data-group-digits": "",
                        }
                    ),
                )
            self.fields[f"reason:{row.key}"] = forms.CharField(
                label=f"Reason for {row.name}", required=False, max_length=300
            )
            self.fields[f"effective_from:{row.key}"] = forms.DateField(
                label=f"Effective date for {row.name}",
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}),
            )

    def _check_day(self, name: str) -> None:
        day = self.cleaned_data.get(name)
        if day is None:
            return
        if day > self.period.end:
            self.add_error(
                name, f"{day.isoformat()} is after {self.period.label} ends ({self.period.end})."
            )
        elif day < self.period.start:
            self.add_error(
                name,
                f"{day.isoformat()} is before {self.period.label} starts ({self.period.start}).",
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self._check_day("effective_from")
        for row in self.rows:
            if row.editable:
                self._check_day(f"effective_from:{row.key}")
        for name, current in self.current.items():
            if name in cleaned and cleaned[name] is None and current is not None:
                # Revisions are history: a target can be lowered to 0, never made to vanish.
                self.add_error(name, "A target cannot be removed; set it to 0 instead.")
        return cleaned

    def changes(self) -> list[CellChange]:
        """The cells whose value differs from what the grid showed, in grid order."""
        out = []
        for row in self.rows:
            if not row.editable:
                continue
            reason = (self.cleaned_data.get(f"reason:{row.key}") or "").strip() or (
                self.cleaned_data.get("reason") or ""
            ).strip()
            day = self.cleaned_data.get(f"effective_from:{row.key}") or self.cleaned_data.get(
                "effective_from"
            )
            for column in self.columns:
                name = cell_name(row.key, column.key)
                value = self.cleaned_data.get(name)
                if value is None:
                    continue
                value = value.quantize(FOUR_PLACES)
                current = self.current.get(name)
                if current is not None and value == current.quantize(FOUR_PLACES):
                    continue
                out.append(
                    CellChange(
                        row=row,
                        column=column,
                        value=value,
                        effective_from=None if current is None else day,
                        reason=reason,
                        first=current is None,
                    )
                )
        return out

    @property
    def problems(self) -> list[str]:
        """Every error, each naming its person (or team) and KPI, for the list above the grid."""
        out = []
        for name, errors in self.errors.items():
            field = self.fields.get(name)
            label = str(field.label) if field is not None and name != "__all__" else ""
            for message in errors:
                out.append(f"{label}: {message}" if label else str(message))
        return out

    def save(self, *, org: Organization, actor: Any) -> int | None:
        """Write every changed cell, or none of them. Returns how many revisions were added,
        or None when a cell was refused (its error is then on the form)."""
        refused: list[tuple[CellChange, ValidationError]] = []
        added = 0
        with transaction.atomic():
            for change in self.changes():
                try:
                    revision, _ = services.target_set(
                        org=org,
                        kpi=change.column.definition,
                        period=self.period,
                        value=change.value,
                        actor=actor,
                        person=change.row.person,
                        team=change.row.team,
                        effective_from=change.effective_from,
                        reason=change.reason,
                    )
                except ValidationError as exc:
                    refused.append((change, exc))
                    continue
                added += revision is not None
            if refused:
                transaction.set_rollback(True)
        if refused:
            for change, error in refused:
                name = cell_name(change.row.key, change.column.key)
                self.add_error(name, " ".join(error.messages))
            return None
        return added
