"""Scorecard arithmetic checked by hand: proration, attainment, pace, forecast, status, score."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from charter.core.periods import parse_period
from charter.kpis.formula import parse
from charter.kpis.scoring import (
    AHEAD,
    AT_RISK,
    BEHIND,
    ON_TRACK,
    KpiResult,
    KpiSpec,
    Revision,
    kpi_result,
    prorate,
    spans,
    sum_targets,
    unchanged_from,
    value_on,
    weighted_score,
)

D = dt.date
Q2 = parse_period("2017-Q2")  # 1 April - 30 June 2017: 30 + 31 + 30 = 91 days
CENT = Decimal("0.01")
BASIS_POINT = Decimal("0.0001")


def spec(
    key: str,
    formula: str,
    *,
    unit: str = "count",
    direction: str = "higher",
    weight: str = "1",
    score_cap: str | None = "1.5",
) -> KpiSpec:
    return KpiSpec(
        key=key,
        name=key,
        formula=parse(formula),
        unit=unit,
        direction=direction,
        decimals=0,
        threshold_ahead=Decimal("1.1"),
        threshold_on_track=Decimal("0.95"),
        threshold_at_risk=Decimal("0.8"),
        weight=Decimal(weight),
        score_cap=Decimal(score_cap) if score_cap is not None else None,
    )


REVENUE = spec("revenue_won", "deals_won_amount", unit="money")
WIN_RATE = spec(
    "win_rate", "deals_won_count / (deals_won_count + deals_lost_count)", unit="percent"
)
CYCLE = spec(
    "avg_cycle_days", "won_cycle_days_sum / deals_won_count", unit="days", direction="lower"
)
LOST = spec("deals_lost", "deals_lost_count", direction="lower")
CALLS = spec("activities_calls", "activities_call_count")


def rev(value: int, day: dt.date) -> Revision:
    return Revision(value=Decimal(value), effective_from=day)


def q(value: Decimal | None, places: Decimal = CENT) -> Decimal | None:
    return None if value is None else value.quantize(places)


# -- proration ----------------------------------------------------------------------------


def test_a_first_target_set_mid_period_applies_from_the_start() -> None:
    only = rev(90, D(2017, 4, 10))
    assert [(s.start, s.end, s.days) for s in spans([only], Q2)] == [
        (D(2017, 4, 1), D(2017, 6, 30), 91)
    ]
    assert prorate([only], Q2) == 90


def test_a_change_on_1_may_weights_by_days() -> None:
    revisions = [rev(90, D(2017, 4, 1)), rev(120, D(2017, 5, 1))]
    parts = spans(revisions, Q2)
    # April: 30 days at 90; May and June: 31 + 30 = 61 days at 120.
    assert [(p.revision.value, p.days) for p in parts] == [(90, 30), (120, 61)]
    # (30 x 90 + 61 x 120) / 91 = (2700 + 7320) / 91 = 10020 / 91 = 110.10989…
    assert q(prorate(revisions, Q2)) == Decimal("110.11")
    assert prorate(revisions, Q2) == Decimal(10020) / Decimal(91)


def test_two_revisions_on_the_same_day_the_later_wins() -> None:
    revisions = [rev(90, D(2017, 4, 1)), rev(100, D(2017, 5, 16)), rev(130, D(2017, 5, 16))]
    # 1 April - 15 May: 30 + 15 = 45 days at 90; 16 May - 30 June: 16 + 30 = 46 days at 130.
    assert [(p.revision.value, p.days) for p in spans(revisions, Q2)] == [(90, 45), (130, 46)]
    # (4050 + 5980) / 91 = 10030 / 91 = 110.2197…
    assert q(prorate(revisions, Q2)) == Decimal("110.22")


def test_a_revision_effective_after_the_period_is_ignored() -> None:
    revisions = [rev(90, D(2017, 4, 1)), rev(200, D(2017, 7, 1))]
    assert prorate(revisions, Q2) == 90


def test_a_revision_from_before_the_period_opens_it() -> None:
    # 80 since March, 90 from 1 June: April + May = 61 days at 80, June 30 days at 90.
    revisions = [rev(80, D(2017, 3, 1)), rev(90, D(2017, 6, 1))]
    # (4880 + 2700) / 91 = 7580 / 91 = 83.2967…
    assert q(prorate(revisions, Q2)) == Decimal("83.30")


def test_a_later_change_from_an_earlier_date_holds_to_the_end() -> None:
    # Made in this order: 100 from April; 120 from 15 May; then "110 from 1 May" (made last),
    # which holds from 1 May to the end, over the 15 May revision made before it.
    revisions = [rev(100, D(2017, 4, 1)), rev(120, D(2017, 5, 15)), rev(110, D(2017, 5, 1))]
    assert [(p.revision.value, p.start, p.days) for p in spans(revisions, Q2)] == [
        (100, D(2017, 4, 1), 30),
        (110, D(2017, 5, 1), 61),
    ]
    # (3000 + 6710) / 91 = 9710 / 91 = 106.7033…
    assert q(prorate(revisions, Q2)) == Decimal("106.70")
    assert value_on(revisions, D(2017, 6, 1)) == 110
    assert value_on(revisions, D(2017, 3, 1)) == 100  # before the first date: the first value


def test_revisions_made_in_date_order_each_hold_until_the_next() -> None:
    revisions = [rev(100, D(2017, 4, 1)), rev(110, D(2017, 5, 1)), rev(120, D(2017, 5, 15))]
    # April 30 days at 100; 1-14 May 14 days at 110; 15 May - 30 June 17 + 30 = 47 days at 120.
    assert [(p.revision.value, p.days) for p in spans(revisions, Q2)] == [
        (100, 30),
        (110, 14),
        (120, 47),
    ]
    # (3000 + 1540 + 5640) / 91 = 10180 / 91 = 111.8681…
    assert q(prorate(revisions, Q2)) == Decimal("111.87")


def test_no_revisions_no_target() -> None:
    assert spans([], Q2) == []
    assert prorate([], Q2) is None
    assert value_on([], D(2017, 5, 1)) is None


def test_unchanged_from_only_when_every_later_day_already_has_the_value() -> None:
    revisions = [rev(100, D(2017, 4, 1)), rev(120, D(2017, 5, 15))]
    assert unchanged_from(revisions, Decimal(120), D(2017, 6, 1), Q2)
    assert unchanged_from(revisions, Decimal(120), D(2017, 5, 15), Q2)
    # From 1 May: 1-14 May are still 100.
    assert not unchanged_from(revisions, Decimal(120), D(2017, 5, 1), Q2)
    # 100 from 1 May is not in effect from 15 May on.
    assert not unchanged_from(revisions, Decimal(100), D(2017, 5, 1), Q2)
    assert not unchanged_from([], Decimal(100), D(2017, 5, 1), Q2)


def test_team_target_sums_only_the_targets_present() -> None:
    assert sum_targets([None, Decimal(10), Decimal(5)]) == 15
    assert sum_targets([None, None]) is None


# -- pace, forecast, status ---------------------------------------------------------------


def test_day_30_of_91_with_40000_against_100000_is_ahead() -> None:
    day_30 = D(2017, 4, 30)
    result = kpi_result(REVENUE, {"deals_won_amount": Decimal(40000)}, Decimal(100000), Q2, day_30)
    assert (result.elapsed_days, result.period_days) == (30, 91)
    assert result.attainment == Decimal("0.4")
    # Expected by now: 100,000 x 30 / 91 = 32,967.0329…
    assert q(result.expected_to_date) == Decimal("32967.03")
    # Pace: 40,000 / 32,967.03 = 40,000 x 91 / 3,000,000 = 1.21333… (121.3 %).
    assert q(result.pace, BASIS_POINT) == Decimal("1.2133")
    # Forecast: 40,000 x 91 / 30 = 121,333.33…; against 100,000: 121.3 % ≥ 110 % → ahead.
    assert q(result.forecast) == Decimal("121333.33")
    assert q(result.forecast_attainment, BASIS_POINT) == Decimal("1.2133")
    assert result.status == AHEAD


def test_a_ratio_kpi_is_its_own_pace_and_forecast() -> None:
    # 3 won of 4 closed = 75 % against a 60 % target: 75 / 60 = 1.25.
    metrics = {"deals_won_count": Decimal(3), "deals_lost_count": Decimal(1)}
    result = kpi_result(WIN_RATE, metrics, Decimal(60), Q2, D(2017, 4, 30))
    assert result.actual == 75
    assert result.attainment == Decimal("1.25")
    assert result.pace == result.attainment
    assert result.forecast == result.actual
    assert result.expected_to_date is None
    assert result.status == AHEAD
    assert result.metrics == metrics


def test_zero_won_deals_rate_0_and_averages_no_data() -> None:
    metrics = {"deals_won_count": Decimal(0), "deals_lost_count": Decimal(2)}
    assert kpi_result(WIN_RATE, metrics, Decimal(30), Q2, D(2017, 5, 1)).actual == 0
    cycle = kpi_result(CYCLE, {"deals_won_count": Decimal(0)}, Decimal(30), Q2, D(2017, 5, 1))
    assert (cycle.actual, cycle.attainment, cycle.status) == (None, None, None)


def test_lower_is_better_attainment_is_target_over_actual() -> None:
    # 40 days over 5 won deals = 8 days against a 10-day target: 10 / 8 = 125 %.
    metrics = {"won_cycle_days_sum": Decimal(40), "deals_won_count": Decimal(5)}
    result = kpi_result(CYCLE, metrics, Decimal(10), Q2, D(2017, 5, 1))
    assert result.actual == 8
    assert result.attainment == Decimal("1.25")
    assert result.pace == Decimal("1.25")
    assert result.status == AHEAD
    # 12.5 days against 10: 80 % (exactly the at-risk threshold).
    slow = {"won_cycle_days_sum": Decimal(50), "deals_won_count": Decimal(4)}
    late = kpi_result(CYCLE, slow, Decimal(10), Q2, D(2017, 5, 1))
    assert (late.attainment, late.status) == (Decimal("0.8"), AT_RISK)


def test_lower_is_better_additive_paces_the_allowance() -> None:
    # 6 deals lost by day 30 with an allowance of 12 for the quarter.
    result = kpi_result(LOST, {"deals_lost_count": Decimal(6)}, Decimal(12), Q2, D(2017, 4, 30))
    assert result.attainment == 2  # 12 / 6
    # Allowed by now: 12 x 30 / 91 = 3.956…; pace 3.956 / 6 = 0.6593…
    assert q(result.expected_to_date, BASIS_POINT) == Decimal("3.9560")
    assert q(result.pace, BASIS_POINT) == Decimal("0.6593")
    # Forecast 6 x 91 / 30 = 18.2 lost; 12 / 18.2 = 0.6593… < 80 % → behind.
    assert result.forecast == Decimal("18.2")
    assert result.status == BEHIND


def test_before_the_period_starts_there_is_no_pace_or_status() -> None:
    result = kpi_result(REVENUE, {"deals_won_amount": Decimal(0)}, Decimal(1000), Q2, D(2017, 3, 1))
    assert result.elapsed_days == 0
    assert result.attainment == 0
    assert (result.expected_to_date, result.pace, result.forecast, result.status) == (
        None,
        None,
        None,
        None,
    )


def test_after_the_period_ends_the_forecast_is_the_actual() -> None:
    # 95,000 of 100,000 when it is over: 95 % is exactly the on-track threshold.
    metrics = {"deals_won_amount": Decimal(95000)}
    result = kpi_result(REVENUE, metrics, Decimal(100000), Q2, D(2017, 8, 1))
    assert result.elapsed_days == 91
    assert result.expected_to_date == 100000
    assert result.forecast == 95000
    assert result.pace == result.attainment == Decimal("0.95")
    assert result.status == ON_TRACK


@pytest.mark.parametrize(
    ("actual", "status"),
    [(110, AHEAD), (109, ON_TRACK), (95, ON_TRACK), (94, AT_RISK), (80, AT_RISK), (79, BEHIND)],
)
def test_status_thresholds_on_the_forecast(actual: int, status: str) -> None:
    metrics = {"activities_call_count": Decimal(actual)}
    assert kpi_result(CALLS, metrics, Decimal(100), Q2, D(2017, 7, 1)).status == status


def test_no_target_no_status() -> None:
    result = kpi_result(CALLS, {"activities_call_count": Decimal(5)}, None, Q2, D(2017, 5, 1))
    assert (result.target, result.attainment, result.pace, result.status) == (None,) * 4
    assert result.status_label == "No target"
    # The forecast needs no target: 5 calls in 31 days → 5 x 91 / 31 = 14.677…
    assert q(result.forecast) == Decimal("14.68")


def test_percent_actual_is_times_100() -> None:
    metrics = {"deals_won_count": Decimal(11), "deals_lost_count": Decimal(29)}
    # 11 / 40 = 0.275 → 27.5 %.
    assert kpi_result(WIN_RATE, metrics, None, Q2, D(2017, 5, 1)).actual == Decimal("27.5")


# -- the overall score --------------------------------------------------------------------


def result(kpi: KpiSpec, actual: int, target: int) -> KpiResult:
    name = kpi.formula.metrics[0]
    return kpi_result(kpi, {name: Decimal(actual)}, Decimal(target), Q2, D(2017, 7, 1))


def test_attainment_is_uncapped_but_the_score_is_capped() -> None:
    calls = result(spec("calls", "activities_call_count", weight="5"), 43, 20)
    # 43 / 20 = 2.15: the scorecard shows 215 %.
    assert calls.attainment == Decimal("2.15")
    meetings = result(spec("meetings", "activities_meeting_count", weight="5"), 5, 10)
    # In the score calls count at most 150 %: (5 x 1.5 + 5 x 0.5) / 10 = 1.0.
    assert weighted_score([calls, meetings]) == 1
    # Without a cap it would be (5 x 2.15 + 5 x 0.5) / 10 = 1.325.
    uncapped = result(spec("calls", "activities_call_count", weight="5", score_cap=None), 43, 20)
    assert weighted_score([uncapped, meetings]) == Decimal("1.325")


def test_the_score_skips_kpis_without_attainment_or_weight() -> None:
    revenue = result(spec("revenue", "deals_won_amount", weight="40"), 80, 100)
    calls = result(spec("calls", "activities_call_count", weight="10"), 30, 20)
    unweighted = result(spec("emails", "activities_email_count", weight="0"), 1, 100)
    untargeted = kpi_result(
        spec("meetings", "activities_meeting_count", weight="10"),
        {"activities_meeting_count": Decimal(3)},
        None,
        Q2,
        D(2017, 7, 1),
    )
    # (40 x 0.8 + 10 x 1.5) / 50 = (32 + 15) / 50 = 0.94.
    assert weighted_score([revenue, calls, unweighted, untargeted]) == Decimal("0.94")
    assert weighted_score([untargeted]) is None
