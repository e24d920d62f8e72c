"""The demo company's reviews: one team's review of the quarter before last, finished (shared
and signed off, one rep disagreeing), and its review of the last closed quarter in the manager
review phase, over the demo's real, frozen scorecards."""

from __future__ import annotations

import datetime as dt
from typing import Any

from charter.core.demo import DemoContext
from charter.core.periods import QUARTER, period_containing, shift
from charter.core.registry import demo_builder
from charter.expectations.models import Document
from charter.reviews.models import Cycle, QuestionKind, Response, Review
from charter.reviews.services.cycles import cycle_advance, cycle_create
from charter.reviews.services.reviews import response_save, review_acknowledge, review_share
from charter.reviews.services.templates import template_generate

TEXTS = [
    "Strong discovery calls; the pipeline reviews were well prepared.",
    "Closed the quarter's largest renewal and kept the forecast honest.",
    "Helped two newer reps with demos; could log activities more promptly.",
    "Good customer feedback; the next step is larger, multi-team deals.",
]


def _answers(ctx: DemoContext, review: Review, low: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in review.items:
        if item["kind"] == QuestionKind.KPIS:
            continue
        if item["scale"]:
            out[item["key"]] = ctx.rng.randint(low, len(item["scale"]))
        else:
            out[item["key"]] = ctx.rng.choice(TEXTS)
    return out


def _write_all(ctx: DemoContext, cycle: Cycle, kind: str, *, share: float = 1.0) -> None:
    for review in cycle.reviews.order_by("pk"):
        response = review.responses.filter(kind=kind).select_related("author__user").first()
        if response is None or ctx.rng.random() > share:
            continue
        response_save(
            response=response, actor=response.author.user,
            answers=_answers(ctx, review, 2 if kind == Response.Kind.SELF else 3), submit=True,
        )  # fmt: skip


def _cycle(org: Any, actor: Any, version: Any, team: Any, period: Any) -> Cycle:
    """A team's cycle over `period`, each phase due ten days after the one before."""
    return cycle_create(
        org=org, actor=actor, name=f"{team.name} review {period.label}", period=period.label,
        template_version=version, audience="team", audience_team=team,
        self_due=period.end + dt.timedelta(days=10),
        manager_due=period.end + dt.timedelta(days=20),
        sharing_due=period.end + dt.timedelta(days=30),
    )  # fmt: skip


@demo_builder("reviews", order=65)
def build(ctx: DemoContext) -> None:
    org = ctx.org
    admin = ctx.people.get("admin")
    actor = admin.user if admin else None
    fy = org.fiscal_year_start_month
    current = period_containing(ctx.today, QUARTER, fy)
    last, before = shift(current, -1, fy), shift(current, -2, fy)
    reps = sorted((p for k, p in ctx.people.items() if k.startswith("rep.")), key=lambda p: p.pk)
    if not reps or reps[0].team is None:
        return
    team = reps[0].team
    document = (
        Document.objects.filter(org=org, audience_team=team, versions__isnull=False).first()
        or Document.objects.filter(org=org, versions__isnull=False).first()
    )
    version = template_generate(org=org, actor=actor, name="Quarterly review", document=document)

    done = _cycle(org, actor, version, team, before)
    cycle_advance(cycle=done, actor=actor)
    _write_all(ctx, done, Response.Kind.SELF)
    cycle_advance(cycle=done, actor=actor)
    _write_all(ctx, done, Response.Kind.MANAGER)
    cycle_advance(cycle=done, actor=actor)
    for index, review in enumerate(done.reviews.select_related("manager__user", "person__user")):
        if review.manager is None or review.person.user is None:
            continue
        review_share(review=review, actor=review.manager.user)
        disagrees = index == 1
        comment = "The quarter's territory change is not reflected." if disagrees else ""
        review_acknowledge(
            review=review, actor=review.person.user, comment=comment, disagrees=disagrees
        )
    cycle_advance(cycle=done, actor=actor)

    running = _cycle(org, actor, version, team, last)
    cycle_advance(cycle=running, actor=actor)
    _write_all(ctx, running, Response.Kind.SELF, share=0.8)
    cycle_advance(cycle=running, actor=actor)
    _write_all(ctx, running, Response.Kind.MANAGER, share=0.4)
    ctx.log(
        f"demo: reviews of {team.name}: {before.label} closed, {last.label} in manager review "
        f"({running.reviews.count()} people)"
    )
