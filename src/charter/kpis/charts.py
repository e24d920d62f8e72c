"""Scorecard charts as inline SVG, drawn on the server.

The web page and the PDF export include the very same markup, so a chart looks the same in the
browser and on paper, and no JavaScript library is needed. A picture alone says nothing to a
screen reader or to someone who cannot tell its colours apart, so every chart carries its values
as text twice: a `<desc>` read out with the image, and a table of the figures after it (folded
away on screen, printed in full by WeasyPrint, which shows a `<details>` open). Every text
that comes from data is escaped; the drawing uses plain attributes (no CSS classes) because
WeasyPrint reads SVG presentation attributes but not the page's stylesheet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from charter.kpis.selectors.subjects import Scorecard
from charter.kpis.templatetags.kpis_format import percent, score_status, status_heat

INK = "#1d2330"
MUTED = "#5b6472"
LINE = "#cdd3dc"
BRAND = "#2453a6"
TARGET = "#a15c00"
BAR_COLOURS = {
    "heat-ahead": "#1f7a4d",
    "heat-on": "#4f9a6f",
    "heat-risk": "#d08a1e",
    "heat-behind": "#b3261e",
    "heat-none": "#9aa3b0",
}


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal | None  # a fraction: 1.15 is 115%
    colour_class: str = "heat-none"


def _num(value: float) -> str:
    return f"{value:.1f}"


@dataclass(frozen=True)
class Figures:
    """A chart's values as text: column headings and one row of texts per point."""

    headings: tuple[str, ...]
    rows: list[tuple[str, ...]]


def _svg(width: int, height: int, label: str, body: list[str], figures: Figures) -> SafeString:
    said = "; ".join(", ".join(row) for row in figures.rows) or "no data"
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(label)}" '
        f'font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="11">'
        f"<title>{escape(label)}</title><desc>{escape(said)}</desc>"
    )
    svg = head + "".join(body) + "</svg>"
    return mark_safe(svg + _table(label, figures))  # noqa: S308 - every text is escaped


def _table(label: str, figures: Figures) -> str:
    heads = "".join(f'<th scope="col">{escape(h)}</th>' for h in figures.headings)
    rows = "".join(
        f'<tr><th scope="row">{escape(row[0])}</th>'
        + "".join(f'<td class="num">{escape(cell)}</td>' for cell in row[1:])
        + "</tr>"
        for row in figures.rows
    )
    return (
        '<details class="chart-data"><summary>The figures</summary>'
        f'<table class="compact"><caption>{escape(label)}</caption>'
        f"<thead><tr>{heads}</tr></thead><tbody>{rows}</tbody></table></details>"
    )


def attainment_bars(bars: Sequence[Bar], *, title: str) -> SafeString:
    """One bar per period, its height the attainment (uncapped), with the 100% line."""
    width, height = 560, 200
    left, right, top, bottom = 44, 12, 14, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    present = [float(b.value) for b in bars if b.value is not None]
    ceiling = max([1.2, *(v * 1.1 for v in present)])
    body: list[str] = []

    def y_of(fraction: float) -> float:
        return top + plot_h - plot_h * max(fraction, 0.0) / ceiling

    for tick in _ticks(ceiling):
        y = y_of(tick)
        body.append(
            f'<line x1="{left}" y1="{_num(y)}" x2="{width - right}" y2="{_num(y)}" '
            f'stroke="{LINE}" stroke-width="0.5"/>'
            f'<text x="{left - 6}" y="{_num(y + 4)}" text-anchor="end" fill="{MUTED}">'
            f"{round(tick * 100)}%</text>"
        )
    slot = plot_w / max(len(bars), 1)
    for index, bar in enumerate(bars):
        x = left + index * slot + slot * 0.2
        centre = left + index * slot + slot / 2
        body.append(
            f'<text x="{_num(centre)}" y="{height - bottom + 16}" text-anchor="middle" '
            f'fill="{MUTED}">{escape(bar.label)}</text>'
        )
        if bar.value is None:
            body.append(
                f'<text x="{_num(centre)}" y="{_num(y_of(0) - 4)}" text-anchor="middle" '
                f'fill="{MUTED}">no data</text>'
            )
            continue
        y = y_of(float(bar.value))
        colour = BAR_COLOURS.get(bar.colour_class, BAR_COLOURS["heat-none"])
        body.append(
            f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(slot * 0.6)}" '
            f'height="{_num(y_of(0) - y)}" fill="{colour}"/>'
            f'<text x="{_num(centre)}" y="{_num(y - 4)}" text-anchor="middle" fill="{INK}">'
            f"{escape(percent(bar.value))}</text>"
        )
    hundred = y_of(1.0)
    body.append(
        f'<line x1="{left}" y1="{_num(hundred)}" x2="{width - right}" y2="{_num(hundred)}" '
        f'stroke="{TARGET}" stroke-width="1.5" stroke-dasharray="5 3"/>'
        f'<line x1="{left}" y1="{_num(y_of(0))}" x2="{width - right}" y2="{_num(y_of(0))}" '
        f'stroke="{MUTED}" stroke-width="1"/>'
    )
    figures = Figures(
        ("Period", "Score"),
        [(b.label, "no data" if b.value is None else percent(b.value)) for b in bars],
    )
    return _svg(width, height, title, body, figures)


