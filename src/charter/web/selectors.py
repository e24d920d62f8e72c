"""Reads of the shell pages: the audit log and background jobs, filtered by access."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

from charter.core.models import AuditEvent, Job
from charter.org.access import can_manage_org, person_of


def _audit_log(user: Any) -> QuerySet[AuditEvent]:
    """Every row of the audit log `user` may read: their organization's, for admins."""
    me = person_of(user)
    if me is None or not can_manage_org(user):
        return AuditEvent.objects.none()
    return AuditEvent.objects.filter(org_id=me.org_id)


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
    """The audit log of the admin's own organization; everyone else gets nothing."""
    events = _audit_log(user)
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


def audit_object_types(user: Any) -> list[str]:
    """The kinds of object the audit log holds, for the filter's drop-down."""
    types = _audit_log(user).exclude(object_type="").values_list("object_type", flat=True)
    return sorted(set(types.order_by().distinct()))


def visible_jobs(user: Any) -> QuerySet[Job]:
    """Jobs of the person's own organization: all of them for admins, else the ones they
    started."""
    me = person_of(user)
    if me is None:
        return Job.objects.none()
    jobs = Job.objects.filter(org_id=me.org_id)
    if can_manage_org(user):
        return jobs
    return jobs.filter(created_by=user)
