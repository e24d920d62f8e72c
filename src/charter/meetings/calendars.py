"""The 1:1s in each person's private calendar feed: those they take part in."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q

from charter.core.registry import CalendarEvent, calendar_source
from charter.meetings.invitations import meeting_event
from charter.meetings.models import Meeting


@calendar_source("meetings")
def one_on_ones(person: Any, start: dt.datetime, end: dt.datetime) -> list[CalendarEvent]:
    meetings = (
        Meeting.objects.filter(Q(series__manager=person) | Q(series__report=person))
        .filter(start__lt=end, end__gt=start)
        .select_related("series__manager", "series__report", "cadence")
    )
    return [meeting_event(m) for m in meetings]
