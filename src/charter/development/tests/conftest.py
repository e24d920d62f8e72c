"""Fixtures of the development tests: Omar (other_manager) listed as a mentor, Olga
(other_team_rep) mentoring Rita (rep2) with one meeting, Rita's plan with a goal, and an
executive outside everyone's reporting line."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from charter.conftest import make_person
from charter.development.models import Goal, MentorOffer, Mentorship, Plan
from charter.development.services.mentorships import meeting_log, mentorship_create, offer_save
from charter.development.services.plans import goal_add, plan_create
from charter.org.models import Person, Role


@pytest.fixture
def outside_executive(org: Any) -> Person:
    """An executive nobody reports to: above nobody's plan."""
    return make_person(org, "Xena Exec", Role.EXECUTIVE)


@pytest.fixture
def omar_offer(other_manager: Person) -> MentorOffer:
    return offer_save(
        person=other_manager, actor=other_manager.user, topics="Forecasting, hiring ,forecasting"
    )


@pytest.fixture
def mentorship(org: Any, admin: Person, other_team_rep: Person, rep2: Person) -> Mentorship:
    found = mentorship_create(
        org=org, actor=admin.user, mentor=other_team_rep, mentee=rep2,
        goals="Run **discovery** calls.", starts_on=dt.date(2026, 1, 5),
        ends_on=dt.date(2026, 12, 31), status="active",
    )  # fmt: skip
    meeting_log(
        mentorship=found, actor=rep2.user, met_on=dt.date(2026, 1, 12),
        notes="Secret kickoff notes <script>alert(1)</script>",
    )  # fmt: skip
    return found


@pytest.fixture
def plan(rep2: Person) -> Plan:
    return plan_create(
        person=rep2, actor=rep2.user, title="Rita grows", starts_on=dt.date(2026, 1, 1)
    )


@pytest.fixture
def goal(plan: Plan, rep2: Person) -> Goal:
    return goal_add(plan=plan, actor=rep2.user, title="Lead a demo", target_on=dt.date(2026, 6, 30))
