"""Template helpers of the scorecard pages ({% load kpis_scorecards %})."""

from __future__ import annotations

from decimal import Decimal

from django import template

from charter.kpis.scoring import AHEAD, AT_RISK, BEHIND, ON_TRACK, STATUS_LABELS
from charter.kpis.templatetags.kpis_format import NO_DATA, number

register = template.Library()

_BADGES = {AHEAD: "badge-ok", ON_TRACK: "badge-ok", AT_RISK: "badge-warn", BEHIND: "badge-bad"}


@register.filter
def status_badge(status: str | None) -> str:
    """The badge class of a status (a plain badge when there is no target)."""
    return _BADGES.get(status or "", "")


@register.filter
def status_label(status: str | None) -> str:
    return STATUS_LABELS.get(status or "", "No target")


@register.filter
def points(change: Decimal | None) -> str:
    """A change of score in percentage points, signed: 0.125 → `+12.5 pts`."""
    if change is None:
        return NO_DATA
    text = number(abs(change) * 100, 1)
    sign = "+" if change > 0 else "\u2212" if change < 0 else "\u00b1"
    return f"{sign}{text} pts"
