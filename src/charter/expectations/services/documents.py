"""Values, documents, their drafts and publishing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max, QuerySet
from django.utils import timezone

from charter.core import audit
from charter.expectations import content as content_mod
from charter.expectations import render as render_mod
from charter.expectations.models import (
    Audience,
    Change,
    Document,
    DocumentVersion,
    Expectation,
    Section,
    Value,
)
from charter.expectations.registry import measure_kinds, section_providers
from charter.org.models import Organization, Role, Team


class EditConflict(Exception):
    """Someone else saved this part of the draft after the editor opened it."""

    def __init__(self, *, current: Any, mine: dict[str, Any]) -> None:
        super().__init__("This part of the draft changed since you opened it.")
        self.current = current
        self.mine = mine


# --- values -----------------------------------------------------------------------------------


def value_create(
    *, org: Organization, actor: Any, name: str, description: str = "", order: int | None = None
) -> Value:
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": "A value needs a name."})
    if Value.objects.filter(org=org, name__iexact=name).exists():
        raise ValidationError({"name": f"The value {name!r} already exists."})
    if order is None:
        order = (Value.objects.filter(org=org).aggregate(m=Max("order"))["m"] or 0) + 1
    with transaction.atomic():
        value = Value.objects.create(org=org, name=name, description=description, order=order)
        audit.record(
            actor=actor,
            action="expectations.value.created",
            obj=value,
            after=audit.snapshot(value, ["name", "description", "order"]),
        )
    return value


def value_update(*, value: Value, actor: Any, **changes: Any) -> Value:
    fields = ["name", "description", "order", "is_active"]
    unknown = set(changes) - set(fields)
    if unknown:
        raise TypeError(f"value_update got unknown fields {sorted(unknown)}")
    if "name" in changes:
        changes["name"] = " ".join(str(changes["name"]).split())
        if not changes["name"]:
            raise ValidationError({"name": "A value needs a name."})
        clash = Value.objects.filter(org_id=value.org_id, name__iexact=changes["name"])
        if clash.exclude(pk=value.pk).exists():
            raise ValidationError({"name": f"The value {changes['name']!r} already exists."})
    before = audit.snapshot(value, fields)
    for key, new in changes.items():
        setattr(value, key, new)
    with transaction.atomic():
        value.save(update_fields=fields)
        audit.record(
            actor=actor,
            action="expectations.value.updated",
            obj=value,
            before=before,
            after=audit.snapshot(value, fields),
        )
    return value


# --- documents and drafts -------------------------------------------------------------------


def _check_audience(audience: str, team: Team | None, role: str) -> None:
    if audience not in Audience.values:
        raise ValidationError({"audience": f"{audience!r} is not an audience."})
    if audience == Audience.TEAM and team is None:
        raise ValidationError({"audience_team": "Choose the team this document applies to."})
    if audience == Audience.ROLE and role not in Role.values:
        raise ValidationError({"audience_role": "Choose the role this document applies to."})


def document_create(
    *,
    org: Organization,
    actor: Any,
    title: str,
    audience: str = Audience.COMPANY,
    audience_team: Team | None = None,
    audience_role: str = "",
    default_due_days: int = 14,
    from_template: bool = True,
) -> Document:
    title = " ".join(title.split())
    if not title:
        raise ValidationError({"title": "A document needs a title."})
    _check_audience(audience, audience_team, audience_role)
    if not 1 <= default_due_days <= 365:
        raise ValidationError({"default_due_days": "Give people between 1 and 365 days."})
    with transaction.atomic():
        document = Document.objects.create(
            org=org,
            title=title,
            audience=audience,
            audience_team=audience_team if audience == Audience.TEAM else None,
            audience_role=audience_role if audience == Audience.ROLE else "",
            default_due_days=default_due_days,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        if from_template:
            for order, section in enumerate(content_mod.TEMPLATE, start=1):
                Section.objects.create(
                    document=document,
                    order=order,
                    title=section["title"],
                    intro=section["intro"],
                    provider=section["provider"],
                )
        audit.record(
            actor=actor,
            action="expectations.document.created",
            obj=document,
            after=audit.snapshot(
                document,
                ["title", "audience", "audience_team", "audience_role", "default_due_days"],
            ),
        )
    return document


def document_update(
    *, document: Document, actor: Any, title: str, default_due_days: int
) -> Document:
    title = " ".join(title.split())
    if not title:
        raise ValidationError({"title": "A document needs a title."})
    if not 1 <= default_due_days <= 365:
        raise ValidationError({"default_due_days": "Give people between 1 and 365 days."})
    before = audit.snapshot(document, ["title", "default_due_days"])
    document.title, document.default_due_days = title, default_due_days
    with transaction.atomic():
        document.save(update_fields=["title", "default_due_days"])
        _touch_draft(document)
        audit.record(
            actor=actor,
            action="expectations.document.updated",
            obj=document,
            before=before,
            after=audit.snapshot(document, ["title", "default_due_days"]),
        )
    return document


def _touch_draft(document: Document) -> None:
    Document.objects.filter(pk=document.pk).update(
        draft_revision=F("draft_revision") + 1, draft_updated_at=timezone.now()
    )


def _next_order(queryset: Any) -> int:
    return int(queryset.aggregate(m=Max("order"))["m"] or 0) + 1


def section_add(
    *, document: Document, actor: Any, title: str, intro: str = "", provider: str = ""
) -> Section:
    title = " ".join(title.split())
    if not title:
        raise ValidationError({"title": "A section needs a title."})
    if provider and provider not in section_providers:
        raise ValidationError({"provider": f"{provider!r} is not a section provider."})
    with transaction.atomic():
        section = Section.objects.create(
            document=document,
            title=title,
            intro=intro,
            provider=provider,
            order=_next_order(document.sections.all()),
        )
        _touch_draft(document)
        audit.record(
            actor=actor,
            action="expectations.section.added",
            obj=document,
            after={"section": title, "provider": provider},
        )
    return section


def _claim_revision(model: Any, obj: Any, expected_revision: int, mine: dict[str, Any]) -> None:
    """Bump the row's revision only if nobody saved it since `expected_revision`."""
    updated = model.objects.filter(pk=obj.pk, revision=expected_revision).update(
        revision=F("revision") + 1
    )
    if not updated:
        raise EditConflict(current=model.objects.get(pk=obj.pk), mine=mine)
    obj.revision = expected_revision + 1


