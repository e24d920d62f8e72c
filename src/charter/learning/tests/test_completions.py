"""Completions: a person reports, their manager approves or sends back; bad input named."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError

from charter.conftest import client_for
from charter.core.models import AuditEvent
from charter.learning.models import Completion, Status
from charter.learning.services.completions import (
    completion_problems,
    completion_report,
    completion_review,
)
from charter.org.versions import data_version

TODAY = dt.date(2026, 5, 20)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 5, 20, 12, tzinfo=dt.UTC), tick=False):
        yield


def _report(person, training, **overrides):
    fields: dict[str, Any] = {"completed_on": dt.date(2026, 5, 18), "hours": "3"} | overrides
    return completion_report(person=person, actor=person.user, training=training, **fields)


def test_problems_of_one_completion_by_field():
    assert (
        completion_problems(
            completed_on=TODAY, hours=Decimal("24"), score=Decimal("100"), today=TODAY
        )
        == []
    )
    problems = completion_problems(
        completed_on=TODAY + dt.timedelta(days=1), hours=Decimal("0"), score=Decimal("101"),
        today=TODAY,
    )  # fmt: skip
    assert [field for field, _ in problems] == ["completed_on", "hours", "score"]
    over = completion_problems(completed_on=TODAY, hours=Decimal("24.25"), score=None, today=TODAY)
    assert over == [("hours", "24.25 hours is more than a day holds (24).")]
    negative = completion_problems(completed_on=TODAY, hours=Decimal("-2"), score=None, today=TODAY)
    assert [field for field, _ in negative] == ["hours"]


def test_rep_reports_a_completion_from_their_page(rep, company_training):
    response = client_for(rep).post(
        "/learning/",
        {"training": company_training.pk, "completed_on": "2026-05-19", "hours": "2.5",
         "score": "88", "note": "Great"},
    )  # fmt: skip
    assert response.status_code == 302
    completion = Completion.objects.get()
    assert completion.person == rep
    assert completion.status == Status.PENDING
    assert completion.hours == Decimal("2.5")
    assert AuditEvent.objects.filter(action="learning.completion.reported").count() == 1


def test_a_future_date_is_refused_and_named(rep, company_training):
    response = client_for(rep).post(
        "/learning/", {"training": company_training.pk, "completed_on": "2026-05-21", "hours": "1"}
    )
    assert response.status_code == 200
    assert "is in the future" in response.content.decode()
    assert not Completion.objects.exists()


@pytest.mark.parametrize("hours", ["0", "-1", "24.5"])
def test_absurd_hours_are_refused(rep, company_training, hours):
    with pytest.raises(ValidationError) as caught:
        _report(rep, company_training, hours=hours)
    assert list(caught.value.message_dict) == ["hours"]
    assert not Completion.objects.exists()


def test_a_day_holds_24_hours_across_completions(rep, company_training, team_training):
    _report(rep, company_training, hours="20")
    with pytest.raises(ValidationError) as caught:
        _report(rep, team_training, hours="4.5")
    assert "already has 20 hours" in caught.value.message_dict["hours"][0]
    _report(rep, team_training, hours="4")
    assert Completion.objects.count() == 2


def test_the_same_training_on_the_same_day_is_refused(rep, company_training):
    _report(rep, company_training)
    with pytest.raises(ValidationError) as caught:
        _report(rep, company_training, hours="1")
    assert "completed_on" in caught.value.message_dict


def test_a_retired_training_cannot_be_reported(rep, admin, company_training):
    from charter.learning.services.catalogue import training_update

    training_update(training=company_training, actor=admin.user, is_active=False)
    with pytest.raises(ValidationError):
        _report(rep, company_training)


def test_manager_approves_and_the_data_version_moves(rep, manager, company_training):
    completion = _report(rep, company_training)
    before = data_version(rep.org_id)
    response = client_for(manager).post(
        f"/learning/completions/{completion.pk}/review/", {"decision": "approve"}
    )
    assert response.status_code == 302
    completion.refresh_from_db()
    assert completion.status == Status.APPROVED
    assert completion.reviewed_by == manager.user
    assert data_version(rep.org_id) > before


def test_sending_back_needs_a_reason_then_the_rep_corrects_it(rep, manager, company_training):
    completion = _report(rep, company_training)
    with pytest.raises(ValidationError):
        completion_review(completion=completion, actor=manager.user, approve=False)
    client_for(manager).post(
        f"/learning/completions/{completion.pk}/review/",
        {"decision": "return", "review_note": "It was a 2-hour module"},
    )
    completion.refresh_from_db()
    assert completion.status == Status.RETURNED
    rep_page = client_for(rep).get("/learning/").content.decode()
    assert "It was a 2-hour module" in rep_page
    response = client_for(rep).post(
        f"/learning/completions/{completion.pk}/resubmit/",
        {"completed_on": "2026-05-18", "hours": "2"},
    )
    assert response.status_code == 302
    completion.refresh_from_db()
    assert completion.status == Status.PENDING
    assert completion.hours == Decimal("2")


def test_nobody_approves_their_own_or_outside_their_reach(
    rep, rep2, manager, other_manager, executive, company_training
):
    completion = _report(rep, company_training)
    for person, status in ((rep, 403), (rep2, 404), (other_manager, 404), (executive, 403)):
        response = client_for(person).post(
            f"/learning/completions/{completion.pk}/review/", {"decision": "approve"}
        )
        assert response.status_code == status, person
    own = _report(manager, company_training, completed_on=dt.date(2026, 5, 1))
    response = client_for(manager).post(
        f"/learning/completions/{own.pk}/review/", {"decision": "approve"}
    )
    assert response.status_code == 403
    assert set(Completion.objects.values_list("status", flat=True)) == {Status.PENDING}


def test_approvals_page_lists_the_managers_people_only(
    rep, other_team_rep, manager, company_training
):
    _report(rep, company_training)
    _report(other_team_rep, company_training)
    page = client_for(manager).get("/learning/approvals/").content.decode()
    assert "Rick Rep" in page
    assert "Olga Other" not in page
    assert client_for(rep).get("/learning/approvals/").status_code == 403


def test_a_record_is_read_by_whoever_reads_the_person(
    rep, rep2, manager, other_manager, company_training
):
    _report(rep, company_training)
    assert client_for(manager).get(f"/learning/people/{rep.pk}/").status_code == 200
    assert client_for(rep2).get(f"/learning/people/{rep.pk}/").status_code == 404
    assert client_for(other_manager).get(f"/learning/people/{rep.pk}/").status_code == 404


def test_executive_reports_their_own_learning(executive, company_training):
    response = client_for(executive).post(
        "/api/v1/learning/completions/",
        {"training": company_training.pk, "completed_on": "2026-05-19", "hours": "1"},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert Completion.objects.get().person == executive


def test_api_review_and_bad_hours(rep, manager, company_training):
    api = client_for(rep)
    bad = api.post(
        "/api/v1/learning/completions/",
        {"training": company_training.pk, "completed_on": "2026-05-19", "hours": "25"},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert "hours" in bad.json()
    made = api.post(
        "/api/v1/learning/completions/",
        {"training": company_training.pk, "completed_on": "2026-05-19", "hours": "2"},
        content_type="application/json",
    ).json()
    reviewed = client_for(manager).post(
        f"/api/v1/learning/completions/{made['id']}/review/",
        {"approve": True},
        content_type="application/json",
    )
    assert reviewed.json()["status"] == "approved"
    assert api.get("/api/v1/learning/completions/?status=approved").json()[0]["id"] == made["id"]


def test_an_id_past_64_bits_finds_nobody(rep, company_training):
    _report(rep, company_training)
    client = client_for(rep)
    huge = "99999999999999999999"
    assert client.get(f"/api/v1/learning/completions/?person={huge}").json() == []
    assert client.get(f"/api/v1/learning/compliance/?person={huge}").status_code == 404
    assert len(client.get(f"/api/v1/learning/completions/?person={rep.pk}").json()) == 1
