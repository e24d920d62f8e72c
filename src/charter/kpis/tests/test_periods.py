"""Periods on a fiscal calendar, worked out by hand from a wall calendar."""

from __future__ import annotations

import datetime as dt

import pytest

from charter.core.periods import (
    MONTH,
    QUARTER,
    YEAR,
    Period,
    PeriodError,
    day_bounds,
    fiscal_year_of,
    local_day,
    parse_period,
    period_containing,
    recent,
    shift,
)

D = dt.date


def span(period: Period) -> tuple[dt.date, dt.date]:
    return period.start, period.end


def test_a_month_label_is_the_calendar_month() -> None:
    may = parse_period("2017-05")
    assert (may.kind, may.label, span(may), may.days) == (
        MONTH,
        "2017-05",
        (D(2017, 5, 1), D(2017, 5, 31)),
        31,
    )
    # 2016 is a leap year: February has 29 days.
    assert parse_period("2016-02").days == 29
    # A one-digit month is read, and labelled the canonical way.
    assert parse_period("2017-5").label == "2017-05"


def test_quarters_and_years_on_a_january_calendar() -> None:
    q2 = parse_period("2017-Q2")
    # April 30 + May 31 + June 30 = 91 days.
    assert (q2.kind, span(q2), q2.days) == (QUARTER, (D(2017, 4, 1), D(2017, 6, 30)), 91)
    assert q2.months() == [D(2017, 4, 1), D(2017, 5, 1), D(2017, 6, 1)]
    fy = parse_period("FY2018")
    assert (fy.kind, span(fy), fy.days) == (YEAR, (D(2018, 1, 1), D(2018, 12, 31)), 365)
    assert parse_period("FY2016").days == 366
    # The other spellings name the same quarter.
    assert parse_period("FY2017-Q2") == parse_period("2017q2") == q2


