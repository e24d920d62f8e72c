"""How KPI numbers are written on pages, exports and PDFs: one place, so a figure reads the same
everywhere (money with the currency, percent with its sign, attainment never capped)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import template
from django.db import models

from charter.kpis import scoring
from charter.kpis.models import KpiVersion
from charter.kpis.scoring import AHEAD, AT_RISK, BEHIND, ON_TRACK

register = template.Library()

NO_DATA = "—"


def _places(decimals: int) -> Decimal:
    return Decimal(1).scaleb(-decimals) if decimals else Decimal(1)


def number(value: Decimal | None, decimals: int = 0) -> str:
    if value is None:
        return NO_DATA
    rounded = value.quantize(_places(decimals), rounding=ROUND_HALF_UP)
    return f"{rounded:,.{decimals}f}"


def kpi_value(value: Decimal | None, unit: str, decimals: int = 0, currency: str = "") -> str:
    """A KPI figure in its unit: `$12,400`, `27.5%`, `41.2 days`, `4.32 / 5`, `17`."""
    if value is None:
        return NO_DATA
    if unit == "money":
        text = number(value, decimals)
        return f"{currency} {text}".strip() if currency not in ("", "USD") else f"${text}"
    if unit == "percent":
        return f"{number(value, decimals)}%"
    if unit == "days":
        return f"{number(value, decimals)} days"
    if unit == "points":
        return f"{number(value, decimals)} / 5"
    return number(value, decimals)


def percent(value: Decimal | None, decimals: int = 0) -> str:
    """A ratio as a percentage, uncapped: 2.15 → `215%`."""
    if value is None:
        return NO_DATA
    return f"{number(value * 100, decimals)}%"


@register.simple_tag
def kpi_figure(result: Any, field: str = "actual", currency: str = "", short: bool = False) -> str:
    """`{% kpi_figure result "target" %}` — a figure of a KpiResult in the KPI's unit.

    `short` drops the "/ 5" of a points figure, for the grids' "actual / target" lines where
    "3.50 / 5 / 4.30 / 5" would not read as two numbers."""
    spec = result.spec
    value = getattr(result, field)
    if short and spec.unit == "points":
        return number(value, spec.decimals)
    return kpi_value(value, spec.unit, spec.decimals, currency)


@register.filter
def pct(value: Decimal | None) -> str:
    return percent(value)


@register.filter
def pct_exact(value: Decimal | None) -> str:
    """A percentage to one decimal, where a whole one could land on the wrong side of a
    threshold (109.6% is not 110%)."""
    return percent(value, 1)


_HEAT = {AHEAD: "heat-ahead", ON_TRACK: "heat-on", AT_RISK: "heat-risk", BEHIND: "heat-behind"}


@register.filter
def status_heat(status: str | None) -> str:
    """A heatmap cell's CSS class from a status (`KpiResult.status`, `score_status`), never from
    a raw attainment: a cell's colour and its status then cannot disagree (91% of target a third
    into a quarter is ahead, and is coloured so)."""
    return _HEAT.get(status or "", "heat-none")


@register.simple_tag
def score_thresholds() -> tuple[Decimal, Decimal, Decimal]:
    """An overall score has no thresholds of its own: it takes those a new KPI gets."""
    names = ("threshold_ahead", "threshold_on_track", "threshold_at_risk")
    ahead, on_track, at_risk = (Decimal(str(_default_of(KpiVersion, n))) for n in names)
    return ahead, on_track, at_risk


def _default_of(model: Any, name: str) -> Any:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field.default


@register.filter
def score_status(card: Any) -> str | None:
    """The status of a scorecard's overall score (`scoring.score_status`), from its results."""
    if card is None:
        return None
    return scoring.score_status(card.results, *score_thresholds())
