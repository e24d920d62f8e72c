"""Reporting periods on the organization's fiscal calendar: months, quarters and fiscal years.

Labels:
- a month is the calendar month, `2017-05`;
- a fiscal year is named after the calendar year it ends in (`FY2018` with a February start runs
  1 Feb 2017 - 31 Jan 2018; with a January start it is simply calendar 2018);
- a quarter is `<fiscal year>-Q<n>`: `2017-Q2` is the second quarter of FY2017.

Every period is a whole number of calendar months, so a day belongs to exactly one period of each
kind. Which day an instant belongs to is the organization's business (its time zone): see
`local_day`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

MONTH = "month"
QUARTER = "quarter"
YEAR = "year"
KINDS = (MONTH, QUARTER, YEAR)

_MONTH_LABEL = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER_LABEL = re.compile(r"^(?:FY)?(\d{4})-?Q([1-4])$", re.IGNORECASE)
_YEAR_LABEL = re.compile(r"^FY ?(\d{4})$", re.IGNORECASE)


class PeriodError(ValueError):
    """A label that names no period."""


@dataclass(frozen=True, order=True)
class Period:
    start: dt.date  # first day
    end: dt.date  # last day (inclusive)
    kind: str
    label: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def elapsed_days(self, today: dt.date) -> int:
        """Days of the period that have begun by `today` (today counts): 0 before it starts,
        all of them once it has ended."""
        if today < self.start:
            return 0
        if today > self.end:
            return self.days
        return (today - self.start).days + 1

    def months(self) -> list[dt.date]:
        """The first day of every calendar month in the period."""
        out = []
        day = self.start
        while day <= self.end:
            out.append(day)
            day = add_months(day, 1)
        return out

    def __str__(self) -> str:
        return self.label


def add_months(day: dt.date, months: int) -> dt.date:
    """The first of the month `months` after `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    try:
        return dt.date(index // 12, index % 12 + 1, 1)
    except ValueError:
        # A PeriodError (still a ValueError) so that callers catching bad labels catch this too.
        raise PeriodError("that period is outside the calendar (years 1-9999)") from None


def _check_start_month(start_month: int) -> None:
    if not 1 <= start_month <= 12:
        raise PeriodError(f"a fiscal year cannot start in month {start_month}")


def fiscal_year_of(day: dt.date, start_month: int = 1) -> int:
    """The fiscal year `day` falls in, named after the calendar year the fiscal year ends in."""
    _check_start_month(start_month)
    if start_month == 1 or day.month < start_month:
        return day.year
    return day.year + 1


def _year_start(fiscal_year: int, start_month: int) -> dt.date:
    year = fiscal_year if start_month == 1 else fiscal_year - 1
    if not 1 <= year <= 9999:
        raise PeriodError(f"FY{fiscal_year} is outside the calendar (years 1-9999)")
    return dt.date(year, start_month, 1)


def _last_day(first_of_next: dt.date) -> dt.date:
    return first_of_next - dt.timedelta(days=1)


def month_period(year: int, month: int) -> Period:
    if not 1 <= month <= 12:
        raise PeriodError(f"{year}-{month:02d} is not a month")
    if not 1 <= year <= 9999:
        raise PeriodError(f"{year} is outside the calendar (years 1-9999)")
    start = dt.date(year, month, 1)
    return Period(start, _last_day(add_months(start, 1)), MONTH, f"{year:04d}-{month:02d}")


def quarter_period(fiscal_year: int, quarter: int, start_month: int = 1) -> Period:
    if not 1 <= quarter <= 4:
        raise PeriodError(f"Q{quarter} is not a quarter")
    start = add_months(_year_start(fiscal_year, start_month), 3 * (quarter - 1))
    return Period(start, _last_day(add_months(start, 3)), QUARTER, f"{fiscal_year:04d}-Q{quarter}")


def year_period(fiscal_year: int, start_month: int = 1) -> Period:
    start = _year_start(fiscal_year, start_month)
    return Period(start, _last_day(add_months(start, 12)), YEAR, f"FY{fiscal_year:04d}")


# Pure, and asked the same questions on every page (this quarter, the last few): answered once.
# A bad argument raises, and raising is never remembered.
@lru_cache(maxsize=4096)
def period_containing(day: dt.date, kind: str, start_month: int = 1) -> Period:
    """The month, quarter or fiscal year that `day` falls in."""
    _check_start_month(start_month)
    if kind == MONTH:
        return month_period(day.year, day.month)
    fiscal_year = fiscal_year_of(day, start_month)
    if kind == YEAR:
        return year_period(fiscal_year, start_month)
    if kind == QUARTER:
        into_year = (day.month - start_month) % 12
        return quarter_period(fiscal_year, into_year // 3 + 1, start_month)
    raise PeriodError(f"{kind!r} is not a period kind (month, quarter or year)")


@lru_cache(maxsize=4096)
def parse_period(label: str, start_month: int = 1) -> Period:
    """`2017-05`, `2017-Q2` (also `FY2017-Q2`, `2017Q2`) or `FY2018`."""
    _check_start_month(start_month)
    text = (label or "").strip()
    if match := _MONTH_LABEL.match(text):
        year, month = int(match[1]), int(match[2])
        if not 1 <= month <= 12:
            raise PeriodError(f"{label!r}: there is no month {month}")
        return month_period(year, month)
    if match := _QUARTER_LABEL.match(text):
        return quarter_period(int(match[1]), int(match[2]), start_month)
    if match := _YEAR_LABEL.match(text):
        return year_period(int(match[1]), start_month)
    raise PeriodError(
        f"{label!r} is not a period: write a month (2017-05), a quarter (2017-Q2) or a "
        "fiscal year (FY2018)"
    )


def shift(period: Period, steps: int, start_month: int = 1) -> Period:
    """The period of the same kind `steps` away (negative: earlier)."""
    months = {MONTH: 1, QUARTER: 3, YEAR: 12}[period.kind]
    return period_containing(add_months(period.start, months * steps), period.kind, start_month)


def recent(period: Period, count: int, start_month: int = 1) -> list[Period]:
    """`count` periods of the same kind ending with `period`, oldest first."""
    return [shift(period, step, start_month) for step in range(1 - count, 1)]


def local_day(moment: dt.datetime, time_zone: str) -> dt.date:
    """The organization's calendar day of an instant: a call at 23:30 in New York on 30 June
    belongs to June (and to Q2) even though it is already 1 July in UTC."""
    if moment.tzinfo is None:
        raise ValueError("a naive datetime has no day in a time zone")
    return moment.astimezone(ZoneInfo(time_zone or "UTC")).date()


def day_bounds(first: dt.date, last: dt.date, time_zone: str) -> tuple[dt.datetime, dt.datetime]:
    """The instants [from, to) covering the local days `first`..`last` in `time_zone`: what to
    filter timestamps by so that they land on the same days as `local_day` puts them."""
    zone = ZoneInfo(time_zone or "UTC")
    start = dt.datetime.combine(first, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return start, end


def parts_of(period: Period, start_month: int = 1) -> list[Period]:
    """The periods one step shorter that make up `period`: a fiscal year's four quarters, a
    quarter's three months; none for a month."""
    if period.kind == MONTH:
        return []
    kind, step, count = (QUARTER, 3, 4) if period.kind == YEAR else (MONTH, 1, 3)
    return [
        period_containing(add_months(period.start, step * index), kind, start_month)
        for index in range(count)
    ]


def containers_of(period: Period, start_month: int = 1) -> list[Period]:
    """The longer periods `period` lies in, nearest first: a month's quarter and fiscal year, a
    quarter's fiscal year; none for a fiscal year."""
    longer = {MONTH: (QUARTER, YEAR), QUARTER: (YEAR,), YEAR: ()}[period.kind]
    return [period_containing(period.start, kind, start_month) for kind in longer]
