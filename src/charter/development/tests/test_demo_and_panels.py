"""The demo company's development data and the home-page cards."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from charter.conftest import client_for
from charter.core import registry
from charter.development.models import Goal, Meeting, MentorOffer, MentorRequest, Mentorship
from charter.development.services.plans import goal_add
from charter.org.models import Person

DAY = dt.datetime(2026, 5, 20, 12, tzinfo=dt.UTC)


@pytest.fixture
def demo(db, monkeypatch):
    kept = {name: registry.demo_builders[name] for name in ("org", "learning", "development")}
    monkeypatch.setattr(registry, "demo_builders", kept)
    with time_machine.travel(DAY, tick=False):
        call_command("demo", stdout=StringIO())
        yield


def test_demo_development_has_real_content(demo):
    assert MentorOffer.objects.filter(is_active=True).count() == 3
    statuses = sorted(Mentorship.objects.values_list("status", flat=True))
    assert statuses == ["active", "active", "completed", "ended_early", "proposed"]
    assert Meeting.objects.count() >= 6
    assert MentorRequest.objects.filter(status="pending").count() == 1
    assert Goal.objects.filter(trainings__isnull=False).count() >= 4
    assert Goal.objects.filter(certifications__isnull=False).count() == 1


def test_demo_pages_and_cards_show_it(demo):
    mei = Person.objects.get(full_name="Mei Chen")
    camila = Person.objects.get(full_name="Camila Duarte")
    with time_machine.travel(DAY, tick=False):
        home = client_for(mei).get("/").content.decode()
        assert "Mentored by Ethan Park" in home
        assert "Lead a negotiation end to end" in home or "Finish the enterprise" in home
        manager_home = client_for(camila).get("/").content.decode()
        assert "Plan goals overdue in my team" in manager_home
        assert "Finish the enterprise procurement course" in manager_home
        mentorship = Mentorship.objects.get(mentee=mei)
        page = client_for(camila).get(f"/development/mentorships/{mentorship.pk}/")
        assert "mutual action plan" in page.content.decode()


def test_development_is_built_after_learning():
    builders = registry.demo_builders
    assert builders["learning"].order < builders["development"].order


@pytest.mark.django_db
@pytest.mark.usefixtures("everyone")
def test_manager_card_lists_overdue_goals_below_them_only(manager, other_manager, rep2, plan):
    goal_add(plan=plan, actor=rep2.user, title="Overdue goal", target_on=dt.date(2026, 2, 1))
    with time_machine.travel(dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC), tick=False):
        assert "Overdue goal" in client_for(manager).get("/").content.decode()
        assert "Overdue goal" not in client_for(other_manager).get("/").content.decode()
        mine = client_for(rep2).get("/").content.decode()
    assert "Next goal" in mine
    assert "Overdue goal" in mine


@pytest.mark.django_db
@pytest.mark.usefixtures("everyone")
def test_person_card_lists_their_active_mentorships(rep2, other_team_rep, mentorship):
    assert "Mentored by Olga Other" in client_for(rep2).get("/").content.decode()
    assert "Mentoring Rita Rep" in client_for(other_team_rep).get("/").content.decode()
