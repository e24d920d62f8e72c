"""Org services: what they refuse, what they write, and the audit row each one leaves."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from charter.accounts.models import User
from charter.conftest import PASSWORD, client_for, make_person
from charter.core.models import AuditEvent
from charter.org import services
from charter.org.models import Invitation, Organization, OwnerAlias, Person, Role, Team


def can_sign_in(email: str) -> bool:
    response = client_for(None).post("/accounts/login/", {"username": email, "password": PASSWORD})
    return response.status_code == 302


def audit_actions():
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


def test_reporting_cycle_is_refused(everyone):
    manager, rep = everyone["manager"], everyone["rep"]
    with pytest.raises(ValidationError) as exc:
        services.person_update(person=manager, actor=everyone["admin"].user, manager=rep)
    assert "reporting cycle" in exc.value.message_dict["manager"][0]
    manager.refresh_from_db()
    assert manager.manager_id == everyone["executive"].pk


def test_a_person_cannot_manage_themselves(everyone):
    rep = everyone["rep"]
    with pytest.raises(ValidationError):
        services.person_update(person=rep, actor=everyone["admin"].user, manager=rep)
    rep.refresh_from_db()
    assert rep.manager_id == everyone["manager"].pk


def test_long_reporting_cycle_is_refused(everyone, org):
    # executive → manager → rep → Tina; making Tina the executive's manager closes a loop.
    tina = make_person(org, "Tina Lead", Role.MANAGER, manager=everyone["rep"])
    with pytest.raises(ValidationError):
        services.person_update(
            person=everyone["executive"], actor=everyone["admin"].user, manager=tina
        )


def test_a_deactivated_manager_cannot_be_chosen(everyone, org):
    gone = make_person(org, "Gina Gone", Role.MANAGER)
    services.person_deactivate(person=gone, actor=everyone["admin"].user)
    with pytest.raises(ValidationError) as exc:
        services.person_update(person=everyone["rep"], actor=everyone["admin"].user, manager=gone)
    assert "deactivated" in exc.value.message_dict["manager"][0]


def test_team_parent_cycle_is_refused(everyone, teams):
    east, east_ent = teams["east"], teams["east_ent"]
    with pytest.raises(ValidationError) as exc:
        services.team_update(team=east, actor=everyone["admin"].user, name="East", parent=east_ent)
    assert "cannot move under it" in exc.value.message_dict["parent"][0]
    east.refresh_from_db()
    assert east.parent_id is None


def test_a_team_cannot_be_its_own_parent(everyone, teams):
    with pytest.raises(ValidationError) as exc:
        services.team_update(
            team=teams["west"], actor=everyone["admin"].user, name="West", parent=teams["west"]
        )
    assert "part of itself" in exc.value.message_dict["parent"][0]


def test_moving_a_team_under_another_branch_works_and_is_audited(everyone, teams):
    team = services.team_update(
        team=teams["east_ent"],
        actor=everyone["admin"].user,
        name="Enterprise",
        parent=teams["west"],
    )
    team.refresh_from_db()
    assert (team.name, team.parent_id) == ("Enterprise", teams["west"].pk)
    event = AuditEvent.objects.get(action="org.team.updated")
    assert event.before == {"name": "East Enterprise", "parent": teams["east"].pk}
    assert event.after == {"name": "Enterprise", "parent": teams["west"].pk}


def test_saving_a_team_unchanged_writes_nothing(everyone, teams):
    east = teams["east"]
    services.team_update(team=east, actor=everyone["admin"].user, name="East", parent=None)
    assert not AuditEvent.objects.filter(action="org.team.updated").exists()


def test_duplicate_team_name_is_refused_case_insensitively(everyone, org, teams):
    with pytest.raises(ValidationError) as exc:
        services.team_create(org=org, name="  east  ", actor=everyone["admin"].user)
    assert "already exists" in exc.value.message_dict["name"][0]
    assert Team.objects.filter(name__iexact="east").count() == 1


def test_duplicate_email_is_refused_case_insensitively(everyone, org):
    with pytest.raises(ValidationError) as exc:
        services.person_create(
            org=org, actor=everyone["admin"].user, full_name="Rick Two", email="RICK.Rep@ACME.test"
        )
    assert "already belongs" in exc.value.message_dict["email"][0]
    assert not Person.objects.filter(full_name="Rick Two").exists()


def test_changing_email_to_someone_elses_is_refused(everyone):
    rep2 = everyone["rep2"]
    with pytest.raises(ValidationError):
        services.person_update(
            person=rep2, actor=everyone["admin"].user, email="Rick.Rep@acme.test"
        )
    rep2.refresh_from_db()
    assert rep2.email == "rita.rep@acme.test"


def test_email_is_stored_lower_case_and_copied_to_the_login(everyone):
    rep = everyone["rep"]
    services.person_update(person=rep, actor=everyone["admin"].user, email="Rick@Example.COM")
    rep.refresh_from_db()
    assert rep.email == "rick@example.com"
    assert User.objects.get(pk=rep.user_id).email == "rick@example.com"


def test_an_admin_cannot_take_away_their_own_admin_role(everyone):
    admin = everyone["admin"]
    with pytest.raises(ValidationError) as exc:
        services.person_update(person=admin, actor=admin.user, role=Role.REP)
    assert "own admin role" in exc.value.message_dict["role"][0]
    admin.refresh_from_db()
    assert admin.role == Role.ADMIN


def test_nameless_person_is_refused(everyone, org):
    with pytest.raises(ValidationError) as exc:
        services.person_create(org=org, actor=everyone["admin"].user, full_name="   ")
    assert "full_name" in exc.value.message_dict


def test_deactivate_closes_the_login_and_keeps_history(everyone):
    rep, admin = everyone["rep"], everyone["admin"]
    services.person_update(person=rep, actor=admin.user, title="Account Executive")
    services.person_deactivate(person=rep, actor=admin.user, leave_date=dt.date(2026, 6, 30))
    rep.refresh_from_db()
    assert rep.is_active is False
    assert rep.leave_date == dt.date(2026, 6, 30)
    assert User.objects.get(pk=rep.user_id).is_active is False
    # The row and everything recorded about it stay.
    assert Person.objects.filter(pk=rep.pk).exists()
    assert list(
        AuditEvent.objects.filter(object_id=str(rep.pk), object_type="org.person")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["org.person.updated", "org.person.deactivated"]
    assert not can_sign_in(rep.email)


def test_deactivate_is_refused_while_they_manage_active_people(everyone):
    manager = everyone["manager"]
    with pytest.raises(ValidationError) as exc:
        services.person_deactivate(person=manager, actor=everyone["admin"].user)
    assert "Rick Rep" in exc.value.messages[0]
    assert "new manager" in exc.value.messages[0]
    manager.refresh_from_db()
    assert manager.is_active
    assert User.objects.get(pk=manager.user_id).is_active


def test_an_admin_cannot_deactivate_themselves(everyone):
    admin = everyone["admin"]
    with pytest.raises(ValidationError):
        services.person_deactivate(person=admin, actor=admin.user)
    admin.refresh_from_db()
    assert admin.is_active


def test_reactivate_opens_the_login_again(everyone):
    rep, admin = everyone["rep"], everyone["admin"]
    services.person_deactivate(person=rep, actor=admin.user)
    services.person_reactivate(person=rep, actor=admin.user)
    rep.refresh_from_db()
    assert rep.is_active
    assert rep.leave_date is None
    assert User.objects.get(pk=rep.user_id).is_active
    assert can_sign_in(rep.email)


def test_deactivating_twice_changes_nothing_the_second_time(everyone):
    rep, admin = everyone["rep"], everyone["admin"]
    services.person_deactivate(person=rep, actor=admin.user, leave_date=dt.date(2026, 1, 5))
    services.person_deactivate(person=rep, actor=admin.user, leave_date=dt.date(2026, 2, 5))
    rep.refresh_from_db()
    assert rep.leave_date == dt.date(2026, 1, 5)
    assert audit_actions().count("org.person.deactivated") == 1


def test_invite_creates_a_login_without_password_and_emails_the_link(
    everyone, org, django_capture_on_commit_callbacks
):
    newbie = make_person(org, "Nina New", Role.REP, manager=everyone["manager"], login=False)
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.person_invite(person=newbie, actor=everyone["manager"].user)
    newbie.refresh_from_db()
    assert newbie.user is not None
    assert not newbie.user.has_usable_password()
    assert invitation.email == "nina.new@acme.test"
    assert [m.to for m in mail.outbox] == [["nina.new@acme.test"]]
    assert "/accounts/set-password/" in mail.outbox[0].body


def test_invite_without_email_asks_for_one(everyone, org):
    nameless = services.person_create(org=org, actor=everyone["admin"].user, full_name="No Mail")
    with pytest.raises(ValidationError) as exc:
        services.person_invite(person=nameless, actor=everyone["admin"].user)
    assert "no email" in exc.value.message_dict["email"][0]
    assert not Invitation.objects.exists()


def test_invite_with_an_email_saves_it_on_the_person(everyone, org):
    nameless = services.person_create(org=org, actor=everyone["admin"].user, full_name="No Mail")
    services.person_invite(person=nameless, actor=everyone["admin"].user, email="No.Mail@Acme.test")
    nameless.refresh_from_db()
    assert nameless.email == "no.mail@acme.test"
    assert nameless.user is not None
    assert nameless.user.email == "no.mail@acme.test"


def test_invite_of_someone_who_already_signs_in_is_refused(everyone):
    with pytest.raises(ValidationError) as exc:
        services.person_invite(person=everyone["rep"], actor=everyone["admin"].user)
    assert "already signs in" in exc.value.messages[0]


def test_invite_of_a_deactivated_person_is_refused(everyone, org):
    gone = make_person(org, "Gina Gone", Role.REP, login=False)
    services.person_deactivate(person=gone, actor=everyone["admin"].user)
    with pytest.raises(ValidationError):
        services.person_invite(person=gone, actor=everyone["admin"].user)
    assert not Invitation.objects.exists()


def test_alias_is_normalised_and_a_clash_with_someone_else_is_refused(everyone):
    admin = everyone["admin"].user
    alias = services.owner_alias_add(
        person=everyone["rep"], actor=admin, kind="name", value="  Rick   R. "
    )
    assert alias.value == "rick r."
    again = services.owner_alias_add(
        person=everyone["rep"], actor=admin, kind="name", value="RICK R."
    )
    assert again.pk == alias.pk
    with pytest.raises(ValidationError) as exc:
        services.owner_alias_add(person=everyone["rep2"], actor=admin, kind="name", value="rick r.")
    assert "already points at Rick Rep" in exc.value.message_dict["value"][0]
    assert OwnerAlias.objects.count() == 1


def _every_service(everyone, org, teams):
    """(action code, call) for every org service; each call changes something."""
    admin = everyone["admin"].user

    def alias_remove():
        alias = services.owner_alias_add(
            person=everyone["rep"], actor=admin, kind="crm_id", value="005X"
        )
        return services.owner_alias_remove(alias=alias, actor=admin)

    def invite_then_accept():
        newbie = make_person(org, "Nina New", Role.REP, login=False)
        services.person_invite(person=newbie, actor=admin)
        newbie.refresh_from_db()
        return services.invitation_accept(user=newbie.user)

    def reactivate():
        services.person_deactivate(person=everyone["rep2"], actor=admin)
        return services.person_reactivate(person=everyone["rep2"], actor=admin)

    return [
        ("org.organization.created", lambda: services.organization_create(name="X", actor=admin)),
        ("org.team.created", lambda: services.team_create(org=org, name="North", actor=admin)),
        (
            "org.team.updated",
            lambda: services.team_update(
                team=teams["west"], actor=admin, name="West Coast", parent=None
            ),
        ),
        (
            "org.person.created",
            lambda: services.person_create(org=org, actor=admin, full_name="Pat New"),
        ),
        (
            "org.person.updated",
            lambda: services.person_update(person=everyone["rep"], actor=admin, title="AE"),
        ),
        (
            "org.person.deactivated",
            lambda: services.person_deactivate(person=everyone["rep2"], actor=admin),
        ),
        ("org.person.reactivated", reactivate),
        (
            "org.person.invited",
            lambda: services.person_invite(
                person=make_person(org, "Ivy Invite", Role.REP, login=False), actor=admin
            ),
        ),
        ("org.invitation.accepted", invite_then_accept),
        (
            "org.owner_alias.added",
            lambda: services.owner_alias_add(
                person=everyone["rep"], actor=admin, kind="email", value="rr@crm.test"
            ),
        ),
        ("org.owner_alias.removed", alias_remove),
    ]


def test_every_service_writes_an_audit_row(everyone, org, teams):
    for action, call in _every_service(everyone, org, teams):
        before = AuditEvent.objects.filter(action=action).count()
        call()
        rows = AuditEvent.objects.filter(action=action)
        assert rows.count() == before + 1, action
        event = rows.latest("id")
        assert event.actor_id == everyone["admin"].user_id or action == "org.invitation.accepted"
        assert event.object_type, action


def test_person_created_audit_row_holds_the_new_values(everyone, org, teams):
    person = services.person_create(
        org=org,
        actor=everyone["admin"].user,
        full_name="Pat  New",
        email="Pat@acme.test",
        team=teams["east_ent"],
        manager=everyone["manager"],
    )
    event = AuditEvent.objects.get(action="org.person.created")
    assert isinstance(event.after, dict)
    assert event.object_id == str(person.pk)
    assert event.after["full_name"] == "Pat New"
    assert event.after["email"] == "pat@acme.test"
    assert event.after["team"] == teams["east_ent"].pk
    assert event.after["manager"] == everyone["manager"].pk
    assert event.actor_label == "ada.admin@acme.test"


def test_a_team_of_another_organization_is_refused(everyone, org):
    other_org = Organization.objects.create(name="Other Co")
    foreign = Team.objects.create(org=other_org, name="Foreign")
    with pytest.raises(ValidationError):
        services.person_create(
            org=org, actor=everyone["admin"].user, full_name="Pat New", team=foreign
        )
    with pytest.raises(ValidationError):
        services.team_create(org=org, name="Sub", parent=foreign, actor=everyone["admin"].user)


def test_an_invitation_sent_twice_in_a_row_goes_out_once(
    everyone, org, mailoutbox, django_capture_on_commit_callbacks
):
    from charter.org.models import Invitation

    newbie = make_person(org, "Dora Double", Role.REP, login=False)
    with django_capture_on_commit_callbacks(execute=True):
        first = services.person_invite(person=newbie, actor=everyone["admin"].user)
        second = services.person_invite(person=newbie, actor=everyone["admin"].user)
    assert first.pk == second.pk
    assert Invitation.objects.filter(person=newbie).count() == 1
    assert [m.to for m in mailoutbox] == [[newbie.email]]


def test_only_admins_change_a_persons_email(everyone):
    rep = everyone["rep"]
    for persona in ("manager", "executive", "rep"):
        with pytest.raises(PermissionDenied):
            services.person_update(
                person=rep, actor=everyone[persona].user, email="rick@evil.example"
            )
    rep.refresh_from_db()
    assert rep.email == "rick.rep@acme.test"
    assert User.objects.get(pk=rep.user_id).email == "rick.rep@acme.test"
    assert "org.person.updated" not in audit_actions()


def test_a_manager_cannot_give_a_person_without_email_an_address_by_inviting(everyone, org):
    nameless = services.person_create(
        org=org, actor=None, full_name="No Mail", manager=everyone["manager"]
    )
    with pytest.raises(PermissionDenied):
        services.person_invite(
            person=nameless, actor=everyone["manager"].user, email="mine@evil.example"
        )
    nameless.refresh_from_db()
    assert (nameless.email, nameless.user) == ("", None)
    assert not User.objects.filter(email="mine@evil.example").exists()
    assert not Invitation.objects.exists()


def test_a_refused_invite_of_someone_who_signs_in_leaves_the_email_alone(everyone):
    rep = everyone["rep"]
    with pytest.raises(ValidationError):
        services.person_invite(person=rep, actor=everyone["admin"].user, email="rick@new.test")
    rep.refresh_from_db()
    assert rep.email == "rick.rep@acme.test"
    assert User.objects.get(pk=rep.user_id).email == "rick.rep@acme.test"
