"""Home-page card of the KPI pillar: my overall score this quarter and how many of my KPIs are
ahead, on track, at risk or behind, with the way to my dashboard."""

from __future__ import annotations

from typing import Any

from charter.core.registry import home_panel
from charter.kpis import dashboards
from charter.kpis.selectors.calendar import org_today
from charter.org.access import person_of


@home_panel("kpis.my_scorecard", order=5, template="kpis/panels/my_scorecard.html")
def my_scorecard(user: Any) -> dict[str, Any] | None:
    me = person_of(user)
    if me is None:
        return None
    summary = dashboards.person_summary(me.org, me, today=org_today(me.org))
    return {"summary": summary}
