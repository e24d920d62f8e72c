"""Sessions through their services: scheduling and its bad input, capacity and the waiting
list (two cancellations at once promote two people, in arrival order), and attendance writing
an approved completion whose hours reach the training-hours rollup in the same transaction."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.db.models import Sum
from django.utils import timezone

from charter.conftest import make_person
from charter.kpis.models import ContributedMetrics
from charter.learning.metrics import HOURS_SCALE, TRAINING_HOURS
from charter.learning.models import (
    Attendance,
    Completion,
    Enrolment,
    EnrolmentStatus,
    Source,
    Status,
    Training,
    TrainingSession,
)
from charter.learning.services import sessions as services
from charter.learning.services.catalogue import training_create
from charter.org.models import Role

NOW = timezone.now().replace(microsecond=0)


def schedule(training: Any, actor: Any, facilitator: Any, **overrides: Any) -> TrainingSession:
    values: dict[str, Any] = {
        "starts_at": NOW + dt.timedelta(days=3),
        "ends_at": NOW + dt.timedelta(days=3, hours=2),
        "time_zone": "Europe/Paris",
        "location": "Paris office, room 2",
        "capacity": 2,
        "facilitator": facilitator,
    }
    values.update(overrides)
    return services.session_create(actor=actor.user, training=training, **values)


def kpi_hours(person: Any) -> Decimal:
    total = ContributedMetrics.objects.filter(person=person, metric=TRAINING_HOURS).aggregate(
        total=Sum("value")
    )["total"]
    return Decimal(total or 0) / HOURS_SCALE


@pytest.fixture
def people(org, teams, manager):
    return [
        make_person(org, f"Person {n}", Role.REP, team=teams["east_ent"], manager=manager)
        for n in "ABCDE"
    ]


# --- scheduling ------------------------------------------------------------------------------


def test_bad_input_names_the_field_and_writes_nothing(company_training, admin, manager):
    cases: dict[str, dict[str, Any]] = {
        "ends_at": {"ends_at": NOW + dt.timedelta(days=2)},
        "time_zone": {"time_zone": "Mars/Olympus"},
        "capacity": {"capacity": 0},
        "location": {"location": "", "video_link": ""},
    }
    for field, overrides in cases.items():
        with pytest.raises(ValidationError) as caught:
            schedule(company_training, admin, manager, **overrides)
        assert field in caught.value.message_dict, field
    assert not TrainingSession.objects.exists()


def test_a_path_is_not_a_time_zone(company_training, admin, manager):
    with pytest.raises(ValidationError) as caught:
        schedule(company_training, admin, manager, time_zone="../../etc/passwd")
    assert "time_zone" in caught.value.message_dict


# --- capacity and the waiting list --------------------------------------------------------------


def test_places_then_the_waiting_list_in_arrival_order(company_training, admin, manager, people):
    session = schedule(company_training, admin, manager)
    got = [services.enrol(session=session, person=p, actor=p.user) for p in people[:4]]

    assert [e.status for e in got] == ["enrolled", "enrolled", "waitlisted", "waitlisted"]
    assert [e.queue for e in got] == [1, 2, 3, 4]
    with pytest.raises(ValidationError) as caught:
        services.enrol(session=session, person=people[0], actor=people[0].user)
    assert "already enrolled" in caught.value.message_dict["person"][0]


def test_a_manager_cannot_force_a_place_in_a_full_session(company_training, admin, manager, people):
    session = schedule(company_training, admin, manager, capacity=1)
    services.enrol(session=session, person=people[0], actor=people[0].user)

    with pytest.raises(ValidationError) as caught:
        services.enrol(session=session, person=people[1], actor=manager.user, by_manager=True)

    assert "full (1 of 1 places)" in caught.value.message_dict["capacity"][0]
    assert not Enrolment.objects.filter(person=people[1]).exists()


def test_no_enrolment_in_a_past_or_cancelled_session(company_training, admin, manager, people):
    past = schedule(
        company_training, admin, manager,
        starts_at=NOW - dt.timedelta(days=2), ends_at=NOW - dt.timedelta(days=2, hours=-2),
    )  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        services.enrol(session=past, person=people[0], actor=people[0].user)
    assert "already started" in caught.value.message_dict["session"][0]

    future = schedule(company_training, admin, manager)
    services.session_cancel(session=future, actor=admin.user)
    with pytest.raises(ValidationError):
        services.enrol(session=future, person=people[0], actor=people[0].user)
    assert not Enrolment.objects.exists()


def test_cancelling_promotes_the_first_waiting_and_re_enrolling_queues_at_the_back(
    company_training, admin, manager, people
):
    session = schedule(company_training, admin, manager)
    a = services.enrol(session=session, person=people[0], actor=people[0].user)
    for p in people[1:4]:
        services.enrol(session=session, person=p, actor=p.user)

    services.enrolment_cancel(enrolment=a, actor=people[0].user)
    again = services.enrol(session=session, person=people[0], actor=people[0].user)

    statuses = dict(Enrolment.objects.values_list("person__full_name", "status"))
    assert statuses == {
        "Person A": "waitlisted", "Person B": "enrolled", "Person C": "enrolled",
        "Person D": "waitlisted",
    }  # fmt: skip
    assert again.pk == a.pk
    assert again.queue == 5
    assert again.sequence == 2  # enrolled, cancelled, enrolled again: one UID, three versions


def test_more_places_move_people_up_and_fewer_than_taken_is_refused(
    company_training, admin, manager, people
):
    session = schedule(company_training, admin, manager)
    for p in people[:4]:
        services.enrol(session=session, person=p, actor=p.user)

    with pytest.raises(ValidationError) as caught:
        services.session_update(session=session, actor=admin.user, capacity=1)
    assert "capacity" in caught.value.message_dict

    services.session_update(session=session, actor=admin.user, capacity=3)
    enrolled = Enrolment.objects.filter(status=EnrolmentStatus.ENROLLED)
    assert sorted(enrolled.values_list("person__full_name", flat=True)) == [
        "Person A", "Person B", "Person C",
    ]  # fmt: skip
    session.refresh_from_db()
    assert session.sequence == 1


@pytest.mark.django_db(transaction=True)
def test_two_cancellations_at_once_promote_exactly_two_in_order(org, teams, manager, admin):
    """On PostgreSQL the two cancellations run in two threads released together: without the
    session's row lock each would count the places before the other's commit and both would
    promote the same person. SQLite writes one at a time whatever the code does, so there they
    run one after the other and check the queue's order."""
    people = [
        make_person(org, f"Person {n}", Role.REP, team=teams["east_ent"], manager=manager)
        for n in "ABCDE"
    ]
    training = training_create(
        org=org, actor=admin.user, title="Cold calling", kind="course", expected_hours="2"
    )
    session = schedule(training, admin, manager)
    held = [services.enrol(session=session, person=p, actor=p.user) for p in people]

    def cancel(enrolment: Enrolment, start: threading.Barrier | None) -> None:
        try:
            if start is not None:
                start.wait(timeout=30)
            services.enrolment_cancel(enrolment=enrolment, actor=enrolment.person.user)
        finally:
            if start is not None:
                connections.close_all()

    if connection.vendor == "postgresql":
        start = threading.Barrier(2)
        threads = [threading.Thread(target=cancel, args=(e, start)) for e in held[:2]]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    else:
        for enrolment in held[:2]:
            cancel(enrolment, None)

    rows = Enrolment.objects.order_by("queue").values_list("person__full_name", "status")
    assert list(rows) == [
        ("Person A", "cancelled"), ("Person B", "cancelled"), ("Person C", "enrolled"),
        ("Person D", "enrolled"), ("Person E", "waitlisted"),
    ]  # fmt: skip


