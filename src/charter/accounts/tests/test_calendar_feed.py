"""The private calendar feed: a secret address made on the profile page, shown once, stored as
a SHA-256, revocable and replaceable; it serves every registered calendar source's events to
calendar programs, which cannot sign in."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from icalendar import Calendar

from charter.accounts import services
from charter.accounts.models import CalendarFeed
from charter.conftest import client_for
from charter.core import registry
from charter.core.models import AuditEvent
from charter.core.registry import CalendarEvent
from charter.org import services as org_services

PROFILE = "/accounts/profile/"
CREATE = "/accounts/profile/calendar-feed/"
REVOKE = "/accounts/profile/calendar-feed/revoke/"
FEED_RE = re.compile(r"http://testserver/accounts/calendar/([A-Za-z0-9_-]{43})\.ics")


@pytest.fixture
def a_source(monkeypatch):
    """A calendar source of a pretend app, alone in the registry: one event for whoever asks."""

    def meetings(person, start, end):
        begins = timezone.now() + dt.timedelta(days=2)
        return [
            CalendarEvent(
                uid=f"meeting-{person.pk}@charter.test",
                sequence=3,
                summary=f"Meeting of {person.full_name}",
                start=begins,
                end=begins + dt.timedelta(hours=1),
                timezone="Europe/Paris",
            )
        ]

    source = registry.CalendarSource(name="test-meetings", func=meetings)
    monkeypatch.setattr(registry, "calendar_sources", {"test-meetings": source})


def _make(person) -> str:
    page = client_for(person).post(CREATE).content.decode()
    found = FEED_RE.search(page)
    assert found, "the new address is shown once"
    return found.group(1)


def test_the_address_is_shown_once_and_only_its_hash_is_stored(rep):
    raw = _make(rep)

    feed = CalendarFeed.objects.get(user=rep.user)
    assert feed.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in str(list(CalendarFeed.objects.values_list()))
    page = client_for(rep).get(PROFILE).content.decode()
    assert raw not in page
    assert "Revoke the address" in page
    assert AuditEvent.objects.filter(action="accounts.calendar_feed.created").count() == 1


def test_the_feed_serves_every_source_without_signing_in(rep, rep2, a_source):
    raw = _make(rep)

    response = client_for(None).get(f"/accounts/calendar/{raw}.ics")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "no-store" in response["Cache-Control"]
    cal = Calendar.from_ical(response.content)
    assert str(cal["method"]) == "PUBLISH"
    events = cal.walk("VEVENT")
    assert [str(e["summary"]) for e in events] == [f"Meeting of {rep.full_name}"]
    assert str(events[0]["uid"]) == f"meeting-{rep.pk}@charter.test"
    assert str(events[0]["sequence"]) == "3"


def test_a_wrong_revoked_or_replaced_address_is_not_found(rep, a_source):
    anonymous = client_for(None)
    first = _make(rep)
    second = _make(rep)

    assert anonymous.get(f"/accounts/calendar/{first}.ics").status_code == 404
    assert anonymous.get(f"/accounts/calendar/{second}.ics").status_code == 200
    assert anonymous.get(f"/accounts/calendar/{'x' * 43}.ics").status_code == 404

    client_for(rep).post(REVOKE)

    assert anonymous.get(f"/accounts/calendar/{second}.ics").status_code == 404
    assert not CalendarFeed.objects.active().filter(user=rep.user).exists()
    assert AuditEvent.objects.filter(action="accounts.calendar_feed.revoked").count() == 1


def test_a_deactivated_person_or_a_closed_login_loses_the_feed(rep, admin, a_source):
    raw = _make(rep)
    services.login_access_revoke(user=rep.user, actor=admin.user, reason="test")
    assert client_for(None).get(f"/accounts/calendar/{raw}.ics").status_code == 404

    raw = _make(rep)
    org_services.person_deactivate(person=rep, actor=admin.user, leave_date=dt.date(2026, 1, 31))
    assert client_for(None).get(f"/accounts/calendar/{raw}.ics").status_code == 404


def test_only_one_feed_is_active_per_login(rep):
    services.calendar_feed_create(user=rep.user, actor=rep.user)
    with pytest.raises(IntegrityError), transaction.atomic():
        CalendarFeed.objects.create(user=rep.user, token_hash="0" * 64)


def test_the_card_is_swapped_by_htmx_and_anonymous_is_sent_to_login(rep, db):
    response = client_for(rep).post(CREATE, HTTP_HX_REQUEST="true")
    assert 'id="calendar-feed"' in response.content.decode()
    assert "Email notifications" not in response.content.decode()
    assert client_for(None).post(CREATE)["Location"].startswith("/accounts/login/")
