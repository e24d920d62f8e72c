"""Home-page cards: the person's active mentorships and next plan goal; for managers, the plan
goals overdue in the people below them."""

from __future__ import annotations

from typing import Any

from charter.core.registry import home_panel
from charter.development.dates import org_today
from charter.development.selectors import active_mentorships_of, next_goal, overdue_goals_below
from charter.org.access import leads_people, person_of

SHOWN = 5


@home_panel("development.mine", order=11, template="development/panels/mine.html")
def mine(user: Any) -> dict[str, Any] | None:
    me = person_of(user)
    if me is None:
        return None
    today = org_today(me.org)
    mentorships = list(active_mentorships_of(me)[:SHOWN])
    goal = next_goal(me, today)
    if not mentorships and goal is None:
        return None
    return {"me": me, "mentorships": mentorships, "goal": goal, "today": today}


@home_panel("development.team", order=12, template="development/panels/team.html")
def team(user: Any) -> dict[str, Any] | None:
    me = person_of(user)
    if me is None or not leads_people(user):
        return None
    today = org_today(me.org)
    overdue = list(overdue_goals_below(user, today)[: SHOWN + 1])
    if not overdue:
        return None
    return {"overdue": overdue[:SHOWN], "more": len(overdue) > SHOWN, "today": today}
