"""Activities: `charter import activities FILE` (calls, emails, meetings, demos, tasks)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from charter.core.imports import Field, FieldInvalid, Row, text
from charter.core.imports.fields import cell_text, normalise_header, parse_datetime
from charter.core.registry import register_importer
from charter.crm.importers.base import ID_FIELD_ALIASES, OWNER_ALIASES, CrmImporter, FactData
from charter.crm.models import Activity, ActivityKind

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
