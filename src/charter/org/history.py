"""The audit log's rows about people and teams, told in words for the home and person pages,
as far as the reader may know about them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from charter.core.models import AuditEvent
from charter.org.access import (
    can_manage_org,
    can_read_all,
    can_view_history,
    person_of,
    visible_people,
)
from charter.org.models import Person, Team

# The org-chart events every reader of the org chart may know about (executives see these,
# not the whole audit log, which can hold other apps' events and stays with admins).
ORG_OBJECT_TYPES = ("org.person", "org.team", "org.organization")

VERBS = {
    "created": "added",
    "updated": "changed",
    "deactivated": "deactivated",
    "reactivated": "reactivated",
    "invited": "invited",
    "accepted": "joined Charter as",
    "added": "added a CRM alias to",
    "removed": "removed a CRM alias from",
    "set": "set the password of",
    "reset_requested": "asked for a password reset for",
    "published": "published",
    "signed": "signed",
    "requested": "asked for a signature from",
    "reminded": "sent a signature reminder to",
    "escalated": "told the manager about the missing signature of",
    "withdrawn": "withdrew the signature request of",
    "login_created": "gave a login to",
    "imported": "imported",
}


def _verb(action: str) -> str:
    """A readable verb for an action code, even one this table does not know yet."""
    parts = action.split(".")
    known = VERBS.get(parts[-1])
    if known:
        return known
    return " ".join(p.replace("_", " ") for p in parts[1:]) + ":"


FIELD_LABELS = {
    "full_name": "name",
    "hire_date": "hire date",
    "start_date": "start date",
    "leave_date": "leave date",
    "is_active": "active",
}


@dataclass
class ChangeLine:
    """One audit event told in words for a home or person page."""

    event: AuditEvent
    verb: str
    url: str
    changes: list[tuple[str, str, str]]


def _show(value: Any, names: dict[str, dict[int, str]], field: str) -> str:
    if value is None or value == "":
        return "—"
    if field in names and isinstance(value, int):
        return names[field].get(value, f"#{value}")
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def describe(events: list[AuditEvent], *, user: Any) -> list[ChangeLine]:
    """Turn events into sentences, naming teams and managers instead of showing their ids."""
    team_ids: set[int] = set()
    person_ids: set[int] = set()
    for event in events:
        for field, old, new in event.changes:
            bucket = team_ids if field in ("team", "parent") else person_ids
            if field in ("team", "parent", "manager"):
                bucket.update(v for v in (old, new) if isinstance(v, int))
    team_names = dict(Team.objects.filter(pk__in=team_ids).values_list("pk", "name"))
    person_names = dict(Person.objects.filter(pk__in=person_ids).values_list("pk", "full_name"))
    names = {"team": team_names, "parent": team_names, "manager": person_names}
    event_person_ids = {
        int(e.object_id) for e in events if e.object_type == "org.person" and e.object_id.isdigit()
    }
    visible_ids = {
        str(pk)
        for pk in visible_people(user).filter(pk__in=event_person_ids).values_list("pk", flat=True)
    }
    lines = []
    for event in events:
        url = ""
        if event.object_type == "org.person" and event.object_id in visible_ids:
            url = reverse("org:person", args=[int(event.object_id)])
        elif event.object_type == "org.team" and can_read_all(user):
            url = reverse("org:team", args=[int(event.object_id)])
        verb = _verb(event.action)
        if event.action.endswith(".created"):
            changes = []  # the record itself shows what it was created with
        elif ".owner_alias." in event.action:
            alias = event.after or event.before or {}
            label = f"{alias.get('kind', '')}: {alias.get('value', '')}"
            changes = [("alias", "—", label) if event.after else ("alias", label, "—")]
        else:
            changes = [
                (FIELD_LABELS.get(f, f), _show(old, names, f), _show(new, names, f))
                for f, old, new in event.changes
            ]
        lines.append(ChangeLine(event=event, verb=verb, url=url, changes=changes))
    return lines


def recent_changes(user: Any, *, limit: int = 8) -> list[AuditEvent]:
    """What changed lately that this user may know about: admins see the whole audit log,
    executives the org chart's changes, others the changes to the people they may see."""
    me = person_of(user)
    if me is None:
        return []
    events = AuditEvent.objects.filter(org_id=me.org_id)
    if can_manage_org(user):
        pass
    elif can_read_all(user):
        events = events.filter(object_type__in=ORG_OBJECT_TYPES)
    else:
        ids = [str(pk) for pk in visible_people(user).values_list("pk", flat=True)]
        events = events.filter(object_type="org.person", object_id__in=ids)
    return list(events[:limit])


def person_history(user: Any, person: Person, *, limit: int = 10) -> list[AuditEvent]:
    """The latest changes to `person`'s org record, for those allowed to read them."""
    if not can_view_history(user, person):
        return []
    events = AuditEvent.objects.filter(object_type="org.person", object_id=str(person.pk))
    return list(events[:limit])
