"""Jobs `charter tick` runs for 1:1s: series of people who changed manager end, meetings are
generated ahead, agendas are built the day before, and reminders go out."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from charter.core.registry import periodic
from charter.meetings import emails
from charter.meetings.models import Meeting, Status
from charter.meetings.services.agenda import agenda_build
from charter.meetings.services.series import end_series_of_changed_managers, generate_all

AHEAD = dt.timedelta(days=1)


@periodic("meetings.generate")
def generate() -> str:
    ended = end_series_of_changed_managers()
    made = generate_all()
    return f"{made} meetings generated, {ended} series ended"


def _due(now: dt.datetime) -> list[Meeting]:
    return list(
        Meeting.objects.filter(
            status=Status.SCHEDULED,
            start__gt=now,
            start__lte=now + AHEAD,
            reminded_at__isnull=True,
            series__ended_on__isnull=True,
        ).select_related("series__manager__user", "series__report__user", "cadence")
    )


@periodic("meetings.prepare")
def prepare() -> str:
    """The day before: build the agenda, then send it once (`reminded_at` marks the meeting
    before the email goes, so a crash never sends it twice)."""
    now = timezone.now()
    reminded = 0
    for meeting in _due(now):
        agenda_build(meeting=meeting)
        with transaction.atomic():
            claimed = Meeting.objects.filter(pk=meeting.pk, reminded_at__isnull=True).update(
                reminded_at=now
            )
        if claimed:
            emails.meeting_reminder(meeting=meeting)
            reminded += 1
    return f"{reminded} reminders"
