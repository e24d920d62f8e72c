"""Reads of the shared kernel: the audit log and background jobs, filtered by access."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

from charter.core.models import AuditEvent, Job
from charter.org.access import can_manage_org, can_read_all, person_of


def audit_events(
    user: Any,
    *,
    action: str = "",
    actor: str = "",
    object_type: str = "",
    query: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    """The audit log is for admins only; everyone else gets nothing."""
    if not can_manage_org(user):
        return AuditEvent.objects.none()
    events = AuditEvent.objects.all()
    if action:
        # "org" matches every org.* code, "org.person" every org.person.* code.
        events = events.filter(Q(action=action) | Q(action__startswith=f"{action}."))
    if actor:
        events = events.filter(actor_label__icontains=actor)
    if object_type:
        events = events.filter(object_type=object_type)
    if query:
        events = events.filter(Q(object_repr__icontains=query) | Q(object_id=query))
    if since:
        events = events.filter(at__date__gte=since)
    if until:
        events = events.filter(at__date__lte=until)
    return events


def recent_changes(user: Any, *, limit: int = 8) -> list[AuditEvent]:
    """What changed lately that this user may know about: admins and executives see the whole
    org's changes; others see changes to their own person record and to people they manage."""
    from charter.org.access import visible_people

    me = person_of(user)
    if me is None:
        return []
    events = AuditEvent.objects.select_related("actor")
    if not can_read_all(user):
        ids = [str(pk) for pk in visible_people(user).values_list("pk", flat=True)]
        events = events.filter(object_type="org.person", object_id__in=ids)
    return list(events[:limit])


def visible_jobs(user: Any) -> QuerySet[Job]:
    """Admins see every job; others see the jobs they started."""
    me = person_of(user)
    if me is None:
        return Job.objects.none()
    if can_manage_org(user):
        return Job.objects.all()
    return Job.objects.filter(created_by=user)
