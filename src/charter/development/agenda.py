"""What development puts on a 1:1's agenda (`core.registry.agenda_source`): the report's plan
goals past their target date, and those due within two weeks. Read through the manager's login
and the plan rules, so a goal shows only when the manager is above the report."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from charter.core.registry import AgendaItem, agenda_source
from charter.development.access import visible_goals
from charter.development.selectors import OPEN_GOALS
from charter.org.access import one_on_one_reader
from charter.org.models import Person

SOURCE = "development"
SOON = dt.timedelta(days=14)
WEIGHT_OVERDUE = 25
WEIGHT_DUE_SOON = 15


@agenda_source(SOURCE, order=35)
def development_agenda(
    report: Person, manager: Person, since: dt.date | None, today: dt.date
) -> list[AgendaItem]:
    """Open goals overdue or due soon on `today`; they stay until done or moved, so `since`
    does not narrow them."""
    user: Any = one_on_one_reader(report, manager)
    if user is None:
        return []
    goals = (
        visible_goals(user)
        .filter(plan__person=report, status__in=OPEN_GOALS, target_on__lte=today + SOON)
        .select_related("plan")
        .order_by("target_on", "id")
    )
    items = []
    for goal in goals:
        overdue = goal.target_on < today
        due = f"{goal.target_on.day} {goal.target_on:%b %Y}"
        items.append(
            AgendaItem(
                source=SOURCE,
                key=f"plan-goal:{goal.pk}",
                title=f"{'Overdue' if overdue else 'Due soon'}: {goal.title}",
                detail=f"A goal of “{goal.plan.title}”, due {due} ({goal.get_status_display()}).",
                url=reverse("development:plan", args=[goal.plan_id]),
                weight=WEIGHT_OVERDUE if overdue else WEIGHT_DUE_SOON,
            )
        )
    return items
