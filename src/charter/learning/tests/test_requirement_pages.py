"""Requirement pages, the team page and the compliance API: who sets, who sees who is behind."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from charter.conftest import client_for, make_person
from charter.learning.models import Requirement, RequirementVersion
from charter.learning.services.completions import completion_report, completion_review
from charter.learning.services.requirements import Ask, requirement_create
from charter.org.models import Role


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 5, 20, 12, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def onboarding(org, teams, admin, company_training, team_training):
    return requirement_create(
        org=org, actor=admin.user, name="East onboarding", scope="team", team=teams["east"],
        effective_from=dt.date(2026, 1, 1), hours=Decimal("4"), hours_period="month",
        asks=[Ask(training=company_training, due_rule="absolute", due_date=dt.date(2026, 5, 1)),
              Ask(training=team_training, due_rule="after_hire", due_days=30)],
    )  # fmt: skip


def _done(person, training, manager, day, hours="2"):
    completion = completion_report(
        person=person, actor=person.user, training=training, completed_on=day, hours=hours
    )
    completion_review(completion=completion, actor=manager.user, approve=True)


def test_manager_sets_a_requirement_for_their_team_not_the_company(manager, teams, team_training):
    client = client_for(manager)
    data = {"name": "Discovery", "scope": "team", "team": teams["east_ent"].pk,
            "effective_from": "2026-05-01", "trainings": [team_training.pk],
            "due_rule": "after_hire", "due_days": "14"}  # fmt: skip
    assert client.post("/learning/requirements/", data).status_code == 302
    requirement = Requirement.objects.get()
    version = RequirementVersion.objects.get()
    assert (requirement.team, version.trainings.get().due_days) == (teams["east_ent"], 14)
    refused = client.post("/learning/requirements/", {**data, "scope": "company", "name": "X"})
    assert refused.status_code == 200
    assert Requirement.objects.count() == 1


def test_rep_cannot_set_requirements(rep):
    response = client_for(rep).post(
        "/learning/requirements/",
        {"name": "X", "scope": "company", "effective_from": "2026-05-01", "hours": "2",
         "hours_period": "month"},
    )  # fmt: skip
    assert response.status_code == 403
    assert not Requirement.objects.exists()


def test_admin_revises_from_a_later_day(admin, onboarding):
    response = client_for(admin).post(
        f"/learning/requirements/{onboarding.pk}/",
        {"effective_from": "2026-06-01", "hours": "6", "hours_period": "month",
         "reason": "Launch season"},
    )  # fmt: skip
    assert response.status_code == 302
    assert [v.hours for v in onboarding.versions.order_by("effective_from")] == [
        Decimal("4"), Decimal("6"),
    ]  # fmt: skip


def test_rep_sees_what_is_due_next_on_their_page(rep, manager, onboarding, company_training):
    _done(rep, company_training, manager, dt.date(2026, 4, 20))
    page = client_for(rep).get("/learning/").content.decode()
    assert "East onboarding" in page
    assert "0 of 4 hours" in page  # May: 20 April counted last month


def test_team_page_shows_who_is_behind_with_flat_queries(
    org, teams, rep, rep2, manager, onboarding, company_training, django_assert_max_num_queries
):
    _done(rep, company_training, manager, dt.date(2026, 4, 20))
    client = client_for(manager)
    url = f"/learning/teams/{teams['east_ent'].pk}/"
    with CaptureQueriesContext(connection) as few:
        page = client.get(url).content.decode()
    assert "Rick Rep" in page
    assert "Rita Rep" in page
    for n in range(8):
        make_person(org, f"New Rep {n}", Role.REP, team=teams["east_ent"], manager=manager)
    with CaptureQueriesContext(connection) as many:
        assert "New Rep 7" in client.get(url).content.decode()
    assert len(many) == len(few)


def test_team_page_is_for_its_managers_admins_and_executives(
    teams, rep, manager, other_manager, admin, executive
):
    url = f"/learning/teams/{teams['east_ent'].pk}/"
    assert client_for(rep).get(url).status_code == 404
    assert client_for(other_manager).get(url).status_code == 404
    for person in (manager, admin, executive):
        assert client_for(person).get(url).status_code == 200


def test_compliance_api_hand_computed(rep, rep2, manager, onboarding, company_training):
    # Rick and Rita were hired 1 March 2022: "within 30 days of joining" is long overdue.
    _done(rep, company_training, manager, dt.date(2026, 4, 20))
    _done(rep, company_training, manager, dt.date(2026, 5, 2), hours="4")
    body = client_for(manager).get(f"/api/v1/learning/compliance/?person={rep.pk}").json()
    states = {i["title"]: i["state"] for i in body["people"][0]["items"]}
    assert states == {
        "Negotiation basics": "done",
        "Enterprise discovery": "overdue",
        "4 hours a month (2026-05)": "done",
    }
    assert body["people"][0]["share_met"] == "0.6667"
    assert client_for(rep2).get(f"/api/v1/learning/compliance/?person={rep.pk}").status_code == 404
    team = client_for(manager).get(f"/api/v1/learning/compliance/?team={rep.team_id}").json()
    assert {p["person"] for p in team["people"]} == {rep.pk, rep2.pk, manager.pk}


def test_requirements_api_lists_versions(rep, onboarding, other_team_rep):
    listed = client_for(rep).get("/api/v1/learning/requirements/").json()
    assert listed[0]["versions"][0]["hours"] == "4.00"
    assert client_for(other_team_rep).get("/api/v1/learning/requirements/").json() == []


def test_team_csv_has_a_row_per_person_and_item(org, teams, rep, manager, onboarding):
    from charter.org.services import person_update

    person_update(person=rep, actor=None, full_name="=HYPERLINK(1) Rep")
    response = client_for(manager).get(f"/learning/teams/{teams['east_ent'].pk}/learning.csv")
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("person,email,team,requirement,item,state,due")
    assert "'=HYPERLINK(1) Rep,rick.rep@acme.test,East Enterprise,East onboarding" in lines[1]
    assert len(lines) == 1 + 2 * 3  # Mona and Rick: 2 trainings and the month's hours each
    assert lines[3].endswith(",due_soon,2026-05-31,0,4.00,")
    assert (
        client_for(rep).get(f"/learning/teams/{teams['east_ent'].pk}/learning.csv").status_code
        == 404
    )
