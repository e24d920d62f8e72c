"""Every branch of the org access functions, for every persona, in two organizations."""

from __future__ import annotations

import pytest

from charter.accounts.models import User
from charter.conftest import make_person
from charter.org.access import (
    admins_of,
    can_invite,
    can_invite_someone,
    can_manage_org,
    can_read_all,
    can_view_history,
    can_view_person,
    can_write,
    leads_people,
    managed_team_ids,
    people_in_scope_ids,
    person_of,
    reads_org_overview,
    subtree_ids,
    visible_people,
    visible_teams,
)
from charter.org.models import Person, Role


def ids(queryset):
    return set(queryset.values_list("pk", flat=True))


def names(queryset):
    return set(queryset.values_list("name", flat=True))


def test_admin_sees_everyone_including_people_who_left(everyone, org):
    gone = make_person(org, "Gina Gone", Role.REP, login=False)
    Person.objects.filter(pk=gone.pk).update(is_active=False)
    assert ids(visible_people(everyone["admin"].user)) == ids(Person.objects.all())
    assert gone.pk in ids(visible_people(everyone["admin"].user))


def test_executive_sees_everyone(everyone):
    assert ids(visible_people(everyone["executive"].user)) == ids(Person.objects.all())


def test_manager_sees_themselves_and_their_subtree_only(everyone):
    seen = ids(visible_people(everyone["manager"].user))
    assert seen == {everyone["manager"].pk, everyone["rep"].pk, everyone["rep2"].pk}


def test_manager_sees_people_several_levels_down(everyone, org, teams):
    team_lead = make_person(
        org, "Tina Lead", Role.MANAGER, team=teams["east_ent"], manager=everyone["rep"]
    )
    below_lead = make_person(org, "Bob Below", Role.REP, manager=team_lead)
    seen = ids(visible_people(everyone["manager"].user))
    assert {team_lead.pk, below_lead.pk} <= seen
    assert everyone["other_team_rep"].pk not in seen


def test_manager_does_not_see_their_own_manager_or_peers(everyone):
    seen = ids(visible_people(everyone["manager"].user))
    assert everyone["executive"].pk not in seen
    assert everyone["other_manager"].pk not in seen
    assert everyone["other_team_rep"].pk not in seen


def test_rep_sees_only_themselves(everyone):
    assert ids(visible_people(everyone["rep"].user)) == {everyone["rep"].pk}


def test_deactivated_person_sees_nothing(everyone):
    rep = everyone["rep"]
    Person.objects.filter(pk=rep.pk).update(is_active=False)
    user = User.objects.get(pk=rep.user_id)
    assert person_of(user) is None
    assert not visible_people(user).exists()
    assert not visible_teams(user).exists()


def test_closed_login_sees_nothing_even_if_person_is_active(everyone):
    admin = everyone["admin"]
    User.objects.filter(pk=admin.user_id).update(is_active=False)
    user = User.objects.get(pk=admin.user_id)
    assert not visible_people(user).exists()
    assert not can_manage_org(user)


def test_user_without_person_sees_nothing(everyone):
    stranger = User.objects.create_user("stranger@acme.test", "x-long-password-1")
    assert person_of(stranger) is None
    assert not visible_people(stranger).exists()
    assert not visible_teams(stranger).exists()
    assert not can_manage_org(stranger)
    assert not can_write(stranger)
    assert not can_read_all(stranger)
    assert not can_invite(stranger, everyone["rep"])
    assert not can_view_history(stranger, everyone["rep"])


def test_anonymous_sees_nothing(everyone):
    from django.contrib.auth.models import AnonymousUser

    anonymous = AnonymousUser()
    assert not visible_people(anonymous).exists()
    assert not visible_teams(anonymous).exists()
    assert not visible_people(None).exists()
    assert not can_invite(anonymous, everyone["rep"])


def test_unknown_role_sees_nothing(everyone):
    # A role added to the database without access rules must fall to default deny.
    Person.objects.filter(pk=everyone["rep"].pk).update(role="intern")
    user = User.objects.get(pk=everyone["rep"].user_id)
    assert not visible_people(user).exists()
    assert not visible_teams(user).exists()
    assert not can_invite(user, everyone["rep2"])


