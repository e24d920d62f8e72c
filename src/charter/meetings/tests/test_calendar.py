"""Invitations by email, parsed back with icalendar: the series' RRULE, a cadence change that
ends the old recurrence, one meeting moved or skipped (same UID, RECURRENCE-ID, higher
SEQUENCE), preferences respected; and the meetings in the private calendar feed."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.core import mail
from icalendar import Calendar

from charter.accounts.models import NotificationPreferences
from charter.core.registry import calendar_events
from charter.meetings.services import meetings as meeting_services
from charter.meetings.services.series import cadence_change, series_create
from charter.meetings.tests.conftest import NOW, weekly

PARIS = ZoneInfo("Europe/Paris")


def _events(message) -> list:
    found = []
    for _name, content, _mimetype in message.attachments:
        found += list(Calendar.from_ical(content).walk("VEVENT"))
    return found


def test_a_new_series_invites_both_with_its_recurrence(series, manager, rep):
    assert sorted(m.to[0] for m in mail.outbox) == sorted([manager.email, rep.email])
    (event,) = _events(mail.outbox[0])
    cadence = series.cadences.get()
    assert str(event["uid"]) == cadence.uid
    assert event["sequence"] == 0
    assert event["rrule"].to_ical() == b"FREQ=WEEKLY;BYDAY=TU"
    assert event.decoded("dtstart") == dt.datetime(2026, 3, 3, 10, tzinfo=PARIS)
    assert Calendar.from_ical(mail.outbox[0].attachments[0][1])["method"] == "REQUEST"


def test_moving_one_meeting_sends_an_override_of_the_same_event(
    series, rep, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    meeting = series.meetings.order_by("start")[1]
    with django_capture_on_commit_callbacks(execute=True):
        meeting_services.meeting_move(
            meeting=meeting, actor=rep.user, start=meeting.start + dt.timedelta(hours=3)
        )
    (event,) = _events(mail.outbox[0])
    assert str(event["uid"]) == series.cadences.get().uid
    assert event["sequence"] == 1
    assert event.decoded("recurrence-id") == dt.datetime(2026, 3, 10, 10, tzinfo=PARIS)
    assert event.decoded("dtstart") == dt.datetime(2026, 3, 10, 13, tzinfo=PARIS)


def test_skipping_one_meeting_cancels_that_occurrence_only(
    series, manager, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    meeting = series.meetings.order_by("start")[2]
    with django_capture_on_commit_callbacks(execute=True):
        meeting_services.meeting_skip(meeting=meeting, actor=manager.user, reason="Holiday")
    calendar = Calendar.from_ical(mail.outbox[0].attachments[0][1])
    assert calendar["method"] == "CANCEL"
    (event,) = calendar.walk("VEVENT")
    assert event["status"] == "CANCELLED"
    assert event.decoded("recurrence-id") == dt.datetime(2026, 3, 17, 10, tzinfo=PARIS)
    assert "rrule" not in event


def test_a_cadence_change_ends_the_old_recurrence_and_starts_a_new_one(
    series, manager, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        cadence_change(
            series=series,
            actor=manager.user,
            effective_from=dt.date(2026, 4, 1),
            reason="Monthly from April",
            cadence=weekly(frequency="monthly", week_of_month=-1, weekday=4),
        )
    old, new = _events(mail.outbox[0])
    assert old["sequence"] == 1
    assert old["rrule"].to_ical() == b"FREQ=WEEKLY;UNTIL=20260331T080000Z;BYDAY=TU"
    assert new["rrule"].to_ical() == b"FREQ=MONTHLY;BYDAY=-1FR"
    assert new.decoded("dtstart") == dt.datetime(2026, 4, 24, 10, tzinfo=PARIS)
    assert str(old["uid"]) != str(new["uid"])


def test_no_invitation_for_someone_who_turned_reminders_off(
    clock, manager, rep, django_capture_on_commit_callbacks
):
    NotificationPreferences.objects.update_or_create(user=rep.user, defaults={"reminders": False})
    with django_capture_on_commit_callbacks(execute=True):
        series_create(
            manager=manager, report=rep, actor=manager.user, starts_on=NOW.date(), cadence=weekly()
        )
    assert [m.to for m in mail.outbox] == [[manager.email]]


def test_the_private_feed_lists_each_meeting_with_skips_cancelled(series, rep, manager):
    meeting = series.meetings.order_by("start")[0]
    meeting_services.meeting_skip(meeting=meeting, actor=manager.user)
    events = [
        e
        for e in calendar_events(rep, NOW, NOW + dt.timedelta(days=21))
        if e.uid.startswith("charter-1on1")
    ]
    assert len(events) == 3
    assert [e.cancelled for e in events] == [True, False, False]
    assert calendar_events(manager, NOW, NOW + dt.timedelta(days=21))
