"""The append-only audit log: every service that changes something that matters calls `record`.

Action codes are namespaced `<app>.<object>.<verb>` (`org.person.invited`, `accounts.token.created`)
so the log can be filtered by app or by object kind.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
import uuid
from collections.abc import Mapping
from typing import Any

from django.db import models

from charter.core.models import AuditEvent

_ACTION_RE = re.compile(r"^[a-z_]+(\.[a-z_]+){2,}$")


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """The listed fields of `obj` as JSON-ready data (foreign keys as ids)."""
    data: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        attname = getattr(field, "attname", name)
        data[name] = _jsonable(getattr(obj, attname))
    return data


def record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    ip_address: str | None = None,
) -> AuditEvent:
    """Append one audit row. `actor` is a user, or None for the system (a job, the CLI)."""
    if not _ACTION_RE.match(action):
        raise ValueError(f"audit action {action!r} must look like 'app.object.verb'")
    label = ""
    if actor is not None:
        label = getattr(actor, "email", "") or str(actor)
    event = AuditEvent(
        actor=actor if actor is not None and getattr(actor, "pk", None) else None,
        actor_label=label[:200],
        action=action,
        before=_jsonable(dict(before)) if before is not None else None,
        after=_jsonable(dict(after)) if after is not None else None,
        ip_address=ip_address,
    )
    if obj is not None:
        event.object_type = obj._meta.label_lower
        event.object_id = str(obj.pk)
        event.object_repr = str(obj)[:300]
    event.org_id = org_id_of(obj, actor)
    event.save()
    return event


def _own_org_id(obj: Any) -> int | None:
    """`obj`'s organization when it is one or has one, without reading anything more."""
    if obj is None:
        return None
    if isinstance(obj, AuditEvent._meta.get_field("org").related_model):
        return int(obj.pk)
    org_id = getattr(obj, "org_id", None)
    return int(org_id) if org_id is not None else None


def org_id_of(obj: models.Model | None, actor: Any) -> int | None:
    """The organization an event belongs to: the object's own (or the object's, when it is
    an organization); else that of the object it hangs off (a request's person, a question's
    document); else the acting person's; else that of the login the event is about."""
    found = _own_org_id(obj)
    if found is None and obj is not None:
        for field in obj._meta.concrete_fields:
            target = field.related_model
            if not field.many_to_one or not isinstance(target, type):
                continue
            if not any(f.name == "org" for f in target._meta.concrete_fields):
                continue
            found = _own_org_id(getattr(obj, field.name))
            if found is not None:
                break
    if found is None:
        found = _own_org_id(getattr(actor, "person", None))
    if found is None and obj is not None:
        found = _own_org_id(getattr(obj, "person", None))
    return found
