"""The expectations document's learning section follows the live requirements; the home page
shows a rep what is due next and their hours, a manager what is overdue and certificates
ending."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from charter.conftest import client_for
from charter.expectations import services as ex
from charter.expectations.content import build
from charter.expectations.registry import measure_label
from charter.learning.services.certificates import certificate_add, certification_create
from charter.learning.services.requirements import Ask, requirement_create, requirement_revise

D = dt.date


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 5, 20, 12, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def onboarding(org, teams, admin, company_training):
    return requirement_create(
        org=org, actor=admin.user, name="East onboarding", scope="team", team=teams["east"],
        effective_from=D(2026, 1, 1), hours=Decimal("4"), hours_period="month",
        asks=[Ask(training=company_training, due_rule="after_hire", due_days=30)],
    )  # fmt: skip


def _learning_section(document):
    content = build(document)
    return next(s for s in content["sections"] if s["provider"] == "learning")


def test_the_learning_section_follows_the_requirements(org, teams, admin, manager, rep,
                                                       onboarding):  # fmt: skip
    east = ex.document_create(
        org=org, actor=manager.user, title="East", audience="team", audience_team=teams["east_ent"]
    )
    west = ex.document_create(
        org=org, actor=admin.user, title="West", audience="team", audience_team=teams["west_mm"]
    )
    # The default template's learning section is this provider's.
    items = _learning_section(east)["expectations"]
    assert [i["title"] for i in items] == ["East onboarding"]
    assert "4 hours of learning per month" in items[0]["text"]
    assert "within 30 days of joining" in items[0]["text"]
    measured = measure_label(org, "", f"learning:{onboarding.pk}")
    assert measured == "Learning requirement: East onboarding"
    # No requirement reaches West: one sentence says so (an empty section would not publish).
    assert [i["title"] for i in _learning_section(west)["expectations"]] == [
        "No learning requirement yet"
    ]
    requirement_revise(
        requirement=onboarding, actor=admin.user, effective_from=D(2026, 5, 20),
        hours=Decimal("6"), hours_period="quarter", reason="Quarterly now",
    )  # fmt: skip
    assert "6 hours of learning per quarter" in _learning_section(east)["expectations"][0]["text"]


def test_rep_home_shows_hours_and_what_is_due_next(rep, onboarding):
    page = client_for(rep).get("/").content.decode()
    assert "My learning" in page
    assert "0 of 4 hours" in page
    assert "Negotiation basics" in page  # Rick joined in 2022: long overdue


def test_manager_home_shows_overdue_and_certificates_ending(org, admin, rep, manager,
                                                            onboarding):  # fmt: skip
    badge = certification_create(org=org, actor=admin.user, name="Cloud badge", validity_months=12)
    certificate_add(person=rep, actor=rep.user, certification=badge, issued_on=D(2025, 6, 1))
    page = client_for(manager).get("/").content.decode()
    assert "Learning in my team" in page
    assert "Rick Rep</a>: Negotiation basics" in page
    assert "Cloud badge — 31 May 2026" in page


def test_a_manager_reaches_their_team_learning_page_from_home_and_the_learning_menu(
    org, teams, admin, rep, rep2, manager, onboarding
):
    # The team page was linked only from the admins' and executives' card: a manager's
    # "and N more" overdue led nowhere.
    team_page = f'href="/learning/teams/{teams["east_ent"].pk}/"'
    home = client_for(manager).get("/").content.decode()
    assert team_page in home.split("Learning in my team")[1]
    assert team_page in client_for(manager).get("/learning/").content.decode()
    assert team_page not in client_for(rep).get("/learning/").content.decode()
    assert client_for(manager).get(f"/learning/teams/{teams['east_ent'].pk}/").status_code == 200


def test_the_team_card_links_the_holder_of_an_ending_certificate(org, admin, rep, manager):
    badge = certification_create(org=org, actor=admin.user, name="Cloud badge", validity_months=12)
    certificate_add(person=rep, actor=rep.user, certification=badge, issued_on=D(2025, 6, 1))
    home = client_for(manager).get("/").content.decode()
    assert f'href="/learning/people/{rep.pk}/">Rick Rep</a>: Cloud badge' in home


def test_nothing_asked_no_card(rep, other_manager):
    assert "My learning" not in client_for(rep).get("/").content.decode()
    assert "Learning in my team" not in client_for(other_manager).get("/").content.decode()


def test_every_signed_in_person_finds_learning_in_the_menu(rep, executive):
    for person in (rep, executive):
        assert 'href="/learning/"' in client_for(person).get("/").content.decode()


def test_executive_sees_compliance_by_team(org, teams, rep, rep2, manager, executive, admin,
                                           onboarding, company_training):  # fmt: skip
    from charter.learning.services.completions import completion_report, completion_review

    done = completion_report(person=rep, actor=rep.user, training=company_training,
                             completed_on=D(2026, 4, 1), hours="2")  # fmt: skip
    completion_review(completion=done, actor=manager.user, approve=True)
    page = client_for(executive).get("/").content.decode()
    assert "Learning by team" in page
    # East Enterprise: Mona, Rick and Rita each owe the training (joined 2022, due 30 days
    # later); Rick did it: 1 of 3 met, 2 overdue. The month's hours are not due until 31 May.
    east_ent = page.split(">East Enterprise</a>")[1].split("</tr>")[0]
    assert "33%" in east_ent
    assert ">2</span>" in east_ent
    assert "Learning by team" not in client_for(manager).get("/").content.decode()
