"""Importers of CRM facts: `charter import deals|activities|csat|rates FILE` and the CRM upload
page and API.

Every row is keyed by (source, external id): a re-import updates what changed and reports the
rest as unchanged. The source is the preset's name, `file`, or `--source NAME`. Owners are
matched by `crm.owners`; an owner nobody matches is kept on the row (owner_raw/owner_key) for
an admin to resolve. Nothing is guessed: a stage nobody mapped, flags that contradict the stage,
an ambiguous date or a currency without a rate make the row invalid with a reason.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.urls import reverse

from charter.core.decimals import EXACT_DIGITS, exact_problem
from charter.core.imports import (
    ApplyError,
    CleanRow,
    Counts,
    Field,
    FieldInvalid,
    Importer,
    Issue,
    Row,
    text,
)
from charter.core.imports.fields import (
    cell_text,
    check_date_format,
    normalise_header,
    parse_date_as,
    parse_datetime,
)
from charter.core.imports.store import RepeatFinder
from charter.core.models import ImportRun
from charter.core.registry import register_importer
from charter.crm import services
from charter.crm.models import Activity, ActivityKind, CsatResponse, Deal, DealStage, ExchangeRate
from charter.crm.owners import OwnerMatcher
from charter.crm.presets import DEFAULT_SOURCE, GENERIC_STAGES, get_preset, stage_key

CRM_KINDS = ("deals", "activities", "csat")
CENT = Decimal("0.01")
# An amount in cents has at most 15 digits: every amount is stored exactly on SQLite and
# PostgreSQL (see `core.decimals`), and a person's sums in cents stay far inside 64 bits.
MAX_AMOUNT = Decimal(10) ** (EXACT_DIGITS - 2)
_MAX_AMOUNT_TEXT = f"{MAX_AMOUNT - CENT:,}"
_PLAIN_AMOUNT = re.compile(r"\d+(\.\d*)?")
_CURRENCY = re.compile(r"[A-Z]{3}")
# Distinct owners and stages a file names are few; past this many a cache of them starts over.
_SPELLINGS_CACHED = 10_000
_SOURCE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,39}$")
_TRUE = {"true", "yes", "y", "1", "t", "x"}
_FALSE = {"false", "no", "n", "0", "f", ""}

FactData = dict[str, Any]


def _rows_text(numbers: Iterable[int]) -> str:
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


def parse_amount(cell: Any) -> Decimal:
    """A non-negative amount: 1234.5, 1,234.50, 1.234,50, 1 234, $1,234, or a number cell."""
    if isinstance(cell, bool):
        raise FieldInvalid("is not a number")
    if isinstance(cell, int | float | Decimal):
        value = Decimal(str(cell))
    elif isinstance(cell, str) and _PLAIN_AMOUNT.fullmatch(cell):
        # The common case (digits, maybe a point) needs none of the clean-up below.
        value = Decimal(cell)
    else:
        raw = cell_text(cell).strip()
        cleaned = re.sub(r"[\s\u00a0\u202f'$€£¥]|^[A-Za-z]{3}\s*|\s*[A-Za-z]{3}$", "", raw)
        negative = cleaned.startswith("(") and cleaned.endswith(")")
        cleaned = cleaned.strip("()")
        if "," in cleaned and "." in cleaned:
            # Whichever separator comes last is the decimal one.
            if cleaned.rfind(",") > cleaned.rfind("."):
                cleaned = cleaned.replace(".", "").replace(",", ".")
            else:
                cleaned = cleaned.replace(",", "")
        elif "," in cleaned:
            if re.fullmatch(r"-?\d{1,3}(,\d{3})+", cleaned):
                cleaned = cleaned.replace(",", "")
            elif re.fullmatch(r"-?\d+,\d{1,2}", cleaned):
                cleaned = cleaned.replace(",", ".")
            else:
                raise FieldInvalid("is not a number (use 1234.56)")
        if not re.fullmatch(r"[-+]?(\d+(\.\d*)?|\.\d+)", cleaned):
            raise FieldInvalid("is not a number (use 1234.56)")
        value = Decimal(cleaned)
        if negative:
            value = -value
    if not value.is_finite():
        raise FieldInvalid("is not a number")
    if value < 0:
        raise FieldInvalid("is negative; it must be 0 or more")
    if value < MAX_AMOUNT:
        value = value.quantize(CENT, rounding=ROUND_HALF_UP)
    if value >= MAX_AMOUNT:
        raise FieldInvalid(f"is too large: amounts are kept exactly up to {_MAX_AMOUNT_TEXT}")
    return value


def parse_flag(cell: Any) -> bool:
    if isinstance(cell, bool):
        return cell
    key = cell_text(cell).strip().lower()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise FieldInvalid("is not true or false")


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
            if len(self._owners) >= _SPELLINGS_CACHED:
                self._owners.clear()
            person, key = self.matcher.match(raw)
            found = self._owners[raw] = {
                "owner_id": person,
                "owner_raw": raw[:200],
                "owner_key": key,
            }
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
                others = _rows_text(n for n in numbers if n != number)
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


@register_importer
class DealImporter(CrmImporter):
    name = "deals"
    label = "deals"
    model = Deal
    valued_options: ClassVar[tuple[str, ...]] = ("preset", "stage_map", "source", "date_format")
    fields = (
        Field(
            "external_id",
            "External ID",
            required=True,
            aliases=(*ID_FIELD_ALIASES, "Deal ID", "Opportunity ID"),
            parse=text(max_length=120),
            help="The deal's id in the CRM; with the source it identifies the deal.",
        ),
        Field(
            "owner",
            "Owner",
            required=True,
            aliases=(*OWNER_ALIASES, "Deal owner", "Opportunity owner"),
            parse=text(max_length=200),
            help="An email, a CRM user id or a name; unmatched owners are listed for an admin.",
        ),
        Field(
            "stage",
            "Stage",
            required=True,
            aliases=("Deal stage", "Stage name", "Status", "Deal status"),
            parse=text(max_length=120),
            help="open, won, lost, Closed Won, Closed Lost, or any stage given a stage map.",
        ),
        Field(
            "amount",
            "Amount",
            aliases=("Value", "Deal value", "Close value", "Deal amount"),
            parse=parse_amount,
            help="0 or more; blank is 0 for an open deal.",
        ),
        Field(
            "currency",
            "Currency",
            aliases=("Currency code", "Deal currency"),
            parse=text(max_length=3),
            help="Three letters; blank means the reporting currency.",
        ),
        Field(
            "created_date",
            "Created date",
            required=True,
            aliases=("Created", "Create date", "Created on", "Date created", "Engage date"),
            help="When the deal was created or engaged.",
        ),
        Field(
            "close_date",
            "Close date",
            aliases=("Closed", "Closed on", "Date closed", "Close"),
            help="Not before the created date.",
        ),
        Field(
            "account",
            "Account",
            aliases=("Account name", "Company", "Customer", "Organization"),
            parse=text(max_length=200),
        ),
        Field("product", "Product", aliases=("Product name",), parse=text(max_length=200)),
        Field(
            "name",
            "Deal name",
            aliases=("Opportunity name", "Title", "Name"),
            parse=text(max_length=300),
        ),
        Field("lead_source", "Lead source", aliases=("Source",), parse=text(max_length=120)),
        Field(
            "stage_name",
            "Pipeline stage",
            parse=text(max_length=120),
            help="The pipeline step, kept as the raw stage when the stage column is a status.",
        ),
        Field("is_won", "IsWon", parse=parse_flag, help="Salesforce: checked against the stage."),
        Field(
            "is_closed", "IsClosed", parse=parse_flag, help="Salesforce: checked against the stage."
        ),
        Field("won_date", "Won time", help="The close date of a won deal when none is given."),
        Field("lost_date", "Lost time", help="The close date of a lost deal when none is given."),
        Field(
            "expected_close_date",
            "Expected close date",
            help="The close date of an open deal when none is given.",
        ),
    )

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        settings = dict(kwargs.get("options") or {})
        preset = settings.get("preset")
        self.stages = (
            get_preset(preset).stage_table()
            if preset
            else {stage_key(k): v for k, v in GENERIC_STAGES.items()}
        )
        self.stages.update(settings.get("stage_map") or {})
        self._stage_spellings: dict[str, str | None] = {}

    @classmethod
    def preset_mapping(cls, header: Any, options: Mapping[str, Any]) -> dict[str, str]:
        preset = options.get("preset")
        return get_preset(preset).mapping(header) if preset else {}

    def prepare(self) -> None:
        super().prepare()
        self.rates: dict[str, tuple[list[dt.date], list[Decimal]]] = {}
        found: dict[str, list[tuple[dt.date, Decimal]]] = defaultdict(list)
        for currency, valid_from, rate in (
            ExchangeRate.objects.filter(org=self.org)
            .order_by("currency", "valid_from")
            .values_list("currency", "valid_from", "rate")
        ):
            found[currency.upper()].append((valid_from, rate))
        for currency, pairs in found.items():
            self.rates[currency] = ([d for d, _ in pairs], [r for _, r in pairs])

    def clean(self, row: Row) -> FactData:
        eid = self.external_id(row)
        raw_stage: str = row["stage"] or ""
        stage = self._stage(row, raw_stage)
        created = self.date(row, "created_date", "Created date")
        close = self.date(row, "close_date", "Close date")
        if close is None and stage == DealStage.WON:
            close = self.date(row, "won_date", "Won time")
        elif close is None and stage == DealStage.LOST:
            close = self.date(row, "lost_date", "Lost time")
        if close is None and stage == DealStage.OPEN:
            close = self.date(row, "expected_close_date", "Expected close date")
        if (
            close is None
            and stage in (DealStage.WON, DealStage.LOST)
            and not any(row.given(name) for name in ("close_date", "won_date", "lost_date"))
        ):
            # Every KPI counts a closed deal in the period of its close date: without one it
            # would be stored and counted nowhere. (A date that did not parse is reported.)
            row.error("close_date", f"Close date is required for a {stage} deal")
        if created and close and close < created:
            row.error(
                "close_date",
                f"Close date {close.isoformat()} is before the created date {created.isoformat()}",
            )
        amount: Decimal | None = row["amount"]
        if amount is None and not row.given("amount"):
            if stage in (DealStage.WON, DealStage.LOST):
                row.error("amount", f"Amount is required for a {stage} deal")
            amount = Decimal("0.00")
        currency = (row["currency"] or self.reporting).upper()
        if row["currency"] and not _CURRENCY.fullmatch(currency):
            row.error("currency", "Currency is not a three-letter code such as EUR")
        reporting_amount = self._convert(row, amount, currency, close or created)
        return {
            "external_id": eid,
            **self.owner(row),
            "stage": stage,
            "raw_stage": (row["stage_name"] or raw_stage)[:120],
            "amount": amount,
            "currency": currency,
            "amount_reporting": reporting_amount,
            "created_date": created,
            "close_date": close,
            "account": row["account"] or "",
            "product": row["product"] or "",
            "lead_source": row["lead_source"] or "",
            "name": row["name"] or "",
        }

    def _stage(self, row: Row, raw: str) -> str:
        stage = self._stage_of(raw) if raw else None
        won: bool | None = row["is_won"]
        closed: bool | None = row["is_closed"]

        def said() -> str:
            return f"{self.columns.get('stage') or 'Stage'} {raw!r}"

        def flag_text(name: str) -> str:
            return f"{self.columns.get(name) or name} is {cell_text(row.raw.get(name)).strip()!r}"

        if stage is None:
            if raw and closed is False and won:
                row.error(
                    "is_won",
                    f"{flag_text('is_won')} but {flag_text('is_closed')}; the file contradicts "
                    "itself, so the deal is not guessed: fix one of them",
                )
                return ""
            if raw and closed is False:
                return DealStage.OPEN
            if raw and closed is True and won is not None:
                return DealStage.WON if won else DealStage.LOST
            if raw:
                row.error(
                    "stage",
                    f"Stage {raw!r} is not a stage Charter knows; say what it means with a stage "
                    f"map, e.g. --stage-map '{raw}=open' (or won, lost)",
                )
            return ""
        if closed is not None and (stage != DealStage.OPEN) != closed:
            row.error(
                "is_closed",
                f"{flag_text('is_closed')} but {said()} is {stage}; the file contradicts itself, "
                "so the deal is not guessed: fix one of them",
            )
        if won is not None and (stage == DealStage.WON) != won:
            row.error(
                "is_won",
                f"{flag_text('is_won')} but {said()} is {stage}; the file contradicts itself, "
                "so the deal is not guessed: fix one of them",
            )
        return stage

    def _stage_of(self, raw: str) -> str | None:
        # A file spells its few stages the same way on every row: look each spelling up once.
        try:
            return self._stage_spellings[raw]
        except KeyError:
            if len(self._stage_spellings) >= _SPELLINGS_CACHED:
                self._stage_spellings.clear()
            stage = self._stage_spellings[raw] = self.stages.get(stage_key(raw))
            return stage

    def _convert(
        self, row: Row, amount: Decimal | None, currency: str, on: dt.date | None
    ) -> Decimal | None:
        if amount is None or currency == self.reporting:
            return amount
        if on is None:
            return None
        dates, rates = self.rates.get(currency, ([], []))
        index = bisect_right(dates, on) - 1
        if index < 0:
            row.error(
                "currency",
                f"there is no {currency} to {self.reporting} exchange rate on or before "
                f"{on.isoformat()}; add one on the exchange rates page or with "
                "`charter import rates`",
            )
            return None
        converted = (amount * rates[index]).quantize(CENT, rounding=ROUND_HALF_UP)
        if converted >= MAX_AMOUNT:
            row.error(
                "amount",
                f"Amount {amount} {currency} is {converted:,} {self.reporting}, too large: "
                f"amounts are kept exactly up to {_MAX_AMOUNT_TEXT}",
            )
            return None
        return converted


KIND_SPELLINGS: dict[str, str] = {
    **{k: ActivityKind.CALL for k in ("call", "calls", "phone", "phone call", "logged call")},
    **{k: ActivityKind.CALL for k in ("outbound call", "inbound call", "cold call")},
    **{k: ActivityKind.EMAIL for k in ("email", "emails", "e-mail", "mail", "sent email")},
    **{k: ActivityKind.EMAIL for k in ("incoming_email", "forwarded_email", "list email")},
    **{k: ActivityKind.EMAIL for k in ("email sent", "email received")},
    **{k: ActivityKind.MEETING for k in ("meeting", "meetings", "event", "appointment")},
    **{k: ActivityKind.MEETING for k in ("lunch", "visit", "video meeting", "video call")},
    **{k: ActivityKind.DEMO for k in ("demo", "demos", "demonstration", "product demo")},
    **{k: ActivityKind.TASK for k in ("task", "tasks", "to-do", "todo", "deadline")},
    **{k: ActivityKind.TASK for k in ("follow-up", "follow up")},
    **{k: ActivityKind.OTHER for k in ("other", "note", "notes", "linkedin", "linkedin message")},
    **{k: ActivityKind.OTHER for k in ("sms", "whatsapp", "cadence", "postal mail")},
}
_KINDS = {normalise_header(k): v for k, v in KIND_SPELLINGS.items()}
_DURATION = re.compile(
    r"^(?:(?P<h>\d+(?:\.\d+)?)\s*h(?:ours?|rs?)?)?\s*"
    r"(?:(?P<m>\d+(?:\.\d+)?)\s*m(?:in(?:utes?|s)?)?)?\s*"
    r"(?:(?P<s>\d+(?:\.\d+)?)\s*s(?:ec(?:onds?|s)?)?)?$"
)
_CLOCK = re.compile(r"^(\d+):(\d{2})(?::(\d{2}))?$")


def duration_unit(column: str) -> str:
    """The unit a duration column's header announces; minutes when it says none."""
    name = column.lower()
    if "millisecond" in name or re.search(r"\bms\b|\(ms\)", name):
        return "ms"
    if "second" in name or re.search(r"\bsecs?\b|\(s\)", name):
        return "s"
    if "hour" in name or re.search(r"\bhrs?\b|\(h\)", name):
        return "h"
    return "m"


