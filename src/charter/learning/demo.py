"""The demo company's learning: a catalogue of a dozen trainings, two years of completions
(imported from the LMS, a few reported and waiting, one sent back), requirements per role and
for one team, and certificates, some expiring soon and one expired, so every page has content."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from charter.core.demo import DemoContext
from charter.core.periods import QUARTER, YEAR, period_containing, shift
from charter.core.registry import demo_builder
from charter.kpis.models import KpiDefinition
from charter.kpis.services import target_set
from charter.learning.certificates import add_months
from charter.learning.models import Completion, Status, Training, TrainingSession
from charter.learning.services import sessions
from charter.learning.services.catalogue import training_create
from charter.learning.services.certificates import certificate_add, certification_create
from charter.learning.services.completions import (
    HOURS_IN_A_DAY,
    completion_report,
    completion_review,
    completions_import,
)
from charter.learning.services.requirements import Ask, CertificationAsk, requirement_create
from charter.org.models import Role

# (code, title, kind, expected hours, provider, tags, team key or "")
CATALOGUE = [
    ("SALES-101", "Consultative selling", "course", "8", "Acme Academy", "selling", ""),
    ("NEG-201", "Negotiation that holds", "instructor_led", "6", "Harbor Partners",
     "negotiation", ""),
    ("PROD-100", "Product fundamentals", "e_learning", "3", "Internal", "product, onboarding", ""),
    ("PROD-200", "Advanced product demos", "e_learning", "4", "Internal", "product", ""),
    ("DISC-110", "Discovery calls", "course", "5", "Acme Academy", "selling", ""),
    ("PRIV-100", "Data privacy for sellers", "e_learning", "1.5", "Compliance team",
     "compliance", ""),
    ("COACH-300", "Coaching fundamentals", "instructor_led", "12", "Harbor Partners",
     "leadership", ""),
    ("CONF-SK", "SaaStock conference", "conference", "16", "SaaStock", "market", ""),
    ("READ-CHL", "Reading: The Challenger Sale", "reading", "6", "", "selling, reading", ""),
    ("SHAD-AE", "Shadow an enterprise deal review", "shadowing", "3", "", "enterprise",
     "americas_enterprise"),
    ("ENT-400", "Enterprise procurement", "course", "4", "Acme Academy", "enterprise",
     "americas_enterprise"),
    ("FORE-150", "Forecasting discipline", "e_learning", "2", "Internal", "pipeline", ""),
]  # fmt: skip

CERTIFICATIONS = [("Cloud Sales Accreditation", "CloudCo", 24), ("Negotiation Pro", "NPI", 12)]


# A rep's training-hours target per fiscal quarter: the 8 hours "Keep learning" asks, and a
# little more, so the scorecard shows some reps above and some below it.
QUARTER_HOURS_TARGET = Decimal("10")
PAST_TARGET_QUARTERS = 3


def _hours_targets(ctx: DemoContext, actor: Any) -> int:
    """Training-hours targets for every rep: this quarter, the three before it and this fiscal
    year, so the KPI shows attainment on scorecards and in the explain drill-down."""
    kpi = KpiDefinition.objects.get(org=ctx.org, key="training_hours")
    fy = ctx.org.fiscal_year_start_month
    current = period_containing(ctx.today, QUARTER, fy)
    periods = [shift(current, -step, fy) for step in range(PAST_TARGET_QUARTERS, -1, -1)]
    year = period_containing(ctx.today, YEAR, fy)
    written = 0
    for key, person in ctx.people.items():
        if not key.startswith("rep."):
            continue
        for period in periods:
            target_set(org=ctx.org, kpi=kpi, period=period, value=QUARTER_HOURS_TARGET,
                       actor=actor, person=person)  # fmt: skip
            written += 1
        target_set(org=ctx.org, kpi=kpi, period=year, value=QUARTER_HOURS_TARGET * 4,
                   actor=actor, person=person)  # fmt: skip
        written += 1
    return written


def _people(ctx: DemoContext) -> list[Any]:
    return [p for key, p in ctx.people.items() if key.startswith(("rep.", "manager."))]


def _history(ctx: DemoContext, trainings: list[Any], people: list[Any]) -> list[dict[str, Any]]:
    """About one completion a month each over two years, as an LMS export would list them."""
    rows: list[dict[str, Any]] = []
    for person in people:
        taken: set[tuple[int, dt.date]] = set()
        day = ctx.days_ago(730 - ctx.rng.randint(0, 30))
        while day < ctx.days_ago(10):
            training = ctx.rng.choice(trainings)
            hours = min(Decimal(training.expected_hours), HOURS_IN_A_DAY)
            if (training.pk, day) not in taken and (
                person.hire_date is None or day >= person.hire_date
            ):
                taken.add((training.pk, day))
                rows.append(
                    {
                        "person": person.pk, "training": training.pk, "completed_on": day,
                        "hours": hours, "score": Decimal(ctx.rng.randint(70, 100))
                        if training.kind in ("course", "e_learning") else None,
                    }
                )  # fmt: skip
            day += dt.timedelta(days=ctx.rng.randint(18, 45))
    return rows


# Before the KPI demo (order 40): approved training hours are KPI metrics, and the past
# quarters it closes must freeze them as they are, not as nothing later restated.
@demo_builder("learning", order=35)
def build_learning(ctx: DemoContext) -> None:
    admin = ctx.people["admin"]
    actor = admin.user
    trainings = []
    for code, title, kind, hours, provider, tags, team_key in CATALOGUE:
        trainings.append(
            training_create(
                org=ctx.org,
                actor=actor,
                code=code,
                title=title,
                kind=kind,
                expected_hours=hours,
                provider=provider,
                tags=tags,
                team=ctx.teams[team_key] if team_key else None,
                description=f"**{title}**: what good looks like, practised on real deals.",
            )
        )
    by_code = {t.code: t for t in trainings}
    everyone_trainings = [t for t in trainings if t.team_id is None]
    people = _people(ctx)
    created, _, _ = completions_import(
        org=ctx.org, actor=None, rows=_history(ctx, everyone_trainings, people)
    )

    start = ctx.days_ago(400)
    requirement_create(
        org=ctx.org, actor=actor, name="Keep learning", scope="company", effective_from=start,
        hours=Decimal("8"), hours_period="quarter",
        asks=[Ask(training=by_code["PRIV-100"], due_rule="absolute",
                  due_date=ctx.today + dt.timedelta(days=20))],
    )  # fmt: skip
    requirement_create(
        org=ctx.org, actor=actor, name="Rep onboarding", scope="role", role=Role.REP,
        effective_from=start,
        asks=[Ask(training=by_code["PROD-100"], due_rule="after_hire", due_days=30),
              Ask(training=by_code["DISC-110"], due_rule="after_hire", due_days=90)],
    )  # fmt: skip
    requirement_create(
        org=ctx.org, actor=actor, name="Managers coach", scope="role", role=Role.MANAGER,
        effective_from=start,
        asks=[Ask(training=by_code["COACH-300"], due_rule="absolute",
                  due_date=ctx.days_ago(30))],
    )  # fmt: skip
    requirement_create(
        org=ctx.org, actor=actor, name="Enterprise deals", scope="team",
        team=ctx.teams["americas_enterprise"], effective_from=start,
        asks=[Ask(training=by_code["ENT-400"], due_rule="absolute",
                  due_date=ctx.today + dt.timedelta(days=45))],
    )  # fmt: skip

    # A few reported lately: most wait for their manager, one was sent back.
    reps = [p for key, p in ctx.people.items() if key.startswith("rep.")]
    pending = 0
    for person in reps[:6]:
        day = ctx.days_ago(ctx.rng.randint(1, 6))
        if Completion.objects.filter(person=person, completed_on=day).exists():
            continue
        completion = completion_report(
            person=person, actor=person.user, training=by_code["SHAD-AE"]
            if person.team_id == ctx.teams["americas_enterprise"].pk else by_code["FORE-150"],
            completed_on=day, hours="2", note="Done with my manager's blessing.",
        )  # fmt: skip
        pending += 1
        if pending == 1 and person.manager is not None:
            completion_review(
                completion=completion, actor=person.manager.user, approve=False,
                review_note="The module is 2 hours but the LMS shows 1; please check.",
            )  # fmt: skip

    certifications = [
        certification_create(
            org=ctx.org, actor=actor, name=name, issuer=issuer, validity_months=months
        )
        for name, issuer, months in CERTIFICATIONS
    ]
    certificates = 0
    for i, person in enumerate(people):
        certification = certifications[i % 2]
        months = certification.validity_months
        if i == 0:  # expired ten days ago
            issued = add_months(ctx.days_ago(10), -months) + dt.timedelta(days=1)
        elif i in (1, 2, 3):  # ends within the next seven weeks
            issued = add_months(ctx.today + dt.timedelta(days=15 * i), -months)
        else:
            issued = ctx.days_ago(ctx.rng.randint(20, 250))
        certificate_add(
            person=person, actor=actor, certification=certification, issued_on=issued,
            credential_id=f"{certification.name[:3].upper()}-{1000 + i}",
        )  # fmt: skip
        certificates += 1
    # A certification the enterprise team holds, due within 60 days of joining it: the team's
    # page shows valid, expiring and expired certificates against a requirement.
    requirement_create(
        org=ctx.org, actor=actor, name="Enterprise certified", scope="team",
        team=ctx.teams["americas_enterprise"], effective_from=start,
        certifications=[CertificationAsk(certifications[0], due_rule="after_join", due_days=60)],
    )  # fmt: skip
    targets = _hours_targets(ctx, actor)
    waiting = Completion.objects.filter(org=ctx.org, status=Status.PENDING).count()
    ctx.log(
        f"demo: {len(trainings)} trainings, {created} completions over two years "
        f"({waiting} waiting for approval), 5 requirements, {certificates} certificates, "
        f"{targets} training-hours targets"
    )


def _held(session: Any, days_ago: int) -> None:
    """Move a session whose places were taken while it was to come to `days_ago` days back, as
    it stands once it has been held (enrolment is closed for sessions that have started)."""
    start = timezone.now().replace(minute=0, second=0, microsecond=0) - dt.timedelta(days=days_ago)
    TrainingSession.objects.filter(pk=session.pk).update(
        starts_at=start, ends_at=start + dt.timedelta(hours=3)
    )


# After the catalogue (35) and before the KPI demo closes its quarters (40): attendance writes
# approved training hours.
@demo_builder("learning_sessions", order=36)
def build_sessions(ctx: DemoContext) -> None:
    admin = ctx.people["admin"]
    trainings = {t.code: t for t in Training.objects.filter(org=ctx.org)}
    managers = [p for key, p in ctx.people.items() if key.startswith("manager.")]
    reps = [p for key, p in ctx.people.items() if key.startswith("rep.")]
    if not managers or len(reps) < 6 or "NEG-201" not in trainings:
        return
    now = timezone.now().replace(minute=0, second=0, microsecond=0)

    def schedule(code: str, days: int, capacity: int, **where: str) -> Any:
        start = now + dt.timedelta(days=days)
        return sessions.session_create(
            actor=admin.user, training=trainings[code], starts_at=start,
            ends_at=start + dt.timedelta(hours=3), time_zone=ctx.org.time_zone or "UTC",
            capacity=capacity, facilitator=managers[0], **where,
        )  # fmt: skip

    # Held three weeks ago: three came, one did not; those who came have the hours.
    held = schedule("NEG-201", 1, 10, location="Head office, room Atlas")
    places = [sessions.enrol(session=held, person=p, actor=p.user) for p in reps[:4]]
    _held(held, 21)
    for enrolment, answer in zip(
        places, ["attended", "attended", "attended", "no_show"], strict=True
    ):
        sessions.attendance_set(enrolment=enrolment, actor=managers[0].user, attendance=answer)

    # Next week's run is full, with two people waiting.
    full = schedule("NEG-201", 8, 3, location="Head office, room Atlas")
    for person in reps[:5]:
        sessions.enrol(session=full, person=person, actor=person.user)

    # Online coaching for managers later this month.
    coaching = schedule("COACH-300", 20, 8, video_link="https://meet.example.com/coaching")
    for person in managers[1:3]:
        sessions.enrol(session=coaching, person=person, actor=person.user)
    ctx.log("demo: 3 training sessions (one held with attendance, one full with a waiting list)")
