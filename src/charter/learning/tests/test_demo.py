"""The demo company's learning data: a catalogue, two years of completions, requirements per
role, certificates expiring and one expired, and pages with content."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from charter.conftest import client_for
from charter.core import registry
from charter.learning.models import (
    Completion,
    RequiredCertification,
    Requirement,
    Status,
    Training,
)
from charter.learning.selectors import certificate_rows, person_compliance
from charter.org.models import Person


@pytest.fixture
def demo(db, monkeypatch):
    kept = {name: registry.demo_builders[name] for name in ("org", "learning")}
    monkeypatch.setattr(registry, "demo_builders", kept)
    with time_machine.travel(dt.datetime(2026, 5, 20, 12, tzinfo=dt.UTC), tick=False):
        call_command("demo", stdout=StringIO())
        yield


def test_demo_learning_has_real_content(demo):
    assert Training.objects.count() == 12
    assert Requirement.objects.count() == 5
    # One asks for a certification, due from joining the team.
    asked = RequiredCertification.objects.get()
    assert (asked.due_rule, asked.due_days) == ("after_join", 60)
    approved = Completion.objects.filter(status=Status.APPROVED)
    assert approved.count() > 300
    first = approved.order_by("completed_on").first()
    assert first is not None
    assert first.completed_on < dt.date(2024, 7, 1)
    assert Completion.objects.filter(status=Status.PENDING).count() >= 4
    assert Completion.objects.filter(status=Status.RETURNED).count() == 1
    admin = Person.objects.get(role="admin")
    states = [r.state for r in certificate_rows(admin.user)]
    assert states.count("expired") == 1
    assert states.count("expiring") == 3
    manager = Person.objects.filter(role="manager").first()
    assert manager is not None
    items = person_compliance(manager, dt.date(2026, 5, 20))
    assert {i.requirement for i in items} == {"Keep learning", "Managers coach"}


def test_demo_pages_open(demo):
    manager = Person.objects.filter(role="manager", team__name="Americas Enterprise").get()
    client = client_for(manager)
    assert "Learning in my team" in client.get("/").content.decode()
    team_page = client.get(f"/learning/teams/{manager.team_id}/").content.decode()
    assert "Ethan Park" in team_page
    assert client.get("/learning/approvals/").status_code == 200


def test_learning_is_built_before_the_kpi_demo_closes_its_quarters():
    # Training hours are KPI metrics: built after the closes, every closed quarter would show
    # its training hours as restated.
    builders = registry.demo_builders
    assert builders["learning"].order < builders["kpis"].order


def test_demo_reps_carry_training_hours_targets_the_scorecard_measures(demo):
    from charter.kpis.models import Target

    reps = Person.objects.filter(role="rep")
    targets = Target.objects.filter(kpi__key="training_hours")
    # Four fiscal quarters and the fiscal year for each rep.
    assert targets.count() == 5 * reps.count()
    assert set(targets.values_list("person__role", flat=True)) == {"rep"}
    rep = reps.order_by("pk").first()
    assert rep is not None
    page = client_for(rep).get(f"/kpis/people/{rep.pk}/").content.decode()
    row = page.split("Training hours", 1)[1].split("</tr>", 1)[0]
    target = row.split('data-label="Target"', 1)[1].split("</td>", 1)[0]
    assert ">10.0</a>" in target
    attainment = row.split('data-label="Attainment"', 1)[1].split("</td>", 1)[0]
    assert "%</a>" in attainment
