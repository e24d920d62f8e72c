"""When a cadence's meetings fall, as pure functions of its fields.

Days are computed in the series' own calendar and the wall-clock time is placed in its IANA
zone for each day separately, so a weekly 1:1 at 10:00 in Paris stays at 10:00 local across a
daylight-saving change (its UTC instant moves by an hour, as calendar programs expect).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

WEEKLY = "weekly"
BIWEEKLY = "biweekly"
MONTHLY = "monthly"
LAST = -1
_BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class Rule:
    """The fields of a cadence that say when its meetings fall."""

    frequency: str
    weekday: int
    week_of_month: int | None
    local_time: dt.time
    duration_minutes: int
    time_zone: str
    effective_from: dt.date


def nth_weekday(year: int, month: int, weekday: int, nth: int) -> dt.date:
    """The `nth` (1 to 4, or -1 for the last) `weekday` of a month."""
    if nth == LAST:
        last = calendar.monthrange(year, month)[1]
        day = dt.date(year, month, last)
        return day - dt.timedelta(days=(day.weekday() - weekday) % 7)
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))


def _days(rule: Rule) -> Iterator[dt.date]:
    """Every day the rule falls on from its effective day, for ever."""
    if rule.frequency == MONTHLY:
        year, month = rule.effective_from.year, rule.effective_from.month
        while True:
            day = nth_weekday(year, month, rule.weekday, rule.week_of_month or 1)
            if day >= rule.effective_from:
                yield day
            month += 1
            if month > 12:
                year, month = year + 1, 1
    step = dt.timedelta(days=14 if rule.frequency == BIWEEKLY else 7)
    # Every two weeks counts from the first matching day on or after the version's start, so
    # a new version chooses its own fortnight.
    day = rule.effective_from + dt.timedelta(
        days=(rule.weekday - rule.effective_from.weekday()) % 7
    )
    while True:
        yield day
        day += step


def days_between(rule: Rule, start: dt.date, end: dt.date) -> list[dt.date]:
    """The rule's days in [start, end)."""
    found = []
    for day in _days(rule):
        if day >= end:
            break
        if day >= start:
            found.append(day)
    return found


def starts_at(rule: Rule, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """(start, end) of the meeting on `day`, aware, in the rule's zone."""
    start = dt.datetime.combine(day, rule.local_time, tzinfo=ZoneInfo(rule.time_zone))
    # A wall time skipped by a spring-forward (02:30 that night) is read as after the jump,
    # by a round trip through UTC.
    start = start.astimezone(dt.UTC).astimezone(ZoneInfo(rule.time_zone))
    return start, start + dt.timedelta(minutes=rule.duration_minutes)


def rrule(rule: Rule, until: dt.datetime | None = None) -> str:
    """The iCalendar RRULE of the rule; `until` (aware) ends it at the last meeting before a
    later version."""
    parts = ["FREQ=MONTHLY" if rule.frequency == MONTHLY else "FREQ=WEEKLY"]
    if rule.frequency == BIWEEKLY:
        parts.append("INTERVAL=2")
    byday = _BYDAY[rule.weekday]
    if rule.frequency == MONTHLY:
        byday = f"{rule.week_of_month or 1}{byday}"
    parts.append(f"BYDAY={byday}")
    if until is not None:
        parts.append("UNTIL=" + until.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ"))
    return ";".join(parts)


def describe(rule: Rule) -> str:
    """The rule in words: "Every two weeks on Tuesday at 10:00 (Europe/Paris), 30 minutes"."""
    day = calendar.day_name[rule.weekday]
    at = f"at {rule.local_time:%H:%M} ({rule.time_zone}), {rule.duration_minutes} minutes"
    if rule.frequency == MONTHLY:
        nth = {1: "first", 2: "second", 3: "third", 4: "fourth", LAST: "last"}
        return f"Monthly on the {nth[rule.week_of_month or 1]} {day} {at}"
    if rule.frequency == BIWEEKLY:
        return f"Every two weeks on {day} {at}"
    return f"Weekly on {day} {at}"
