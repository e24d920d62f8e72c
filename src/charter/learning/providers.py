"""What the learning pillar gives expectations documents: the "learning" section provider,
which writes the learning section from the requirements in effect today for the document's
audience, and a "learning" measure kind (an expectation measured by a requirement)."""

from __future__ import annotations

from typing import Any

from charter.expectations.registry import (
    GeneratedItem,
    MeasureKind,
    SectionProvider,
    register_measure_kind,
    register_section_provider,
)
from charter.learning.models import DueRule, Requirement, Scope
from charter.learning.selectors import org_today, rules_on


def _due_words(ask: Any) -> str:
    if ask.due_rule == DueRule.AFTER_HIRE:
        return f"within {ask.due_days} days of joining"
    return f"by {ask.due_date:%-d %B %Y}"


def _who(requirement: Requirement) -> str:
    if requirement.scope == Scope.TEAM and requirement.team is not None:
        return f"{requirement.team.name} and the teams below it"
    if requirement.scope == Scope.ROLE:
        return f"every {requirement.role}"
    return "everyone"


def learning_items(document: Any) -> list[GeneratedItem]:
    """One item per requirement in effect today that applies to someone the document is for:
    the hours asked per period and the trainings with their due rules."""
    from charter.expectations.selectors import audience_people

    org = document.org
    rules = rules_on(org.pk, org_today(org))
    people = list(audience_people(document).only("id", "role", "team_id"))
    items = []
    for requirement, version, asks in rules.entries:
        single = type(rules)(entries=[(requirement, version, asks)], parents=rules.parents)
        if not any(single.for_person(p) != ([], []) for p in people):
            continue
        lines = []
        if version.hours is not None:
            period = version.get_hours_period_display().lower()
            lines.append(
                f"- **Hours:** {version.hours.normalize():f} hours of learning per {period}, "
                "on the company's fiscal calendar (a new joiner's share from their start)"
            )
        for ask in asks:
            lines.append(f"- **{ask.training.title}:** {_due_words(ask)}")
        items.append(
            GeneratedItem(
                key=f"learning:{requirement.pk}",
                title=requirement.name,
                text=f"For {_who(requirement)}, from {version.effective_from:%-d %B %Y}.\n\n"
                + "\n".join(lines),
            )
        )
    return items


LEARNING_SECTION = register_section_provider(
    SectionProvider(
        key="learning",
        label="Learning requirements (live)",
        default_title="Learning and development",
        items=learning_items,
    )
)


def requirement_choices(org: Any) -> list[tuple[str, str]]:
    return [(str(r.pk), r.name) for r in Requirement.objects.filter(org=org).order_by("name")]


def requirement_label(org: Any, ref: str) -> str | None:
    if not ref.isdigit():
        return None
    found = Requirement.objects.filter(org=org, pk=int(ref)).first()
    return found.name if found else None


LEARNING_MEASURE = register_measure_kind(
    MeasureKind(
        key="learning",
        label="Learning requirement",
        choices=requirement_choices,
        resolve=requirement_label,
    )
)
