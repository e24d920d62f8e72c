"""What the learning pillar gives expectations documents: the "learning" section provider,
which writes the learning section from the requirements in effect today for the document's
audience, and a "learning" measure kind (an expectation measured by a requirement)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from charter.expectations.registry import (
    GeneratedItem,
    MeasureKind,
    SectionProvider,
    register_measure_kind,
    register_section_provider,
)
from charter.learning.compliance import DONE, NOT_APPLICABLE, OVERDUE, Item
from charter.learning.models import DueRule, Requirement, Scope
from charter.learning.selectors import org_today, person_compliance, rules_on

# The key of the one item a learning section holds while no requirement reaches the document's
# people. The default document template carries this section, so a new organization's first
# document has it before anyone set a requirement: an empty generated section would stop the
# document from being published (`expectations.content.problems`), and silence would read as
# "nothing is expected". One plain sentence says where things stand; it goes away by itself
# the next time the document is published after an admin or a team manager sets a requirement.
NONE_YET = "none"


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
    if not items:
        items.append(
            GeneratedItem(
                key=NONE_YET,
                title="No learning requirement yet",
                text="No learning requirement is set for the people this document applies to "
                "yet. When one is set (hours per period, trainings with their due dates), it "
                "is listed here.",
            )
        )
    return items


def _hours(value: Decimal | None) -> str:
    return f"{(value or Decimal()).normalize():f}"


def _status_words(item: Item) -> str:
    if item.hours_asked is not None:
        period = item.label.rsplit("(", 1)[-1].rstrip(")")
        what = f"{_hours(item.hours_done)} of {_hours(item.hours_asked)} hours in {period}"
    else:
        what = item.label
    due = f"{item.due:%-d %B %Y}" if item.due else ""
    if item.state == DONE:
        return f"{what}: done"
    if item.state == NOT_APPLICABLE:
        return f"{what}: not asked of you ({item.reason})"
    if item.state == OVERDUE:
        return f"{what}: overdue since {due}"
    return f"{what}: {item.state_label.lower()}, by {due}"


def reader_status(document: Any, reader: Any, keys: list[str]) -> dict[str, str]:
    """Where `reader` stands today on each requirement the section lists: one line per item it
    asks of them, or a line saying it does not reach them."""
    wanted = {
        int(ref): key
        for key in keys
        for prefix, _, ref in [key.partition(":")]
        if prefix == "learning" and ref.isdigit()
    }
    if not wanted or reader.org_id != document.org_id:
        return {}
    mine: dict[int, list[Item]] = {}
    for item in person_compliance(reader, org_today(reader.org)):
        if item.requirement_id in wanted:
            mine.setdefault(item.requirement_id, []).append(item)
    return {
        key: "\n".join(_status_words(i) for i in mine[pk]) if pk in mine
        else "This requirement does not apply to you."
        for pk, key in wanted.items()
    }  # fmt: skip


LEARNING_SECTION = register_section_provider(
    SectionProvider(
        key="learning",
        label="Learning requirements (live)",
        default_title="Learning and development",
        items=learning_items,
        reader_status=reader_status,
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
