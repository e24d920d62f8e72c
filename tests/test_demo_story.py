"""The demo reads like a company that has been using Charter: target revisions were set over
past months (in the planning days before each period, a change on its day), and the rep whose
login the README offers first has a document to sign."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from charter.expectations.models import SignatureRequest
from charter.kpis.demo_clock import set_at
from charter.kpis.models import TargetRevision
from charter.org.models import Person

NOW = dt.datetime(2025, 5, 14, 12, 0, tzinfo=dt.UTC)
UTC = ZoneInfo("UTC")


def test_set_at_puts_a_first_value_before_its_period_and_a_change_on_its_day():
    start = dt.date(2025, 4, 1)
    first = set_at(period_start=start, effective_from=start, spread=7, zone=UTC)
    assert dt.date(2025, 3, 20) <= first.date() < start
    assert 9 <= first.hour < 17
    change = set_at(period_start=start, effective_from=dt.date(2025, 5, 1), spread=7, zone=UTC)
    assert change.date() == dt.date(2025, 5, 1)
    days = {set_at(period_start=start, effective_from=start, spread=n, zone=UTC) for n in range(9)}
    assert len({d.date() for d in days}) > 3


@pytest.mark.django_db
def test_the_demo_has_believable_target_times_and_something_for_the_headline_rep_to_sign():
    with time_machine.travel(NOW, tick=False):
        call_command("demo", stdout=StringIO())
    revisions = list(TargetRevision.objects.select_related("target"))
    times = [r.created_at for r in revisions]
    assert max(times) <= NOW
    assert len({t.date() for t in times}) >= 10  # not all "today"
    for revision in revisions:
        if revision.effective_from == revision.target.period_start:
            assert revision.created_at.date() < revision.target.period_start
        else:
            assert revision.created_at.date() == revision.effective_from
    ethan = Person.objects.get(email="ethan.park@northwind.test")
    owed = SignatureRequest.objects.filter(person=ethan, signed_at__isnull=True)
    assert owed.exists()
    assert all(request.due_date >= NOW.date() for request in owed)  # to sign, not overdue
