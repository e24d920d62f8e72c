"""Reminders of the current phase: sent as its due day nears, once per cycle, phase and person."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from charter.core.registry import periodic_jobs
from charter.reviews.models import ReminderSent, Review
from charter.reviews.services.cycles import cycle_advance
from charter.reviews.services.reviews import response_save
from charter.reviews.tests.conftest import answers_for

pytestmark = pytest.mark.django_db


def _tick(capture: Any) -> None:
    with capture(execute=True):
        periodic_jobs["reviews.phase_reminders"].func()


def test_self_review_reminders_once_per_person(
    cycle: Any, admin: Any, rep: Any, rep2: Any, manager: Any, mailoutbox: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    cycle_advance(cycle=cycle, actor=admin.user)
    review = Review.objects.get(cycle=cycle, person=rep2)
    response_save(response=review.responses.get(kind="self"), actor=rep2.user,
                  answers=answers_for(review), submit=True)  # fmt: skip
    # Self reviews are due 10 July: nothing on the 6th; on the 7th, East Enterprise's members
    # who have not submitted (Rick and Mona, not Rita), once however often the job runs.
    with time_machine.travel(dt.datetime(2017, 7, 6, 12, tzinfo=dt.UTC)):
        _tick(django_capture_on_commit_callbacks)
    assert mailoutbox == []
    with time_machine.travel(dt.datetime(2017, 7, 7, 12, tzinfo=dt.UTC)):
        _tick(django_capture_on_commit_callbacks)
        _tick(django_capture_on_commit_callbacks)
    assert sorted(m.to[0] for m in mailoutbox) == sorted([rep.email, manager.email])
    assert "self review due 10 Jul 2017" in mailoutbox[0].subject
    assert ReminderSent.objects.filter(cycle=cycle, phase="self").count() == 2


def test_reminders_respect_the_preference(
    cycle: Any, admin: Any, rep: Any, rep2: Any, manager: Any, mailoutbox: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    from charter.accounts.models import NotificationPreferences

    for person in (rep, rep2, manager):
        NotificationPreferences.objects.update_or_create(
            user=person.user, defaults={"reminders": False}
        )
    cycle_advance(cycle=cycle, actor=admin.user)
    with time_machine.travel(dt.datetime(2017, 7, 8, 12, tzinfo=dt.UTC)):
        _tick(django_capture_on_commit_callbacks)
    assert mailoutbox == []