def test_admin_and_executive_see_every_team(everyone, teams):
    every = {"East", "West", "East Enterprise", "West Mid-Market"}
    assert names(visible_teams(everyone["admin"].user)) == every
    assert names(visible_teams(everyone["executive"].user)) == every


def test_manager_sees_their_teams_and_the_teams_above_them(everyone):
    assert names(visible_teams(everyone["manager"].user)) == {"East Enterprise", "East"}


def test_rep_sees_their_team_and_its_region(everyone):
    assert names(visible_teams(everyone["rep"].user)) == {"East Enterprise", "East"}
    assert names(visible_teams(everyone["other_team_rep"].user)) == {"West Mid-Market", "West"}


def test_person_without_team_sees_no_team(org):
    loner = make_person(org, "Lou Loner", Role.REP)
    assert not visible_teams(loner.user).exists()


def test_manager_sees_teams_of_people_in_other_teams_below_them(everyone, teams, org):
    # A report sitting in another team makes that team (and its region) visible too.
    make_person(org, "Wes West", Role.REP, team=teams["west_mm"], manager=everyone["manager"])
    assert names(visible_teams(everyone["manager"].user)) == {
        "East Enterprise",
        "East",
        "West Mid-Market",
        "West",
    }


def test_admin_may_invite_anyone(everyone):
    admin = everyone["admin"].user
    assert all(can_invite(admin, p) for p in everyone.values())


def test_manager_may_invite_people_below_them_only(everyone):
    manager = everyone["manager"].user
    assert can_invite(manager, everyone["rep"])
    assert can_invite(manager, everyone["rep2"])
    assert not can_invite(manager, everyone["manager"])
    assert not can_invite(manager, everyone["other_team_rep"])
    assert not can_invite(manager, everyone["executive"])


def test_rep_and_executive_may_not_invite(everyone):
    assert not can_invite(everyone["rep"].user, everyone["rep"])
    assert not can_invite(everyone["rep"].user, everyone["rep2"])
    assert not can_invite(everyone["executive"].user, everyone["rep"])


def test_deactivated_admin_may_not_invite_or_manage(everyone):
    Person.objects.filter(pk=everyone["admin"].pk).update(is_active=False)
    user = User.objects.get(pk=everyone["admin"].user_id)
    assert not can_invite(user, everyone["rep"])
    assert not can_manage_org(user)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("admin", True),
        ("executive", False),
        ("manager", False),
        ("other_manager", False),
        ("rep", False),
    ],
)
def test_only_admins_manage_the_org(everyone, persona, expected):
    assert can_manage_org(everyone[persona].user) is expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("admin", True), ("executive", False), ("manager", True), ("rep", True)],
)
def test_executives_are_read_only(everyone, persona, expected):
    assert can_write(everyone[persona].user) is expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("admin", True), ("executive", True), ("manager", False), ("rep", False)],
)
def test_org_wide_reading_is_for_admins_and_executives(everyone, persona, expected):
    assert can_read_all(everyone[persona].user) is expected


def test_history_of_a_person_follows_the_reporting_line(everyone):
    rep = everyone["rep"]
    assert can_view_history(everyone["admin"].user, rep)
    assert can_view_history(everyone["executive"].user, rep)
    assert can_view_history(everyone["manager"].user, rep)
    assert can_view_history(rep.user, rep)
    assert not can_view_history(everyone["rep2"].user, rep)
    assert not can_view_history(everyone["other_manager"].user, rep)
    assert not can_view_history(everyone["other_team_rep"].user, rep)


def test_can_view_person_agrees_with_visible_people(everyone):
    for viewer in everyone.values():
        visible = ids(visible_people(viewer.user))
        for target in everyone.values():
            assert can_view_person(viewer.user, target) is (target.pk in visible)


def test_subtree_survives_a_reporting_cycle_in_the_data(everyone):
    # Services refuse cycles; data written around them must still not loop forever.
    Person.objects.filter(pk=everyone["manager"].pk).update(manager=everyone["rep"])
    manager = Person.objects.get(pk=everyone["manager"].pk)
    assert subtree_ids(manager) == {
        everyone["manager"].pk,
        everyone["rep"].pk,
        everyone["rep2"].pk,
    }


# --- two organizations ----------------------------------------------------------------------