def section_update(
    *, section: Section, actor: Any, expected_revision: int, title: str, intro: str
) -> Section:
    title = " ".join(title.split())
    if not title:
        raise ValidationError({"title": "A section needs a title."})
    before = audit.snapshot(section, ["title", "intro"])
    with transaction.atomic():
        _claim_revision(Section, section, expected_revision, {"title": title, "intro": intro})
        section.title, section.intro = title, intro
        section.save(update_fields=["title", "intro"])
        _touch_draft(section.document)
        audit.record(
            actor=actor,
            action="expectations.section.updated",
            obj=section.document,
            before=before,
            after={"title": title, "intro": intro},
        )
    return section


def section_delete(*, section: Section, actor: Any) -> None:
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="expectations.section.deleted",
            obj=section.document,
            before={
                "section": section.title,
                "intro": section.intro,
                "expectations": list(section.expectations.values_list("title", flat=True)),
            },
        )
        _touch_draft(section.document)
        section.delete()


def _swap(items: list[Any], obj: Any, direction: str) -> list[Any]:
    index = next(i for i, item in enumerate(items) if item.pk == obj.pk)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]
    return items


def _move(
    siblings: QuerySet[Any],
    obj: Section | Expectation,
    *,
    direction: str,
    actor: Any,
    after: dict[str, Any],
) -> None:
    """Swap `obj` with its neighbour among `siblings` (a document's sections, a section's
    expectations), number them all again from 1, and record it on the document."""
    document = obj.document if isinstance(obj, Section) else obj.section.document
    action = f"expectations.{obj._meta.model_name}.moved"
    with transaction.atomic():
        items = _swap(list(siblings.order_by("order", "id")), obj, direction)
        for order, item in enumerate(items, start=1):
            siblings.model.objects.filter(pk=item.pk).update(order=order)
        _touch_draft(document)
        audit.record(
            actor=actor, action=action, obj=document, after={**after, "direction": direction}
        )


def section_move(*, section: Section, actor: Any, direction: str) -> None:
    _move(
        section.document.sections.all(),
        section,
        direction=direction,
        actor=actor,
        after={"section": section.title},
    )


def _clean_expectation(
    org_id: int, title: str, text: str, values: list[Value], measure_ref: str
) -> tuple[str, str]:
    title = " ".join(title.split())
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = "An expectation needs a short title."
    if not text.strip():
        errors["text"] = "Say what is expected."
    if not values:
        errors["values"] = "Tie the expectation to at least one company value."
    if any(v.org_id != org_id for v in values):
        errors["values"] = "Choose values of this company."
    if measure_ref and measure_ref.partition(":")[0] not in measure_kinds:
        errors["measure_ref"] = f"{measure_ref!r} is not something Charter can measure."
    if errors:
        raise ValidationError(errors)
    return title, text.strip()


