"""`charter tick`'s 1:1 jobs: meetings generated ahead, the agenda built and sent the day
before, once per meeting, and series ended for people who changed manager."""

from __future__ import annotations

import datetime as dt

from django.core import mail

from charter.accounts.models import NotificationPreferences
from charter.conftest import client_for
from charter.meetings import periodic
from charter.meetings.models import Status
from charter.meetings.services.agenda import topic_add


def test_the_reminder_goes_the_day_before_once_with_the_agenda(series, rep, manager, clock):
    mail.outbox.clear()
    meeting = series.meetings.order_by("start")[0]
    topic_add(meeting=meeting, author=rep, actor=rep.user, title="Quota relief")
    NotificationPreferences.objects.update_or_create(
        user=manager.user, defaults={"reminders": False}
    )
    assert periodic.prepare() == "1 reminders"
    assert [m.to for m in mail.outbox] == [[rep.email]]
    assert "Quota relief" in mail.outbox[0].body
    assert periodic.prepare() == "0 reminders"
    meeting.refresh_from_db()
    assert meeting.reminded_at is not None
    assert meeting.agenda_built_at is not None


def test_generating_keeps_eight_weeks_ahead(series, clock):
    clock.move_to(dt.datetime(2026, 3, 20, 9, tzinfo=dt.UTC))
    assert periodic.generate() == "3 meetings generated, 0 series ended"
    assert periodic.generate() == "0 meetings generated, 0 series ended"


def test_a_new_manager_is_offered_a_series_on_the_home_page(series, rep, other_manager):
    rep.manager = other_manager
    rep.save(update_fields=["manager"])
    periodic.generate()
    assert not series.meetings.filter(status=Status.SCHEDULED).exists()
    home = client_for(other_manager).get("/").content.decode()
    assert "Start a 1:1" in home
    assert "Rick Rep" in home
