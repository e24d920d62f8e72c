"""Home-page cards of the KPI pillar: for managers their team's pace (who is behind, by how
much, targets to set, the team's trend); for executives, admins and directors the organization
or their part of it, team by team, with its movers; for everyone with targets their week: each
KPI against its pace, what it takes per week, and the days left."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from charter.core.registry import home_panel
from charter.kpis import attention, charts
from charter.kpis.access import can_compare_people
from charter.kpis.scoring import KpiResult
from charter.kpis.selectors.calendar import org_today
from charter.kpis.selectors.changes import recent_target_changes
from charter.kpis.templatetags.kpis_format import kpi_value, number
from charter.org.access import person_of


def _in_unit(value: Decimal | None, result: KpiResult, currency: str) -> str:
    return kpi_value(value, result.spec.unit, result.spec.decimals, currency)


def _plain(value: Decimal) -> str:
    """A target value as typed: no decimals unless it has some."""
    return number(value, 0 if value == value.to_integral_value() else 2)


@home_panel("kpis.team_pace", order=1, template="kpis/panels/team_pace.html")
def team_pace(user: Any) -> dict[str, Any] | None:
    me = person_of(user)
    if me is None:
        return None
    pace = attention.team_pace(user, me.org, today=org_today(me.org))
    if pace is None:
        return None
    chart = None
    # A director's own team is the subject of the organization card beside this one, which
    # draws the same trend: drawn once.
    shown_beside = can_compare_people(user) and attention.director_team(user, me) == pace.team
    if pace.team is not None and pace.trend and not shown_beside:
        chart = charts.score_trend(
            pace.trend, title=f"Overall score of {pace.team.name}, last {len(pace.trend)} periods"
        )
    currency = me.org.reporting_currency
    behind = [
        {
            "s": s,
            "short_by": _in_unit(s.short_by, s.result, currency) if s.short_by else None,
            "expected": _in_unit(s.expected, s.result, currency),
        }
        for s in pace.behind
    ]
    upcoming = [{"r": r, "kpi": name, "value": _plain(r.value)} for r, name in pace.upcoming]
    return {"pace": pace, "behind": behind, "upcoming": upcoming, "chart": chart}


@home_panel("kpis.org_overview", order=2, template="kpis/panels/org_overview.html")
def org_overview(user: Any) -> dict[str, Any] | None:
    me = person_of(user)
    if me is None:
        return None
    view = attention.org_overview(user, me.org, today=org_today(me.org))
    if view is None:
        return None
    chart = charts.score_trend(
        view.trend, title=f"Overall score of {view.subject.name}, last {len(view.trend)} periods"
    )
    return {"view": view, "chart": chart}


@home_panel("kpis.my_scorecard", order=5, template="kpis/panels/my_scorecard.html")
def my_scorecard(user: Any) -> dict[str, Any] | None:
    """My week; hidden for those with no target of their own who have a team or organization
    card above instead (a manager's home leads with the team, not an empty "My KPIs")."""
    me = person_of(user)
    if me is None:
        return None
    focus = attention.week_focus(me.org, me, today=org_today(me.org))
    if not focus.kpis and can_compare_people(user):
        return None
    currency = me.org.reporting_currency
    rows = [
        {
            "f": f,
            "per_week": _in_unit(f.per_week, f.result, currency) if f.per_week else None,
        }
        for f in focus.kpis
    ]
    change = focus.next_change
    return {
        "focus": focus,
        "rows": rows,
        "currency": currency,
        "next_value": _plain(change.value) if change is not None else "",
    }


# How long a change to someone's targets stays on their home page: long enough to be seen after
# a holiday, short enough that the card goes once it is old news (the history keeps it).
TARGET_CHANGES_DAYS = 30
TARGET_CHANGES_SHOWN = 5


@home_panel("kpis.target_changes", order=4, template="kpis/panels/target_changes.html")
def target_changes(user: Any) -> dict[str, Any] | None:
    """Changes to my targets of the last month, with who made them and why."""
    me = person_of(user)
    if me is None:
        return None
    since = timezone.now() - dt.timedelta(days=TARGET_CHANGES_DAYS)
    found = recent_target_changes(me, since=since, limit=TARGET_CHANGES_SHOWN)
    if not found:
        return None
    return {"changes": found, "person": me, "days": TARGET_CHANGES_DAYS}
