"""Template helpers of the scorecard pages ({% load kpis_scorecards %})."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.core.cache import cache

from charter.kpis import access
from charter.kpis.cascade import SET, describe
from charter.kpis.scoring import AHEAD, AT_RISK, BEHIND, ON_TRACK, STATUS_LABELS, KpiResult
from charter.kpis.selectors.definitions import scorecard_settings
from charter.kpis.templatetags.kpis_format import NO_DATA, kpi_value, number

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


@register.filter
def result_status(result: KpiResult | None) -> str:
    """A result's status in words, telling "no target" apart from a target with nothing to
    measure yet (a ratio without a closed deal, an average without a response)."""
    if result is None:
        return "No target"
    if result.status is None and result.target is not None:
        return "No data yet"
    return result.status_label


@register.filter
def restated_of(card: Any, key: str) -> KpiResult | None:
    """The live result of a closed scorecard's KPI when it changed since the close."""
    restated = getattr(card, "restated", None) or {}
    return restated.get(key)


def leaderboard_visibility_key(org_id: int) -> str:
    return f"kpis:leaderboard-visibility:{org_id}"


# Short: the setting is also dropped from the cache when it is saved (kpis.views.library), so
# this only bounds how long another process may show a stale menu link; the page itself checks.
VISIBILITY_TTL_SECONDS = 60


@register.simple_tag(takes_context=True)
def may_compare_people(context: Any) -> bool:
    """`kpis.access.can_compare_people` for the viewer, so a template offers only what opens."""
    request = context.get("request")
    return request is not None and access.can_compare_people(request.user)


@register.simple_tag(takes_context=True)
def leaderboard_open(context: Any) -> bool:
    """Whether the viewer may open the leaderboards, so the menu does not offer a refusal. The
    setting is cached: the scorecard menu is on every KPI page, and a cached dashboard costs
    only the queries every page makes."""
    me, request = context.get("me"), context.get("request")
    if me is None or request is None:
        return False
    key = leaderboard_visibility_key(me.org_id)
    visibility = cache.get(key)
    if visibility is None:
        visibility = scorecard_settings(me.org).leaderboard_visibility
        cache.set(key, visibility, VISIBILITY_TTL_SECONDS)
    return access.can_see_leaderboard(request.user, str(visibility))


@register.simple_tag
def target_source(result: KpiResult | None, currency: str = "") -> str:
    """Where a target came from, in words and figures, when it was not simply set for the
    period (`kpis.cascade`); "" otherwise, so a row of set targets stays quiet."""
    if result is None or result.target is None:
        return ""
    source = result.target_source
    if source is None or (source.kind == SET and source.parts_total in (None, result.target)):
        return ""
    spec = result.spec
    return describe(
        source, result.target, lambda v: kpi_value(v, spec.unit, spec.decimals, currency)
    )
