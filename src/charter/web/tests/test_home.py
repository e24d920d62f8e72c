"""The home page of each role shows real content, and only what that role may see."""

from __future__ import annotations

from django.test import Client

from charter.accounts.models import User
from charter.conftest import client_for, make_person
from charter.core import audit, jobs
from charter.org import services
from charter.org.models import Role


def home(person) -> str:
    response = client_for(person).get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_rep_home_shows_manager_team_and_changes_to_their_record(everyone, teams):
    rep, admin = everyone["rep"], everyone["admin"].user
    services.person_update(person=rep, actor=admin, title="Senior AE")
    services.person_update(person=everyone["rep2"], actor=admin, title="Rita's new title")
    body = home(rep)
    assert "Mona Manager" in body
    assert "mailto:mona.manager@acme.test" in body
    assert f'href="/org/teams/{teams["east_ent"].pk}/"' in body
    assert "3 people" in body
    assert "Led by Mona Manager" in body
    assert "Changes to your record" in body
    assert "<ins>Senior AE</ins>" in body
    assert "new title" not in body  # a teammate's change is not the rep's business


def test_manager_home_lists_reports_with_their_login_status(everyone, org):
    make_person(org, "Nina New", Role.REP, manager=everyone["manager"], login=False)
    response = client_for(everyone["manager"]).get("/")
    assert [p.full_name for p in response.context["reports"]] == [
        "Nina New",
        "Rick Rep",
        "Rita Rep",
    ]
    body = response.content.decode()
    assert "No login yet" in body
    assert "Can sign in" in body


def test_manager_home_offers_to_invite_people_without_login(everyone, org):
    nina = make_person(org, "Nina New", Role.REP, manager=everyone["manager"], login=False)
    make_person(org, "Olaf Outside", Role.REP, manager=everyone["other_manager"], login=False)
    response = client_for(everyone["manager"]).get("/")
    assert [p.full_name for p in response.context["to_invite"]] == ["Nina New"]
    assert f'href="/org/people/{nina.pk}/invite/"' in response.content.decode()


def test_manager_home_shows_changes_in_their_subtree_only(everyone):
    admin = everyone["admin"].user
    services.person_update(person=everyone["rep"], actor=admin, title="Closer")
    services.person_update(person=everyone["other_team_rep"], actor=admin, title="Hunter")
    body = home(everyone["manager"])
    assert "Recent changes in your team" in body
    assert "<ins>Closer</ins>" in body
    assert "Hunter" not in body


def test_admin_home_shows_counts_people_to_invite_jobs_and_audit(everyone, org):
    make_person(org, "Nina New", Role.REP, login=False)
    invited = make_person(org, "Ivy Invite", Role.REP, login=False)
    services.person_invite(person=invited, actor=everyone["admin"].user)
    jobs.job_create(kind="import", title="Import people.csv", org=org, actor=everyone["admin"].user)
    response = client_for(everyone["admin"]).get("/")
    counts = response.context["counts"]
    assert counts["people"] == 9
    assert counts["without_login"] == 1
    assert counts["invited"] == 1
    assert counts["managers"] == 2
    assert counts["teams"] == 4
    body = response.content.decode()
    assert 'href="/org/people/?login=none"' in body
    assert "Import people.csv" in body
    assert {p.full_name for p in response.context["to_invite"]} == {"Nina New", "Ivy Invite"}
    assert "invited" in body
    assert "Ivy Invite" in body
    assert 'href="/audit/"' in body


def test_executive_home_shows_counts_teams_and_org_changes_but_not_other_audit(everyone, teams):
    admin = everyone["admin"].user
    services.person_update(person=everyone["rep"], actor=admin, title="Closer")
    from charter.core import audit

    audit.record(actor=admin, action="accounts.token.created", obj=admin)
    response = client_for(everyone["executive"]).get("/")
    body = response.content.decode()
    assert response.context["counts"]["people"] == 7
    assert [(d, n.team.name, n.total) for d, n in response.context["team_rows"]] == [
        (0, "East", 3),
        (1, "East Enterprise", 3),
        (0, "West", 2),
        (1, "West Mid-Market", 2),
    ]
    assert "<ins>Closer</ins>" in body
    assert all(line.event.action.startswith("org.") for line in response.context["recent_changes"])
    assert "Cannot sign in yet" not in body


def test_login_without_a_person_gets_a_clear_refusal(db):
    client = Client()
    client.force_login(User.objects.create_user("stranger@acme.test", "long-enough-pass-1"))
    response = client.get("/")
    assert response.status_code == 403
    assert "not linked to an active person" in response.content.decode()


def test_admin_home_tells_each_audit_action_in_its_own_words(everyone):
    # The admin's home reads the whole audit log: a target set or an expectation added once
    # read as "set the password of" and "added a CRM alias to".
    manager, rep = everyone["manager"], everyone["rep"]
    for action in (
        "kpis.target.set",
        "accounts.password.set",
        "expectations.expectation.added",
        "org.owner_alias.added",
        "learning.certificate.alerted",
    ):
        audit.record(actor=manager.user, action=action, obj=rep)
    response = client_for(everyone["admin"]).get("/")
    verbs = {line.event.action: line.verb for line in response.context["recent_changes"]}
    assert verbs["kpis.target.set"] == "set"
    assert verbs["accounts.password.set"] == "set the password of"
    assert verbs["expectations.expectation.added"] == "added an expectation to"
    assert verbs["org.owner_alias.added"] == "added a CRM alias to"
    assert verbs["learning.certificate.alerted"] == "sent an expiry alert for"


def test_home_leaves_out_what_needs_nothing_when_everyone_can_sign_in(everyone):
    # Everyone in the world has a login: no "Cannot sign in yet" card, and the zero counts
    # are shown without leading to an empty list.
    body = client_for(everyone["admin"]).get("/").content.decode()
    assert "Cannot sign in yet" not in body
    assert 'href="/org/people/?login=none"' not in body
    assert 'href="/org/people/?login=invited"' not in body
    assert "without a login" in body
    manager_body = client_for(everyone["manager"]).get("/").content.decode()
    assert "Cannot sign in yet" not in manager_body
