"""Every view that redirects to a client-supplied target follows only a path on this site."""

from __future__ import annotations

import pytest

from charter.conftest import PASSWORD, client_for
from charter.core.http import safe_next
from charter.expectations import services
from charter.expectations.models import Change
from charter.expectations.tests.conftest import first_expectation

HOSTILE = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "http://testserver/questions/",
    "/\x00/evil",
    " //evil.example/",
]


@pytest.fixture
def question(company_doc, admin, rep):
    services.document_publish(
        document=company_doc, actor=admin.user, summary="First version", change=Change.MATERIAL,
        distribute=False,
    )  # fmt: skip
    return services.question_ask(
        document=company_doc,
        actor=rep.user,
        expectation_key=str(first_expectation(company_doc).key),
        text="Does email count?",
        visibility="private",
    )


@pytest.mark.parametrize("target", HOSTILE)
def test_safe_next_refuses_anything_but_a_local_path(target, settings):
    settings.HTTPS = True
    assert safe_next(target, fallback="/home/") == "/home/"


def test_safe_next_keeps_a_local_path_with_its_query_and_anchor():
    assert safe_next("/expectations/3/?v=2#e-abc", fallback="/") == "/expectations/3/?v=2#e-abc"
    assert safe_next(None, fallback="/") == "/"
    assert safe_next("", fallback="/") == "/"


@pytest.mark.parametrize("target", HOSTILE)
def test_answering_a_question_never_redirects_off_site(question, manager, target):
    response = client_for(manager).post(
        f"/expectations/questions/{question.pk}/answer/", {"text": "Yes.", "next": target}
    )
    assert response.status_code == 302
    assert response["Location"] == "/expectations/questions/"
    assert [a.text for a in question.answers.all()] == ["Yes."]


def test_answering_a_question_returns_to_the_page_it_came_from(question, manager):
    back = f"/expectations/{question.document_id}/#e-{first_expectation(question.document).key}"
    response = client_for(manager).post(
        f"/expectations/questions/{question.pk}/answer/", {"text": "Yes.", "next": back}
    )
    assert response.status_code == 302
    assert response["Location"] == back


@pytest.mark.parametrize("target", HOSTILE)
def test_signing_in_never_redirects_off_site(rep, target):
    client = client_for(None)
    form = client.get("/accounts/login/", {"next": target})
    assert form.status_code == 200
    assert "evil" not in form.content.decode()
    response = client.post(
        "/accounts/login/", {"username": rep.email, "password": PASSWORD, "next": target}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_signing_in_returns_to_the_page_asked_for(rep):
    response = client_for(None).post(
        "/accounts/login/", {"username": rep.email, "password": PASSWORD, "next": "/org/people/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/org/people/"


@pytest.mark.parametrize("target", HOSTILE)
def test_a_signed_in_visitor_of_the_sign_in_page_is_not_sent_off_site(rep, target):
    response = client_for(rep).get("/accounts/login/", {"next": target})
    assert response.status_code == 302
    assert response["Location"] == "/"