def expectation_add(
    *,
    section: Section,
    actor: Any,
    title: str,
    text: str,
    values: list[Value],
    measure_text: str = "",
    measure_ref: str = "",
    is_key: bool = False,
) -> Expectation:
    if section.provider:
        raise ValidationError(
            "This section is generated from live data; add expectations elsewhere."
        )
    title, text = _clean_expectation(section.document.org_id, title, text, values, measure_ref)
    with transaction.atomic():
        expectation = Expectation.objects.create(
            section=section,
            title=title,
            text=text,
            measure_text=measure_text.strip(),
            measure_ref=measure_ref,
            is_key=is_key,
            order=_next_order(section.expectations.all()),
        )
        expectation.values.set(values)
        _touch_draft(section.document)
        audit.record(
            actor=actor,
            action="expectations.expectation.added",
            obj=section.document,
            after={"section": section.title, "title": title, "text": text},
        )
    return expectation


def expectation_update(
    *,
    expectation: Expectation,
    actor: Any,
    expected_revision: int,
    title: str,
    text: str,
    values: list[Value],
    measure_text: str = "",
    measure_ref: str = "",
    is_key: bool = False,
) -> Expectation:
    document = expectation.section.document
    title, text = _clean_expectation(document.org_id, title, text, values, measure_ref)
    fields = ["title", "text", "measure_text", "measure_ref", "is_key"]
    before = {
        **audit.snapshot(expectation, fields),
        "values": sorted(v.name for v in expectation.values.all()),
    }
    mine = {
        "title": title,
        "text": text,
        "measure_text": measure_text,
        "measure_ref": measure_ref,
        "is_key": is_key,
        "values": sorted(v.name for v in values),
    }
    with transaction.atomic():
        _claim_revision(Expectation, expectation, expected_revision, mine)
        expectation.title, expectation.text = title, text
        expectation.measure_text, expectation.measure_ref = measure_text.strip(), measure_ref
        expectation.is_key = is_key
        expectation.save(update_fields=fields)
        expectation.values.set(values)
        _touch_draft(document)
        audit.record(
            actor=actor,
            action="expectations.expectation.updated",
            obj=document,
            before=before,
            after=mine,
        )
    return expectation


def expectation_delete(*, expectation: Expectation, actor: Any) -> None:
    document = expectation.section.document
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="expectations.expectation.deleted",
            obj=document,
            before={"title": expectation.title, "text": expectation.text},
        )
        _touch_draft(document)
        expectation.delete()


def expectation_move(*, expectation: Expectation, actor: Any, direction: str) -> None:
    _move(
        expectation.section.expectations.all(),
        expectation,
        direction=direction,
        actor=actor,
        after={"title": expectation.title},
    )


# --- publishing -------------------------------------------------------------------------------


def document_publish(
    *,
    document: Document,
    actor: Any,
    summary: str,
    change: str,
    effective_date: dt.date | None = None,
    distribute: bool = True,
    as_of: dt.datetime | None = None,
) -> DocumentVersion:
    """Freeze the draft into a new immutable version and ask the audience to sign it.

    `as_of` records a version published earlier (the demo's history, an imported archive);
    due dates count from it. Pages and the API never pass it."""
    from charter.expectations.services import signatures

    summary = summary.strip()
    if not summary:
        raise ValidationError({"summary": "Say in a sentence what this version changes."})
    if change not in Change.values:
        raise ValidationError({"change": "Say whether the change is material or editorial."})
    content = content_mod.build(document)
    found = content_mod.problems(content)
    if found:
        raise ValidationError([f"{p.where} {p.message}" for p in found])
    with transaction.atomic():
        # Lock the document row so two publishers cannot both take the same version number.
        document = Document.objects.select_for_update().get(pk=document.pk)
        previous = document.versions.order_by("-number").first()
        if previous is None and change == Change.EDITORIAL:
            change = Change.MATERIAL  # a first version has nothing to carry signatures over from
        if previous is not None and previous.content_hash == content_mod.content_hash(content):
            raise ValidationError(
                "Nothing changed since the last version; there is nothing to publish."
            )
        number = previous.number + 1 if previous else 1
        version = DocumentVersion(
            document=document,
            number=number,
            summary=summary,
            change=change,
            effective_date=effective_date or timezone.localdate(as_of),
            published_at=as_of or timezone.now(),
            published_by=actor if getattr(actor, "pk", None) else None,
            content=content,
            rendered_html=render_mod.document_html(content),
            content_hash=content_mod.content_hash(content),
        )
        version.save()
        audit.record(
            actor=actor,
            action="expectations.version.published",
            obj=version,
            after={
                "document": document.title,
                "number": number,
                "change": change,
                "summary": summary,
                "effective_date": version.effective_date,
                "content_hash": version.content_hash,
            },
        )
        signatures.requests_for_new_version(version=version, previous=previous, as_of=as_of)
        if distribute:
            from charter.expectations.services.distribution import distribution_start

            distribution_start(version=version, actor=actor)
    return version
