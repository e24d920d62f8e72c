"""The demo company's expectations: four values, a company-wide document with a first version
and a material second one, a team playbook, signatures in every state, and questions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from charter.core.demo import DemoContext
from charter.core.registry import demo_builder
from charter.expectations import services
from charter.expectations.models import Change, Document, SignatureRequest

VALUES = [
    ("Customer first", "We earn trust by solving the customer's problem, not by pushing product."),
    ("Transparency", "We tell customers and each other the truth, including bad news, early."),
    ("Ownership", "We do what we said we would do, and say so when we cannot."),
    ("Growth", "We get a little better every quarter, and help each other do it."),
]

# section title → [(title, text, values, measure, key)]
COMPANY_V1: dict[str, list[tuple[str, str, list[str], str, bool]]] = {
    "Responsibilities and sales process": [
        (
            "Follow up on every inbound lead fast",
            "Make the first personal contact with every inbound lead within **two business "
            "days**. A personal email or a call counts; an automated sequence does not.",
            ["Customer first"],
            "First-touch time in the CRM activity report",
            True,
        ),
        (
            "Keep the CRM honest",
            "Every open deal has a current stage, amount and close date, updated by Friday "
            "noon each week. Forecast what you believe, not what you hope.",
            ["Transparency"],
            "Pipeline hygiene report, every Friday",
            True,
        ),
        (
            "Qualify before you demo",
            "Confirm budget, authority, need and timing before booking a product demo, and "
            "write them in the opportunity.",
            ["Ownership", "Customer first"],
            "Qualification fields on demoed opportunities",
            False,
        ),
    ],
    "How success is measured": [
        (
            "Reach your quarterly revenue target",
            "Your revenue target is set per quarter; attainment is never capped, and pace "
            "against the quarter is visible to you every day.",
            ["Ownership"],
            "Revenue won against target",
            True,
        ),
        (
            "Keep customers happy after the sale",
            "Average customer satisfaction of **4.3 out of 5** or better on closed deals.",
            ["Customer first"],
            "CSAT survey average, quarterly",
            True,
        ),
    ],
    # "Learning and development" is generated from the learning demo's live requirements.
    "Feedback and reviews": [
        (
            "Come prepared to your 1:1",
            "Your weekly 1:1 starts from your numbers: bring your pipeline up to date and one "
            "question you want help with.",
            ["Ownership", "Transparency"],
            "1:1 attendance and agenda",
            False,
        ),
        (
            "Quarterly review, then rewards",
            "Each quarter: a self-review, then your manager's review, both tied to these "
            "expectations. Rewards follow published rules, never a private deal.",
            ["Transparency"],
            "Review cycle completion",
            True,
        ),
    ],
    "Adapting to change": [
        (
            "Expect the expectations to move",
            "When the market moves, targets and this document change with an effective date "
            "and a reason. A material change asks you to read and sign again.",
            ["Transparency", "Growth"],
            "",
            False,
        ),
    ],
}

# Expectations measured by a KPI: the document prints the KPI as it is defined today.
KPI_MEASURES = {
    "Reach your quarterly revenue target": "kpi:revenue_won",
    "Keep customers happy after the sale": "kpi:csat_avg",
    "Win the deals you qualify": "kpi:win_rate",
}

TEAM_PLAYBOOK: list[tuple[str, str, list[str], str, bool]] = [
    (
        "Multi-thread every enterprise deal",
        "Above $50,000, know at least three people at the customer, including someone in "
        "finance, before proposing.",
        ["Ownership"],
        "Contacts per opportunity above $50k",
        True,
    ),
    (
        "Mutual action plan",
        "Agree a written close plan with the customer for every deal in the Negotiation stage.",
        ["Customer first", "Transparency"],
        "Close plans attached to Negotiation deals",
        True,
    ),
]


# Ethan Park, the rep of the README's demo logins (`org.demo.featured_logins`).
HEADLINE_REP = "rep.americas_enterprise.1"


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _fill(document: Document, content: dict[str, Any], values: dict[str, Any], actor: Any) -> None:
    sections = {s.title: s for s in document.sections.all()}
    for section_title, items in content.items():
        for title, text, value_names, measure, key in items:
            services.expectation_add(
                section=sections[section_title],
                actor=actor,
                title=title,
                text=text,
                values=[values[v] for v in value_names],
                # A KPI-measured expectation prints the KPI's live definition; no second text.
                measure_text="" if title in KPI_MEASURES else measure,
                measure_ref=KPI_MEASURES.get(title, ""),
                is_key=key,
            )


def _sign(ctx: DemoContext, person: Any, version: Any, day: dt.date) -> None:
    request = SignatureRequest.objects.get(person=person, version=version)
    services.sign(
        request=request,
        actor=person.user,
        typed_name=person.full_name,
        ip_address="192.0.2.10",
        user_agent="Mozilla/5.0 (demo)",
        as_of=_at(day, ctx.rng.randint(8, 18)),
    )


# After the KPI targets (order 40): the published versions show the targets in their KPI section.
@demo_builder("expectations", order=50)
def build_expectations(ctx: DemoContext) -> None:
    admin = ctx.people["admin"]
    values = {
        name: services.value_create(org=ctx.org, actor=admin.user, name=name, description=desc)
        for name, desc in VALUES
    }
    document = services.document_create(
        org=ctx.org, actor=admin.user, title="How we sell at Northwind", default_due_days=14
    )
    sections = {s.title: s for s in document.sections.all()}
    services.section_update(
        section=sections["Responsibilities and sales process"],
        actor=admin.user,
        expected_revision=1,
        title="Responsibilities and sales process",
        intro="What every seller at Northwind does, every week, whatever the territory.",
    )
    _fill(document, COMPANY_V1, values, admin.user)
    v1_day = ctx.days_ago(75)
    v1 = services.document_publish(
        document=document,
        actor=admin.user,
        summary="Our first written expectations: what we do, how we measure it, how we grow.",
        change=Change.MATERIAL,
        effective_date=v1_day,
        distribute=False,
        as_of=_at(v1_day, 9),
    )
    people = [p for key, p in ctx.people.items() if key != "admin"]
    # Almost everyone signed version 1 within two weeks; two never did.
    for person in people[:-2]:
        _sign(ctx, person, v1, v1_day + dt.timedelta(days=ctx.rng.randint(0, 12)))

    # Version 2: faster follow-up and a win-rate expectation (material: everyone signs again).
    follow_up = document.sections.get(title="Responsibilities and sales process").expectations.get(
        title="Follow up on every inbound lead fast"
    )
    services.expectation_update(
        expectation=follow_up,
        actor=admin.user,
        expected_revision=follow_up.revision,
        title=follow_up.title,
        text=(
            "Make the first personal contact with every inbound lead within **one business "
            "day**. A personal email or a call counts; an automated sequence does not."
        ),
        values=[values["Customer first"]],
        measure_text=follow_up.measure_text,
        is_key=True,
    )
    services.expectation_add(
        section=document.sections.get(title="How success is measured"),
        actor=admin.user,
        title="Win the deals you qualify",
        text="Win at least **one in four** qualified opportunities you close each quarter.",
        values=[values["Ownership"]],
        measure_text="",
        measure_ref=KPI_MEASURES["Win the deals you qualify"],
        is_key=True,
    )
    v2_day = ctx.days_ago(30)
    v2 = services.document_publish(
        document=document,
        actor=admin.user,
        summary="Inbound leads now get a first touch within one business day, and we added a "
        "win-rate expectation.",
        change=Change.MATERIAL,
        effective_date=v2_day + dt.timedelta(days=1),
        distribute=False,
        as_of=_at(v2_day, 9),
    )
    # Two thirds signed version 2; the rest signed only version 1 and are now overdue.
    for index, person in enumerate(people):
        if index % 3 != 2:
            _sign(ctx, person, v2, v2_day + dt.timedelta(days=ctx.rng.randint(0, 10)))

    # A team playbook written by the Americas Enterprise manager, published last week.
    manager = ctx.people["manager.americas_enterprise"]
    playbook = services.document_create(
        org=ctx.org,
        actor=manager.user,
        title="Americas Enterprise playbook",
        audience="team",
        audience_team=ctx.teams["americas_enterprise"],
        default_due_days=10,
    )
    for section in playbook.sections.filter(provider=""):
        if section.title == "Responsibilities and sales process":
            for title, text, value_names, measure, key in TEAM_PLAYBOOK:
                services.expectation_add(
                    section=section,
                    actor=manager.user,
                    title=title,
                    text=text,
                    values=[values[v] for v in value_names],
                    measure_text=measure,
                    is_key=key,
                )
        else:
            services.section_delete(section=section, actor=manager.user)
    playbook_day = ctx.days_ago(5)
    pv1 = services.document_publish(
        document=playbook,
        actor=manager.user,
        summary="How we run enterprise deals in the Americas.",
        change=Change.MATERIAL,
        effective_date=playbook_day,
        distribute=False,
        as_of=_at(playbook_day, 9),
    )
    # The headline rep of the demo logins has not signed it yet: signing is what a rep does
    # here, so the login a visitor tries first has something to sign (due in ten days).
    headline = ctx.people.get(HEADLINE_REP)
    team_reps = [
        p
        for key, p in ctx.people.items()
        if key.startswith("rep.americas_enterprise.") and p != headline
    ]
    for person in team_reps[:2]:
        _sign(ctx, person, pv1, playbook_day + dt.timedelta(days=1))

    # Questions: one answered in public, one private and one public still waiting.
    rep = ctx.people["rep.americas_enterprise.1"]
    follow_up_key = str(follow_up.key)
    answered = services.question_ask(
        document=document,
        actor=rep.user,
        expectation_key=follow_up_key,
        text="Does a LinkedIn message count as the first personal contact?",
        visibility="public",
    )
    services.question_answer(
        question=answered,
        actor=manager.user,
        text="Yes, if you wrote it yourself and it answers what the lead asked about.",
    )
    other = ctx.people["rep.americas_midmarket.2"]
    services.question_ask(
        document=document,
        actor=other.user,
        expectation_key=follow_up_key,
        text="If a lead comes in on Friday evening, does the one-day clock start on Monday?",
        visibility="private",
    )
    win_rate = document.sections.get(title="How success is measured").expectations.get(
        title="Win the deals you qualify"
    )
    services.question_ask(
        document=document,
        actor=ctx.people["rep.emea_enterprise.3"].user,
        expectation_key=str(win_rate.key),
        text="Do deals lost to a budget freeze count against the win rate?",
        visibility="public",
    )
    ctx.log(
        f"demo: expectations — {len(values)} values, 2 documents, versions 1 and 2 of "
        f"“{document.title}”, signatures in every state, 3 questions"
    )
