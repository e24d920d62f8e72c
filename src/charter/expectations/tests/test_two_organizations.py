"""Two organizations: an admin's questions inbox, home panel and coverage never count the other
organization's questions and signature requests, and no rule on a document crosses over."""

from __future__ import annotations

import pytest

from charter.conftest import client_for
from charter.expectations import panels, selectors, services
from charter.expectations.access import (
    can_answer,
    can_create_document_for,
    can_edit_document,
    can_view_document,
    question_recipients,
)
from charter.expectations.models import Change
from charter.expectations.tests.conftest import fill_document, first_expectation


@pytest.fixture
def globex_question(globex):
    """A published Globex document everyone there must sign, and a question its rep asked."""
    admin = globex["admin"]
    value = services.value_create(org=admin.org, actor=admin.user, name="Globex Way")
    document = services.document_create(org=admin.org, actor=admin.user, title="Globex rules")
    fill_document(document, {"ownership": value}, admin.user)
    services.document_publish(
        document=document, actor=admin.user, summary="First", change=Change.MATERIAL,
        distribute=False,
    )  # fmt: skip
    return services.question_ask(
        document=document,
        actor=globex["rep"].user,
        expectation_key=str(first_expectation(document).key),
        text="Globex secret question?",
        visibility="public",
    )


def test_an_admins_inbox_and_home_panel_count_only_their_organization(everyone, globex_question):
    acme_admin = everyone["admin"]
    assert not selectors.unanswered_questions_for_manager(acme_admin.user).exists()
    assert panels.team(acme_admin.user) == {
        "unanswered": 0,
        "questions": [],
        "owed": [],
        "pending": 0,
        "overdue": 0,
    }
    inbox = client_for(acme_admin).get("/expectations/questions/").content.decode()
    assert "Globex secret question?" not in inbox


def test_the_other_organizations_admin_sees_their_own_question_and_requests(
    everyone, globex, globex_question
):
    admin = globex["admin"].user
    assert list(selectors.unanswered_questions_for_manager(admin)) == [globex_question]
    counts = panels.team(admin)
    assert counts is not None
    assert counts["unanswered"] == 1
    # Everyone in Globex but the admin has a signature to give.
    assert counts["pending"] + counts["overdue"] == 3


def test_no_rule_on_a_document_crosses_organizations(everyone, teams, globex, globex_question):
    document = globex_question.document
    for person in everyone.values():
        assert not can_view_document(person.user, document)
        assert not can_edit_document(person.user, document)
        assert not can_answer(person.user, globex_question)
    assert not can_create_document_for(everyone["manager"].user, "team", globex["rep"].team)
    assert can_create_document_for(globex["manager"].user, "team", globex["rep"].team)
    assert not can_create_document_for(globex["manager"].user, "team", teams["east_ent"])
    assert question_recipients(globex_question) == [globex["manager"]]
