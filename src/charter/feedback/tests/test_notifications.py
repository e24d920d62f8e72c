"""The recipient is told of feedback once, the person asked of a request once, and reminded
once near its due date through `charter tick`; notification preferences are respected."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from charter.accounts.models import NotificationPreferences
from charter.core import registry
from charter.feedback.models import FeedbackRequest
from charter.feedback.services.feedback import request_create


@pytest.mark.django_db
def test_the_recipient_is_told_once(everyone, give, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        give(everyone["rep2"], everyone["rep"], "private", text="Sharp pricing call.")
    assert [m.to for m in mailoutbox] == [["rick.rep@acme.test"]]
    assert mailoutbox[0].subject == "Rita Rep gave you praise"
    assert "Sharp pricing call." in mailoutbox[0].body
    assert f"/feedback/people/{everyone['rep'].pk}/received/" in mailoutbox[0].body


@pytest.mark.django_db
def test_a_recipient_who_turned_answers_off_hears_nothing(
    everyone, give, mailoutbox, django_capture_on_commit_callbacks
):
    NotificationPreferences.objects.create(user=everyone["rep"].user, answers=False)
    with django_capture_on_commit_callbacks(execute=True):
        give(everyone["rep2"], everyone["rep"], "private")
    assert mailoutbox == []


def _tick(day, monkeypatch, capture):
    jobs = {"feedback.request_reminders": registry.periodic_jobs["feedback.request_reminders"]}
    monkeypatch.setattr(registry, "periodic_jobs", jobs)
    with (
        time_machine.travel(dt.datetime.combine(day, dt.time(12), dt.UTC), tick=False),
        capture(execute=True),
    ):
        call_command("tick", stdout=StringIO())


@pytest.fixture
def asked(everyone, django_capture_on_commit_callbacks):
    mona = everyone["manager"]
    with django_capture_on_commit_callbacks(execute=True):
        return request_create(
            asked_by=mona, actor=mona.user, subject=everyone["rep"],
            asked=[everyone["rep2"], everyone["other_team_rep"]], topic="Rick's demos",
            due_on=dt.date(2026, 5, 30),
        )  # fmt: skip


@pytest.mark.django_db
def test_the_people_asked_are_reminded_once_near_the_due_date(
    asked, everyone, give, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    assert sorted(m.to[0] for m in mailoutbox) == ["olga.other@acme.test", "rita.rep@acme.test"]
    assert mailoutbox[0].subject == "Feedback about Rick Rep due 30 May"
    mailoutbox.clear()
    # Rita answers; Olga does not.
    give(everyone["rep2"], everyone["rep"], "managers", request=asked[0])
    _tick(dt.date(2026, 5, 27), monkeypatch, django_capture_on_commit_callbacks)
    assert mailoutbox == []  # three days before: not yet
    for day in (dt.date(2026, 5, 28), dt.date(2026, 5, 29), dt.date(2026, 6, 2)):
        _tick(day, monkeypatch, django_capture_on_commit_callbacks)
    assert [m.to for m in mailoutbox] == [["olga.other@acme.test"]]
    assert mailoutbox[0].subject.startswith("Reminder: feedback about Rick Rep")
    assert FeedbackRequest.objects.filter(reminded_at__isnull=False).count() == 1


@pytest.mark.django_db
def test_answering_closes_the_request_and_the_home_panel_lists_open_ones(asked, everyone, give):
    from charter.conftest import client_for

    home = client_for(everyone["rep2"]).get("/").content.decode()
    assert "Feedback asked of you" in home
    assert "Rick&#x27;s demos" in home
    give(everyone["rep2"], everyone["rep"], "managers", request=asked[0])
    asked[0].refresh_from_db()
    assert not asked[0].is_open
    assert "Feedback asked of you" not in client_for(everyone["rep2"]).get("/").content.decode()
