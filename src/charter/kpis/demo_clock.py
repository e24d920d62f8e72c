"""When the demo's targets were set: the demo writes years of target history in one run, so
every revision would say it was created a minute ago. A manager sets a period's targets in the
planning days before it starts and a change on the day it takes effect, in working hours."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

from charter.kpis.models import TargetRevision
from charter.org.models import Organization
from charter.org.versions import data_version_bump

PLANNING_DAYS = (3, 4, 5, 6, 7, 10)  # how long before a period its targets are set
WORKDAY_START = dt.time(9)
WORKDAY_MINUTES = 8 * 60


def set_at(
    *, period_start: dt.date, effective_from: dt.date, spread: int, zone: ZoneInfo
) -> dt.datetime:
    """The moment a revision was believably written: a first value in the planning days before
    its period (a target applies from the period's start), a change on its effective day.
    `spread` (any whole number, e.g. the row's id) varies the day and the time of day."""
    if effective_from <= period_start:
        day = period_start - dt.timedelta(days=PLANNING_DAYS[spread % len(PLANNING_DAYS)])
    else:
        day = effective_from
    minutes = (spread * 37) % WORKDAY_MINUTES
    return dt.datetime.combine(day, WORKDAY_START, tzinfo=zone) + dt.timedelta(minutes=minutes)


def backdate_revisions(*, org: Organization) -> int:
    """Give the organization's target revisions the times they would have been set at, never
    later than now. Demo only: real revisions keep the moment they were written."""
    zone = ZoneInfo(org.time_zone or "UTC")
    now = timezone.now()
    revisions = list(
        TargetRevision.objects.filter(target__org=org).select_related("target").order_by("pk")
    )
    for revision in revisions:
        at = set_at(
            period_start=revision.target.period_start,
            effective_from=revision.effective_from,
            spread=revision.pk,
            zone=zone,
        )
        revision.created_at = min(at, now)
    # A bulk update, as the revisions are immutable rows: this rewrites no value or reason,
    # only the demo's clock, in the same transaction that wrote them.
    TargetRevision.objects.bulk_update(revisions, ["created_at"], batch_size=500)
    # Home cards list target changes by when they were made: pages cached before read old times.
    data_version_bump(org_id=org.pk)
    return len(revisions)
