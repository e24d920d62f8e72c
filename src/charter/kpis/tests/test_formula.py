"""KPI formulas: arithmetic over metrics and nothing else."""

from __future__ import annotations

import sys
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from charter.kpis.formula import MAX_DEPTH, MAX_LENGTH, FormulaError, check, parse

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
    # 40 parentheses inside one another (201 characters, well under the length limit).
    deep = "1+(" * 40 + "deals_won_count" + ")" * 40
    assert len(deep) < MAX_LENGTH
    with pytest.raises(FormulaError, match=f"nested too deeply: at most {MAX_DEPTH} levels"):
        parse(deep)
    # Signs nest as well.
    with pytest.raises(FormulaError, match=f"at most {MAX_DEPTH} levels"):
        parse("-" * 40 + "deals_won_count")
    # Past Python's own parser's 200 parentheses: the same message, not "not valid arithmetic".
    parenthesized = "(" * 210 + "deals_won_count" + ")" * 210
    assert len(parenthesized) < MAX_LENGTH
    with pytest.raises(FormulaError, match=f"at most {MAX_DEPTH} levels"):
        parse(parenthesized)
    # Just inside the limit parses.
    inside = "1+(" * (MAX_DEPTH - 1) + "deals_won_count" + ")" * (MAX_DEPTH - 1)
    assert parse(inside).metrics == ("deals_won_count",)


def _with_frames_left(frames: int, call: Callable[[], Any]) -> Any:
    """`call()` run with only `frames` Python frames left before the recursion limit, as deep
    inside a request, a template or a test runner."""
    used = 0
    frame = sys._getframe()
    while frame.f_back is not None:
        frame, used = frame.f_back, used + 1

    def down(remaining: int) -> Any:
        return call() if remaining <= 0 else down(remaining - 1)

    return down(sys.getrecursionlimit() - used - frames)


@pytest.mark.parametrize(
    ("tail", "times", "written"),
    [
        # 16 + 121 x 4 = 500 characters, 121 divisions.
        (" / 1", 121, " / 1"),
        # 16 + 242 x 2 = 500 characters, 242 divisions.
        ("/1", 242, " / 1"),
        # 242 operators of one level, alternating.
        ("/2*2", 121, " / 2 * 2"),
        # 24 additions and subtractions of the metric.
        (" + deals_won_amount - deals_won_amount", 12, " + 1234.50 - 1234.50"),
    ],
)
def test_a_long_flat_formula_within_the_length_limit_works(
    tail: str, times: int, written: str
) -> None:
    text = "deals_won_amount" + tail * times
    assert len(text) <= MAX_LENGTH
    figures = {"deals_won_amount": Decimal("1234.5")}

    def use() -> tuple[Any, ...]:
        formula = check(text)
        return (
            formula.metrics,
            formula.additive,
            formula.evaluate(figures),
            formula.substituted(figures),
        )

    # Flat is one level however many terms: nothing recurses once per term, so the formula
    # parses, computes and is written out even with little stack left.
    metrics, additive, value, substituted = _with_frames_left(150, use)
    assert metrics == ("deals_won_amount",)
    assert additive is True  # a metric divided and multiplied by numbers, or summed
    assert value == Decimal("1234.5")
    assert substituted == "1234.50" + written * times


def test_writing_out_keeps_the_parentheses_that_matter() -> None:
    formula = parse(
        "-(deals_won_count - deals_lost_count) / (deals_won_count * (2 - -deals_lost_count))"
        " - (deals_won_count - (deals_lost_count + 1)) * +deals_won_count"
    )
    assert formula.written(str.upper) == (
        "-(DEALS_WON_COUNT - DEALS_LOST_COUNT) / (DEALS_WON_COUNT * (2 - -DEALS_LOST_COUNT))"
        " - (DEALS_WON_COUNT - (DEALS_LOST_COUNT + 1)) * +DEALS_WON_COUNT"
    )
    # Parentheses that change nothing are dropped.
    assert parse("((deals_won_count)) + (deals_lost_count * 2)").written(str) == (
        "deals_won_count + deals_lost_count * 2"
    )
    figures = {"deals_won_count": Decimal(3), "deals_lost_count": Decimal(1)}
    # -(2) / (3 x (2 + 1)) - (3 - 2) x 3 = -2/9 - 3
    assert formula.evaluate(figures) == Decimal(-2) / Decimal(9) - 3


@pytest.mark.parametrize(
    "text", ["5", "2 * 3", "(1 + 2) / 4", "-0.5", "1/1/1/1/1/1/1/1/1/1/1/1/1/1/1/1/1/1/1/1"]
)
def test_a_formula_without_a_metric_is_refused(text: str) -> None:
    with pytest.raises(FormulaError) as caught:
        check(text)
    message = str(caught.value)
    assert message.startswith("The formula uses no metric:")
    assert "Known metrics: deals_won_count" in message
    # One stored before this rule still reads, and computes what it always did.
    assert parse(text).metrics == ()


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("1/0", "divides by 0:"),
        ("deals_won_count / 0", "divides by 0:"),
        ("deals_won_count / 0.0", "divides by 0.0:"),
        ("deals_won_count / -0", "divides by -0, which is always 0"),
        ("deals_won_count / (2-2)", "divides by 2 - 2, which is always 0"),
        ("deals_won_count / (0.5 * 4 - 2 * (3 - 2))", "which is always 0"),
        ("deals_won_count / (1 / 1 - 1)", "divides by 1 / 1 - 1, which is always 0"),
        # Inside a divisor that holds a metric: that division is still by zero.
        ("deals_won_count / (deals_lost_count + 3 / (1 - 1))", "divides by 1 - 1"),
        ("(deals_won_count / 0) * 2 + deals_lost_count", "divides by 0:"),
    ],
)
def test_dividing_by_a_constant_zero_is_refused(text: str, says: str) -> None:
    with pytest.raises(FormulaError) as caught:
        check(text)
    assert says in str(caught.value)
    assert "nothing can be divided by zero" in str(caught.value)


def test_a_divisor_that_is_zero_only_for_some_figures_is_kept() -> None:
    # A metric minus itself is zero for every figure, but metrics are the author's business:
    # it computes to "no data", as any zero denominator does.
    same = check("deals_won_amount / (deals_lost_count - deals_lost_count)")
    assert same.evaluate({"deals_won_amount": Decimal(5), "deals_lost_count": Decimal(2)}) is None
    # A constant that folds to something other than zero divides.
    half = check("deals_won_amount / (2 - 1.5)")
    assert half.evaluate({"deals_won_amount": Decimal(5)}) == 10
