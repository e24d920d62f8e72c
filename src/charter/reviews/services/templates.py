"""Writing review templates: generating one from the expectations and values, and publishing
each edit as a new, immutable version."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from charter.core import audit
from charter.reviews.models import QuestionKind, ReviewTemplate, TemplateVersion

# The scale a generated template starts with; admins edit the anchors afterwards.
DEFAULT_SCALE = [
    "Well below expectations",
    "Below expectations",
    "Meets expectations",
    "Above expectations",
    "Far above expectations",
]
MAX_SCALE = 10


def _question(kind: str, text: str, scale: list[str] | None = None) -> dict[str, Any]:
    rated = kind in (QuestionKind.RATING, QuestionKind.VALUES, QuestionKind.EXPECTATIONS)
    return {
        "key": uuid.uuid4().hex[:12],
        "kind": kind,
        "text": text,
        "scale": list(scale or DEFAULT_SCALE) if rated else [],
    }


def generated_content(document_title: str) -> dict[str, Any]:
    """The questions of a template built on the expectations: the frozen KPIs, a rating per
    value and per key expectation of the person's own document, then an overall judgement."""
    return {
        "sections": [
            {"title": "Results", "questions": [
                _question(QuestionKind.KPIS, "KPI results of the period"),
                _question(QuestionKind.TEXT, "What drove these results?"),
            ]},
            {"title": "Company values", "questions": [
                _question(QuestionKind.VALUES, "How well were our values lived?"),
            ]},
            {"title": f"Expectations ({document_title})", "questions": [
                _question(QuestionKind.EXPECTATIONS, "How well was this expectation met?"),
            ]},
            {"title": "Overall", "questions": [
                _question(QuestionKind.RATING, "Overall performance"),
                _question(QuestionKind.TEXT, "Strengths and what to grow next"),
            ]},
        ]
    }  # fmt: skip


def clean_content(content: Any) -> dict[str, Any]:
    """Check a template's structure; errors name the section and question they are about."""
    errors: dict[str, str] = {}
    sections = content.get("sections") if isinstance(content, dict) else None
    if not isinstance(sections, list) or not sections:
        raise ValidationError({"content": "A template needs at least one section."})
    keys: set[str] = set()
    cleaned = []
    for s, section in enumerate(sections, 1):
        title = str(section.get("title", "")).strip() if isinstance(section, dict) else ""
        if not title:
            errors[f"section {s}"] = "Give the section a title."
        questions = section.get("questions", []) if isinstance(section, dict) else []
        if not isinstance(questions, list) or not questions:
            errors[f"section {s}"] = "A section needs at least one question."
            continue
        out = []
        for q, question in enumerate(questions, 1):
            where = f"section {s} question {q}"
            kind = question.get("kind") if isinstance(question, dict) else None
            if kind not in QuestionKind.values:
                errors[where] = f"Unknown kind {kind!r}."
                continue
            text = str(question.get("text", "")).strip()
            if not text:
                errors[where] = "Write the question."
            scale = [str(a).strip() for a in question.get("scale") or []]
            rated = kind in (QuestionKind.RATING, QuestionKind.VALUES, QuestionKind.EXPECTATIONS)
            if rated and not 2 <= len(scale) <= MAX_SCALE:
                errors[where] = f"A rating scale has 2 to {MAX_SCALE} levels."
            elif rated and not all(scale):
                errors[where] = "Give every level of the scale an anchor text."
            key = str(question.get("key") or uuid.uuid4().hex[:12])
            if key in keys:
                errors[where] = "Two questions share a key."
            keys.add(key)
            out.append({"key": key, "kind": kind, "text": text, "scale": scale if rated else []})
        cleaned.append({"title": title, "questions": out})
    if errors:
        raise ValidationError(errors)
    return {"sections": cleaned}


def template_generate(*, org: Any, actor: Any, name: str, document: Any) -> TemplateVersion:
    """A new template from the current expectations and values, published as version 1."""
    if not name.strip():
        raise ValidationError({"name": "Give the template a name."})
    with transaction.atomic():
        template = ReviewTemplate.objects.create(org=org, name=name.strip())
        version = TemplateVersion.objects.create(
            template=template,
            number=1,
            content=generated_content(document.title if document else "your document"),
            reason="Generated from the expectations and values",
            published_by=actor,
        )
        audit.record(
            actor=actor,
            action="reviews.template.created",
            obj=template,
            after={"version": 1, "document": document.title if document else None},
        )
    return version


def template_edit(
    *, template: ReviewTemplate, actor: Any, content: Any, reason: str
) -> TemplateVersion:
    """Publish the edited questions as the next version; earlier versions stay as they were."""
    cleaned = clean_content(content)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the template changes."})
    with transaction.atomic():
        locked = ReviewTemplate.objects.select_for_update().get(pk=template.pk)
        last = locked.versions.order_by("-number").first()
        number = (last.number if last else 0) + 1
        version = TemplateVersion.objects.create(
            template=locked, number=number, content=cleaned, reason=reason.strip(),
            published_by=actor,
        )  # fmt: skip
        audit.record(
            actor=actor,
            action="reviews.template.versioned",
            obj=locked,
            after={"version": number, "reason": reason.strip()},
        )
    return version
