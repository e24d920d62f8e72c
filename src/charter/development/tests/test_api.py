"""The development API: the same rules as the pages, and bad input as 400s naming the field."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from charter.conftest import client_for
from charter.development.models import Meeting, MentorRequest, Mentorship, ProgressUpdate

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("everyone")]
JSON = "application/json"


def test_request_and_accept_through_the_api(rep, other_manager, omar_offer):
    made = client_for(rep).post(
        "/api/v1/development/requests/",
        {"offer": omar_offer.pk, "goals": "Hiring"},
        content_type=JSON,
    )
    assert made.status_code == 201
    pk = made.json()["id"]
    assert (
        client_for(rep)
        .post(f"/api/v1/development/requests/{pk}/answer/", {"accept": True}, content_type=JSON)
        .status_code
        == 403
    )
    answer = client_for(other_manager).post(
        f"/api/v1/development/requests/{pk}/answer/",
        {"accept": True, "starts_on": "2026-02-01", "ends_on": "2026-06-30"},
        content_type=JSON,
    )
    assert answer.status_code == 200
    assert MentorRequest.objects.get().status == "accepted"
    assert Mentorship.objects.get().status == "active"


def test_pairing_bad_input_names_the_field(admin, rep, manager):
    client = client_for(admin)
    base = {"goals": "x", "starts_on": "2026-02-01", "ends_on": "2026-06-30"}
    same = client.post(
        "/api/v1/development/mentorships/",
        {**base, "mentor": rep.pk, "mentee": rep.pk},
        content_type=JSON,
    )
    assert same.status_code == 400
    assert "mentee" in same.json()
    backwards = client.post(
        "/api/v1/development/mentorships/",
        {**base, "mentor": manager.pk, "mentee": rep.pk, "ends_on": "2026-01-01"},
        content_type=JSON,
    )
    assert backwards.status_code == 400
    assert "ends_on" in backwards.json()
    assert not Mentorship.objects.exists()


def test_a_mentee_of_another_organization_does_not_exist_for_the_api(admin, manager, globex):
    response = client_for(admin).post(
        "/api/v1/development/mentorships/",
        {"mentor": manager.pk, "mentee": globex["rep"].pk, "goals": "x",
         "starts_on": "2026-02-01", "ends_on": "2026-06-30"},
        content_type=JSON,
    )  # fmt: skip
    assert response.status_code == 400
    assert "mentee" in response.json()
    assert not Mentorship.objects.exists()


def test_meeting_log_through_the_api(rep2, manager, other_manager, admin, rep, mentorship):
    url = f"/api/v1/development/mentorships/{mentorship.pk}/meetings/"
    for reader in (rep2, manager, admin):
        notes = client_for(reader).get(url).json()
        assert [n["met_on"] for n in notes] == ["2026-01-12"]
        assert "<script>" not in notes[0]["notes_html"]
    assert client_for(other_manager).get(url).status_code == 403
    assert client_for(rep).get(url).status_code == 404
    with time_machine.travel(dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC), tick=False):
        logged = client_for(rep2).post(
            url, {"met_on": "2026-02-20", "notes": "Two"}, content_type=JSON
        )
    assert logged.status_code == 201
    assert Meeting.objects.count() == 2


def test_plans_and_goals_through_the_api(rep2, manager, admin, plan, goal):
    listed = client_for(manager).get(f"/api/v1/development/goals/?plan={plan.pk}").json()
    assert [g["title"] for g in listed] == ["Lead a demo"]
    assert client_for(admin).get("/api/v1/development/goals/").json() == []
    bad = client_for(rep2).post(
        f"/api/v1/development/goals/{goal.pk}/updates/",
        {"percent": 150, "text": "x"},
        content_type=JSON,
    )
    assert bad.status_code == 400
    assert "percent" in bad.json()
    assert not ProgressUpdate.objects.exists()
    good = client_for(rep2).post(
        f"/api/v1/development/goals/{goal.pk}/updates/",
        {"percent": 60, "text": "x"},
        content_type=JSON,
    )
    assert good.status_code == 201
    assert client_for(rep2).get(f"/api/v1/development/goals/{goal.pk}/").json()["percent"] == 60
    early = client_for(manager).post(
        "/api/v1/development/goals/",
        {"plan": plan.pk, "title": "Early", "target_on": "2025-06-01"},
        content_type=JSON,
    )
    assert early.status_code == 400
    assert "target_on" in early.json()


def test_goal_list_queries_stay_flat(rep2, plan, django_assert_max_num_queries):
    from charter.development.services.plans import goal_add

    for number in range(8):
        goal_add(plan=plan, actor=rep2.user, title=f"G{number}", target_on=dt.date(2026, 5, 1))
    client = client_for(rep2)
    with django_assert_max_num_queries(14):
        assert len(client.get("/api/v1/development/goals/").json()) == 8


def test_schema_lists_the_development_endpoints(rep):
    schema = client_for(rep).get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    paths = schema["paths"]
    for path in (
        "/api/v1/development/offers/", "/api/v1/development/requests/{id}/answer/",
        "/api/v1/development/mentorships/{id}/meetings/", "/api/v1/development/plans/",
        "/api/v1/development/goals/{id}/updates/", "/api/v1/development/goals/{id}/comments/",
    ):  # fmt: skip
        assert path in paths
