"""The .ics files of 1:1s: the recurring invitation of each cadence version, and the changes
of single meetings.

A cadence version is one recurring event (its own UID, an RRULE; a later version ends it with
UNTIL and a higher SEQUENCE and starts a new event). A moved or skipped meeting is an override
of that same event: same UID, RECURRENCE-ID at the time the rule gave it, its own higher
SEQUENCE, sent as REQUEST (moved) or CANCEL (skipped), which is how RFC 5546 changes one
occurrence without touching the rest. The core writer knows no RECURRENCE-ID, so the override
is written by it and the property added here with the same icalendar library.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.urls import reverse
from icalendar import Calendar

from charter.core.emails import absolute_url
from charter.core.ics import calendar
from charter.core.registry import CalendarEvent
from charter.meetings import recurrence
from charter.meetings.models import Cadence, Meeting, Series, Status
from charter.meetings.services.series import rule_of


def _summary(series: Series) -> str:
    return f"1:1 {series.manager.full_name} / {series.report.full_name}"


def _emails(series: Series) -> tuple[str, ...]:
    return tuple(p.email for p in (series.manager, series.report) if p.email)


def _first_start(cadence: Cadence) -> tuple[dt.datetime, dt.datetime]:
    rule = rule_of(cadence)
    day = recurrence.days_between(
        rule, cadence.effective_from, cadence.effective_from + dt.timedelta(days=62)
    )[0]
    return recurrence.starts_at(rule, day)


def _until(cadence: Cadence) -> dt.datetime | None:
    """The last start of a version a later one replaces, or None while it is the latest."""
    later = (
        Cadence.objects.filter(
            series_id=cadence.series_id, effective_from__gt=cadence.effective_from
        )
        .order_by("effective_from")
        .first()
    )
    if later is None:
        return None
    rule = rule_of(cadence)
    days = recurrence.days_between(rule, cadence.effective_from, later.effective_from)
    if not days:
        # Replaced before its first meeting: its recurrence ends as it would have started.
        return _first_start(cadence)[0]
    return recurrence.starts_at(rule, days[-1])[0]


def series_event(cadence: Cadence, *, cancelled: bool = False) -> CalendarEvent:
    series = cadence.series
    start, end = _first_start(cadence)
    return CalendarEvent(
        uid=cadence.uid,
        sequence=cadence.sequence + (1 if cancelled else 0),
        summary=_summary(series),
        start=start,
        end=end,
        timezone=cadence.time_zone,
        description=recurrence.describe(rule_of(cadence)),
        url=absolute_url(reverse("meetings:series", args=[series.pk])),
        rrule=recurrence.rrule(rule_of(cadence), _until(cadence)),
        cancelled=cancelled,
        organizer_email=series.manager.email,
        attendee_emails=_emails(series),
    )


def series_ics(cadence: Cadence, *, cancelled: bool = False) -> bytes:
    return calendar(
        [series_event(cadence, cancelled=cancelled)], method="CANCEL" if cancelled else "REQUEST"
    )


def occurrence_ics(meeting: Meeting) -> tuple[bytes, str]:
    """(file, method) telling calendars that one meeting moved or was cancelled."""
    cadence = meeting.cadence
    series = meeting.series
    cancelled = meeting.status == Status.SKIPPED
    method = "CANCEL" if cancelled else "REQUEST"
    event = CalendarEvent(
        uid=cadence.uid,
        # Above the recurring event's own, so every program applies the change.
        sequence=cadence.sequence + meeting.sequence,
        summary=_summary(series),
        start=meeting.start,
        end=meeting.end,
        timezone=cadence.time_zone,
        url=absolute_url(reverse("meetings:meeting", args=[meeting.pk])),
        cancelled=cancelled,
        organizer_email=series.manager.email,
        attendee_emails=_emails(series),
    )
    parsed = Calendar.from_ical(calendar([event], method=method))
    for component in parsed.walk("VEVENT"):
        component.add("recurrence-id", meeting.slot.astimezone(ZoneInfo(cadence.time_zone)))
    return parsed.to_ical(), method


def meeting_event(meeting: Meeting) -> CalendarEvent:
    """One meeting as its own event, for the private calendar feed (a feed lists what is, so
    each meeting stands alone there, cancelled ones marked so)."""
    series = meeting.series
    return CalendarEvent(
        uid=f"charter-1on1-meeting-{meeting.pk}@charter",
        sequence=meeting.sequence,
        summary=_summary(series),
        start=meeting.start,
        end=meeting.end,
        timezone=meeting.cadence.time_zone,
        url=absolute_url(reverse("meetings:meeting", args=[meeting.pk])),
        cancelled=meeting.status == Status.SKIPPED,
    )
