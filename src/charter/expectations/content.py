"""The structured content of a document: built from the draft (and live providers), frozen into
a published version, hashed, and checked before publishing."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from charter.expectations import markdown
from charter.expectations.registry import measure_label, section_providers

# The article's sections, in its order; a new document starts from these.
TEMPLATE: list[dict[str, str]] = [
    {
        "title": "Our values",
        "provider": "values",
        "intro": "Everything below serves these values. When in doubt, let them decide.",
        "hint": "",
    },
    {
        "title": "Responsibilities and sales process",
        "provider": "",
        "intro": "",
        "hint": "Day-to-day responsibilities and the steps of your sales process, each tied "
        "to a value: how you prospect, qualify, present and close.",
    },
    {
        "title": "How success is measured",
        "provider": "",
        "intro": "",
        "hint": "The KPIs you will be measured on (targets, conversion, customer satisfaction, "
        "teamwork) and what good looks like.",
    },
    {
        "title": "Our KPIs and targets",
        "provider": "kpis",
        "intro": "",
        "hint": "",
    },
    # Generated from the live learning requirements (hours, trainings, due rules) by the section
    # provider the learning pillar registers under this key; with no requirement set yet it says
    # so in one sentence, so a new organization's first document can still be published.
    {
        "title": "Learning and development",
        "provider": "learning",
        "intro": "",
        "hint": "",
    },
    {
        "title": "Feedback and reviews",
        "provider": "",
        "intro": "",
        "hint": "How often feedback happens, in which format, and how reviews tie to rewards "
        "and recognition.",
    },
    {
        "title": "Adapting to change",
        "provider": "",
        "intro": "",
        "hint": "How expectations change as the market moves, and how you will be told.",
    },
    {
        "title": "Who this applies to",
        "provider": "audience",
        "intro": "",
        "hint": "",
    },
]
HINTS = {t["title"]: t["hint"] for t in TEMPLATE}


def canonical_json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(content: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


def _item(
    *,
    key: str,
    title: str,
    text: str,
    values: list[str],
    measure: str,
    measure_text: str = "",
    measure_ref: str = "",
    is_key: bool = False,
) -> dict[str, Any]:
    return {
        "key": key,
        "title": title,
        "text": text,
        "text_html": markdown.render(text),
        "text_plain": markdown.to_text(text),
        "values": values,
        "values_label": ", ".join(values),
        "measure_text": measure_text,
        "measure_ref": measure_ref,
        "measure_label": measure,
        "is_key": is_key,
    }


def build(document: Any) -> dict[str, Any]:
    """The document's draft as structured data, with generated sections filled from live data."""
    from charter.expectations.selectors import audience_description

    sections: list[dict[str, Any]] = []
    draft_sections = document.sections.prefetch_related("expectations__values").order_by(
        "order", "id"
    )
    for section in draft_sections:
        items: list[dict[str, Any]] = []
        provider = section_providers.get(section.provider) if section.provider else None
        if provider is not None:
            for generated in provider.items(document):
                items.append(
                    _item(
                        key=f"{section.key}:{generated.key}",
                        title=generated.title,
                        text=generated.text,
                        values=list(generated.values),
                        measure=generated.measure,
                    )
                )
        for exp in section.expectations.all():
            values = [v.name for v in sorted(exp.values.all(), key=lambda v: (v.order, v.name))]
            items.append(
                _item(
                    key=str(exp.key),
                    title=exp.title,
                    text=exp.text,
                    values=values,
                    measure=measure_label(document.org, exp.measure_text, exp.measure_ref),
                    measure_text=exp.measure_text,
                    measure_ref=exp.measure_ref,
                    is_key=exp.is_key,
                )
            )
        sections.append(
            {
                "key": str(section.key),
                "title": section.title,
                "intro": section.intro,
                "intro_html": markdown.render(section.intro),
                "intro_text": markdown.to_text(section.intro),
                "provider": section.provider,
                "expectations": items,
            }
        )
    from charter.expectations.models import Value

    values = [
        {"name": v.name, "description": v.description}
        for v in Value.objects.filter(org_id=document.org_id, is_active=True).order_by(
            "order", "name"
        )
    ]
    return {
        "title": document.title,
        "audience": audience_description(document),
        "values": values,
        "sections": sections,
    }


@dataclass(frozen=True)
class Problem:
    """Something that stops a draft from being published, located for the editor."""

    where: str
    message: str


def problems(content: dict[str, Any]) -> list[Problem]:
    """Every reason this content cannot be published; empty when it can."""
    found: list[Problem] = []
    if not content["sections"]:
        found.append(Problem("document", "The document has no sections."))
    for section in content["sections"]:
        where = f"Section “{section['title']}”"
        if not section["expectations"] and not section["intro"].strip():
            if section["provider"]:
                found.append(Problem(where, "is generated from live data that is empty right now."))
            else:
                found.append(Problem(where, "is empty: write an introduction or expectations."))
        if section["provider"]:
            continue
        for item in section["expectations"]:
            label = f"{where}, expectation “{item['title']}”"
            if not item["values"]:
                found.append(Problem(label, "is not tied to any company value."))
            if not item["text"].strip():
                found.append(Problem(label, "has no text."))
    return found