# --- attendance --------------------------------------------------------------------------------


@pytest.fixture
def held_session(company_training, admin, manager, rep):
    """A session that started an hour ago, with Rick enrolled (enrolled before it started)."""
    session = schedule(company_training, admin, manager, capacity=5)
    enrolment = services.enrol(session=session, person=rep, actor=rep.user)
    TrainingSession.objects.filter(pk=session.pk).update(
        starts_at=NOW - dt.timedelta(hours=3), ends_at=NOW - dt.timedelta(hours=1)
    )
    return Enrolment.objects.select_related("session__training").get(pk=enrolment.pk)


def test_attendance_is_refused_before_the_session_starts(company_training, admin, manager, rep):
    session = schedule(company_training, admin, manager)
    enrolment = services.enrol(session=session, person=rep, actor=rep.user)

    with pytest.raises(ValidationError) as caught:
        services.attendance_set(enrolment=enrolment, actor=manager.user, attendance="attended")

    assert "once the session starts" in caught.value.message_dict["attendance"][0]
    assert not Completion.objects.exists()


def test_attended_writes_an_approved_completion_and_the_kpi_hours_follow(
    held_session, manager, rep, org
):
    services.attendance_set(enrolment=held_session, actor=manager.user, attendance="attended")

    completion = Completion.objects.get(person=rep)
    session = held_session.session
    assert completion.status == Status.APPROVED
    assert completion.source == Source.SESSION
    assert completion.hours == Decimal("6")  # the training's expected hours
    assert completion.completed_on == session.ends_at.astimezone(ZoneInfo("Europe/Paris")).date()
    assert kpi_hours(rep) == Decimal("6")

    services.attendance_set(enrolment=held_session, actor=manager.user, attendance="no_show")

    assert not Completion.objects.exists()
    assert kpi_hours(rep) == Decimal("0")
    held_session.refresh_from_db()
    assert held_session.attendance == Attendance.NO_SHOW
    assert held_session.completion is None


def test_a_training_without_hours_counts_the_session_length(org, admin, manager, rep):
    training = training_create(
        org=org, actor=admin.user, title="Open forum", kind="instructor_led", expected_hours="1"
    )
    # The catalogue asks for hours today; trainings from before it may hold none.
    Training.objects.filter(pk=training.pk).update(expected_hours=0)
    training.refresh_from_db()
    session = schedule(training, admin, manager, ends_at=NOW + dt.timedelta(days=3, minutes=90))
    enrolment = services.enrol(session=session, person=rep, actor=rep.user)
    TrainingSession.objects.filter(pk=session.pk).update(
        starts_at=NOW - dt.timedelta(hours=2), ends_at=NOW - dt.timedelta(minutes=30)
    )

    services.attendance_set(enrolment=enrolment, actor=manager.user, attendance="attended")

    assert Completion.objects.get(person=rep).hours == Decimal("1.5")
    assert kpi_hours(rep) == Decimal("1.5")


def test_an_existing_self_report_of_that_day_is_approved_not_doubled(held_session, manager, rep):
    from charter.learning.services.completions import completion_report

    session = held_session.session
    day = session.ends_at.astimezone(ZoneInfo("Europe/Paris")).date()
    completion_report(
        person=rep, actor=rep.user, training=session.training, completed_on=day, hours="2"
    )

    services.attendance_set(enrolment=held_session, actor=manager.user, attendance="attended")

    completion = Completion.objects.get(person=rep)
    assert (completion.status, completion.hours) == (Status.APPROVED, Decimal("6"))
    assert kpi_hours(rep) == Decimal("6")