def spans_of(*bounds: tuple[int, int, int, int]) -> list[tuple[dt.date, dt.date]]:
    """(start year, start month, end year, end month) → (first day, last day of the end month)."""
    return [
        (D(y1, m1, 1), D(y2 + m2 // 12, m2 % 12 + 1, 1) - dt.timedelta(days=1))
        for y1, m1, y2, m2 in bounds
    ]


@pytest.mark.parametrize(
    ("start_month", "year", "q1", "q4"),
    [
        # A fiscal year is named after the calendar year it ends in.
        (1, *spans_of((2018, 1, 2018, 12), (2018, 1, 2018, 3), (2018, 10, 2018, 12))),
        (2, *spans_of((2017, 2, 2018, 1), (2017, 2, 2017, 4), (2017, 11, 2018, 1))),
        (4, *spans_of((2017, 4, 2018, 3), (2017, 4, 2017, 6), (2018, 1, 2018, 3))),
        (7, *spans_of((2017, 7, 2018, 6), (2017, 7, 2017, 9), (2018, 4, 2018, 6))),
        (10, *spans_of((2017, 10, 2018, 9), (2017, 10, 2017, 12), (2018, 7, 2018, 9))),
    ],
)
def test_fiscal_year_2018_for_every_start_month(
    start_month: int,
    year: tuple[dt.date, dt.date],
    q1: tuple[dt.date, dt.date],
    q4: tuple[dt.date, dt.date],
) -> None:
    assert span(parse_period("FY2018", start_month)) == year
    assert span(parse_period("2018-Q1", start_month)) == q1
    assert span(parse_period("2018-Q4", start_month)) == q4
    # Months ignore the fiscal calendar.
    assert span(parse_period("2017-05", start_month)) == (D(2017, 5, 1), D(2017, 5, 31))


def test_february_start_fy2018_has_365_days_and_its_q4_92() -> None:
    fy = parse_period("FY2018", 2)
    # Feb 2017 (28) + Mar-Dec 2017 (306) + Jan 2018 (31) = 365.
    assert fy.days == 365
    # Nov 30 + Dec 31 + Jan 31 = 92.
    assert parse_period("2018-Q4", 2).days == 92


@pytest.mark.parametrize(
    ("day", "start_month", "quarter", "year"),
    [
        (D(2017, 4, 1), 1, "2017-Q2", "FY2017"),  # first day of a quarter
        (D(2017, 6, 30), 1, "2017-Q2", "FY2017"),  # last day
        (D(2017, 7, 1), 1, "2017-Q3", "FY2017"),
        (D(2017, 12, 31), 1, "2017-Q4", "FY2017"),
        (D(2018, 1, 1), 1, "2018-Q1", "FY2018"),
        (D(2017, 1, 31), 2, "2017-Q4", "FY2017"),  # last day of FY2017 on a Feb calendar
        (D(2017, 2, 1), 2, "2018-Q1", "FY2018"),  # first day of FY2018
        (D(2017, 3, 31), 4, "2017-Q4", "FY2017"),
        (D(2017, 4, 1), 4, "2018-Q1", "FY2018"),
        (D(2017, 6, 30), 7, "2017-Q4", "FY2017"),
        (D(2017, 7, 1), 7, "2018-Q1", "FY2018"),
        (D(2017, 9, 30), 10, "2017-Q4", "FY2017"),
        (D(2017, 10, 1), 10, "2018-Q1", "FY2018"),
        (D(2018, 1, 1), 10, "2018-Q2", "FY2018"),
    ],
)
def test_period_containing_on_the_edges(
    day: dt.date, start_month: int, quarter: str, year: str
) -> None:
    found = period_containing(day, QUARTER, start_month)
    assert found.label == quarter
    assert found.contains(day)
    assert period_containing(day, YEAR, start_month).label == year
    assert fiscal_year_of(day, start_month) == int(year[2:])
    assert period_containing(day, MONTH, start_month).label == f"{day:%Y-%m}"
    # Labels read back as the same period.
    assert parse_period(found.label, start_month) == found


def test_shift_and_recent_cross_year_boundaries() -> None:
    assert shift(parse_period("2017-Q4"), 1).label == "2018-Q1"
    assert shift(parse_period("2018-Q1"), -1).label == "2017-Q4"
    assert shift(parse_period("2018-01"), -1).label == "2017-12"
    assert shift(parse_period("FY2018"), -1).label == "FY2017"
    # Q4 of FY2018 on a February calendar ends 31 Jan 2018; the next quarter starts 1 Feb 2018
    # and is the first of FY2019.
    nxt = shift(parse_period("2018-Q4", 2), 1, 2)
    assert (nxt.label, span(nxt)) == ("2019-Q1", (D(2018, 2, 1), D(2018, 4, 30)))
    assert [p.label for p in recent(parse_period("2018-Q1"), 3)] == [
        "2017-Q3",
        "2017-Q4",
        "2018-Q1",
    ]
    assert [p.label for p in recent(parse_period("2018-02"), 3)] == [
        "2017-12",
        "2018-01",
        "2018-02",
    ]


def test_elapsed_days_before_during_and_after() -> None:
    q2 = parse_period("2017-Q2")
    assert q2.elapsed_days(D(2017, 3, 31)) == 0
    assert q2.elapsed_days(D(2017, 4, 1)) == 1  # today counts
    assert q2.elapsed_days(D(2017, 4, 30)) == 30
    assert q2.elapsed_days(D(2017, 6, 30)) == 91
    assert q2.elapsed_days(D(2017, 9, 1)) == 91


@pytest.mark.parametrize(
    "label",
    ["2017-13", "2017-00", "2017-Q5", "2017-Q0", "FY18", "Q2", "2017/05", "", "  ", "May 2017",
     "0000-05", "9999-12", "FY0000"],
)  # fmt: skip
def test_bad_labels_give_a_clear_period_error(label: str) -> None:
    with pytest.raises(PeriodError) as caught:
        parse_period(label)
    assert str(caught.value)


def test_the_message_for_a_label_that_is_no_period_shows_the_forms() -> None:
    with pytest.raises(PeriodError, match=r"2017-05.*2017-Q2.*FY2018"):
        parse_period("next quarter")


def test_a_fiscal_start_month_outside_1_to_12_is_refused() -> None:
    with pytest.raises(PeriodError):
        parse_period("2017-Q2", 13)
    with pytest.raises(PeriodError):
        period_containing(D(2017, 5, 1), QUARTER, 0)
    with pytest.raises(PeriodError):
        period_containing(D(2017, 5, 1), "week")


def test_local_day_puts_an_instant_on_the_org_calendar() -> None:
    late = dt.datetime(2017, 7, 1, 3, 30, tzinfo=dt.UTC)
    # 03:30 UTC is 23:30 on 30 June in New York (EDT, UTC-4): June and Q2 there.
    new_york = local_day(late, "America/New_York")
    assert new_york == D(2017, 6, 30)
    assert period_containing(new_york, QUARTER).label == "2017-Q2"
    assert period_containing(new_york, MONTH).label == "2017-06"
    utc = local_day(late, "UTC")
    assert (utc, period_containing(utc, QUARTER).label) == (D(2017, 7, 1), "2017-Q3")
    # 16:00 UTC on 30 June is 01:00 on 1 July in Tokyo (UTC+9).
    tokyo = local_day(dt.datetime(2017, 6, 30, 16, 0, tzinfo=dt.UTC), "Asia/Tokyo")
    assert (tokyo, period_containing(tokyo, MONTH).label) == (D(2017, 7, 1), "2017-07")
    with pytest.raises(ValueError, match="naive"):
        local_day(dt.datetime(2017, 7, 1, 3, 30), "UTC")


def test_day_bounds_follow_the_offset_of_each_edge() -> None:
    # Q2 in New York runs from 04:00 UTC on 1 April (EDT) to 04:00 UTC on 1 July.
    start, end = day_bounds(D(2017, 4, 1), D(2017, 6, 30), "America/New_York")
    assert start.astimezone(dt.UTC) == dt.datetime(2017, 4, 1, 4, 0, tzinfo=dt.UTC)
    assert end.astimezone(dt.UTC) == dt.datetime(2017, 7, 1, 4, 0, tzinfo=dt.UTC)
    assert start <= dt.datetime(2017, 7, 1, 3, 30, tzinfo=dt.UTC) < end
    # In January New York is on EST (UTC-5).
    start, end = day_bounds(D(2017, 1, 1), D(2017, 1, 31), "America/New_York")
    assert start.astimezone(dt.UTC) == dt.datetime(2017, 1, 1, 5, 0, tzinfo=dt.UTC)
    assert end.astimezone(dt.UTC) == dt.datetime(2017, 2, 1, 5, 0, tzinfo=dt.UTC)
