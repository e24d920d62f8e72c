"""The fields an importer reads and the parsers that turn one cell into a clean value.

A parser receives a non-blank cell (a string from CSV; a string, number, date or boolean from
XLSX) and returns the clean value, or raises `FieldInvalid` with a reason a person can act on.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

Parser = Callable[[Any], Any]


class FieldInvalid(Exception):
    """A cell that cannot become a clean value; the message is the reason."""


def normalise_header(name: str) -> str:
    """`Full Name`, `full_name` and `FULLNAME` all become `fullname`."""
    return re.sub(r"[\s_\-.]+", "", name).casefold()


# C0 control characters other than tab, line feed and carriage return, DEL, and the C1 controls.
# None of them belongs in a name, a note or an id; they come from binary junk or broken exports.
# PostgreSQL refuses NUL in text outright (the import died with a DataError there, while SQLite
# stored it), and the others are invisible on every page and in every export.
CONTROL_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CONTROL_NAMES = {0x00: "NUL", 0x07: "BEL", 0x08: "BS", 0x1B: "ESC", 0x7F: "DEL"}


def _escape(match: re.Match[str]) -> str:
    return f"\\x{ord(match[0]):02x}"


def visible_text(text: str) -> str:
    """`text` with every control character written as an escape (`\\x00`), so a message or a
    report can show it and a database can store it."""
    return CONTROL_CHARACTER.sub(_escape, text)


def control_characters(text: str) -> str:
    """'' when `text` has no control character, else which ones, for a message:
    "the control character U+0000 (NUL, shown as \\x00)"."""
    found = sorted({ord(c) for c in CONTROL_CHARACTER.findall(text)})
    if not found:
        return ""
    named = [
        f"U+{code:04X} ({_CONTROL_NAMES[code] + ', ' if code in _CONTROL_NAMES else ''}"
        f"shown as \\x{code:02x})"
        for code in found[:5]
    ]
    more = f" and {len(found) - 5} more" if len(found) > 5 else ""
    noun = "the control character" if len(found) == 1 else "the control characters"
    return f"{noun} {', '.join(named)}{more}"


def is_blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def cell_text(cell: Any) -> str:
    """A cell as the person would read it in their spreadsheet."""
    if cell is None:
        return ""
    if isinstance(cell, str):
        return cell
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat() if cell.time() == dt.time() else cell.isoformat(sep=" ")
    if isinstance(cell, dt.date | dt.time):
        return cell.isoformat()
    return str(cell)


@dataclass(frozen=True)
class Field:
    """One thing an importer reads from a column, e.g. a person's email."""

    name: str
    label: str
    required: bool = False
    # Other headers that mean this field, e.g. "Full name" for `name`; matched ignoring case,
    # spaces, dashes and underscores.
    aliases: tuple[str, ...] = ()
    parse: Parser | None = None
    help: str = ""

    def header_keys(self) -> list[str]:
        keys: list[str] = []
        for candidate in (self.name, self.label, *self.aliases):
            key = normalise_header(candidate)
            if key and key not in keys:
                keys.append(key)
        return keys

    def clean(self, cell: Any) -> Any:
        """The clean value of a non-blank cell (text, whitespace tidied, when no parser)."""
        return (self.parse or plain_text)(cell)

    def column_names(self) -> list[str]:
        """The label and aliases as a person reads them, each header matched once: an alias
        list shared between importers may repeat the label ("External ID")."""
        names: list[str] = []
        seen: set[str] = set()
        for candidate in (self.label, *self.aliases):
            key = normalise_header(candidate)
            if key and key not in seen:
                seen.add(key)
                names.append(candidate)
        return names

    def describe(self) -> str:
        names = ", ".join(self.column_names())
        required = "required; " if self.required else ""
        return f"{self.name} ({required}a column called {names})"


def text(*, max_length: int | None = None) -> Parser:
    """One line of text with runs of whitespace turned into single spaces."""

    def parse(cell: Any) -> str:
        value = " ".join((cell if type(cell) is str else cell_text(cell)).split())
        if max_length is not None and len(value) > max_length:
            raise FieldInvalid(f"is {len(value)} characters long; at most {max_length} are allowed")
        return value

    return parse


# The parser of a field without one, made once (a million-row import cleans millions of cells).
plain_text = text()


def email() -> Parser:
    def parse(cell: Any) -> str:
        value = cell_text(cell).strip().lower()
        try:
            validate_email(value)
        except ValidationError:
            raise FieldInvalid("is not a valid email address") from None
        return value

    return parse


