"""The session pages: scheduling with field errors, enrolling from the page (oneself, or one's
report), the roster each reader sees, attendance from the roster, and the session page's
query count not growing with the roster."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from charter.conftest import client_for, make_person
from charter.learning.models import Completion, Enrolment, TrainingSession
from charter.learning.services import sessions as services
from charter.org.models import Role


def _session(training, actor, facilitator, capacity=3, days=3):
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=days)
    return services.session_create(
        actor=actor.user, training=training, starts_at=start, ends_at=start + dt.timedelta(hours=2),
        time_zone="Europe/Paris", location="Room 1", capacity=capacity, facilitator=facilitator,
    )  # fmt: skip


def test_a_manager_schedules_a_session_in_its_own_time_zone(team_training, manager):
    url = f"/learning/trainings/{team_training.pk}/sessions/new/"
    response = client_for(manager).post(
        url,
        {
            "starts_at": "2030-03-10T09:00", "ends_at": "2030-03-10T11:30",
            "time_zone": "Asia/Tokyo", "location": "Tokyo office", "capacity": "8",
            "facilitator": manager.pk,
        },
    )  # fmt: skip

    session = TrainingSession.objects.get()
    assert response["Location"] == f"/learning/sessions/{session.pk}/"
    assert session.starts_at == dt.datetime(2030, 3, 10, 0, 0, tzinfo=dt.UTC)
    assert session.time_zone == "Asia/Tokyo"


def test_bad_session_input_is_shown_on_its_fields(team_training, manager):
    url = f"/learning/trainings/{team_training.pk}/sessions/new/"
    page = client_for(manager).post(
        url,
        {
            "starts_at": "2030-03-10T09:00", "ends_at": "2030-03-10T08:00",
            "time_zone": "Nowhere/Special", "location": "", "capacity": "0",
            "facilitator": manager.pk,
        },
    )  # fmt: skip
    assert page.status_code == 200
    html = page.content.decode()
    assert "is not a time zone name" in html
    assert "greater than or equal to 1" in html
    assert not TrainingSession.objects.exists()

    page = client_for(manager).post(
        url,
        {
            "starts_at": "2030-03-10T09:00", "ends_at": "2030-03-10T08:00",
            "time_zone": "Europe/Paris", "location": "Room", "capacity": "3",
            "facilitator": manager.pk,
        },
    )  # fmt: skip
    assert "must end after it starts" in page.content.decode()
    assert not TrainingSession.objects.exists()


def test_a_rep_may_not_schedule(team_training, rep):
    url = f"/learning/trainings/{team_training.pk}/sessions/new/"
    assert client_for(rep).get(url).status_code == 403


def test_enrol_from_the_page_then_the_manager_enrols_a_report_into_a_full_session(
    company_training, admin, manager, rep, rep2
):
    session = _session(company_training, admin, manager, capacity=1)
    enrol = f"/learning/sessions/{session.pk}/enrol/"

    client_for(rep).post(enrol)
    page = client_for(manager).post(enrol, {"person": rep2.pk})

    assert Enrolment.objects.get(person=rep).status == "enrolled"
    assert "The session is full (1 of 1 places)" in page.content.decode()
    assert not Enrolment.objects.filter(person=rep2).exists()


def test_a_peer_cannot_cancel_anothers_place_nor_take_attendance(
    company_training, admin, manager, rep, rep2
):
    session = _session(company_training, admin, manager)
    place = services.enrol(session=session, person=rep2, actor=rep2.user)

    assert client_for(rep).post(f"/learning/enrolments/{place.pk}/cancel/").status_code == 403
    TrainingSession.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - dt.timedelta(hours=2),
        ends_at=timezone.now() - dt.timedelta(hours=1),
    )
    url = f"/learning/enrolments/{place.pk}/attendance/"
    assert client_for(rep).post(url, {"attendance": "attended"}).status_code == 403
    assert client_for(rep2).post(url, {"attendance": "attended"}).status_code == 403
    assert not Completion.objects.exists()

    client_for(manager).post(url, {"attendance": "attended"})
    assert Completion.objects.get(person=rep2).hours == company_training.expected_hours


def test_the_roster_shows_only_the_people_a_reader_may_read(
    company_training, admin, manager, rep, rep2, other_team_rep
):
    session = _session(company_training, admin, admin)
    for person in (rep, rep2, other_team_rep):
        services.enrol(session=session, person=person, actor=person.user)

    as_manager = client_for(manager).get(f"/learning/sessions/{session.pk}/").content.decode()
    as_admin = client_for(admin).get(f"/learning/sessions/{session.pk}/").content.decode()

    assert rep2.full_name in as_manager
    assert other_team_rep.full_name not in as_manager
    assert other_team_rep.full_name in as_admin


@pytest.mark.parametrize("size", [2, 12])
def test_the_session_page_costs_the_same_queries_for_any_roster(
    company_training, admin, manager, org, teams, size, django_assert_max_num_queries
):
    session = _session(company_training, admin, manager, capacity=size)
    for n in range(size):
        person = make_person(org, f"Roster {n}", Role.REP, team=teams["east_ent"], manager=manager)
        services.enrol(session=session, person=person, actor=person.user)
    client = client_for(manager)
    client.get(f"/learning/sessions/{session.pk}/")

    with django_assert_max_num_queries(24):
        page = client.get(f"/learning/sessions/{session.pk}/")

    assert page.status_code == 200
    assert "Roster 1" in page.content.decode()


def test_upcoming_and_training_sessions_list_places_taken(company_training, admin, manager, rep):
    session = _session(company_training, admin, manager, capacity=1)
    services.enrol(session=session, person=rep, actor=rep.user)

    upcoming = client_for(rep).get("/learning/sessions/").content.decode()
    per_training = (
        client_for(rep).get(f"/learning/trainings/{company_training.pk}/sessions/").content.decode()
    )

    for page in (upcoming, per_training):
        assert "1 of 1" in page
        assert "Full" in page
        assert "Enrolled" in page
