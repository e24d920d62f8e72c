"""The demo company's feedback: six months of praise and constructive feedback between
colleagues across the company's values, some answering requests, a few requests still open,
badges (two awarded automatically from the CRM and the closed quarters) and managers' awards.
The `feedback_given` KPI is turned on from this quarter, so closed quarters stay as closed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Q

from charter.core.demo import DemoContext
from charter.core.registry import demo_builder
from charter.expectations.models import Value
from charter.feedback.metrics import feedback_amounts
from charter.feedback.models import Feedback, FeedbackRequest, Kind, Visibility
from charter.feedback.services.badges import award_give, awards_evaluate, badge_create
from charter.kpis.models import KpiDefinition
from charter.kpis.rollups import contribute
from charter.kpis.selectors.calendar import period_of
from charter.kpis.services import kpi_revise

PRAISE = [
    "Your discovery notes made the handover painless — thank you.",
    "You stayed late to fix the quote before the customer's board meeting. That saved the deal.",
    "Great demo today: you let the customer talk and answered the question behind the question.",
    "Thanks for sharing your objection-handling notes with the whole team.",
    "You told the customer the truth about the integration timeline, and they trusted us more.",
    "Clean forecast this month: every deal had a next step and a date.",
]
CONSTRUCTIVE = [
    "In the pricing call you conceded the discount before they asked. Let's rehearse next time.",
    "The follow-up email went out three days late; a same-day recap would keep momentum.",
    "Your CRM notes are thin on the champion's goals. Two lines after each call would help.",
    "Try asking about the decision process earlier: we learned about procurement in week six.",
]
TOPICS = ["Running discovery calls", "Handling the pricing conversation", "Team collaboration"]


def _people(ctx: DemoContext) -> list[Any]:
    return [p for key, p in ctx.people.items() if key.startswith(("rep.", "manager."))]


def _direct(
    ctx: DemoContext, giver: Any, recipient: Any, day: dt.date, values: list[Value]
) -> Feedback:
    """One feedback on a past day: written as the service would have written it then (the
    service stamps today, and its emails would go to the demo's people)."""
    kind = Kind.PRAISE if ctx.rng.random() < 0.75 else Kind.CONSTRUCTIVE
    if kind == Kind.PRAISE:
        visibility = ctx.rng.choice([Visibility.PUBLIC, Visibility.PUBLIC, Visibility.MANAGERS,
                                     Visibility.PRIVATE])  # fmt: skip
        text = ctx.rng.choice(PRAISE)
    else:
        visibility = ctx.rng.choice([Visibility.PRIVATE, Visibility.MANAGERS])
        text = ctx.rng.choice(CONSTRUCTIVE)
    created = dt.datetime.combine(day, dt.time(15), tzinfo=dt.UTC)
    found = Feedback.objects.create(
        org=ctx.org, giver=giver, recipient=recipient, kind=kind, visibility=visibility,
        text=text, given_on=day, created_at=created,
    )  # fmt: skip
    found.values.set(ctx.rng.sample(values, k=ctx.rng.choice([1, 1, 2])))
    return found


def _turn_kpi_on(ctx: DemoContext, admin: Any) -> None:
    definition = KpiDefinition.objects.filter(org=ctx.org, key="feedback_given").first()
    if definition is None:
        return
    kpi_revise(
        definition=definition, actor=admin.user, effective_from=period_of(ctx.org, None).start,
        reason="We count feedback given from this quarter on.", active=True,
    )  # fmt: skip


# After expectations (order 50), whose values feedback is tagged with, and the KPI demo, whose
# closed quarters the automatic badges read.
@demo_builder("feedback", order=55)
def build(ctx: DemoContext) -> None:
    admin = ctx.people["admin"]
    values = list(Value.objects.filter(org=ctx.org, is_active=True))
    people = _people(ctx)
    if not values or len(people) < 3:
        return
    made: list[Feedback] = []
    for person in people:
        colleagues = [p for p in people if p.pk != person.pk]
        day = ctx.days_ago(180 - ctx.rng.randint(0, 14))
        while day < ctx.today:
            made.append(_direct(ctx, person, ctx.rng.choice(colleagues), day, values))
            day += dt.timedelta(days=ctx.rng.randint(12, 30))
    contribute(org_id=ctx.org.pk, amounts=[a for f in made for a in feedback_amounts(f)])
    _requests(ctx, people)
    _badges(ctx, admin, values)
    _turn_kpi_on(ctx, admin)
    ctx.log(f"demo: {len(made)} feedback, badges awarded")


def _requests(ctx: DemoContext, people: list[Any]) -> None:
    """Each manager asked two colleagues about one report: one answered, one still open."""
    for key, manager in ctx.people.items():
        if not key.startswith("manager."):
            continue
        reports = [p for p in people if p.manager_id == manager.pk]
        if len(reports) < 3:
            continue
        subject, first, second = ctx.rng.sample(reports, k=3)
        topic = ctx.rng.choice(TOPICS)
        due = ctx.today + dt.timedelta(days=ctx.rng.randint(1, 10))
        for asked, answered in ((first, True), (second, False)):
            FeedbackRequest.objects.create(
                org=ctx.org, asked_by=manager, subject=subject, asked=asked, topic=topic,
                due_on=due, answered_at=(
                    dt.datetime.combine(ctx.days_ago(1), dt.time(10), tzinfo=dt.UTC)
                    if answered else None
                ),
            )  # fmt: skip


def _badges(ctx: DemoContext, admin: Any, values: list[Value]) -> None:
    by_name = {v.name: v for v in values}
    first = values[0]
    badge_create(
        org=ctx.org, actor=admin.user, name="Big fish", icon="trophy",
        value=by_name.get("Customer first", first),
        description="The first deal won over 50,000.", criterion="first_deal_over",
        threshold=Decimal(50_000),
    )  # fmt: skip
    if KpiDefinition.objects.filter(org=ctx.org, key="revenue_won").exists():
        badge_create(
            org=ctx.org, actor=admin.user, name="On target", icon="target",
            value=by_name.get("Ownership", first),
            description="Revenue won at or above target in a closed quarter.",
            criterion="kpi_attainment", threshold=Decimal(100), kpi_key="revenue_won",
        )  # fmt: skip
    helper = badge_create(
        org=ctx.org, actor=admin.user, name="Helping hand", icon="handshake",
        value=by_name.get("Ownership", first), description="Went out of their way for a colleague.",
    )  # fmt: skip
    awards_evaluate(org=ctx.org)
    for key, manager in ctx.people.items():
        if not key.startswith("manager.") or manager.user is None:
            continue
        reports = list(
            manager.__class__.objects.filter(Q(manager=manager), is_active=True).order_by("pk")
        )
        if reports:
            award_give(
                badge=helper, person=ctx.rng.choice(reports), actor=manager.user,
                awarder=manager, reason="Covered a colleague's renewals during their leave",
            )  # fmt: skip