def choice(options: Mapping[str, str], *, accepted: str) -> Parser:
    """Match a cell against `options` (spelling → value) ignoring case and spaces; `accepted`
    lists what a person may write, for the error message."""
    table = {normalise_header(k): v for k, v in options.items()}

    def parse(cell: Any) -> str:
        key = normalise_header(cell_text(cell))
        if key not in table:
            raise FieldInvalid(f"is not one of {accepted}")
        return table[key]

    return parse


_ISO_DATE = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2})?)?$"
)
_YEAR_FIRST = re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})$")
_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_SLASHED = re.compile(r"^(\d{1,2})[/-](\d{1,2})[/-](\d{4})$")
_MONTH_NAME_FORMATS = ("%d %b %Y", "%d %B %Y", "%b %d %Y", "%B %d %Y")
_DATE_HINT = "write dates as YYYY-MM-DD, e.g. 2024-03-31"
# Dates outside these years are typos or stand-in values (0001-01-01, or 9999-12-31 for "never"),
# not sales history or plans: Excel's calendar starts in 1900, and no close date or target
# period is planned past 2100. Such a date would sit in no KPI period anyone looks at.
EARLIEST_YEAR = 1900
LATEST_YEAR = 2100


def _in_range(value: dt.date) -> dt.date:
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise FieldInvalid(
            f"is in the year {value.year}; only dates from {EARLIEST_YEAR} to {LATEST_YEAR} "
            "are accepted"
        )
    return value


def _day(year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise FieldInvalid(f"is not a real date; {_DATE_HINT}") from None


def _spoken(value: dt.date) -> str:
    return f"{value.day} {value:%B %Y}"


def parse_date(cell: Any, *, day_first: bool | None = None) -> dt.date:
    """A date from an Excel date cell or a string in a common format, from EARLIEST_YEAR to
    LATEST_YEAR. `03/04/2024` could be March or April; unless `day_first` says which, such a
    date is refused rather than guessed."""
    return _in_range(_parse_date(cell, day_first=day_first))


def _parse_date(cell: Any, *, day_first: bool | None = None) -> dt.date:
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        # A number in a date column of a workbook is an Excel serial day (1 = 1900-01-01).
        if 1 <= cell < 2958466:
            from openpyxl.utils.datetime import from_excel

            converted = from_excel(cell)
            return converted.date() if isinstance(converted, dt.datetime) else converted
        raise FieldInvalid(f"is not a date; {_DATE_HINT}")
    if type(cell) is str and len(cell) == 10 and cell[4] == "-" and cell[7] == "-":
        # The common case, YYYY-MM-DD, read by the standard library's parser; what it refuses
        # (a day that does not exist, other digits) goes the long way below, for the reason.
        try:
            return dt.date.fromisoformat(cell)
        except ValueError:
            pass
    if (
        type(cell) is str
        and len(cell) == 24
        and cell[4] == cell[7] == "-"
        and cell[10] == "T"
        and cell[13] == cell[16] == ":"
        and cell[19] == "."
        and cell[23] == "Z"
    ):
        # Salesforce's timestamps (2024-03-31T09:30:00.000Z: every created date of its
        # exports), read by the standard library's parser, which checks the time exists too,
        # at a hundredth of the cost of the long way; what it refuses goes the long way below,
        # for the reason. The date is the one written, as below: no time zone is applied.
        try:
            return dt.datetime.fromisoformat(cell).date()
        except ValueError:
            pass
    value = " ".join(cell_text(cell).split())
    if match := _ISO_DATE.match(value):
        # The time is not kept, but a time that does not exist (25:00) means the text is not
        # the date it seems to be.
        if match[4] is not None and not (
            int(match[4]) <= 23 and int(match[5]) <= 59 and int(match[6] or 0) <= 59
        ):
            raise FieldInvalid(f"has a time that does not exist; {_DATE_HINT}")
        return _day(int(match[1]), int(match[2]), int(match[3]))
    if match := _YEAR_FIRST.match(value):
        return _day(int(match[1]), int(match[2]), int(match[3]))
    if match := _DOTTED.match(value):
        return _day(int(match[3]), int(match[2]), int(match[1]))
    if match := _SLASHED.match(value):
        first, second, year = int(match[1]), int(match[2]), int(match[3])
        if first > 12 or first == second:
            return _day(year, second, first)
        if second > 12:
            return _day(year, first, second)
        if day_first is not None:
            return _day(year, second, first) if day_first else _day(year, first, second)
        as_day_month, as_month_day = _day(year, second, first), _day(year, first, second)
        raise FieldInvalid(
            f"is ambiguous: it could be {_spoken(as_day_month)} or {_spoken(as_month_day)}; "
            f"{_DATE_HINT}"
        )
    words = value.replace(",", " ").replace("-", " ")
    words = " ".join(words.split())
    for fmt in _MONTH_NAME_FORMATS:
        try:
            return dt.datetime.strptime(words, fmt).date()  # noqa: DTZ007 - a date, no time
        except ValueError:
            continue
    raise FieldInvalid(f"is not a date; {_DATE_HINT}")


def date(*, day_first: bool | None = None) -> Parser:
    def parse(cell: Any) -> dt.date:
        return parse_date(cell, day_first=day_first)

    return parse


def day_first_of(fmt: str) -> bool | None:
    """Whether a `--date-format` such as `%d/%m/%Y` puts the day before the month."""
    day, month = fmt.find("%d"), fmt.find("%m")
    if day < 0 or month < 0:
        return None
    return day < month


def check_date_format(fmt: str) -> str:
    """A strptime format that names a year, a month and a day, or ValueError."""
    fmt = fmt.strip()
    parts = {"year": ("%Y", "%y"), "month": ("%m", "%b", "%B"), "day": ("%d",)}
    missing = [what for what, codes in parts.items() if not any(c in fmt for c in codes)]
    if missing:
        raise ValueError(
            f"the date format {fmt!r} has no {' or '.join(missing)}; write it like %d/%m/%Y "
            "for 31/01/2024"
        )
    try:
        dt.datetime(2024, 1, 31).strftime(fmt)  # noqa: DTZ001 - only checks the format
    except ValueError as exc:
        raise ValueError(f"the date format {fmt!r} is not valid: {exc}") from None
    return fmt


def parse_date_as(cell: Any, fmt: str | None) -> dt.date:
    """A date read with `fmt` when one was given (falling back on the unambiguous formats and on
    its day/month order), else as `parse_date` reads it."""
    if fmt and isinstance(cell, str):
        value = " ".join(cell.split())
        try:
            found = dt.datetime.strptime(value, fmt).date()  # noqa: DTZ007 - a date, no time
        except ValueError:
            pass
        else:
            return _in_range(found)
    return parse_date(cell, day_first=day_first_of(fmt) if fmt else None)


_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*([AaPp][Mm])?$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}[T ]\d")


