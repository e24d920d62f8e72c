"""Development: mentor offers and requests, mentorships and their meeting log, plans and goals.

The world: Omar (other_manager) is listed as a mentor and Rita (rep2) asked him; Olga
(other_team_rep) mentors Rita, one meeting logged, so Rita's managers (manager, executive) and
admins read the log while Omar, the mentor's manager, sees the mentorship but not its notes;
Rita has a plan with one goal, read by her and the managers above her only (manager,
executive) — never by an admin or a manager outside her line.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.permission_matrix.outcomes import (
    API_POST_ONLY,
    API_SIGNED_IN,
    CHANGES,
    LOGIN,
    OK,
    POST_ONLY,
    SIGNED_IN,
    By,
    Row,
)
from tests.permission_matrix.world import World


def omar_offer(w: World) -> Any:
    """Omar's offer to mentor (made on first use)."""
    from charter.development.models import MentorOffer
    from charter.development.services.mentorships import offer_save

    found = MentorOffer.objects.filter(person=w.other_manager, is_active=True).first()
    if found is None:
        found = offer_save(
            person=w.other_manager, actor=w.other_manager.user, topics="forecasting, hiring"
        )
    return found


def rita_asks_omar(w: World) -> Any:
    """Rita's pending request to Omar (made on first use)."""
    from charter.development.models import MentorRequest
    from charter.development.services.mentorships import request_create

    found = MentorRequest.objects.filter(mentee=w.rep2, status="pending").first()
    if found is None:
        found = request_create(
            offer=omar_offer(w), mentee=w.rep2, actor=w.rep2.user, goals="Forecast better."
        )
    return found


def olga_mentors_rita(w: World) -> Any:
    """Olga mentoring Rita, active, with one meeting logged (made on first use)."""
    from charter.development.models import Mentorship
    from charter.development.services.mentorships import meeting_log, mentorship_create

    found = Mentorship.objects.filter(mentor=w.other_team_rep, mentee=w.rep2).first()
    if found is None:
        found = mentorship_create(
            org=w.admin.org, actor=w.admin.user, mentor=w.other_team_rep, mentee=w.rep2,
            goals="Run discovery calls.", starts_on=dt.date(2026, 1, 5),
            ends_on=dt.date(2026, 12, 31), status="active",
        )  # fmt: skip
        meeting_log(
            mentorship=found, actor=w.rep2.user, met_on=dt.date(2026, 1, 12), notes="*Kickoff*"
        )
    return found


def rita_plan(w: World) -> Any:
    """Rita's development plan (made on first use)."""
    from charter.development.models import Plan
    from charter.development.services.plans import plan_create

    found = Plan.objects.filter(person=w.rep2).first()
    if found is None:
        found = plan_create(
            person=w.rep2, actor=w.rep2.user, title="Rita grows", starts_on=dt.date(2026, 1, 1)
        )
    return found


def rita_goal(w: World) -> Any:
    """A goal of Rita's plan (made on first use)."""
    from charter.development.services.plans import goal_add

    plan = rita_plan(w)
    found = plan.goals.first()
    if found is None:
        found = goal_add(
            plan=plan, actor=w.rep2.user, title="Lead a demo", target_on=dt.date(2026, 6, 30)
        )
    return found


OFFER = {"offer_id": lambda w: omar_offer(w).pk}
OFFER_PK = {"pk": lambda w: omar_offer(w).pk}
REQUEST = {"request_id": lambda w: rita_asks_omar(w).pk}
REQUEST_PK = {"pk": lambda w: rita_asks_omar(w).pk}
MENTORSHIP = {"mentorship_id": lambda w: olga_mentors_rita(w).pk}
MENTORSHIP_PK = {"pk": lambda w: olga_mentors_rita(w).pk}
PLAN = {"plan_id": lambda w: rita_plan(w).pk}
PLAN_PK = {"pk": lambda w: rita_plan(w).pk}
GOAL = {"goal_id": lambda w: rita_goal(w).pk}
GOAL_PK = {"pk": lambda w: rita_goal(w).pk}
# Rita's plan: her managers above (manager, and executive above manager) read it; no admin.
RITA_PLAN = By(LOGIN, 404, OK, 404, 404, OK)
RITA_PLAN_API = By(401, 404, OK, 404, 404, OK)