def _ticks(ceiling: float) -> list[float]:
    step = 0.25 if ceiling <= 1.6 else 0.5 if ceiling <= 3.2 else 1.0 if ceiling <= 6 else 2.0
    out, tick = [], 0.0
    while tick <= ceiling + 1e-9:
        out.append(tick)
        tick += step
    return out


def cumulative_progress(
    points: Sequence[tuple[dt.date, Decimal]],
    *,
    start: dt.date,
    end: dt.date,
    target: Decimal | None,
    title: str,
    fmt: Callable[[Decimal], str],
) -> SafeString:
    """The running total of a KPI day by day (solid) against the straight line from nothing on
    the first day to the target on the last (dashed): above the line is ahead of pace."""
    width, height = 560, 220
    left, right, top, bottom = 70, 16, 16, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    span = max((end - start).days, 1)
    highest = max([float(v) for _, v in points] + [float(target or 0)] + [0.0])
    ceiling = highest * 1.1 if highest > 0 else 1.0

    def x_of(day: dt.date) -> float:
        return left + plot_w * (day - start).days / span

    def y_of(value: float) -> float:
        return top + plot_h - plot_h * value / ceiling

    body: list[str] = [
        f'<line x1="{left}" y1="{_num(y_of(0))}" x2="{width - right}" y2="{_num(y_of(0))}" '
        f'stroke="{MUTED}" stroke-width="1"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{_num(y_of(0))}" stroke="{MUTED}" '
        f'stroke-width="1"/>',
        f'<text x="{left}" y="{height - bottom + 16}" text-anchor="start" fill="{MUTED}">'
        f"{start:%d %b}</text>",
        f'<text x="{width - right}" y="{height - bottom + 16}" text-anchor="end" '
        f'fill="{MUTED}">{end:%d %b}</text>',
    ]
    if target is not None and target > 0:
        body.append(
            f'<line x1="{_num(x_of(start))}" y1="{_num(y_of(0))}" x2="{_num(x_of(end))}" '
            f'y2="{_num(y_of(float(target)))}" stroke="{TARGET}" stroke-width="1.5" '
            f'stroke-dasharray="5 3"/>'
            f'<text x="{left - 6}" y="{_num(y_of(float(target)) + 4)}" text-anchor="end" '
            f'fill="{TARGET}">{escape(fmt(target))}</text>'
        )
    if points:
        path = " ".join(f"{_num(x_of(day))},{_num(y_of(float(v)))}" for day, v in points)
        last_day, last_value = points[-1]
        body.append(
            f'<polyline points="{path}" fill="none" stroke="{BRAND}" stroke-width="2"/>'
            f'<circle cx="{_num(x_of(last_day))}" cy="{_num(y_of(float(last_value)))}" r="3" '
            f'fill="{BRAND}"/>'
            f'<text x="{left - 6}" y="{_num(y_of(float(last_value)) + 4)}" text-anchor="end" '
            f'fill="{BRAND}">{escape(fmt(last_value))}</text>'
        )
    return _svg(width, height, title, body, _progress_figures(points, start, end, target, fmt))


def _progress_figures(
    points: Sequence[tuple[dt.date, Decimal]],
    start: dt.date,
    end: dt.date,
    target: Decimal | None,
    fmt: Callable[[Decimal], str],
) -> Figures:
    """The running total on the first day, each day it changed and the last day, beside the
    straight-line pace to the target on that day (a row per calendar day would read as noise)."""
    span = max((end - start).days, 1)
    kept = [
        (day, value)
        for index, (day, value) in enumerate(points)
        if index in (0, len(points) - 1) or value != points[index - 1][1]
    ]
    if target is None or target <= 0:
        return Figures(("Day", "So far"), [(f"{d:%d %b}", fmt(v)) for d, v in kept])
    return Figures(
        ("Day", "So far", "On pace"),
        [(f"{d:%d %b}", fmt(v), fmt(target * (d - start).days / span)) for d, v in kept],
    )


def score_trend(cards: Sequence[Scorecard], *, title: str) -> SafeString:
    """A subject's overall score over periods (scorecards, oldest first), each bar coloured by
    the score's status: the chart of a rep's dashboard, for a team or the organization."""
    bars = [Bar(c.period.label, c.score, status_heat(score_status(c))) for c in cards]
    return attainment_bars(bars, title=title)
