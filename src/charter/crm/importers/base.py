"""What the CRM fact importers share: settings, dates, owners, duplicate ids, the upsert."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from django.urls import reverse

from charter.core.imports import CleanRow, Counts, FieldInvalid, Importer, Issue, Row
from charter.core.imports.fields import check_date_format, parse_date_as
from charter.core.imports.store import RepeatFinder
from charter.core.models import ImportRun
from charter.crm import services
from charter.crm.models import Activity, CsatResponse, Deal, DealStage
from charter.crm.owners import OwnerMatcher
from charter.crm.presets import DEFAULT_SOURCE, get_preset, stage_key

CRM_KINDS = ("deals", "activities", "csat")
CENT = Decimal("0.01")
# Distinct owners and stages a file names are few; past this many a cache of them starts over.
SPELLINGS_CACHED = 10_000
_SOURCE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,39}$")

FactData = dict[str, Any]
UNMATCHED_NOTE = (
    "the owner matches nobody in Charter yet; the records are imported and wait on the "
    "unmatched owners page"
)


def rows_text(numbers: Iterable[int]) -> str:
    ordered = sorted(set(numbers))
    label = "row" if len(ordered) == 1 else "rows"
    return f"{label} {', '.join(str(n) for n in ordered)}"


def parse_stage_map(value: Any) -> dict[str, str]:
    """`--stage-map 'Signed=won'` (repeatable), lines of a text box, or a saved mapping."""
    if isinstance(value, Mapping):
        items = [f"{k}={v}" for k, v in value.items()]
    elif isinstance(value, str):
        items = [line for line in value.splitlines() if line.strip()]
    else:
        items = [str(v) for v in value or ()]
    table: dict[str, str] = {}
    for item in items:
        raw, sep, stage = item.rpartition("=")
        stage = stage.strip().lower()
        if not sep or not raw.strip():
            raise ValueError(f"a stage map entry looks like 'Raw stage=won', not {item!r}")
        if stage not in DealStage.values:
            raise ValueError(
                f"{raw.strip()!r} is mapped to {stage!r}; a stage is open, won or lost"
            )
        table[stage_key(raw)] = stage
    return table


class CrmImporter(Importer[FactData]):
    """What the fact importers share: settings, dates, owners, duplicate ids, the upsert."""

    model: type[Deal] | type[Activity] | type[CsatResponse]
    valued_options: ClassVar[tuple[str, ...]] = ("source", "date_format")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        settings = dict(kwargs.get("options") or {})
        self.date_format: str | None = settings.get("date_format") or None
        preset = settings.get("preset") or ""
        self.source: str = settings.get("source") or preset or DEFAULT_SOURCE
        self.tz = ZoneInfo(self.org.time_zone or "UTC")
        self.reporting = (self.org.reporting_currency or "USD").upper()

    @classmethod
    def clean_settings(cls, values: Mapping[str, Any]) -> dict[str, Any]:
        cleaned: dict[str, Any] = {}
        for name, value in values.items():
            if name not in cls.valued_options:
                raise ValueError(f"the {cls.name} importer takes no {name.replace('_', '-')}")
            if value in (None, "", [], {}):
                continue
            if name == "preset":
                cleaned[name] = get_preset(str(value)).name
            elif name == "stage_map":
                cleaned[name] = parse_stage_map(value)
            elif name == "date_format":
                cleaned[name] = check_date_format(str(value))
            elif name == "source":
                source = str(value).strip().lower()
                if not _SOURCE.match(source):
                    raise ValueError(
                        f"the source {value!r} must be a short name such as salesforce or "
                        "crm-eu (letters, digits, dots, dashes; at most 40)"
                    )
                cleaned[name] = source
        return cleaned

    @classmethod
    def result_url(cls, run: ImportRun) -> str:
        return reverse("crm:import_run", args=[run.pk])

    @classmethod
    def outcome_notes(cls, run: ImportRun) -> list[str]:
        waiting = cls.model._default_manager.filter(import_run=run, owner__isnull=True).count()
        if not waiting:
            return []
        if waiting == 1:
            one = str(cls.model._meta.verbose_name).replace("csat", "CSAT")
            return [
                f"1 {one} written by this import waits for an owner: its owner in the file "
                "matches nobody in Charter, so it counts for no one until an admin says who "
                "that is on the unmatched owners page."
            ]
        return [
            f"{waiting:,} {cls.label} written by this import wait for an owner: their owner in "
            "the file matches nobody in Charter, so they count for no one until an admin says "
            "who that is on the unmatched owners page."
        ]

    def prepare(self) -> None:
        self.matcher = OwnerMatcher(self.org)
        self._owners: dict[str, dict[str, Any]] = {}
        # On disk rather than a dict of every id: a million-row file keeps memory flat.
        self.ids = RepeatFinder()

    # -- shared cleaning ------------------------------------------------------------------

    def date(self, row: Row, name: str, label: str) -> dt.date | None:
        if not row.given(name):
            return None
        try:
            return parse_date_as(row.raw[name], self.date_format)
        except FieldInvalid as exc:
            hint = "" if self.date_format else " (or give the date format, e.g. %d/%m/%Y)"
            row.error(name, f"{label} {exc}{hint if 'ambiguous' in str(exc) else ''}")
            return None

    def owner(self, row: Row) -> dict[str, Any]:
        raw = row["owner"] or ""
        # A file names the same few owners on every row: match each spelling once.
        found = self._owners.get(raw)
        if found is None:
            if len(self._owners) >= SPELLINGS_CACHED:
                self._owners.clear()
            person, key = self.matcher.match(raw)
            found = self._owners[raw] = {
                "owner_id": person,
                "owner_raw": raw[:200],
                "owner_key": key,
            }
        if found["owner_id"] is None and found["owner_key"]:
            self.note(
                row,
                "owner",
                f"{raw!r} matches nobody in Charter yet; the record waits for an owner",
                summary=UNMATCHED_NOTE,
            )
        return found

    def external_id(self, row: Row) -> str:
        eid: str = row["external_id"] or ""
        if eid:
            self.ids.add(eid, row.number)
        return eid

    def check(self, rows: Iterable[CleanRow[FactData]]) -> Iterable[Issue]:
        issues: list[Issue] = []
        for eid, numbers in self.ids.repeats():
            for number in numbers:
                others = rows_text(n for n in numbers if n != number)
                issues.append(
                    self.issue(
                        number,
                        "external_id",
                        eid,
                        f"the id {eid!r} is also on {others}; each record may appear only once",
                    )
                )
        return issues

    def apply(self, rows: Iterable[CleanRow[FactData]]) -> Counts:
        return services.facts_upsert(
            model=self.model,
            org=self.org,
            source=self.source,
            rows=(r.data for r in rows),
            run=self.run,
        )


ID_FIELD_ALIASES = ("External ID", "ID", "Record ID", "Id")
OWNER_ALIASES = (
    "Owner email",
    "Owner name",
    "Owner ID",
    "Sales rep",
    "Rep",
    "Sales agent",
    "Salesperson",
    "Assigned to",
    "User",
)
