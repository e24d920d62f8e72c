"""The questions page: unanswered, answered or all of them, and from an answered one the way
to fold its answer into the document's draft."""

import pytest

from charter.conftest import client_for
from charter.expectations import services
from charter.expectations.models import Change
from charter.expectations.tests.conftest import first_expectation


@pytest.fixture
def questions(company_doc, admin, rep):
    """Two questions of Rick's on the company document: one answered by the admin, one not."""
    version = services.document_publish(
        document=company_doc, actor=admin.user, summary="v1", change=Change.MATERIAL,
        distribute=False,
    )  # fmt: skip
    key = str(first_expectation(version.document).key)
    answered = services.question_ask(
        document=company_doc, actor=rep.user, expectation_key=key,
        text="Does a call count as a touch?", visibility="public",
    )  # fmt: skip
    services.question_answer(question=answered, actor=admin.user, text="Yes, a logged call.")
    waiting = services.question_ask(
        document=company_doc, actor=rep.user, expectation_key=key,
        text="What about LinkedIn messages?", visibility="public",
    )  # fmt: skip
    return {"answered": answered, "waiting": waiting}


def test_the_questions_page_lists_unanswered_questions_by_default(questions, admin):
    page = client_for(admin).get("/expectations/questions/").content.decode()
    assert "What about LinkedIn messages?" in page
    assert "Does a call count as a touch?" not in page


def test_answered_questions_are_listed_with_their_answer_and_a_fold_button(questions, admin):
    answered = questions["answered"]
    page = client_for(admin).get("/expectations/questions/?show=answered").content.decode()
    assert "Does a call count as a touch?" in page
    assert "Yes, a logged call." in page
    assert "What about LinkedIn messages?" not in page
    assert f'action="/expectations/questions/{answered.pk}/fold/"' in page
    assert "Fold the answer into the draft" in page


def test_all_lists_both(questions, admin):
    page = client_for(admin).get("/expectations/questions/?show=all").content.decode()
    assert "Does a call count as a touch?" in page
    assert "What about LinkedIn messages?" in page
    assert 'aria-current="page">All<' in page


def test_the_description_of_folding_links_to_the_answered_questions(questions, admin):
    page = client_for(admin).get("/expectations/questions/").content.decode()
    assert '<a href="?show=answered#questions-list">fold an answered one into the draft</a>' in page


def test_folding_from_the_page_marks_the_question_folded(questions, admin):
    answered = questions["answered"]
    client = client_for(admin)
    response = client.post(f"/expectations/questions/{answered.pk}/fold/")
    assert response.status_code == 302
    answered.refresh_from_db()
    assert answered.folded_into_draft_at is not None
    page = client.get("/expectations/questions/?show=answered").content.decode()
    assert "Folded into the draft on" in page
    assert f'action="/expectations/questions/{answered.pk}/fold/"' not in page


def test_a_manager_who_cannot_edit_the_document_sees_the_answer_but_no_fold_button(
    questions, manager
):
    page = client_for(manager).get("/expectations/questions/?show=answered").content.decode()
    assert "Yes, a logged call." in page
    assert "Fold the answer into the draft</button>" not in page


def test_a_rep_has_no_questions_page(questions, rep):
    assert client_for(rep).get("/expectations/questions/?show=answered").status_code == 403


def test_an_unknown_filter_shows_the_unanswered_ones(questions, admin):
    page = client_for(admin).get("/expectations/questions/?show=bogus").content.decode()
    assert "What about LinkedIn messages?" in page
    assert "Does a call count as a touch?" not in page
