"""The person page and its actions: add, edit, invite, deactivate, reactivate, CRM aliases."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail

from charter.accounts.models import User
from charter.conftest import client_for, make_person
from charter.core.models import AuditEvent
from charter.org import services
from charter.org.models import Invitation, OwnerAlias, Person, Role


def url(person: Person, action: str = "") -> str:
    return f"/org/people/{person.pk}/{action + '/' if action else ''}"


def person_fields(person: Person) -> dict:
    person.refresh_from_db()
    return {
        "full_name": person.full_name,
        "email": person.email,
        "title": person.title,
        "role": person.role,
        "team": person.team_id,
        "manager": person.manager_id,
        "is_active": person.is_active,
    }


def edit_data(person: Person, **changes) -> dict:
    data = {
        "full_name": person.full_name,
        "email": person.email,
        "title": person.title,
        "role": person.role,
        "team": person.team_id or "",
        "manager": person.manager_id or "",
        "hire_date": person.hire_date.isoformat() if person.hire_date else "",
        "start_date": "",
        "leave_date": "",
    }
    data.update(changes)
    return data


# --- the page ---------------------------------------------------------------------------------


def test_person_page_shows_the_record(everyone, teams):
    rep = everyone["rep"]
    body = client_for(everyone["admin"]).get(url(rep)).content.decode()
    assert "Rick Rep" in body
    assert "rick.rep@acme.test" in body
    assert f'href="/org/teams/{teams["east_ent"].pk}/"' in body
    assert f'href="/org/people/{everyone["manager"].pk}/"' in body
    assert "1 Mar 2022" in body
    assert "Has a login" in body


def test_login_status_reads_invited_on_date_not_yet_accepted(everyone, org):
    newbie = make_person(org, "Nina New", Role.REP, login=False)
    client = client_for(everyone["admin"])
    assert "No login" in client.get(url(newbie)).content.decode()
    services.person_invite(person=newbie, actor=everyone["admin"].user)
    invited_on = Invitation.objects.get(person=newbie).created_at
    body = client.get(url(newbie)).content.decode()
    assert f"Invited on {invited_on:%-d %b %Y}, not yet accepted" in body


def test_direct_reports_are_listed(everyone):
    body = client_for(everyone["admin"]).get(url(everyone["manager"])).content.decode()
    assert "Direct reports" in body
    assert f'href="{url(everyone["rep"])}"' in body
    assert f'href="{url(everyone["rep2"])}"' in body


def test_rep_opens_their_own_page_without_a_link_to_a_manager_they_cannot_open(everyone):
    response = client_for(everyone["rep"]).get(url(everyone["rep"]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Mona Manager" in body
    assert f'href="{url(everyone["manager"])}"' not in body
    assert "Edit</a>" not in body
    assert "Send invitation" not in body


def test_rep_cannot_open_another_reps_page(everyone):
    assert client_for(everyone["rep"]).get(url(everyone["rep2"])).status_code == 404


def test_manager_opens_a_report_but_not_another_teams_person(everyone):
    manager = client_for(everyone["manager"])
    assert manager.get(url(everyone["rep"])).status_code == 200
    assert manager.get(url(everyone["other_team_rep"])).status_code == 404
    assert manager.get(url(everyone["executive"])).status_code == 404


def test_unknown_person_is_404(everyone):
    assert client_for(everyone["admin"]).get("/org/people/99999/").status_code == 404


def test_history_shows_what_changed_in_words(everyone, teams):
    rep = everyone["rep"]
    services.person_update(
        person=rep, actor=everyone["admin"].user, title="Senior AE", team=teams["west_mm"]
    )
    body = client_for(everyone["manager"]).get(url(rep)).content.decode()
    assert "Recent changes" in body
    assert "ada.admin@acme.test</strong> changed" in body
    assert "<del>East Enterprise</del> → <ins>West Mid-Market</ins>" in body
    assert "<ins>Senior AE</ins>" in body


def test_history_is_not_shown_to_people_who_may_not_read_it(everyone):
    # An executive reads the record; only admins, managers above and the person see changes.
    services.person_update(person=everyone["rep"], actor=everyone["admin"].user, title="AE II")
    body = client_for(everyone["rep"]).get(url(everyone["rep"])).content.decode()
    assert "AE II" in body  # own history
    other = make_person(everyone["rep"].org, "Otto Peer", Role.REP, manager=everyone["manager"])
    assert client_for(other).get(url(everyone["rep"])).status_code == 404


# --- add a person -------------------------------------------------------------------------------


def test_admin_adds_a_person(everyone, teams):
    client = client_for(everyone["admin"])
    form = client.get("/org/people/new/")
    token = form.context["form"].initial["submission"]
    response = client.post(
        "/org/people/new/",
        {
            "submission": token,
            "full_name": "Pat  Newhire",
            "email": "Pat@acme.test",
            "title": "AE",
            "role": "rep",
            "team": teams["east_ent"].pk,
            "manager": everyone["manager"].pk,
            "hire_date": "2026-03-02",
        },
    )
    pat = Person.objects.get(email="pat@acme.test")
    assert response.status_code == 302
    assert response["Location"] == url(pat)
    assert (pat.full_name, pat.team_id, pat.manager_id) == (
        "Pat Newhire",
        teams["east_ent"].pk,
        everyone["manager"].pk,
    )
    assert pat.start_date == dt.date(2026, 3, 2)
    assert AuditEvent.objects.filter(action="org.person.created", object_id=str(pat.pk)).exists()


def test_add_form_posted_twice_creates_one_person(everyone):
    client = client_for(everyone["admin"])
    token = client.get("/org/people/new/").context["form"].initial["submission"]
    data = {"submission": token, "full_name": "No Email Yet", "role": "rep"}
    first = client.post("/org/people/new/", data)
    second = client.post("/org/people/new/", data)
    assert Person.objects.filter(full_name="No Email Yet").count() == 1
    assert second.status_code == 302
    assert second["Location"] == first["Location"]


def test_adding_the_same_email_twice_is_refused_with_a_message(everyone):
    client = client_for(everyone["admin"])
    data = {"full_name": "Rick Again", "email": "RICK.REP@acme.test", "role": "rep"}
    response = client.post("/org/people/new/", data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "rick.rep@acme.test already belongs to someone else." in body
    assert 'aria-describedby="id_email_helptext id_email_error"' in body
    assert 'aria-invalid="true"' in body
    assert Person.objects.filter(email__iexact="rick.rep@acme.test").count() == 1


def test_add_form_names_every_bad_field(everyone):
    response = client_for(everyone["admin"]).post(
        "/org/people/new/",
        {"full_name": "", "email": "not-an-email", "role": "boss", "hire_date": "2026-02-30"},
    )
    errors = response.context["form"].errors
    assert set(errors) == {"full_name", "email", "role", "hire_date"}
    assert Person.objects.count() == 7


@pytest.mark.parametrize("persona", ["manager", "rep", "executive"])
def test_only_admins_may_add_people(everyone, persona):
    client = client_for(everyone[persona])
    assert client.get("/org/people/new/").status_code == 403
    response = client.post("/org/people/new/", {"full_name": "Sneaky", "role": "admin"})
    assert response.status_code == 403
    assert not Person.objects.filter(full_name="Sneaky").exists()


# --- edit ---------------------------------------------------------------------------------------


def test_admin_edits_every_field(everyone, teams):
    rep = everyone["rep"]
    data = edit_data(
        rep,
        full_name="Richard Rep",
        email="richard@acme.test",
        title="Team Lead",
        role="manager",
        team=teams["west_mm"].pk,
        manager=everyone["other_manager"].pk,
        start_date="2023-01-02",
    )
    response = client_for(everyone["admin"]).post(url(rep, "edit"), data)
    assert response.status_code == 302
    assert person_fields(rep) == {
        "full_name": "Richard Rep",
        "email": "richard@acme.test",
        "title": "Team Lead",
        "role": "manager",
        "team": teams["west_mm"].pk,
        "manager": everyone["other_manager"].pk,
        "is_active": True,
    }
    event = AuditEvent.objects.get(action="org.person.updated")
    assert isinstance(event.before, dict)
    assert isinstance(event.after, dict)
    assert (event.before["role"], event.after["role"]) == ("rep", "manager")
    assert event.after["team"] == teams["west_mm"].pk


def test_edit_form_shows_the_reporting_cycle_on_the_manager_field(everyone):
    manager = everyone["manager"]
    before = person_fields(manager)
    response = client_for(everyone["admin"]).post(
        url(manager, "edit"), edit_data(manager, manager=everyone["rep"].pk)
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Rick Rep reports to Mona Manager; that would make a reporting cycle." in body
    assert '<div class="error" id="id_manager_error">' in body
    assert person_fields(manager) == before


def test_edit_refuses_a_leave_date_before_the_start(everyone):
    rep = everyone["rep"]
    response = client_for(everyone["admin"]).post(
        url(rep, "edit"), edit_data(rep, leave_date="2020-01-01")
    )
    assert "cannot be before they started" in response.content.decode()
    rep.refresh_from_db()
    assert rep.leave_date is None


def test_saving_the_edit_form_twice_logs_one_change(everyone):
    rep = everyone["rep"]
    client = client_for(everyone["admin"])
    data = edit_data(rep, title="Closer")
    client.post(url(rep, "edit"), data)
    client.post(url(rep, "edit"), data)
    assert AuditEvent.objects.filter(action="org.person.updated").count() == 1


@pytest.mark.parametrize(
    ("persona", "target", "status"),
    [
        ("manager", "rep", 403),
        ("manager", "other_team_rep", 404),
        ("rep", "rep", 403),
        ("rep", "rep2", 404),
        ("executive", "rep", 403),
    ],
)
def test_only_admins_may_edit(everyone, persona, target, status):
    victim = everyone[target]
    before = person_fields(victim)
    client = client_for(everyone[persona])
    assert client.get(url(victim, "edit")).status_code == status
    response = client.post(url(victim, "edit"), edit_data(victim, role="admin", title="Boss"))
    assert response.status_code == status
    assert person_fields(victim) == before


# --- invite -------------------------------------------------------------------------------------


def test_manager_invites_a_report_and_the_email_goes_out(
    everyone, org, django_capture_on_commit_callbacks
):
    newbie = make_person(org, "Nina New", Role.REP, manager=everyone["manager"], login=False)
    client = client_for(everyone["manager"])
    page = client.get(url(newbie)).content.decode()
    assert "Send invitation" in page
    found = re.search(r'name="submission" value="([^"]+)"', page)
    assert found is not None
    token = found.group(1)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(newbie, "invite"), {"submission": token})
    assert response.status_code == 302
    newbie.refresh_from_db()
    assert newbie.user is not None
    assert not newbie.user.has_usable_password()
    assert [m.to for m in mail.outbox] == [["nina.new@acme.test"]]
    assert AuditEvent.objects.filter(action="org.person.invited").count() == 1


def test_invite_posted_twice_sends_one_invitation(
    everyone, org, django_capture_on_commit_callbacks
):
    newbie = make_person(org, "Nina New", Role.REP, manager=everyone["manager"], login=False)
    client = client_for(everyone["manager"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(newbie, "invite"), {"submission": "same-token"})
        second = client.post(url(newbie, "invite"), {"submission": "same-token"})
    assert second.status_code == 302
    assert Invitation.objects.filter(person=newbie).count() == 1
    assert len(mail.outbox) == 1


def test_invite_form_asks_an_admin_for_an_email_when_the_person_has_none(everyone, org):
    nameless = services.person_create(
        org=org, actor=None, full_name="No Mail", manager=everyone["manager"]
    )
    client = client_for(everyone["admin"])
    page = client.get(url(nameless)).content.decode()
    assert 'name="email"' in page
    missing = client.post(url(nameless, "invite"), {"email": ""})
    assert missing.status_code == 200
    assert "This field is required." in missing.content.decode()
    assert not Invitation.objects.exists()
    client.post(url(nameless, "invite"), {"email": "No.Mail@acme.test"})
    nameless.refresh_from_db()
    assert nameless.email == "no.mail@acme.test"
    assert Invitation.objects.get().email == "no.mail@acme.test"


def test_a_manager_is_not_asked_for_an_email_and_cannot_post_one(everyone, org):
    # The address is where reset links go: a manager who set it could sign in as their report.
    nameless = services.person_create(
        org=org, actor=None, full_name="No Mail", manager=everyone["manager"]
    )
    client = client_for(everyone["manager"])
    page = client.get(url(nameless)).content.decode()
    assert 'name="email"' not in page
    assert "an admin adds it" in page

    response = client.post(url(nameless, "invite"), {"email": "mine@evil.example"})

    assert response.status_code == 200
    assert "an admin adds it" in response.content.decode()
    nameless.refresh_from_db()
    assert nameless.email == ""
    assert nameless.user is None
    assert not Invitation.objects.exists()


def test_invite_with_an_email_someone_else_has_is_refused(everyone, org):
    nameless = services.person_create(org=org, actor=None, full_name="No Mail")
    response = client_for(everyone["admin"]).post(
        url(nameless, "invite"), {"email": "rick.rep@acme.test"}
    )
    assert "already belongs to someone else" in response.content.decode()
    nameless.refresh_from_db()
    assert nameless.email == ""
    assert not Invitation.objects.exists()


def test_inviting_someone_who_signs_in_already_explains_why_not(everyone):
    response = client_for(everyone["admin"]).post(url(everyone["rep"], "invite"))
    assert "already signs in" in response.content.decode()
    assert not Invitation.objects.exists()


@pytest.mark.parametrize(
    ("persona", "target", "status"),
    [
        ("rep", "rep", 403),
        ("rep", "rep2", 404),
        ("executive", "newbie", 403),
        ("other_manager", "newbie", 404),
        ("manager", "manager", 403),
    ],
)
def test_who_may_not_invite(everyone, org, persona, target, status):
    people = {**everyone, "newbie": make_person(org, "Nina New", Role.REP, login=False)}
    Person.objects.filter(pk=people["newbie"].pk).update(manager=everyone["manager"])
    victim = people[target]
    response = client_for(everyone[persona]).post(url(victim, "invite"), {"email": "x@acme.test"})
    assert response.status_code == status
    assert not Invitation.objects.exists()
    assert len(mail.outbox) == 0


# --- deactivate / reactivate ----------------------------------------------------------------------


def test_admin_deactivates_after_confirming(everyone):
    rep = everyone["rep"]
    client = client_for(everyone["admin"])
    confirm = client.get(url(rep, "deactivate")).content.decode()
    assert "Their login is closed at once." in confirm
    response = client.post(url(rep, "deactivate"), {"leave_date": "2026-05-31"})
    assert response.status_code == 302
    rep.refresh_from_db()
    assert not rep.is_active
    assert rep.leave_date == dt.date(2026, 5, 31)
    assert not User.objects.get(pk=rep.user_id).is_active
    page = client.get(url(rep)).content.decode()
    assert "Left on 31 May 2026" in page
    assert "Reactivate" in page


def test_deactivating_a_manager_with_reports_is_refused_clearly(everyone):
    manager = everyone["manager"]
    client = client_for(everyone["admin"])
    confirm = client.get(url(manager, "deactivate")).content.decode()
    assert "still manages 2 active people" in confirm
    assert "Deactivate Mona</button>" not in confirm
    response = client.post(url(manager, "deactivate"))
    assert response.status_code == 200
    assert "still manages 2 active people" in response.content.decode()
    manager.refresh_from_db()
    assert manager.is_active


def test_admin_is_not_offered_to_deactivate_themselves(everyone):
    admin = everyone["admin"]
    client = client_for(admin)
    assert "Deactivate" not in client.get(url(admin)).content.decode()
    response = client.post(url(admin, "deactivate"))
    assert "You cannot deactivate yourself." in response.content.decode()
    admin.refresh_from_db()
    assert admin.is_active


def test_admin_reactivates(everyone):
    rep = everyone["rep"]
    services.person_deactivate(person=rep, actor=everyone["admin"].user)
    client = client_for(everyone["admin"])
    assert client.get(url(rep, "reactivate")).status_code == 405
    assert client.post(url(rep, "reactivate")).status_code == 302
    rep.refresh_from_db()
    assert rep.is_active
    assert User.objects.get(pk=rep.user_id).is_active


@pytest.mark.parametrize(
    ("persona", "target", "status"),
    [("manager", "rep", 403), ("executive", "rep", 403), ("rep", "rep2", 404)],
)
def test_who_may_not_deactivate_or_reactivate(everyone, persona, target, status):
    victim = everyone[target]
    client = client_for(everyone[persona])
    assert client.post(url(victim, "deactivate")).status_code == status
    victim.refresh_from_db()
    assert victim.is_active
    services.person_deactivate(person=victim, actor=everyone["admin"].user)
    assert client.post(url(victim, "reactivate")).status_code == status
    victim.refresh_from_db()
    assert not victim.is_active


# --- CRM owner aliases --------------------------------------------------------------------------


def test_admin_adds_and_removes_an_alias(everyone):
    rep = everyone["rep"]
    client = client_for(everyone["admin"])
    response = client.post(
        url(rep, "aliases"), {"kind": "crm_id", "value": " 005XX ", "source": "salesforce"}
    )
    assert response.status_code == 302
    alias = OwnerAlias.objects.get(person=rep)
    assert (alias.kind, alias.value, alias.source) == ("crm_id", "005xx", "salesforce")
    assert "005xx" in client.get(url(rep)).content.decode()
    client.post(url(rep, f"aliases/{alias.pk}/remove"))
    assert not OwnerAlias.objects.exists()
    assert AuditEvent.objects.filter(action="org.owner_alias.removed").count() == 1


def test_alias_taken_by_someone_else_is_refused_with_a_message(everyone):
    services.owner_alias_add(person=everyone["rep2"], actor=None, kind="name", value="R. Rep")
    response = client_for(everyone["admin"]).post(
        url(everyone["rep"], "aliases"), {"kind": "name", "value": "r. rep"}
    )
    assert response.status_code == 400
    assert "&#x27;r. rep&#x27; already points at Rita Rep." in response.content.decode()
    assert OwnerAlias.objects.get().person == everyone["rep2"]


def test_alias_of_another_person_cannot_be_removed_through_this_person(everyone):
    alias = services.owner_alias_add(person=everyone["rep2"], actor=None, kind="name", value="x")
    response = client_for(everyone["admin"]).post(
        url(everyone["rep"], f"aliases/{alias.pk}/remove")
    )
    assert response.status_code == 404
    assert OwnerAlias.objects.filter(pk=alias.pk).exists()


@pytest.mark.parametrize(
    ("persona", "status"), [("manager", 403), ("executive", 403), ("rep", 403)]
)
def test_only_admins_change_aliases(everyone, persona, status):
    rep = everyone["rep"]
    alias = services.owner_alias_add(person=rep, actor=None, kind="name", value="rick r")
    client = client_for(everyone[persona])
    assert client.post(url(rep, "aliases"), {"kind": "name", "value": "y"}).status_code == status
    assert client.post(url(rep, f"aliases/{alias.pk}/remove")).status_code == status
    assert list(OwnerAlias.objects.values_list("value", flat=True)) == ["rick r"]
    assert "Add alias" not in client.get(url(rep)).content.decode()
