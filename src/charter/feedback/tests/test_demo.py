"""The demo company's feedback: six months across values, open requests, badges awarded by
managers and automatically from the CRM, and the feedback_given KPI on from this quarter."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from charter.conftest import client_for
from charter.core import registry
from charter.feedback.models import Award, Feedback, FeedbackRequest, Kind, Visibility
from charter.kpis import rollups
from charter.org.models import Person


@pytest.fixture
def demo(db, monkeypatch):
    kept = {
        name: registry.demo_builders[name]
        for name in ("org", "crm", "kpis", "expectations", "feedback")
    }
    monkeypatch.setattr(registry, "demo_builders", kept)
    with time_machine.travel(dt.datetime(2026, 5, 20, 12, tzinfo=dt.UTC), tick=False):
        call_command("demo", stdout=StringIO())
        yield


def test_demo_feedback_has_real_content(demo):
    assert Feedback.objects.filter(kind=Kind.PRAISE).count() > 50
    assert Feedback.objects.filter(kind=Kind.CONSTRUCTIVE).count() > 10
    oldest = Feedback.objects.order_by("given_on").first()
    assert oldest is not None
    assert oldest.given_on < dt.date(2025, 12, 1)
    assert Feedback.objects.filter(values__isnull=False).values("values").distinct().count() >= 3
    assert not Feedback.objects.filter(kind=Kind.CONSTRUCTIVE, visibility=Visibility.PUBLIC)
    assert FeedbackRequest.objects.filter(answered_at__isnull=True).exists()
    assert Award.objects.filter(awarded_by__isnull=False).exists()
    assert Award.objects.filter(awarded_by__isnull=True).exists()
    org = Person.objects.get(role="admin").org
    assert rollups.check(org=org).ok
    admin = Person.objects.get(role="admin")
    page = client_for(admin).get("/feedback/")
    assert page.status_code == 200
    assert "Recent badges" in page.content.decode()
    values = client_for(admin).get("/expectations/values/").content.decode()
    assert "How often each value is recognised" in values
