"""The section providers this app ships: company values, and who the document applies to."""

from __future__ import annotations

from typing import Any

from charter.expectations.registry import (
    GeneratedItem,
    SectionProvider,
    register_section_provider,
)


def _values(document: Any) -> list[GeneratedItem]:
    from charter.expectations.models import Value

    values = Value.objects.filter(org_id=document.org_id, is_active=True).order_by("order", "name")
    return [
        GeneratedItem(key=f"value:{v.pk}", title=v.name, text=v.description, values=(v.name,))
        for v in values
    ]


def _audience(document: Any) -> list[GeneratedItem]:
    from charter.expectations.selectors import audience_description, audience_people

    people = audience_people(document)
    count = people.count()
    teams = sorted({p.team.name for p in people.select_related("team") if p.team})
    lines = [f"This document applies to **{audience_description(document)}**."]
    lines.append(f"Today that is {count} {'person' if count == 1 else 'people'}.")
    if teams:
        lines.append("Teams: " + ", ".join(teams) + ".")
    lines.append(
        "New people who join this audience are asked to read and sign the current version."
    )
    title = audience_description(document)
    return [
        GeneratedItem(key="audience", title=title[:1].upper() + title[1:], text="\n\n".join(lines))
    ]


VALUES = register_section_provider(
    SectionProvider(
        key="values",
        label="Company values",
        default_title="Our values",
        items=_values,
    )
)
AUDIENCE = register_section_provider(
    SectionProvider(
        key="audience",
        label="Who the document applies to",
        default_title="Who this applies to",
        items=_audience,
    )
)
