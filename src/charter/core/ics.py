"""iCalendar files: invitations attached to emails and the private calendar feeds.

Written with the `icalendar` library rather than by hand, because calendar programs are strict
about line folding, escaping and time zones, and the library keeps all three right. Each app says
what its events are (`core.registry.CalendarEvent`); this module only writes them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vRecur, vText

from charter.core.registry import CalendarEvent

PRODID = "-//Charter//Charter sales accountability//EN"
# What an email attachment's part must say for calendar programs to offer Accept/Decline.
INVITATION_CONTENT_TYPE = "text/calendar; charset=utf-8; method={method}"


def calendar(events: Iterable[CalendarEvent], *, method: str = "PUBLISH", name: str = "") -> bytes:
    """One VCALENDAR holding `events`. `method` is PUBLISH for a feed, REQUEST for an invitation
    or an update, CANCEL for a cancellation (the events then carry `cancelled`)."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    items = list(events)
    for item in items:
        cal.add_component(_event(item))
    if items:
        # A VTIMEZONE per zone used, so programs that do not know IANA names still place the
        # events right across daylight-saving changes; only the rules of the years the events
        # span (a recurring series is given ten years), to keep the file small.
        first = min(item.start for item in items).date() - dt.timedelta(days=366)
        last = max(item.end for item in items).date() + dt.timedelta(days=366)
        if any(item.rrule for item in items):
            last += dt.timedelta(days=3653)
        cal.add_missing_timezones(first_date=first, last_date=last)
    return cal.to_ical()


def _event(item: CalendarEvent) -> Event:
    zone = ZoneInfo(item.timezone)
    event = Event()
    event.add("uid", item.uid)
    event.add("sequence", item.sequence)
    event.add("dtstamp", timezone.now().astimezone(dt.UTC))
    # Local wall time in the planned zone: a weekly 1:1 at 10:00 stays at 10:00 after a DST change.
    event.add("dtstart", item.start.astimezone(zone))
    event.add("dtend", item.end.astimezone(zone))
    event.add("summary", item.summary)
    if item.description:
        event.add("description", item.description)
    if item.location:
        event.add("location", item.location)
    if item.url:
        event.add("url", item.url)
    if item.rrule:
        event.add("rrule", vRecur.from_ical(item.rrule))
    event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
    if item.organizer_email:
        event.add("organizer", vCalAddress(f"mailto:{item.organizer_email}"))
    for email in item.attendee_emails:
        attendee = vCalAddress(f"mailto:{email}")
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["rsvp"] = vText("TRUE")
        event.add("attendee", attendee, encode=False)
    return event
