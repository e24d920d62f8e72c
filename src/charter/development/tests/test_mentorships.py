"""Mentorships through the pages: pairing rights, the request and answer flow, who reads the
meeting notes, and bad input refused field by field with nothing written."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from charter.conftest import client_for
from charter.core.models import AuditEvent
from charter.development.models import Meeting, MentorRequest, Mentorship
from charter.development.services.mentorships import offer_withdraw

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("everyone"),
]

NOW = dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC)


def _pair(mentor, mentee, **changes):
    return {
        "mentor": mentor.pk, "mentee": mentee.pk, "goals": "Forecasting",
        "starts_on": "2026-03-01", "ends_on": "2026-08-31", "cadence": "monthly", **changes,
    }  # fmt: skip


def test_manager_pairs_their_rep_with_a_listed_mentor(manager, rep, omar_offer, other_manager):
    response = client_for(manager).post("/development/mentorships/pair/", _pair(other_manager, rep))
    assert response.status_code == 302
    made = Mentorship.objects.get(mentee=rep)
    assert (made.mentor, made.status, made.created_by) == (other_manager, "proposed", manager.user)
    assert AuditEvent.objects.filter(action="development.mentorship.created").count() == 1


def test_manager_cannot_pair_an_unlisted_mentor_from_another_team(manager, rep, other_team_rep):
    response = client_for(manager).post(
        "/development/mentorships/pair/", _pair(other_team_rep, rep)
    )
    assert response.status_code == 200
    assert "mentor" in response.context["form"].errors
    assert not Mentorship.objects.exists()


def test_manager_cannot_pair_someone_outside_their_reach(other_manager, rep, other_team_rep):
    client = client_for(other_manager)
    response = client.post("/development/mentorships/pair/", _pair(other_team_rep, rep))
    assert "mentee" in response.context["form"].errors
    assert not Mentorship.objects.exists()


@pytest.mark.parametrize("who", ["rep", "executive"])
def test_reps_and_executives_do_not_pair(request, who, rep2, manager):
    person = request.getfixturevalue(who)
    response = client_for(person).post("/development/mentorships/pair/", _pair(manager, rep2))
    assert response.status_code == 403
    assert not Mentorship.objects.exists()


def test_mentor_cannot_be_the_mentee(admin, rep):
    response = client_for(admin).post("/development/mentorships/pair/", _pair(rep, rep))
    assert response.context["form"].errors["mentee"] == [
        "A person cannot mentor themselves: choose someone else."
    ]
    assert not Mentorship.objects.exists()


def test_end_before_start_is_a_field_error(admin, rep, manager):
    data = _pair(manager, rep, ends_on="2026-02-01")
    response = client_for(admin).post("/development/mentorships/pair/", data)
    assert "before the start" in response.context["form"].errors["ends_on"][0]
    assert not Mentorship.objects.exists()


def test_mentee_outside_the_organization_is_a_field_error(admin, manager, globex):
    response = client_for(admin).post(
        "/development/mentorships/pair/", _pair(manager, globex["rep"])
    )
    assert "mentee" in response.context["form"].errors
    assert not Mentorship.objects.exists()


def test_service_refuses_a_mentee_of_another_organization(org, admin, manager, globex):
    from django.core.exceptions import ValidationError

    from charter.development.services.mentorships import mentorship_create

    with pytest.raises(ValidationError) as caught:
        mentorship_create(
            org=org, actor=admin.user, mentor=manager, mentee=globex["rep"], goals="x",
            starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 2, 1),
        )  # fmt: skip
    assert caught.value.message_dict == {"mentee": ["The mentee is outside the organization."]}
    assert not Mentorship.objects.exists()


def test_request_then_accept_starts_an_active_mentorship(rep, other_manager, omar_offer):
    response = client_for(rep).post(
        f"/development/mentors/{omar_offer.pk}/ask/", {"goals": "Forecast a quarter."}
    )
    assert response.status_code == 302
    asked = MentorRequest.objects.get()
    assert (asked.mentee, asked.status) == (rep, "pending")
    # Rick sees it among his requests, Omar among those to answer.
    assert "Forecast a quarter." in client_for(other_manager).get("/development/").content.decode()
    # Rick cannot answer his own request: only the mentor asked.
    refused = client_for(rep).post(
        f"/development/requests/{asked.pk}/answer/", {"decision": "accept"}
    )
    assert refused.status_code == 403
    response = client_for(other_manager).post(
        f"/development/requests/{asked.pk}/answer/",
        {"decision": "accept", "starts_on": "2026-03-02", "ends_on": "2026-09-01",
         "cadence": "fortnightly"},
    )  # fmt: skip
    assert response.status_code == 302
    asked.refresh_from_db()
    made = asked.mentorship
    assert asked.status == "accepted"
    assert made is not None
    assert (made.mentor, made.mentee, made.status, made.cadence, made.goals) == (
        other_manager,
        rep,
        "active",
        "fortnightly",
        "Forecast a quarter.",
    )


def test_accepting_without_dates_names_them_and_writes_nothing(rep, other_manager, omar_offer):
    client_for(rep).post(f"/development/mentors/{omar_offer.pk}/ask/", {"goals": "Forecast."})
    asked = MentorRequest.objects.get()
    response = client_for(other_manager).post(
        f"/development/requests/{asked.pk}/answer/", {"decision": "accept", "cadence": "weekly"}
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"starts_on", "ends_on"}
    asked.refresh_from_db()
    assert asked.status == "pending"
    assert not Mentorship.objects.exists()


def test_decline_keeps_the_answer(rep, other_manager, omar_offer):
    client_for(rep).post(f"/development/mentors/{omar_offer.pk}/ask/", {"goals": "Forecast."})
    asked = MentorRequest.objects.get()
    client_for(other_manager).post(
        f"/development/requests/{asked.pk}/answer/",
        {"decision": "decline", "cadence": "monthly", "note": "Full this quarter."},
    )
    asked.refresh_from_db()
    assert (asked.status, asked.answer_note) == ("declined", "Full this quarter.")
    assert not Mentorship.objects.exists()


def test_a_mentor_cannot_be_asked_by_themselves(other_manager, omar_offer):
    response = client_for(other_manager).post(
        f"/development/mentors/{omar_offer.pk}/ask/", {"goals": "Me"}
    )
    assert response.status_code == 403
    assert not MentorRequest.objects.exists()


def test_withdrawn_offer_is_no_longer_listed_and_declines_what_waits(
    rep, other_manager, omar_offer
):
    client_for(rep).post(f"/development/mentors/{omar_offer.pk}/ask/", {"goals": "Forecast."})
    offer_withdraw(offer=omar_offer, actor=other_manager.user)
    assert MentorRequest.objects.get().status == "declined"
    assert "Omar Other" not in client_for(rep).get("/development/mentors/").content.decode()
    assert client_for(rep).get(f"/development/mentors/{omar_offer.pk}/ask/").status_code == 404


def test_offer_topics_are_normalised_and_listed(rep, omar_offer):
    assert omar_offer.topic_list == ["forecasting", "hiring"]
    page = client_for(rep).get("/development/mentors/?topic=hiring").content.decode()
    assert "Ask Omar Other" in page


# --- the meeting log ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["rep2", "other_team_rep", "manager", "executive", "admin"])
def test_meeting_notes_are_read_by_the_pair_the_mentees_managers_and_admins(
    request, who, mentorship
):
    page = client_for(request.getfixturevalue(who)).get(
        f"/development/mentorships/{mentorship.pk}/"
    )
    assert page.status_code == 200
    body = page.content.decode()
    assert "Secret kickoff notes" in body
    # Sanitised like expectations: the script tag never reaches the page.
    assert "<script>alert(1)</script>" not in body


def test_mentors_manager_sees_the_mentorship_but_not_the_notes(other_manager, mentorship):
    page = client_for(other_manager).get(f"/development/mentorships/{mentorship.pk}/")
    assert page.status_code == 200
    assert "Secret kickoff notes" not in page.content.decode()
    assert page.context["reads_meetings"] is False


@pytest.mark.parametrize("who", ["rep", "outside_executive"])
def test_others_do_not_find_the_mentorship(request, who, mentorship):
    client = client_for(request.getfixturevalue(who))
    assert client.get(f"/development/mentorships/{mentorship.pk}/").status_code == 404
    assert "Secret kickoff" not in client.get("/development/mentorships/").content.decode()


def test_the_pair_logs_meetings_and_nobody_else(rep2, manager, mentorship):
    url = f"/development/mentorships/{mentorship.pk}/"
    with time_machine.travel(NOW, tick=False):
        assert (
            client_for(manager).post(url, {"met_on": "2026-03-01", "notes": "x"}).status_code == 403
        )
        response = client_for(rep2).post(url, {"met_on": "2026-03-01", "notes": "Second"})
    assert response.status_code == 302
    assert Meeting.objects.filter(mentorship=mentorship).count() == 2


def test_a_meeting_in_the_future_or_before_the_start_is_refused(rep2, mentorship):
    url = f"/development/mentorships/{mentorship.pk}/"
    with time_machine.travel(NOW, tick=False):
        future = client_for(rep2).post(url, {"met_on": "2026-04-01", "notes": "x"})
        early = client_for(rep2).post(url, {"met_on": "2025-12-01", "notes": "x"})
    assert "in the future" in future.context["form"].errors["met_on"][0]
    assert "started on" in early.context["form"].errors["met_on"][0]
    assert Meeting.objects.filter(mentorship=mentorship).count() == 1


def test_status_moves_and_ending_early_needs_a_reason(rep2, other_manager, mentorship):
    url = f"/development/mentorships/{mentorship.pk}/status/"
    # The mentor's manager does not steer the mentee's mentorship.
    assert client_for(other_manager).post(url, {"status": "completed"}).status_code == 403
    client_for(rep2).post(url, {"status": "ended_early", "reason": ""})
    mentorship.refresh_from_db()
    assert mentorship.status == "active"
    client_for(rep2).post(url, {"status": "ended_early", "reason": "Changed role"})
    mentorship.refresh_from_db()
    assert (mentorship.status, mentorship.end_reason) == ("ended_early", "Changed role")


def test_a_proposed_pairing_is_confirmed_by_the_mentor_not_the_mentee(admin, rep, manager):
    client_for(admin).post("/development/mentorships/pair/", _pair(manager, rep))
    made = Mentorship.objects.get()
    url = f"/development/mentorships/{made.pk}/status/"
    assert client_for(rep).post(url, {"status": "active"}).status_code == 403
    client_for(manager).post(url, {"status": "active"})
    made.refresh_from_db()
    assert made.status == "active"
