"""The demo company's development: a few people listed as mentors, mentorships under way with
their meeting logs (one proposed, one completed, one ended early), a pending request, and
development plans with goals, progress and a manager's comments for some reps."""

from __future__ import annotations

import datetime as dt
from typing import Any

from charter.core.demo import DemoContext
from charter.core.registry import demo_builder
from charter.development.services.mentorships import (
    meeting_log,
    mentorship_create,
    mentorship_set_status,
    offer_save,
    request_create,
)
from charter.development.services.plans import comment_add, goal_add, plan_create, progress_report
from charter.learning.models import Certification, Training

OFFERS = [
    ("rep.americas_enterprise.1", "enterprise deals, negotiation", "Every two weeks suits me."),
    ("manager.emea_enterprise", "coaching, forecasting, hiring", "Monthly, over lunch."),
    ("rep.emea_commercial.2", "discovery calls, product demos", ""),
]  # fmt: skip

NOTES = [
    "Went through **two live deals**; agreed to try a mutual action plan on the larger one.",
    "Reviewed the discovery call recording:\n\n- more open questions\n- summarise pain before demo",
    "Role-played the pricing objection. Next time: bring the procurement checklist.",
]


def _plan(ctx: DemoContext, key: str, goals: list[tuple[str, int, Any]]) -> None:
    person = ctx.people[key]
    plan = plan_create(
        person=person, actor=person.user, title=f"{ctx.today.year} development plan",
        starts_on=ctx.days_ago(120),
        summary="Grow into larger deals and help the team forecast.",
    )  # fmt: skip
    for number, (title, due_in, training) in enumerate(goals):
        goal = goal_add(
            plan=plan, actor=person.user, title=title,
            target_on=ctx.today + dt.timedelta(days=due_in),
            trainings=[training] if training is not None else None,
        )  # fmt: skip
        if number < 2:
            progress_report(
                goal=goal, actor=person.user, text="Started; first step done.",
                percent=ctx.rng.choice([20, 35, 50]),
            )  # fmt: skip
    if person.manager is not None:
        comment_add(
            goal=plan.goals.order_by("target_on").first(),  # type: ignore[arg-type]
            actor=person.manager.user,
            text="Good start. Bring it to our next 1:1.",
        )


# After learning (35): goals link to its trainings and certifications.
@demo_builder("development", order=36)
def build_development(ctx: DemoContext) -> None:
    admin = ctx.people["admin"].user
    offers = {
        key: offer_save(
            person=ctx.people[key], actor=ctx.people[key].user, topics=topics, note=note
        )
        for key, topics, note in OFFERS
    }
    pairs = [
        ("rep.americas_enterprise.1", "rep.americas_enterprise.4", "active", 90),
        ("manager.emea_enterprise", "rep.emea_enterprise.3", "active", 60),
        ("rep.emea_commercial.2", "rep.emea_commercial.5", "proposed", 0),
        ("manager.emea_enterprise", "rep.americas_midmarket.2", "completed", 200),
        ("rep.americas_enterprise.1", "rep.americas_midmarket.4", "ended_early", 150),
    ]
    meetings = 0
    for mentor_key, mentee_key, status, days in pairs:
        mentee = ctx.people[mentee_key]
        mentorship = mentorship_create(
            org=ctx.org, actor=admin, mentor=ctx.people[mentor_key], mentee=mentee,
            goals=f"Help {mentee.full_name.split()[0]} run **bigger deals** with confidence.",
            starts_on=ctx.days_ago(days), ends_on=ctx.days_ago(days) + dt.timedelta(days=180),
            cadence="fortnightly" if days % 60 else "monthly",
        )  # fmt: skip
        if status == "proposed":
            continue
        mentorship_set_status(mentorship=mentorship, actor=admin, status="active")
        for number in range(min(3, days // 30)):
            meeting_log(
                mentorship=mentorship, actor=mentee.user, notes=NOTES[number % len(NOTES)],
                met_on=ctx.days_ago(days) + dt.timedelta(days=14 + 28 * number),
            )  # fmt: skip
            meetings += 1
        if status == "completed":
            mentorship_set_status(mentorship=mentorship, actor=admin, status="completed")
        elif status == "ended_early":
            mentorship_set_status(
                mentorship=mentorship, actor=admin, status="ended_early",
                reason="The mentee moved to a team with its own programme.",
            )  # fmt: skip
    request_create(
        offer=offers["manager.emea_enterprise"], mentee=ctx.people["rep.emea_commercial.1"],
        actor=ctx.people["rep.emea_commercial.1"].user,
        goals="Learn how to forecast a quarter I can commit to.",
    )  # fmt: skip

    trainings = {t.code: t for t in Training.objects.filter(org=ctx.org)}
    _plan(
        ctx,
        "rep.americas_enterprise.4",
        [
            ("Lead a negotiation end to end", 45, trainings.get("NEG-201")),
            ("Forecast within 10% for a quarter", 100, trainings.get("FORE-150")),
            ("Finish the enterprise procurement course", -10, trainings.get("ENT-400")),
        ],
    )
    _plan(
        ctx,
        "rep.emea_enterprise.3",
        [
            ("Run five discovery calls with the new framework", 20, trainings.get("DISC-110")),
            ("Demo the advanced product to a C-level buyer", 75, trainings.get("PROD-200")),
        ],
    )
    certification = Certification.objects.filter(org=ctx.org).order_by("name").first()
    person = ctx.people["rep.americas_midmarket.2"]
    plan = plan_create(
        person=person, actor=person.user, title="Path to senior rep",
        starts_on=ctx.days_ago(30),
    )  # fmt: skip
    goal_add(
        plan=plan, actor=admin if person.manager is None else person.manager.user,
        title="Earn a certification",
        target_on=ctx.today + dt.timedelta(days=150),
        certifications=[certification] if certification else None,
    )  # fmt: skip
    ctx.log(
        f"demo: {len(offers)} mentors listed, {len(pairs)} mentorships ({meetings} meetings "
        "logged), 1 request waiting, 3 development plans"
    )
