"""KPI formulas: arithmetic over metrics and nothing else."""

from __future__ import annotations

from decimal import Decimal

import pytest

from charter.kpis.formula import MAX_DEPTH, MAX_LENGTH, FormulaError, parse

WIN_RATE = "deals_won_count / (deals_won_count + deals_lost_count)"


def test_win_rate_evaluates_on_decimals() -> None:
    formula = parse(WIN_RATE)
    assert formula.metrics == ("deals_won_count", "deals_lost_count")
    assert not formula.additive
    # 3 won of 4 closed.
    assert formula.evaluate({"deals_won_count": Decimal(3), "deals_lost_count": Decimal(1)}) == (
        Decimal("0.75")
    )
    # None won of 3 closed is a rate of 0, not "no data".
    assert formula.evaluate({"deals_won_count": Decimal(0), "deals_lost_count": Decimal(3)}) == 0


def test_a_zero_denominator_is_no_data_not_a_crash() -> None:
    formula = parse(WIN_RATE)
    assert formula.evaluate({"deals_won_count": Decimal(0), "deals_lost_count": Decimal(0)}) is None
    custom = parse("deals_won_amount / (deals_lost_count - deals_lost_count)")
    assert (
        custom.evaluate({"deals_won_amount": Decimal(50), "deals_lost_count": Decimal(4)}) is None
    )
    # A missing figure is no data as well.
    assert parse("deals_won_amount / deals_won_count").evaluate({}) is None


def test_arithmetic_with_numbers_and_unary_minus() -> None:
    formula = parse("2 * activities_call_count + activities_meeting_count - 1.5")
    # 2 x 10 + 3 - 1.5 = 21.5
    values = {"activities_call_count": Decimal(10), "activities_meeting_count": Decimal(3)}
    assert formula.evaluate(values) == Decimal("21.5")
    assert parse("-(activities_call_count - 12)").evaluate(values) == 2
    assert parse("+activities_call_count / 4").evaluate(values) == Decimal("2.5")


@pytest.mark.parametrize(
    ("text", "additive"),
    [
        ("deals_won_amount", True),
        ("2 * activities_call_count + activities_meeting_count", True),
        ("activities_call_count / 2", True),
        ("(activities_call_count + activities_email_count) * 0.5", True),
        ("-deals_lost_count", True),
        ("deals_won_amount - pipeline_created_amount", True),
        # A constant does not grow with the days of a period, a ratio does not either.
        ("deals_won_count + 5", False),
        ("deals_won_count * deals_lost_count", False),
        ("2 / deals_won_count", False),
        ("deals_won_amount / deals_won_count", False),
        (WIN_RATE, False),
    ],
)
def test_additive_means_a_sum_of_metrics_times_numbers(text: str, additive: bool) -> None:
    assert parse(text).additive is additive


def test_substituted_text_shows_the_figures() -> None:
    formula = parse(WIN_RATE)
    assert (
        formula.substituted({"deals_won_count": Decimal(12), "deals_lost_count": Decimal(30)})
        == "12 / (12 + 30)"
    )
    average = parse("deals_won_amount / deals_won_count")
    assert (
        average.substituted({"deals_won_amount": Decimal("1000.5"), "deals_won_count": Decimal(3)})
        == "1000.50 / 3"
    )
    # Rounded half up to cents, as the scorecards round: 2.125 shows as 2.13.
    assert (
        average.substituted({"deals_won_amount": Decimal("2.125"), "deals_won_count": Decimal(1)})
        == "2.13 / 1"
    )
    assert average.substituted({"deals_won_count": Decimal(1)}) == "no data / 1"
    # The formula itself is untouched.
    assert average.text == "deals_won_amount / deals_won_count"


def test_an_unknown_name_lists_the_known_metrics() -> None:
    with pytest.raises(FormulaError) as caught:
        parse("revenue / deals_won_count")
    message = str(caught.value)
    assert "Unknown metric 'revenue'" in message
    assert "deals_won_count" in message
    assert "csat_score_sum" in message


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("__import__('os')", "Functions are not allowed"),
        ("__import__", "Unknown metric '__import__'"),
        ("abs(deals_won_count)", "Functions are not allowed"),
        ("deals_won_count.real", "is not allowed"),
        ("deals_won_count.__class__", "is not allowed"),
        ("deals_won_count[0]", "is not allowed"),
        ("deals_won_count ** 2", "** is not allowed"),
        ("deals_won_count % 2", "% is not allowed"),
        ("deals_won_count // 2", "// is not allowed"),
        ("deals_won_count << 2", "<< is not allowed"),
        ("lambda: deals_won_count", "is not allowed"),
        ("'deals_won_count'", "is not a number"),
        ("deals_won_count > deals_lost_count", "is not allowed"),
        ("deals_won_count if deals_lost_count else 1", "is not allowed"),
        ("True", "is not a number"),
        ("None", "is not a number"),
        ("deals_won_count and deals_lost_count", "is not allowed"),
        ("not deals_won_count", "is not allowed"),
        ("~deals_won_count", "is not allowed"),
        ("[deals_won_count]", "is not allowed"),
        ("2j * deals_won_count", "is not a number"),
        ("1e999 * deals_won_count", "too large"),
        ("deals_won_count +", "not valid arithmetic"),
        ("x = 1", "not valid arithmetic"),
        ("", "A formula is required"),
        ("   ", "A formula is required"),
    ],
)
def test_everything_but_arithmetic_is_refused(text: str, says: str) -> None:
    with pytest.raises(FormulaError) as caught:
        parse(text)
    assert says in str(caught.value)


def test_too_long_or_too_deep_is_refused() -> None:
    long = " + ".join(["deals_won_count"] * 30)  # 30 x 15 + 29 x 3 = 537 characters
    assert len(long) > MAX_LENGTH
    with pytest.raises(FormulaError, match="at most 500 characters"):
        parse(long)
    # 40 additions nest 40 deep (81 characters, well under the length limit).
    deep = "1+" * 40 + "deals_won_count"
    assert len(deep) < MAX_LENGTH
    with pytest.raises(FormulaError, match="nested too deeply"):
        parse(deep)
    # Just inside the limit parses.
    assert parse("1+" * (MAX_DEPTH - 1) + "deals_won_count").metrics == ("deals_won_count",)