def parse_datetime(cell: Any, *, tz: dt.tzinfo, fmt: str | None = None) -> dt.datetime:
    """A moment from an Excel date-time or a string; a time zone in the text wins, a naive
    time is read in `tz`, and a date alone means midnight there."""
    moment = _parse_datetime(cell, tz=tz, fmt=fmt)
    _in_range(moment.date())
    return moment


def _parse_datetime(cell: Any, *, tz: dt.tzinfo, fmt: str | None) -> dt.datetime:
    if isinstance(cell, dt.datetime):
        return cell if cell.tzinfo else cell.replace(tzinfo=tz)
    if isinstance(cell, dt.date):
        return dt.datetime.combine(cell, dt.time(), tzinfo=tz)
    value = " ".join(cell_text(cell).split())
    if _ISO_DATETIME.match(value):
        try:
            moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise FieldInvalid(f"is not a date and time; {_DATE_HINT} 14:30") from None
        return moment if moment.tzinfo else moment.replace(tzinfo=tz)
    date_part, _, time_part = value.partition(" ")
    if time_part and not _TIME.match(time_part):
        # "31 Jan 2024" has spaces too: then the whole text is a date.
        date_part, time_part = value, ""
    day = parse_date_as(date_part, fmt.split(" ")[0] if fmt else None)
    clock = dt.time()
    if time_part:
        match = _TIME.match(time_part)
        assert match is not None
        hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
        if match[4]:
            if not 1 <= hour <= 12:
                raise FieldInvalid("has an hour that does not fit AM/PM")
            hour = hour % 12 + (12 if match[4].lower() == "pm" else 0)
        try:
            clock = dt.time(hour, minute, second)
        except ValueError:
            raise FieldInvalid("has a time that does not exist") from None
    return dt.datetime.combine(day, clock, tzinfo=tz)