def test_nobody_sees_people_or_teams_of_another_organization(everyone, teams, globex):
    acme_people = ids(Person.objects.filter(org=everyone["admin"].org))
    globex_people = ids(Person.objects.filter(org=globex["admin"].org))
    for person in everyone.values():
        assert ids(visible_people(person.user)) <= acme_people
        assert "Globex Sales" not in names(visible_teams(person.user))
    for person in globex.values():
        assert ids(visible_people(person.user)) <= globex_people
        assert names(visible_teams(person.user)) <= {"Globex Sales"}
    assert ids(visible_people(globex["admin"].user)) == globex_people
    assert names(visible_teams(globex["executive"].user)) == {"Globex Sales"}


def test_no_rule_on_a_person_reaches_into_another_organization(everyone, globex):
    for viewer in [*everyone.values(), *globex.values()]:
        others = globex.values() if viewer.org_id == everyone["admin"].org_id else everyone.values()
        for target in others:
            assert not can_view_person(viewer.user, target)
            assert not can_view_history(viewer.user, target)
            assert not can_invite(viewer.user, target)


@pytest.mark.parametrize("persona", ["admin", "executive", "manager", "rep"])
def test_role_rules_answer_alike_in_both_organizations(everyone, globex, persona):
    acme, other = everyone[persona].user, globex[persona].user
    for rule in (can_manage_org, can_read_all, can_write, can_invite_someone, leads_people):
        assert rule(acme) is rule(other)
    assert reads_org_overview(acme) is reads_org_overview(other)


def test_the_teams_a_manager_runs_are_their_own_teams_only(everyone, teams, globex):
    assert managed_team_ids(everyone["manager"].user) == {teams["east_ent"].pk}
    assert managed_team_ids(globex["manager"].user) == {globex["manager"].team_id}
    for persona in ("admin", "executive", "rep"):
        assert managed_team_ids(everyone[persona].user) == set()
        assert managed_team_ids(globex[persona].user) == set()


def test_people_in_scope_stay_in_the_viewers_organization(everyone, globex):
    # None means "everyone in my organization": the callers filter by organization.
    assert people_in_scope_ids(globex["admin"].user) is None
    assert people_in_scope_ids(globex["manager"].user) == {
        globex["manager"].pk,
        globex["rep"].pk,
    }
    assert people_in_scope_ids(globex["rep"].user) == {globex["rep"].pk}
    assert people_in_scope_ids(everyone["manager"].user) == {
        everyone["manager"].pk,
        everyone["rep"].pk,
        everyone["rep2"].pk,
    }


def test_admins_of_an_organization_are_its_own_active_admins(everyone, globex):
    assert ids(admins_of(globex["admin"].org_id)) == {globex["admin"].pk}
    assert ids(admins_of(everyone["admin"].org_id)) == {everyone["admin"].pk}
    Person.objects.filter(pk=globex["admin"].pk).update(is_active=False)
    assert not admins_of(globex["admin"].org_id).exists()


def test_a_reporting_line_across_organizations_in_the_data_reaches_nobody(everyone, globex):
    # Services refuse a manager from another organization; data written around them must not
    # let the manager see into it.
    Person.objects.filter(pk=globex["rep"].pk).update(manager=everyone["manager"])
    manager = Person.objects.get(pk=everyone["manager"].pk)
    assert globex["rep"].pk not in subtree_ids(manager)
    assert not can_view_person(manager.user, globex["rep"])


# --- the reporting tree, once a request -----------------------------------------------------


def test_the_reporting_tree_is_read_once_per_person_however_many_rules_ask(everyone):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = User.objects.get(pk=everyone["manager"].user_id)
    assert person_of(user) is not None  # loaded as a request's middleware would
    with CaptureQueriesContext(connection) as captured:
        visible_people(user).count()
        can_invite(user, everyone["rep"])
        can_view_history(user, everyone["rep2"])
        people_in_scope_ids(user)
    tree_reads = [q for q in captured if '"manager_id"' in q["sql"] and "SELECT" in q["sql"]]
    assert len(tree_reads) == 1
    # A person loaded afresh (the next request) reads the tree again, and sees a new report.
    newcomer = make_person(
        everyone["manager"].org, "Nia New", Role.REP, manager=everyone["manager"]
    )
    assert newcomer.pk not in subtree_ids(user.person)
    assert newcomer.pk in subtree_ids(User.objects.get(pk=user.pk).person)
