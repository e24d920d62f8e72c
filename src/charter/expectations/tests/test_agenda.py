"""The expectations items of a 1:1 agenda: what the report has not signed (overdue first) and
what they asked that nobody answered, each linked to where it is done.

"How we sell" (company-wide) is published on 1 March 2027, due 15 March; Mona's "East playbook"
on 10 March, due 24 March. On 18 March Rick owes both: the first 3 days overdue.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from charter.core.registry import agenda_items
from charter.expectations import services
from charter.expectations.agenda import expectations_agenda
from charter.expectations.models import Document, SignatureRequest
from charter.expectations.tests.conftest import fill_document, first_expectation, publish, sign
from charter.org.models import Person

D = dt.date
TODAY = D(2027, 3, 18)


def at(day: dt.date) -> Any:
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.UTC))


@pytest.fixture
def world(company_doc: Document, values: Any, teams: Any, everyone: dict[str, Person]) -> Any:
    admin, manager = everyone["admin"], everyone["manager"]
    rep, rep2 = everyone["rep"], everyone["rep2"]
    with at(D(2027, 3, 1)):
        company = publish(company_doc, admin.user)
    playbook = services.document_create(
        org=company_doc.org, actor=manager.user, title="East playbook", audience="team",
        audience_team=teams["east_ent"],
    )  # fmt: skip
    fill_document(playbook, values, manager.user)
    with at(D(2027, 3, 10)):
        east = publish(playbook, manager.user)
    key = str(first_expectation(company_doc).key)
    with at(D(2027, 3, 16)):
        answered = services.question_ask(
            document=company_doc, actor=rep.user, expectation_key=key,
            text="Does a call count as a touch?", visibility="public",
        )  # fmt: skip
        services.question_answer(question=answered, actor=manager.user, text="Yes.")
    with at(D(2027, 3, 17)):
        waiting = services.question_ask(
            document=company_doc, actor=rep.user, expectation_key=key,
            text="What about\nLinkedIn   messages?", visibility="private",
        )  # fmt: skip
        services.question_ask(
            document=company_doc, actor=rep2.user, expectation_key=key,
            text="Rita's own question", visibility="public",
        )  # fmt: skip
    return {"company": company, "east": east, "waiting": waiting, "key": key, **everyone}


@pytest.fixture(autouse=True)
def _today(world: Any) -> Any:
    with at(TODAY):
        yield


def owed(person: Person, version: Any) -> SignatureRequest:
    return SignatureRequest.objects.get(person=person, version=version)


def test_the_manager_sees_what_the_report_owes_and_asked(world: Any) -> None:
    rep, manager, company, east = world["rep"], world["manager"], world["company"], world["east"]
    waiting = world["waiting"]
    title = first_expectation(company.document).title
    items = expectations_agenda(rep, manager, None, TODAY)
    assert [(i.key, i.title, i.detail, i.url, i.weight) for i in items] == [
        (
            f"signature:{owed(rep, company).pk}",
            "Overdue signature: How we sell",
            "Version 1 was due 15 Mar 2027, 3 days ago.",
            f"/expectations/{company.document_id}/v/1/sign/",
            35,
        ),
        (
            f"signature:{owed(rep, east).pk}",
            "Not signed yet: East playbook",
            "Version 1 is due 24 Mar 2027.",
            f"/expectations/{east.document_id}/v/1/sign/",
            15,
        ),
        (
            f"question:{waiting.pk}",
            f"Unanswered question on “{title}”",
            "Asked 17 Mar 2027 about How we sell: “What about LinkedIn messages?”",
            f"/expectations/{company.document_id}/#e-{world['key']}",
            25,
        ),
    ]
    assert {i.source for i in items} == {"expectations"}


def test_the_registry_puts_the_overdue_signature_first(world: Any) -> None:
    items = [
        i
        for i in agenda_items(world["rep"], world["manager"], None, TODAY)
        if i.source == "expectations"
    ]
    assert [i.key.split(":")[0] for i in items] == ["signature", "question", "signature"]


def test_a_signature_given_or_a_question_answered_leaves_the_agenda(world: Any) -> None:
    rep, manager = world["rep"], world["manager"]
    before = expectations_agenda(rep, manager, D(2027, 3, 1), TODAY)
    sign(rep, world["company"])
    services.question_answer(question=world["waiting"], actor=manager.user, text="Not yet.")
    after = expectations_agenda(rep, manager, D(2027, 3, 1), TODAY)
    # What remains keeps its key, so a stored agenda updates the item rather than adding one.
    assert [i.key for i in after] == [before[1].key]


def test_the_items_link_to_pages_the_report_and_the_manager_open(client: Any, world: Any) -> None:
    rep, manager = world["rep"], world["manager"]
    sign_url, _east, question_url = (i.url for i in expectations_agenda(rep, manager, None, TODAY))
    client.force_login(rep.user)
    assert client.get(sign_url, follow=True).status_code == 200
    assert "Sign" in client.get(sign_url, follow=True).content.decode()
    client.force_login(manager.user)
    page = client.get(question_url.split("#")[0]).content.decode()
    assert "What about" in page


def test_nobody_outside_the_reporting_line_gets_these_items(world: Any) -> None:
    rep = world["rep"]
    assert expectations_agenda(rep, world["other_manager"], None, TODAY) == []
    assert expectations_agenda(rep, world["admin"], None, TODAY) == []
    assert expectations_agenda(world["manager"], rep, None, TODAY) == []
    assert expectations_agenda(rep, world["rep2"], None, TODAY) == []
