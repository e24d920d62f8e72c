"""When meetings fall: pure functions of a cadence's fields."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from charter.meetings import recurrence
from charter.meetings.recurrence import Rule


def rule(**changes: object) -> Rule:
    fields: dict = {
        "frequency": "weekly",
        "weekday": 1,
        "week_of_month": None,
        "local_time": dt.time(10, 0),
        "duration_minutes": 30,
        "time_zone": "Europe/Paris",
        "effective_from": dt.date(2026, 3, 16),
    }
    fields.update(changes)
    return Rule(**fields)


def test_weekly_meetings_keep_their_local_time_across_the_daylight_saving_change():
    # Paris moves to summer time on Sunday 29 March 2026.
    days = recurrence.days_between(rule(), dt.date(2026, 3, 16), dt.date(2026, 4, 8))
    assert days == [
        dt.date(2026, 3, 17),
        dt.date(2026, 3, 24),
        dt.date(2026, 3, 31),
        dt.date(2026, 4, 7),
    ]
    starts = [recurrence.starts_at(rule(), day)[0] for day in days]
    assert {s.astimezone(ZoneInfo("Europe/Paris")).time() for s in starts} == {dt.time(10, 0)}
    assert [s.astimezone(dt.UTC).hour for s in starts] == [9, 9, 8, 8]


def test_every_two_weeks_counts_from_the_first_day_on_or_after_the_start():
    days = recurrence.days_between(
        rule(frequency="biweekly", weekday=3), dt.date(2026, 3, 1), dt.date(2026, 4, 30)
    )
    assert days == [dt.date(2026, 3, 19), dt.date(2026, 4, 2), dt.date(2026, 4, 16)]


def test_monthly_on_the_last_friday_crosses_month_ends_of_every_length():
    last_friday = rule(
        frequency="monthly", weekday=4, week_of_month=-1, effective_from=dt.date(2026, 1, 1)
    )
    days = recurrence.days_between(last_friday, dt.date(2026, 1, 1), dt.date(2026, 6, 1))
    assert days == [
        dt.date(2026, 1, 30),
        dt.date(2026, 2, 27),
        dt.date(2026, 3, 27),
        dt.date(2026, 4, 24),
        dt.date(2026, 5, 29),
    ]


def test_monthly_on_the_second_tuesday_rolls_over_the_year_end():
    second_tuesday = rule(
        frequency="monthly", weekday=1, week_of_month=2, effective_from=dt.date(2026, 11, 20)
    )
    days = recurrence.days_between(second_tuesday, dt.date(2026, 11, 1), dt.date(2027, 3, 1))
    assert days == [dt.date(2026, 12, 8), dt.date(2027, 1, 12), dt.date(2027, 2, 9)]


def test_a_wall_time_skipped_by_spring_forward_is_placed_after_the_jump():
    night = rule(local_time=dt.time(2, 30), weekday=6, effective_from=dt.date(2026, 3, 29))
    start, end = recurrence.starts_at(night, dt.date(2026, 3, 29))
    assert start.astimezone(dt.UTC) == dt.datetime(2026, 3, 29, 1, 30, tzinfo=dt.UTC)
    assert end - start == dt.timedelta(minutes=30)


def test_rrule_says_the_rhythm_and_its_end():
    assert recurrence.rrule(rule()) == "FREQ=WEEKLY;BYDAY=TU"
    assert recurrence.rrule(rule(frequency="biweekly")) == "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"
    monthly = rule(frequency="monthly", week_of_month=-1)
    until = dt.datetime(2026, 6, 30, 8, tzinfo=dt.UTC)
    assert recurrence.rrule(monthly, until) == "FREQ=MONTHLY;BYDAY=-1TU;UNTIL=20260630T080000Z"
