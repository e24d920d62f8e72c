"""Running a review cycle: creating it, launching it (a review per participant, the questions
expanded for each), advancing its phases (freezing the KPIs when the manager review opens) and
closing it. Admins only; every step audited."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from charter.core import audit
from charter.core.periods import PeriodError, parse_period
from charter.expectations.models import Audience, Document, Value
from charter.expectations.selectors import audience_people, current_version
from charter.kpis.selectors.calendar import org_today
from charter.kpis.selectors.closed import figures_of, period_close_of
from charter.kpis.selectors.scorecards import person_scorecards
from charter.kpis.services import period_close
from charter.org.models import Person
from charter.reviews.models import (
    PHASE_ORDER,
    Cycle,
    Phase,
    QuestionKind,
    Response,
    Review,
    TemplateVersion,
)


def cycle_people(cycle: Cycle) -> Any:
    """The active people the cycle's audience names today (the same rule as a document's)."""
    return audience_people(cast(Document, cycle))


def cycle_create(
    *,
    org: Any,
    actor: Any,
    name: str,
    period: str,
    template_version: TemplateVersion,
    self_due: dt.date,
    manager_due: dt.date,
    sharing_due: dt.date,
    audience: str = Audience.COMPANY,
    audience_team: Any = None,
    audience_role: str = "",
) -> Cycle:
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "Give the cycle a name."
    try:
        found = parse_period(period.strip(), org.fiscal_year_start_month)
    except PeriodError:
        errors["period"] = f"{period!r} names no period (write 2017-Q2, FY2018 or 2017-05)."
    if template_version.template.org_id != org.pk:
        errors["template_version"] = "That template is not this organization's."
    if not self_due < manager_due < sharing_due:
        errors["manager_due"] = (
            "The phases must be due in order: self review, then manager review, then sign-off."
        )
    if audience == Audience.TEAM and audience_team is None:
        errors["audience_team"] = "Choose the team."
    if audience == Audience.ROLE and not audience_role:
        errors["audience_role"] = "Choose the role."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        cycle = Cycle.objects.create(
            org=org, name=name.strip(), period_label=found.label, period_start=found.start,
            period_end=found.end, template_version=template_version, audience=audience,
            audience_team=audience_team if audience == Audience.TEAM else None,
            audience_role=audience_role if audience == Audience.ROLE else "",
            self_due=self_due, manager_due=manager_due, sharing_due=sharing_due,
            created_by=actor,
        )  # fmt: skip
        audit.record(
            actor=actor,
            action="reviews.cycle.created",
            obj=cycle,
            after={"period": found.label, "template_version": template_version.pk},
        )
    return cycle


def _key_expectations(org: Any) -> list[tuple[set[int], list[dict[str, Any]]]]:
    """Per current document: who it applies to and its key expectations."""
    out = []
    for document in Document.objects.filter(org=org).select_related("audience_team"):
        version = current_version(document)
        if version is None:
            continue
        keys = [
            {"key": e["key"], "title": e["title"]}
            for section in version.content.get("sections", [])
            for e in section.get("expectations", [])
            if e.get("is_key")
        ]
        people = set(audience_people(document).values_list("pk", flat=True))
        out.append((people, keys))
    return out


def expand(
    content: dict[str, Any],
    person: Person,
    values: list[Value],
    documents: list[tuple[set[int], list[dict[str, Any]]]],
) -> list[dict[str, Any]]:
    """The template's questions as this person's items: one per value, one per key expectation
    of the documents that apply to them, the others as they are."""
    items: list[dict[str, Any]] = []
    for section in content["sections"]:
        for q in section["questions"]:
            base = {"section": section["title"], "kind": q["kind"], "scale": q["scale"]}
            if q["kind"] == QuestionKind.VALUES:
                for value in values:
                    items.append(base | {"key": f"{q['key']}:v{value.pk}",
                                         "text": f"{q['text']} {value.name}"})  # fmt: skip
            elif q["kind"] == QuestionKind.EXPECTATIONS:
                for people, keys in documents:
                    if person.pk in people:
                        for e in keys:
                            items.append(base | {"key": f"{q['key']}:{e['key']}",
                                                 "text": f"{q['text']} {e['title']}"})  # fmt: skip
            else:
                items.append(base | {"key": q["key"], "text": q["text"]})
    return items


def _launch(cycle: Cycle, actor: Any) -> int:
    values = list(Value.objects.filter(org=cycle.org, is_active=True).order_by("order", "name"))
    documents = _key_expectations(cycle.org)
    content = cycle.template_version.content
    people = list(cycle_people(cycle).order_by("pk"))
    for person in people:
        review = Review.objects.create(
            cycle=cycle, person=person, manager_id=person.manager_id,
            items=expand(content, person, values, documents),
        )  # fmt: skip
        Response.objects.create(review=review, kind=Response.Kind.SELF, author=person)
        if person.manager_id is not None:
            Response.objects.create(
                review=review, kind=Response.Kind.MANAGER, author_id=person.manager_id
            )
    cycle.launched_at = timezone.now()
    return len(people)


def _reassign_managers(cycle: Cycle, actor: Any) -> int:
    """A person whose manager changed since launch: the new manager writes the review (a draft
    the old manager began moves with it), and the change is recorded."""
    moved = 0
    for review in cycle.reviews.select_related("person"):
        new = review.person.manager_id
        if new == review.manager_id or new is None:
            continue
        response = review.responses.filter(kind=Response.Kind.MANAGER).first()
        if response is not None and response.submitted_at is not None:
            continue
        old = review.manager_id
        review.previous_manager_id = old
        review.manager_id = new
        review.save(update_fields=["manager", "previous_manager"])
        if response is None:
            Response.objects.create(review=review, kind=Response.Kind.MANAGER, author_id=new)
        else:
            response.author_id = new
            response.save(update_fields=["author"])
        audit.record(
            actor=actor,
            action="reviews.review.manager_changed",
            obj=review,
            before={"manager": old},
            after={"manager": new},
        )
        moved += 1
    return moved


def _freeze_kpis(cycle: Cycle, actor: Any) -> None:
    """Copy each participant's scorecard as frozen at the period's close into their review,
    closing the period first when it is still open (it must have ended)."""
    org = cycle.org
    period = parse_period(cycle.period_label, org.fiscal_year_start_month)
    if period_close_of(org, period) is None:
        if period.end >= org_today(org):
            raise ValidationError(
                {"phase": f"{period.label} has not ended yet (it ends {period.end.isoformat()}): "
                          "the manager review needs its closed KPI results."}
            )  # fmt: skip
        period_close(org=org, period=period, actor=actor)
    reviews = list(cycle.reviews.select_related("person"))
    cards = person_scorecards(org, period, [r.person for r in reviews])
    now = timezone.now()
    for review, card in zip(reviews, cards, strict=True):
        review.kpis = {
            "period": period.label,
            "frozen": card.frozen,
            "score": None if card.score is None else str(card.score),
            "kpis": [figures_of(result) for result in card.results],
        }
        review.kpis_frozen_at = now
        review.save(update_fields=["kpis", "kpis_frozen_at"])


def cycle_advance(*, cycle: Cycle, actor: Any) -> Cycle:
    """Move the cycle to its next phase (launching it from its draft)."""
    with transaction.atomic():
        locked = Cycle.objects.select_for_update().select_related("org").get(pk=cycle.pk)
        if locked.phase == Phase.CLOSED:
            raise ValidationError({"phase": "The cycle is closed."})
        before = locked.phase
        after = PHASE_ORDER[PHASE_ORDER.index(Phase(before)) + 1]
        details: dict[str, Any] = {"phase": after.value}
        if after == Phase.SELF:
            details["participants"] = _launch(locked, actor)
            if not details["participants"]:
                raise ValidationError({"audience": "Nobody is in the cycle's audience."})
        elif after == Phase.MANAGER:
            details["manager_changes"] = _reassign_managers(locked, actor)
            _freeze_kpis(locked, actor)
        elif after == Phase.CLOSED:
            locked.closed_at = timezone.now()
        locked.phase = after
        locked.save()
        audit.record(
            actor=actor,
            action="reviews.cycle.advanced",
            obj=locked,
            before={"phase": before},
            after=details,
        )
    return locked
