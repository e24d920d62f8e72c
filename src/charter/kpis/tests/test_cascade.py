"""Targets across periods as pure functions (`kpis.cascade`), every figure worked out by hand.

The calendar: a fiscal year starting in July. FY2020 runs 1 July 2019 - 30 June 2020 (366 days:
February 2020 has 29); its Q1 (`2020-Q1`) is July, August and September 2019 (31 + 31 + 30 = 92
days), its Q3 is January to March 2020.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from charter.core.periods import containers_of, parse_period, parts_of
from charter.kpis.cascade import (
    BY_SHARES,
    SET,
    SHARE,
    SUM,
    Family,
    Part,
    TargetSource,
    by_days,
    by_months,
    derive,
    derive_one,
    describe,
    source_json,
)

JULY = 7
FY2020 = parse_period("FY2020", JULY)
Q1 = parse_period("2020-Q1", JULY)
ME = ("person", 1)


def by_days_weigh(_key: str, period, longer):
    return by_days(period, longer)


def found(**by_label: dict[str, str]) -> dict[str, dict[object, dict[str, Decimal]]]:
    """Targets of ME by period label: `found(**{"2019-07": {"revenue_won": "100"}})`."""
    return {
        label: {ME: {key: Decimal(value) for key, value in targets.items()}}
        for label, targets in by_label.items()
    }


def one(period_label: str, targets: dict[str, dict[object, dict[str, Decimal]]], key: str):
    family = Family.of(parse_period(period_label, JULY), JULY)
    return derive_one(family, targets, ME, key, by_days_weigh)


def test_a_july_fiscal_year_has_its_quarters_and_months_in_order():
    assert [p.label for p in parts_of(FY2020, JULY)] == ["2020-Q1", "2020-Q2", "2020-Q3", "2020-Q4"]
    assert [p.label for p in parts_of(Q1, JULY)] == ["2019-07", "2019-08", "2019-09"]
    february = parse_period("2020-02", JULY)
    assert [p.label for p in containers_of(february, JULY)] == ["2020-Q3", "FY2020"]
    assert FY2020.days == 366
    assert Q1.days == 92


def test_a_quarter_without_a_target_is_the_sum_of_its_months():
    targets = found(
        **{
            "2019-07": {"revenue_won": "100"},
            "2019-08": {"revenue_won": "120"},
            "2019-09": {"revenue_won": "130.5"},
        }
    )
    derived = one("2020-Q1", targets, "revenue_won")
    assert derived is not None
    assert derived.value == Decimal("350.5")
    assert derived.source.kind == SUM
    assert describe(derived.source, derived.value) == (
        "sum of Jul 2019, Aug 2019, Sep 2019: 100 + 120 + 130.50 = 350.50"
    )


def test_a_year_adds_up_its_quarters_each_set_or_added_up_from_its_months():
    # Q1 from its months (100 + 250 = 350), Q2 set (400), Q3 nothing, Q4 one month (50).
    targets = found(
        **{
            "2019-07": {"revenue_won": "100"},
            "2019-09": {"revenue_won": "250"},
            "2020-Q2": {"revenue_won": "400"},
            "2020-04": {"revenue_won": "50"},
        }
    )
    derived = one("FY2020", targets, "revenue_won")
    assert derived is not None
    assert derived.value == Decimal(800)
    assert derived.source.parts == (
        Part("2020-Q1", Decimal(350)),
        Part("2020-Q2", Decimal(400)),
        Part("2020-Q4", Decimal(50)),
    )


def test_a_year_adds_each_kpi_of_a_quarter_from_its_own_target_or_else_its_months():
    # Q1 sets deals won (7) beside months of both KPIs: its part of the year is 7 for deals won
    # and its months' 100 + 250 for revenue. Q2's months have only revenue (30 + 40 + 50); Q3's
    # months each have a different set: deals won 2 + 1 + 4, revenue only in February (5).
    targets = found(
        **{
            "2020-Q1": {"deals_won": "7"},
            "2019-07": {"revenue_won": "100", "deals_won": "3"},
            "2019-09": {"revenue_won": "250", "deals_won": "1"},
            "2019-10": {"revenue_won": "30"},
            "2019-11": {"revenue_won": "40"},
            "2019-12": {"revenue_won": "50"},
            "2020-01": {"deals_won": "2"},
            "2020-02": {"revenue_won": "5", "deals_won": "1"},
            "2020-03": {"deals_won": "4"},
        }
    )
    revenue = one("FY2020", targets, "revenue_won")
    deals = one("FY2020", targets, "deals_won")
    assert revenue is not None
    assert deals is not None
    assert revenue.source.parts == (
        Part("2020-Q1", Decimal(350)),
        Part("2020-Q2", Decimal(120)),
        Part("2020-Q3", Decimal(5)),
    )
    assert revenue.value == 475
    assert deals.source.parts == (Part("2020-Q1", Decimal(7)), Part("2020-Q3", Decimal(7)))
    assert deals.value == 14


def test_someone_who_joined_in_the_second_month_has_only_their_months_in_the_quarter():
    targets = found(**{"2019-08": {"deals_won": "4"}, "2019-09": {"deals_won": "5"}})
    derived = one("2020-Q1", targets, "deals_won")
    assert derived is not None
    assert derived.value == 9
    assert [part.label for part in derived.source.parts] == ["2019-08", "2019-09"]


def test_a_quarter_takes_its_days_share_of_the_year():
    targets = found(FY2020={"revenue_won": "4800000"})
    derived = one("2020-Q1", targets, "revenue_won")
    assert derived is not None
    # 4,800,000 x 92 / 366 = 1,206,557.377…
    assert derived.value == Decimal(4800000) * 92 / 366
    assert derived.source.kind == SHARE
    assert derived.source.period == "FY2020"
    assert describe(derived.source, derived.value) == (
        "a share of FY2020's 4,800,000 by days: 92 of 366 days = 1,206,557.38"
    )


def test_a_month_shares_the_nearest_longer_target_set():
    # February 2020 lies in 2020-Q3 (set: 90,000 over 91 days) and FY2020: the quarter is nearer.
    targets = found(FY2020={"revenue_won": "366000"}, **{"2020-Q3": {"revenue_won": "91000"}})
    derived = one("2020-02", targets, "revenue_won")
    assert derived is not None
    assert derived.value == 29000  # 91,000 x 29 / 91
    assert derived.source.period == "2020-Q3"
    # Without the quarter's target, the year's: 366,000 x 29 / 366.
    derived = one("2020-02", found(FY2020={"revenue_won": "366000"}), "revenue_won")
    assert derived is not None
    assert derived.value == 29000


def test_shares_per_month_weigh_each_month():
    # Shares of the months of FY2020: July 2019 weighs 2, every other month 1 (13 in all).
    amounts = {month: Decimal(2 if month.month == 7 else 1) for month in FY2020.months()}
    weight = by_months(Q1, FY2020, amounts, BY_SHARES)
    assert weight is not None
    assert (weight.numerator, weight.denominator) == (4, 13)
    july = parse_period("2019-07", JULY)
    assert by_months(july, FY2020, amounts, BY_SHARES).numerator == 2  # type: ignore[union-attr]
    # Nothing to weigh (or a negative weight) gives no share: the caller falls back to days.
    assert by_months(Q1, FY2020, {}, BY_SHARES) is None
    assert by_months(Q1, FY2020, {dt.date(2019, 7, 1): Decimal(-1)}, BY_SHARES) is None


def test_the_month_shares_of_a_year_add_up_to_the_year():
    amounts = {month: Decimal(month.month) for month in FY2020.months()}
    targets = found(FY2020={"revenue_won": "1000000"})
    total = Decimal(0)
    for month in FY2020.months():
        family = Family.of(parse_period(f"{month:%Y-%m}", JULY), JULY)

        def weigh(_key, period, longer):
            return by_months(period, longer, amounts, BY_SHARES)

        derived = derive_one(family, targets, ME, "revenue_won", weigh)
        assert derived is not None
        total += derived.value
    assert total.quantize(Decimal("0.0001")) == Decimal(1000000)


def test_a_target_set_for_the_quarter_wins_and_shows_what_its_months_add_up_to():
    targets = found(
        **{
            "2020-Q1": {"revenue_won": "1250000"},
            "2019-07": {"revenue_won": "400000"},
            "2019-08": {"revenue_won": "400000"},
            "2019-09": {"revenue_won": "400000"},
        }
    )
    derived = one("2020-Q1", targets, "revenue_won")
    assert derived is not None
    assert derived.value == 1250000
    assert derived.source.kind == SET
    assert derived.source.parts_total == 1200000
    assert describe(derived.source, derived.value) == (
        "set for 2020-Q1; the months add up to 1,200,000; the quarter's target is 1,250,000"
    )
    data = source_json(derived.source, derived.value)
    assert data is not None
    assert data["kind"] == "set"
    assert data["parts_total"] == "1200000"


def test_a_rate_is_never_summed_nor_shared():
    targets = found(
        FY2020={"win_rate": "30", "revenue_won": "366"},
        **{"2019-07": {"win_rate": "25"}, "2019-08": {"win_rate": "35"}},
    )
    family = Family.of(Q1, JULY)
    additive = {"win_rate": False, "revenue_won": True}
    derived = derive(family, targets, by_days_weigh, additive)
    assert set(derived[ME]) == {"revenue_won"}
    assert derived[ME]["revenue_won"].value == 92


def test_only_subjects_with_targets_around_the_period_are_worked_on():
    targets = {
        "2020-Q1": {ME: {"revenue_won": Decimal(5)}, ("person", 2): {"deals_won": Decimal(1)}}
    }
    assert derive(Family.of(Q1, JULY), targets, by_days_weigh) == {}


def test_a_set_target_reads_as_set_for_the_period():
    assert describe(TargetSource(SET, "2019-07"), Decimal(10)) == "set for Jul 2019"
    assert describe(None, Decimal(10)) == ""
    assert source_json(TargetSource(SET, "2019-07"), None) is None
