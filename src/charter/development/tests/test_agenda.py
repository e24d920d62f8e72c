"""The development items of a 1:1 agenda: the report's plan goals overdue or due within two
weeks, for a manager above them only."""

from __future__ import annotations

import datetime as dt

import pytest

from charter.development.agenda import development_agenda
from charter.development.services.plans import goal_add

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("everyone")]
TODAY = dt.date(2026, 5, 20)


def test_overdue_and_soon_goals_are_on_the_managers_agenda(manager, rep2, plan):
    for title, day, status in [
        ("Late", dt.date(2026, 5, 1), "in_progress"),
        ("Soon", dt.date(2026, 5, 30), "not_started"),
        ("Later", dt.date(2026, 7, 1), "not_started"),
        ("Done late", dt.date(2026, 4, 1), "done"),
    ]:
        goal_add(plan=plan, actor=rep2.user, title=title, target_on=day, status=status)
    items = development_agenda(rep2, manager, None, TODAY)
    assert [(i.title, i.weight) for i in items] == [("Overdue: Late", 25), ("Due soon: Soon", 15)]
    assert items[0].url == f"/development/plans/{plan.pk}/"


def test_a_manager_outside_the_line_gets_nothing(other_manager, rep2, plan):
    goal_add(plan=plan, actor=rep2.user, title="Late", target_on=dt.date(2026, 5, 1))
    assert development_agenda(rep2, other_manager, None, TODAY) == []