_PER_MINUTE = {"ms": Decimal(60_000), "s": Decimal(60), "m": Decimal(1), "h": Decimal(1) / 60}


# No call or meeting lasts a year; a longer duration is a wrong column or unit (and a number of
# 30 digits would not even round).
_MAX_MINUTES = Decimal(366 * 24 * 60)


def _whole(minutes: Decimal) -> int:
    if not minutes.is_finite():
        raise FieldInvalid("is not a duration (minutes, 1:30 or 90 min)")
    if minutes >= _MAX_MINUTES:
        raise FieldInvalid(f"is longer than a year ({_MAX_MINUTES:,} minutes)")
    # Half a minute rounds up: 2 min 30 s is 3 minutes, as people read it.
    return int(minutes.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def parse_duration(cell: Any, *, unit: str = "m") -> int:
    """Whole minutes from a number in `unit`, `1:30` (h:mm), `1:30:00`, `90 min` or `1h 30m`."""
    if isinstance(cell, dt.timedelta):
        return _whole(Decimal(str(cell.total_seconds())) / 60)
    if isinstance(cell, dt.time):
        return _whole(Decimal(cell.hour * 3600 + cell.minute * 60 + cell.second) / 60)
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        value = Decimal(str(cell))
    else:
        raw = cell_text(cell).strip().lower()
        if match := _CLOCK.match(raw):
            hours, minutes, seconds = int(match[1]), int(match[2]), int(match[3] or 0)
            return _whole(Decimal(hours * 3600 + minutes * 60 + seconds) / 60)
        try:
            value = Decimal(raw.replace(",", "."))
        except InvalidOperation:
            match = _DURATION.match(raw)
            if not raw or not match or not any(match.groupdict().values()):
                raise FieldInvalid("is not a duration (minutes, 1:30 or 90 min)") from None
            total = Decimal(0)
            for part, per in (("h", Decimal(60)), ("m", Decimal(1)), ("s", Decimal(1) / 60)):
                if match[part]:
                    total += Decimal(match[part]) * per
            return _whole(total)
    if value.is_finite() and value < 0:
        raise FieldInvalid("is negative")
    return _whole(value / _PER_MINUTE[unit])


@register_importer
class ActivityImporter(CrmImporter):
    name = "activities"
    label = "activities"
    model = Activity
    fields = (
        Field(
            "external_id",
            "External ID",
            required=True,
            aliases=(*ID_FIELD_ALIASES, "Activity ID", "Engagement ID", "Activity - ID"),
            parse=text(max_length=120),
        ),
        Field(
            "owner",
            "Owner",
            required=True,
            aliases=(*OWNER_ALIASES, "Activity owner", "Activity - Assigned to user"),
            parse=text(max_length=200),
            help="An email, a CRM user id or a name.",
        ),
        Field(
            "kind",
            "Kind",
            required=True,
            aliases=("Type", "Activity type", "Activity - Type", "TaskSubtype", "Engagement type"),
            parse=text(max_length=120),
            help="call, email, meeting, demo, task or other (CRM names such as Logged call, "
            "Event, Note or Deadline are understood).",
        ),
        Field(
            "timestamp",
            "Timestamp",
            required=True,
            aliases=("Date", "Activity date", "ActivityDate", "Due date", "Activity - Due date"),
            help="A date and time; without a time zone it is read in the organization's.",
        ),
        Field(
            "duration",
            "Duration",
            aliases=(
                "Duration (minutes)",
                "Duration (seconds)",
                "Call duration",
                "DurationInMinutes",
                "CallDurationInSeconds",
                "Activity - Duration",
            ),
            help="Minutes, 1:30 (h:mm) or 90 min; seconds when the column says so.",
        ),
        Field(
            "outcome",
            "Outcome",
            aliases=("Result", "Call outcome", "Disposition", "CallDisposition"),
            parse=text(max_length=200),
        ),
        Field("subject", "Subject", aliases=("Activity - Subject",), parse=text(max_length=300)),
    )

    def clean(self, row: Row) -> FactData:
        eid = self.external_id(row)
        raw_kind: str = row["kind"] or ""
        kind = _KINDS.get(normalise_header(raw_kind)) if raw_kind else None
        if raw_kind and kind is None:
            row.error(
                "kind",
                f"Kind {raw_kind!r} is not an activity kind Charter knows; use call, email, "
                "meeting, demo, task or other",
            )
        occurred = None
        if row.given("timestamp"):
            try:
                occurred = parse_datetime(row.raw["timestamp"], tz=self.tz, fmt=self.date_format)
            except FieldInvalid as exc:
                row.error("timestamp", f"Timestamp {exc}")
        minutes = None
        if row.given("duration"):
            unit = duration_unit(self.columns.get("duration", ""))
            try:
                minutes = parse_duration(row.raw["duration"], unit=unit)
            except FieldInvalid as exc:
                row.error("duration", f"Duration {exc}")
        return {
            "external_id": eid,
            **self.owner(row),
            "kind": kind or "",
            "raw_kind": raw_kind[:120],
            "occurred_at": occurred,
            "duration_minutes": minutes,
            "outcome": row["outcome"] or "",
            "subject": row["subject"] or "",
        }


def _score(cell: Any) -> Decimal:
    try:
        value = Decimal(cell_text(cell).strip().replace(",", "."))
    except InvalidOperation:
        raise FieldInvalid("is not a number") from None
    if not value.is_finite():
        raise FieldInvalid("is not a number")
    # Scores are on scales up to 100; a huge number would not even round to cents.
    if abs(value) >= 1_000_000:
        raise FieldInvalid("is too large for a score")
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _scale(cell: Any) -> int:
    value = _score(cell)
    if value != value.to_integral_value() or not 1 <= value <= 100:
        raise FieldInvalid("must be a whole number from 1 to 100")
    return int(value)


@register_importer
class CsatImporter(CrmImporter):
    name = "csat"
    label = "CSAT responses"
    model = CsatResponse
    fields = (
        Field(
            "external_id",
            "External ID",
            required=True,
            aliases=(*ID_FIELD_ALIASES, "Response ID", "Survey response ID"),
            parse=text(max_length=120),
        ),
        Field(
            "owner",
            "Owner",
            required=True,
            aliases=(*OWNER_ALIASES, "Agent", "Account owner"),
            parse=text(max_length=200),
        ),
        Field(
            "score",
            "Score",
            required=True,
            aliases=("Rating", "CSAT", "CSAT score", "Satisfaction"),
            parse=_score,
            help="From 0 to the scale.",
        ),
        Field(
            "scale",
            "Scale",
            aliases=("Out of", "Max score", "Maximum"),
            parse=_scale,
            help="The best possible score; 5 when blank.",
        ),
        Field(
            "date",
            "Date",
            required=True,
            aliases=("Response date", "Submitted", "Submitted at", "Survey date"),
        ),
        Field(
            "account",
            "Account",
            aliases=("Account name", "Company", "Customer"),
            parse=text(max_length=200),
        ),
    )

    def clean(self, row: Row) -> FactData:
        eid = self.external_id(row)
        scale: int = row["scale"] or 5
        score: Decimal | None = row["score"]
        if score is not None and not 0 <= score <= scale:
            row.error("score", f"Score {score.normalize():f} is outside 0 to {scale}")
        return {
            "external_id": eid,
            **self.owner(row),
            "score": score,
            "scale": scale,
            "date": self.date(row, "date", "Date"),
            "account": row["account"] or "",
        }


def _rate(cell: Any) -> Decimal:
    try:
        value = Decimal(cell_text(cell).strip().replace(",", "."))
    except InvalidOperation:
        raise FieldInvalid("is not a number") from None
    if not value.is_finite() or value <= 0:
        raise FieldInvalid("must be a number more than 0")
    if value >= Decimal("1e10"):
        raise FieldInvalid("is too large")
    value = value.quantize(Decimal("0.00000001"), rounding=ROUND_HALF_UP)
    problem = exact_problem(value)
    if problem:
        raise FieldInvalid(problem)
    return value


RateData = tuple[str, Decimal, dt.date]


@register_importer
class RateImporter(Importer[RateData | None]):
    name = "rates"
    label = "exchange rates"
    valued_options: ClassVar[tuple[str, ...]] = ("date_format",)
    fields = (
        Field("currency", "Currency", required=True, aliases=("Code", "Currency code")),
        Field(
            "rate",
            "Rate",
            required=True,
            aliases=("Exchange rate", "Rate to reporting currency"),
            parse=_rate,
            help="How many units of the reporting currency one unit is worth.",
        ),
        Field(
            "valid_from",
            "Valid from",
            required=True,
            aliases=("From", "Date", "Effective date", "Valid since"),
        ),
    )

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.date_format = dict(kwargs.get("options") or {}).get("date_format") or None

    @classmethod
    def clean_settings(cls, values: Mapping[str, Any]) -> dict[str, Any]:
        cleaned: dict[str, Any] = {}
        for name, value in values.items():
            if name != "date_format":
                raise ValueError(f"the rates importer takes no {name.replace('_', '-')}")
            if value:
                cleaned[name] = check_date_format(str(value))
        return cleaned

    @classmethod
    def result_url(cls, run: ImportRun) -> str:
        return reverse("crm:import_run", args=[run.pk])

    def prepare(self) -> None:
        self.seen: dict[tuple[str, dt.date], list[int]] = defaultdict(list)

    def clean(self, row: Row) -> RateData | None:
        try:
            currency = services.clean_currency(row["currency"] or "")
        except ValidationError:
            row.error("currency", "Currency is not a three-letter code such as EUR")
            return None
        if currency == (self.org.reporting_currency or "").upper():
            row.error("currency", f"{currency} is the reporting currency; it needs no rate")
        valid_from = None
        if row.given("valid_from"):
            try:
                valid_from = parse_date_as(row.raw["valid_from"], self.date_format)
            except FieldInvalid as exc:
                row.error("valid_from", f"Valid from {exc}")
        if valid_from is None or row["rate"] is None:
            return None
        self.seen[(currency, valid_from)].append(row.number)
        return (currency, row["rate"], valid_from)

    def check(self, rows: Iterable[CleanRow[RateData | None]]) -> Iterable[Issue]:
        issues = []
        for (currency, day), numbers in self.seen.items():
            if len(numbers) > 1:
                for n in numbers:
                    others = _rows_text(m for m in numbers if m != n)
                    issues.append(
                        self.issue(
                            n,
                            "valid_from",
                            day.isoformat(),
                            f"{currency} from {day.isoformat()} is also on {others}",
                        )
                    )
        return issues

    def apply(self, rows: Iterable[CleanRow[RateData | None]]) -> Counts:
        data = [r.data for r in rows if r.data is not None]
        try:
            return services.exchange_rates_upsert(org=self.org, rows=data, actor=self.actor)
        except ValidationError as exc:
            raise ApplyError([Issue(None, "", "", "; ".join(exc.messages))]) from exc
