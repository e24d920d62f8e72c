"""Scorecard charts as inline SVG, drawn on the server.

The web page and the PDF export include the very same markup, so a chart looks the same in the
browser and on paper, and no JavaScript library is needed. Every text that comes from data is
escaped; the drawing uses plain attributes (no CSS classes) because WeasyPrint reads SVG
presentation attributes but not the page's stylesheet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from charter.kpis.templatetags.kpis_format import percent

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


def _svg(width: int, height: int, label: str, body: list[str]) -> SafeString:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(label)}" '
        f'font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="11">'
        f"<title>{escape(label)}</title>"
    )
    return mark_safe(head + "".join(body) + "</svg>")  # noqa: S308 - every text is escaped


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
    return _svg(width, height, title, body)


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
    return _svg(width, height, title, body)
