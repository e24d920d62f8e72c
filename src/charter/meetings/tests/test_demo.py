"""The demo company's 1:1s: a weekly series per manager and report, six months of meetings
with notes and action items, and the next meeting of each pair with its agenda."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from charter.conftest import client_for
from charter.core import registry
from charter.meetings.models import ActionItem, Meeting, Note, Series, Status
from charter.org.models import Person


@pytest.fixture
def demo(db, monkeypatch):
    kept = {name: registry.demo_builders[name] for name in ("org", "meetings")}
    monkeypatch.setattr(registry, "demo_builders", kept)
    with time_machine.travel(dt.datetime(2026, 5, 20, 12, tzinfo=dt.UTC), tick=False):
        call_command("demo", stdout=StringIO())
        yield


def test_demo_has_a_weekly_series_per_pair_with_history_and_what_comes(demo):
    pairs = Person.objects.filter(is_active=True, manager__isnull=False).count()
    assert Series.objects.count() == pairs
    held = Meeting.objects.filter(status=Status.HELD)
    assert held.count() > pairs * 20
    assert Meeting.objects.filter(status=Status.SKIPPED).exists()
    assert Note.objects.filter(private=True).exists()
    assert Note.objects.filter(private=False).exists()
    assert ActionItem.objects.filter(done_at__isnull=True).exists()
    upcoming = Meeting.objects.filter(start__gt=dt.datetime(2026, 5, 20, 12, tzinfo=dt.UTC))
    assert upcoming.count() >= pairs * 7
    assert upcoming.filter(agenda_built_at__isnull=False).count() == pairs
    # A manager opens their next 1:1 with a rep and sees the agenda and the carried actions.
    series = Series.objects.filter(report__role="rep").select_related("manager").first()
    assert series is not None
    meeting = series.meetings.filter(status=Status.SCHEDULED, agenda_built_at__isnull=False).first()
    assert meeting is not None
    page = client_for(series.manager).get(f"/meetings/{meeting.pk}/")
    assert page.status_code == 200
    assert client_for(series.manager).get("/meetings/").status_code == 200
