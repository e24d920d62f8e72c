"""The people endpoints: what each role may read and change, and what bad input gets back."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from charter.accounts.models import LoginEmailChange
from charter.conftest import make_person
from charter.core.models import AuditEvent
from charter.org import services
from charter.org.models import Invitation, Person, Role

PEOPLE = "/api/v1/people/"


def _url(person: Person, action: str = "") -> str:
    return f"{PEOPLE}{person.pk}/" + (f"{action}/" if action else "")


def _names(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["full_name"] for row in response.json()["results"]}


# --- list and filters -------------------------------------------------------------------


def test_list_filters_by_team_including_teams_below_it(api_for, everyone, teams):
    client = api_for(everyone["admin"])
    east = _names(client.get(PEOPLE, {"team": teams["east"].pk}))
    assert east == {"Mona Manager", "Rick Rep", "Rita Rep"}
    assert _names(client.get(PEOPLE, {"team": teams["west_mm"].pk})) == {
        "Omar Other",
        "Olga Other",
    }


def test_list_filters_by_role_activity_and_words(api_for, everyone):
    client = api_for(everyone["admin"])
    assert _names(client.get(PEOPLE, {"role": "manager"})) == {"Mona Manager", "Omar Other"}
    assert _names(client.get(PEOPLE, {"q": "rita"})) == {"Rita Rep"}
    Person.objects.filter(pk=everyone["rep2"].pk).update(is_active=False)
    assert _names(client.get(PEOPLE, {"active": "false"})) == {"Rita Rep"}
    assert "Rita Rep" not in _names(client.get(PEOPLE, {"active": "true"}))
    assert "Rita Rep" in _names(client.get(PEOPLE))


def test_list_output_has_the_documented_fields(api_for, everyone):
    row = next(
        r
        for r in api_for(everyone["admin"]).get(PEOPLE, {"q": "Rick"}).json()["results"]
        if r["full_name"] == "Rick Rep"
    )
    assert row["team_name"] == "East Enterprise"
    assert row["manager_name"] == "Mona Manager"
    assert row["role"] == "rep"
    assert row["has_login"] is True
    assert row["hire_date"] == "2022-03-01"


def test_list_refuses_bad_filters(api_for, everyone, teams):
    client = api_for(everyone["admin"])
    response = client.get(PEOPLE, {"role": "boss"})
    assert response.status_code == 400
    assert "role" in response.json()
    assert client.get(PEOPLE, {"active": "maybe"}).status_code == 400
    assert client.get(PEOPLE, {"team": "abc"}).status_code == 400


def test_a_team_out_of_reach_is_an_unknown_filter(api_for, everyone, teams):
    response = api_for(everyone["rep"]).get(PEOPLE, {"team": teams["west_mm"].pk})
    assert response.status_code == 400
    assert "team" in response.json()


def test_anonymous_cannot_list_or_read_people(everyone, api_for):
    client = api_for(None)
    assert client.get(PEOPLE).status_code == 401
    assert client.get(_url(everyone["rep"])).status_code == 401


def _assert_list_queries_stay_flat(client, add_seven, assert_max_num_queries) -> None:
    client.get(PEOPLE)  # the first use of a token also records when it was used
    with CaptureQueriesContext(connection) as with_three:
        response = client.get(PEOPLE)
    assert response.json()["count"] == 3
    add_seven()
    with assert_max_num_queries(len(with_three.captured_queries)):
        response = client.get(PEOPLE)
    assert response.json()["count"] == 10
    assert len(response.json()["results"]) == 10


def test_admin_list_queries_do_not_grow_with_the_number_of_people(
    api_for, admin, org, teams, django_assert_max_num_queries
):
    for name in ("Paul Two", "Paula Three"):
        make_person(org, name, Role.REP, team=teams["east_ent"], manager=admin)

    def add_seven() -> None:
        for number in range(7):
            make_person(org, f"Extra Person{number}", Role.REP, team=teams["west_mm"])

    _assert_list_queries_stay_flat(api_for(admin), add_seven, django_assert_max_num_queries)


def test_manager_list_queries_do_not_grow_with_the_number_of_people(
    api_for, manager, rep, rep2, org, teams, django_assert_max_num_queries
):
    def add_seven() -> None:
        for number in range(7):
            make_person(org, f"Extra Person{number}", Role.REP, team=teams["east_ent"], manager=rep)

    _assert_list_queries_stay_flat(api_for(manager), add_seven, django_assert_max_num_queries)


# --- retrieve ---------------------------------------------------------------------------


def test_manager_reads_their_rep_but_not_another_team(api_for, everyone):
    client = api_for(everyone["manager"])
    assert client.get(_url(everyone["rep"])).json()["full_name"] == "Rick Rep"
    assert client.get(_url(everyone["other_team_rep"])).status_code == 404


def test_rep_reads_only_themselves(api_for, everyone):
    client = api_for(everyone["rep"])
    assert client.get(_url(everyone["rep"])).status_code == 200
    assert client.get(_url(everyone["rep2"])).status_code == 404
    assert client.get(_url(everyone["manager"])).status_code == 404


def test_me_is_the_callers_person(api_for, everyone):
    body = api_for(everyone["manager"]).get("/api/v1/me/").json()
    assert body["full_name"] == "Mona Manager"
    assert body["manager_name"] == "Eve Exec"


def test_anonymous_has_no_me(db, api_for):
    assert api_for(None).get("/api/v1/me/").status_code == 401


# --- create -----------------------------------------------------------------------------


def test_admin_creates_a_person(api_for, everyone, teams):
    response = api_for(everyone["admin"]).post(
        PEOPLE,
        {
            "full_name": "  Nadia   New ",
            "email": "Nadia.New@acme.test",
            "title": "Account Executive",
            "role": "rep",
            "team": teams["east_ent"].pk,
            "manager": everyone["manager"].pk,
            "hire_date": "2024-05-06",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    person = Person.objects.get(pk=response.json()["id"])
    assert person.full_name == "Nadia New"
    assert person.email == "nadia.new@acme.test"
    assert person.manager == everyone["manager"]
    assert person.start_date == dt.date(2024, 5, 6)
    assert person.user is None
    event = AuditEvent.objects.get(action="org.person.created", object_id=str(person.pk))
    assert event.actor == everyone["admin"].user


@pytest.mark.parametrize("role", ["rep", "manager", "executive"])
def test_only_admins_create_people(api_for, everyone, role):
    response = api_for(everyone[role]).post(PEOPLE, {"full_name": "Not Allowed"}, format="json")
    assert response.status_code == 403
    assert not Person.objects.filter(full_name="Not Allowed").exists()


def test_anonymous_cannot_create_people(db, api_for):
    assert api_for(None).post(PEOPLE, {"full_name": "Nobody"}, format="json").status_code == 401
    assert not Person.objects.filter(full_name="Nobody").exists()


def test_service_validation_becomes_a_400_naming_the_field(api_for, everyone):
    response = api_for(everyone["admin"]).post(
        PEOPLE, {"full_name": "Clone", "email": everyone["rep"].email}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "email": [f"{everyone['rep'].email} already belongs to someone else."]
    }
    assert not Person.objects.filter(full_name="Clone").exists()


def test_create_refuses_unknown_fields_and_missing_names(api_for, everyone):
    client = api_for(everyone["admin"])
    response = client.post(PEOPLE, {"full_name": "Typo", "tittle": "CEO"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"tittle": ["Unknown field."]}
    response = client.post(PEOPLE, {"email": "x@acme.test"}, format="json")
    assert response.status_code == 400
    assert "full_name" in response.json()
    response = client.post(PEOPLE, {"full_name": "X", "manager": 999999}, format="json")
    assert response.status_code == 400
    assert "manager" in response.json()
    assert Person.objects.filter(full_name__in=["Typo", "X"]).count() == 0


# --- update -----------------------------------------------------------------------------


def test_admin_patches_a_person_through_the_service(api_for, everyone, teams):
    rep = everyone["rep"]
    response = api_for(everyone["admin"]).patch(
        _url(rep),
        {
            "title": "Senior AE",
            "manager": everyone["other_manager"].pk,
            "team": teams["west_mm"].pk,
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    rep.refresh_from_db()
    assert rep.title == "Senior AE"
    assert rep.manager == everyone["other_manager"]
    assert rep.full_name == "Rick Rep"
    assert response.json()["team_name"] == "West Mid-Market"
    event = AuditEvent.objects.get(action="org.person.updated")
    assert event.after is not None
    assert set(event.after) == {"title", "manager", "team"}


def test_patch_refuses_a_reporting_cycle(api_for, everyone):
    response = api_for(everyone["admin"]).patch(
        _url(everyone["manager"]), {"manager": everyone["rep"].pk}, format="json"
    )
    assert response.status_code == 400
    assert "reporting cycle" in response.json()["manager"][0]
    everyone["manager"].refresh_from_db()
    assert everyone["manager"].manager == everyone["executive"]


@pytest.mark.parametrize("role", ["executive", "manager", "rep"])
def test_only_admins_patch_people(api_for, everyone, role):
    rep = everyone["rep"]
    response = api_for(everyone[role]).patch(_url(rep), {"title": "Changed"}, format="json")
    assert response.status_code == 403
    rep.refresh_from_db()
    assert rep.title == ""


def test_put_is_not_offered(api_for, everyone):
    response = api_for(everyone["admin"]).put(
        _url(everyone["rep"]), {"full_name": "X"}, format="json"
    )
    assert response.status_code == 405


# --- invite -----------------------------------------------------------------------------


def test_admin_invites_a_person_and_the_email_goes_out(
    api_for, everyone, org, django_capture_on_commit_callbacks
):
    newcomer = make_person(org, "Nick New", Role.REP, login=False)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(everyone["admin"]).post(_url(newcomer, "invite"), {}, format="json")
    assert response.status_code == 201, response.content
    invitation = Invitation.objects.get(person=newcomer)
    assert response.json()["id"] == invitation.pk
    assert response.json()["email"] == "nick.new@acme.test"
    assert mail.outbox[0].to == ["nick.new@acme.test"]


def test_manager_invites_someone_in_their_subtree(
    api_for, everyone, org, teams, django_capture_on_commit_callbacks
):
    newcomer = make_person(
        org, "Nell New", Role.REP, team=teams["east_ent"], manager=everyone["rep"], login=False
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(everyone["manager"]).post(
            _url(newcomer, "invite"), {"email": "Nell.New@acme.test"}, format="json"
        )
    assert response.status_code == 201, response.content
    assert Invitation.objects.filter(person=newcomer, invited_by=everyone["manager"].user).exists()
    assert mail.outbox[0].to == ["nell.new@acme.test"]


def _login_state(person) -> tuple:
    person.refresh_from_db()
    user = person.user
    if user is not None:
        user.refresh_from_db()
    return person.email, user.email if user else None, user.password if user else None


def test_a_manager_cannot_take_over_a_reports_login_through_an_invite(api_for, everyone):
    # The attack: the manager "invites" their report at an address the manager reads, then
    # asks for a reset link there. Refused, and nothing at all is written.
    rep = everyone["rep"]
    manager = api_for(everyone["manager"])
    before = _login_state(rep)
    audits = AuditEvent.objects.count()

    response = manager.post(_url(rep, "invite"), {"email": "attacker@evil.example"}, format="json")

    assert response.status_code == 403
    assert _login_state(rep) == before
    assert AuditEvent.objects.count() == audits
    assert not LoginEmailChange.objects.exists()
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_a_manager_cannot_redirect_a_pending_invitation(api_for, everyone, org, teams):
    invited = make_person(
        org,
        "Ivy Invited",
        Role.REP,
        team=teams["east_ent"],
        manager=everyone["manager"],
        login=False,
    )
    services.person_invite(person=invited, actor=everyone["admin"].user)
    before = _login_state(invited)

    response = api_for(everyone["manager"]).post(
        _url(invited, "invite"), {"email": "attacker@evil.example"}, format="json"
    )

    assert response.status_code == 403
    assert _login_state(invited) == before
    assert Invitation.objects.count() == 1


def test_an_admins_invite_of_someone_who_signs_in_changes_no_email(api_for, everyone):
    rep = everyone["rep"]
    before = _login_state(rep)

    response = api_for(everyone["admin"]).post(
        _url(rep, "invite"), {"email": "rick@new.test"}, format="json"
    )

    assert response.status_code == 400
    assert "already signs in" in response.json()["non_field_errors"][0]
    assert _login_state(rep) == before


def test_manager_cannot_invite_outside_their_subtree(api_for, everyone, org, teams):
    outsider = make_person(
        org,
        "Owen Outside",
        Role.REP,
        team=teams["west_mm"],
        manager=everyone["other_manager"],
        login=False,
    )
    client = api_for(everyone["manager"])
    assert client.post(_url(outsider, "invite"), {}, format="json").status_code == 404
    assert client.post(_url(everyone["manager"], "invite"), {}, format="json").status_code == 403
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("role", ["rep", "executive"])
def test_reps_and_executives_cannot_invite(api_for, everyone, role):
    response = api_for(everyone[role]).post(_url(everyone[role], "invite"), {}, format="json")
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_inviting_someone_who_already_signs_in_is_a_400(api_for, everyone):
    response = api_for(everyone["admin"]).post(_url(everyone["rep"], "invite"), {}, format="json")
    assert response.status_code == 400
    assert "already signs in" in response.json()["non_field_errors"][0]
    assert not Invitation.objects.exists()


# --- deactivate -------------------------------------------------------------------------


def test_admin_deactivates_a_person_and_closes_their_login(api_for, everyone):
    rep = everyone["rep"]
    response = api_for(everyone["admin"]).post(
        _url(rep, "deactivate"), {"leave_date": "2025-01-31"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["is_active"] is False
    rep.refresh_from_db()
    assert rep.is_active is False
    assert rep.leave_date == dt.date(2025, 1, 31)
    assert rep.user is not None
    assert rep.user.is_active is False


@pytest.mark.parametrize("role", ["manager", "rep", "executive"])
def test_only_admins_deactivate(api_for, everyone, role):
    rep = everyone["rep"]
    response = api_for(everyone[role]).post(_url(rep, "deactivate"), {}, format="json")
    assert response.status_code == 403
    rep.refresh_from_db()
    assert rep.is_active is True


def test_admin_cannot_deactivate_themselves(api_for, everyone):
    admin = everyone["admin"]
    response = api_for(admin).post(_url(admin, "deactivate"), {}, format="json")
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["You cannot deactivate yourself."]}
    admin.refresh_from_db()
    assert admin.is_active is True
