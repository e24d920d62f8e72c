"""The demo company's sessions: one held with attendance (its hours approved), one full with
a waiting list, one online later; their pages open."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from charter.conftest import client_for
from charter.core import registry
from charter.learning.models import Completion, Enrolment, Source, Status, TrainingSession
from charter.org.models import Person


@pytest.fixture
def demo(db, monkeypatch):
    kept = {name: registry.demo_builders[name] for name in ("org", "learning", "learning_sessions")}
    monkeypatch.setattr(registry, "demo_builders", kept)
    with time_machine.travel(dt.datetime(2026, 5, 20, 12, tzinfo=dt.UTC), tick=False):
        call_command("demo", stdout=StringIO())
        yield


def test_demo_sessions_are_held_full_and_to_come(demo):
    sessions = list(TrainingSession.objects.order_by("starts_at"))
    assert len(sessions) == 3
    held, full, later = sessions
    attended = Enrolment.objects.filter(session=held, attendance="attended")
    assert attended.count() == 3
    from_sessions = Completion.objects.filter(source=Source.SESSION, status=Status.APPROVED)
    assert from_sessions.count() == 3
    places = list(Enrolment.objects.filter(session=full).values_list("status", flat=True))
    assert places.count("enrolled") == full.capacity
    assert places.count("waitlisted") == 2
    assert later.video_link

    admin = Person.objects.get(role="admin")
    client = client_for(admin)
    for session in sessions:
        assert client.get(f"/learning/sessions/{session.pk}/").status_code == 200
    assert "waiting" in client.get("/learning/sessions/").content.decode()
