"""Creating, editing and retiring trainings."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from charter.core import audit
from charter.learning.models import Kind, Training
from charter.org.models import Organization, Team

_FIELDS = [
    "code", "title", "kind", "description", "provider", "link", "expected_hours", "tags", "team",
    "is_active",
]  # fmt: skip
# A training longer than a working year is a typing mistake, not a programme.
MAX_EXPECTED_HOURS = Decimal("2000")
_TAG = re.compile(r"[^a-z0-9 _-]+")


def normalise_tags(tags: str | list[str]) -> str:
    """Tags as stored: lower-case, trimmed, unique, in the order given, between commas."""
    items = tags.split(",") if isinstance(tags, str) else list(tags)
    seen: list[str] = []
    for item in items:
        tag = " ".join(_TAG.sub("", str(item).lower()).split())
        if tag and tag not in seen:
            seen.append(tag)
    return f",{','.join(seen)}," if seen else ""


def _check(org: Organization, fields: dict[str, Any], exclude_pk: int | None) -> None:
    errors: dict[str, str] = {}
    title = (fields.get("title") or "").strip()
    if not title:
        errors["title"] = "A training needs a title."
    elif Training.objects.filter(org=org, title__iexact=title).exclude(pk=exclude_pk or 0).exists():
        errors["title"] = f"A training called {title!r} already exists."
    code = (fields.get("code") or "").strip()
    clash = Training.objects.filter(org=org, code__iexact=code).exclude(pk=exclude_pk or 0)
    if code and clash.exists():
        errors["code"] = f"The code {code!r} is already used by another training."
    if fields.get("kind") not in Kind.values:
        errors["kind"] = f"Choose one of: {', '.join(Kind.values)}."
    hours = fields.get("expected_hours")
    if hours is None or not Decimal("0") < Decimal(hours) <= MAX_EXPECTED_HOURS:
        errors["expected_hours"] = (
            f"Expected hours must be above 0 and at most {MAX_EXPECTED_HOURS}."
        )
    team = fields.get("team")
    if team is not None and team.org_id != org.pk:
        errors["team"] = "That team is not in this organization."
    link = fields.get("link") or ""
    if link and not link.lower().startswith(("http://", "https://")):
        errors["link"] = "A link must start with http:// or https://."
    if errors:
        raise ValidationError(errors)


def _links(training: Training, values: Any, expectations: Any) -> None:
    if values is not None:
        values = list(values)
        if any(v.org_id != training.org_id for v in values):
            raise ValidationError({"values": "A value of another organization cannot be linked."})
        training.values.set(values)
    if expectations is not None:
        expectations = list(expectations)
        if any(e.section.document.org_id != training.org_id for e in expectations):
            raise ValidationError(
                {"expectations": "An expectation of another organization cannot be linked."}
            )
        training.expectations.set(expectations)


def training_create(
    *,
    org: Organization,
    actor: Any,
    title: str,
    kind: str,
    expected_hours: Decimal | str | int,
    team: Team | None = None,
    code: str = "",
    description: str = "",
    provider: str = "",
    link: str = "",
    tags: str | list[str] = "",
    values: Any = None,
    expectations: Any = None,
) -> Training:
    fields = {
        "title": title.strip(), "kind": kind, "expected_hours": Decimal(str(expected_hours)),
        "team": team, "code": code.strip(), "description": description,
        "provider": provider.strip(), "link": link.strip(), "tags": normalise_tags(tags),
    }  # fmt: skip
    _check(org, fields, None)
    with transaction.atomic():
        training = Training.objects.create(org=org, created_by=actor, **fields)
        _links(training, values, expectations)
        audit.record(
            actor=actor,
            action="learning.training.created",
            obj=training,
            after={**audit.snapshot(training, _FIELDS), **_link_ids(training)},
        )
    return training


def _link_ids(training: Training) -> dict[str, list[int]]:
    return {
        "values": sorted(training.values.values_list("pk", flat=True)),
        "expectations": sorted(training.expectations.values_list("pk", flat=True)),
    }


def training_update(
    *,
    training: Training,
    actor: Any,
    values: Any = None,
    expectations: Any = None,
    **changes: Any,
) -> Training:
    """Change some fields of a training (retire it with `is_active=False`)."""
    unknown = set(changes) - set(_FIELDS)
    if unknown:
        raise TypeError(f"training_update got unknown fields {sorted(unknown)}")
    if "tags" in changes:
        changes["tags"] = normalise_tags(changes["tags"])
    if "expected_hours" in changes:
        changes["expected_hours"] = Decimal(str(changes["expected_hours"]))
    for name in ("title", "code", "provider", "link"):
        if name in changes:
            changes[name] = (changes[name] or "").strip()
    merged = {name: getattr(training, name) for name in _FIELDS} | changes
    _check(training.org, merged, training.pk)
    with transaction.atomic():
        before = {**audit.snapshot(training, _FIELDS), **_link_ids(training)}
        for name, value in changes.items():
            setattr(training, name, value)
        training.save(update_fields=[*changes, "updated_at"])
        _links(training, values, expectations)
        after = {**audit.snapshot(training, _FIELDS), **_link_ids(training)}
        changed = {k for k in after if after[k] != before[k]}
        if changed:
            audit.record(
                actor=actor,
                action="learning.training.updated",
                obj=training,
                before={k: before[k] for k in changed},
                after={k: after[k] for k in changed},
            )
    return training