def _pair(w: World) -> dict[str, Any]:
    return {
        "mentor": w.other_manager.pk, "mentee": w.rep2.pk, "goals": "Forecasting",
        "starts_on": "2026-02-01", "ends_on": "2026-07-31", "cadence": "monthly",
    }  # fmt: skip


ROWS: dict[str, Row] = {
    # --- development: pages ------------------------------------------------------------------
    "development:home": Row(get=SIGNED_IN),
    # Offering to mentor is personal: executives too.
    "development:offers": Row(
        get=SIGNED_IN,
        write=By(LOGIN, CHANGES, CHANGES, CHANGES, CHANGES, CHANGES),
        data=lambda w: {"topics": "negotiation", "note": ""},
    ),
    # Only Omar has an offer to withdraw (the address names none: the data makes his).
    "development:offer_withdraw": Row(
        get=POST_ONLY,
        write=By(LOGIN, 404, 404, CHANGES, 404, 404),
        data=lambda w: {"offer": omar_offer(w).pk},
    ),
    "development:ask": Row(
        get=By(LOGIN, OK, OK, 403, OK, OK),
        write=By(LOGIN, CHANGES, CHANGES, 403, CHANGES, CHANGES),
        data=lambda w: {"goals": "Learn to forecast."},
        kwargs=OFFER,
    ),
    # Only the mentor asked (Omar) answers.
    "development:answer": Row(
        get=POST_ONLY,
        write=By(LOGIN, 404, 404, CHANGES, 404, 404),
        data=lambda w: {"decision": "decline", "cadence": "monthly"},
        kwargs=REQUEST,
    ),
    "development:mentorships": Row(get=SIGNED_IN),
    # other_manager cannot pair Rita (not below him): the form refuses her.
    "development:pair": Row(
        get=By(LOGIN, 403, OK, OK, OK, 403),
        write=By(LOGIN, 403, CHANGES, OK, CHANGES, 403),
        data=_pair,
    ),
    # Olga mentors Rita: Omar (Olga's manager) sees it; only the pair logs meetings.
    "development:mentorship": Row(
        get=By(LOGIN, 404, OK, OK, OK, OK),
        write=By(LOGIN, 404, 403, 403, 403, 403),
        data=lambda w: {"met_on": "2026-02-02", "notes": "More"},
        kwargs=MENTORSHIP,
    ),
    "development:mentorship_status": Row(
        get=POST_ONLY,
        write=By(LOGIN, 404, CHANGES, 403, CHANGES, 403),
        data=lambda w: {"status": "completed"},
        kwargs=MENTORSHIP,
    ),
    # Only Rita's managers may start a plan for her: others' forms refuse her.
    "development:plans": Row(
        get=SIGNED_IN,
        write=By(LOGIN, OK, CHANGES, OK, OK, OK),
        data=lambda w: {"person": w.rep2.pk, "title": "More", "starts_on": "2026-03-01"},
    ),
    "development:plan": Row(
        get=RITA_PLAN,
        write=By(LOGIN, 404, CHANGES, 404, 404, 403),
        data=lambda w: {
            "title": "Coach a peer",
            "target_on": "2026-09-30",
            "status": "not_started",
        },
        kwargs=PLAN,
    ),
    "development:goal_edit": Row(
        get=By(LOGIN, 404, OK, 404, 404, 403),
        write=By(LOGIN, 404, CHANGES, 404, 404, 403),
        data=lambda w: {
            "title": "Lead two demos",
            "target_on": "2026-07-31",
            "status": "in_progress",
        },
        kwargs=GOAL,
    ),
    # Progress is Rita's own; none of the matrix's roles is Rita.
    "development:goal_progress": Row(
        get=POST_ONLY,
        write=By(LOGIN, 404, 403, 404, 404, 403),
        data=lambda w: {"percent": "40", "text": "Halfway"},
        kwargs=GOAL,
    ),
    "development:goal_comment": Row(
        get=POST_ONLY,
        write=By(LOGIN, 404, CHANGES, 404, 404, 403),
        data=lambda w: {"text": "Good progress."},
        kwargs=GOAL,
    ),
    # --- development: API --------------------------------------------------------------------
    "api:development-offer-list": Row(
        get=API_SIGNED_IN,
        write=By(401, CHANGES, CHANGES, CHANGES, CHANGES, CHANGES),
        data=lambda w: {"topics": ["negotiation"]},
        json=True,
    ),
    "api:development-offer-detail": Row(get=API_SIGNED_IN, kwargs=OFFER_PK),
    "api:development-offer-withdraw": Row(
        get=API_POST_ONLY, write=By(401, 403, 403, CHANGES, 403, 403), kwargs=OFFER_PK, json=True
    ),
    # Omar cannot ask himself: a 400 naming the offer.
    "api:development-request-list": Row(
        get=API_SIGNED_IN,
        write=By(401, CHANGES, CHANGES, 400, CHANGES, CHANGES),
        data=lambda w: {"offer": omar_offer(w).pk, "goals": "Forecasting"},
        json=True,
    ),
    "api:development-request-detail": Row(get=By(401, 404, 404, OK, 404, 404), kwargs=REQUEST_PK),
    "api:development-request-answer": Row(
        get=API_POST_ONLY,
        write=By(401, 404, 404, CHANGES, 404, 404),
        data=lambda w: {"accept": False},
        kwargs=REQUEST_PK,
        json=True,
    ),
    "api:development-mentorship-list": Row(
        get=API_SIGNED_IN, write=By(401, 403, CHANGES, 403, CHANGES, 403), data=_pair, json=True
    ),
    "api:development-mentorship-detail": Row(
        get=By(401, 404, OK, OK, OK, OK), kwargs=MENTORSHIP_PK
    ),
    "api:development-mentorship-status": Row(
        get=API_POST_ONLY,
        write=By(401, 404, CHANGES, 403, CHANGES, 403),
        data=lambda w: {"status": "completed"},
        kwargs=MENTORSHIP_PK,
        json=True,
    ),
    # The meeting log: the pair, the mentee's managers, admins; not the mentor's manager.
    "api:development-mentorship-meetings": Row(
        get=By(401, 404, OK, 403, OK, OK),
        write=By(401, 404, 403, 403, 403, 403),
        data=lambda w: {"met_on": "2026-02-02", "notes": "More"},
        kwargs=MENTORSHIP_PK,
        json=True,
    ),
    "api:development-plan-list": Row(
        get=API_SIGNED_IN,
        write=By(401, 400, CHANGES, 400, 400, 400),
        data=lambda w: {"person": w.rep2.pk, "title": "More", "starts_on": "2026-03-01"},
        json=True,
    ),
    "api:development-plan-detail": Row(get=RITA_PLAN_API, kwargs=PLAN_PK),
    "api:development-goal-list": Row(
        get=API_SIGNED_IN,
        write=By(401, 400, CHANGES, 400, 400, 403),
        data=lambda w: {"plan": rita_plan(w).pk, "title": "Coach", "target_on": "2026-09-30"},
        json=True,
    ),
    "api:development-goal-detail": Row(
        get=RITA_PLAN_API,
        write=By(401, 404, CHANGES, 404, 404, 403),
        method="patch",
        data=lambda w: {"title": "Lead two demos"},
        kwargs=GOAL_PK,
        json=True,
    ),
    "api:development-goal-updates": Row(
        get=RITA_PLAN_API,
        write=By(401, 404, 403, 404, 404, 403),
        data=lambda w: {"percent": 40, "text": "Halfway"},
        kwargs=GOAL_PK,
        json=True,
    ),
    "api:development-goal-comments": Row(
        get=RITA_PLAN_API,
        write=By(401, 404, CHANGES, 404, 404, 403),
        data=lambda w: {"text": "Good progress."},
        kwargs=GOAL_PK,
        json=True,
    ),
}
