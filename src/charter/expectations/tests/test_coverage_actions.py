"""The coverage page leads somewhere: each name opens the person, and an overdue signer can be
reminded from the page by those who may remind them (the same service, audit and permission as
the home page's reminder)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from charter.conftest import client_for, make_person
from charter.core.models import AuditEvent
from charter.expectations.models import ReminderSent, SignatureRequest
from charter.expectations.tests.conftest import publish, sign
from charter.org.models import Role

PUBLISHED = dt.datetime(2027, 3, 1, 9, tzinfo=dt.UTC)  # due on 15 March
LATE = dt.datetime(2027, 3, 18, 9, tzinfo=dt.UTC)


@pytest.fixture
def version(company_doc: Any, admin: Any) -> Any:
    with time_machine.travel(PUBLISHED):
        return publish(company_doc, admin.user)


@pytest.fixture
def late() -> Any:
    with time_machine.travel(LATE, tick=False):
        yield


def _page(person: Any, version: Any) -> str:
    url = f"/expectations/{version.document_id}/v/{version.number}/coverage/"
    response = client_for(person).get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_coverage_names_link_to_the_person(version, everyone, late):
    html = _page(everyone["manager"], version)
    rep = everyone["rep"]
    assert f'<a href="/org/people/{rep.pk}/">Rick Rep</a>' in html


def test_manager_reminds_an_overdue_signer_from_the_coverage_page(
    version, everyone, late, mailoutbox, django_capture_on_commit_callbacks
):
    rep, rep2, manager = everyone["rep"], everyone["rep2"], everyone["manager"]
    sign(rep2, version)
    rick = SignatureRequest.objects.get(person=rep, version=version)
    rita = SignatureRequest.objects.get(person=rep2, version=version)
    html = _page(manager, version)
    assert f'data-remind="{rick.pk}"' in html
    assert f'data-remind="{rita.pk}"' not in html  # signed: nothing to remind
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(manager).post(
            f"/expectations/requests/{rick.pk}/remind/", HTTP_HX_REQUEST="true"
        )
    assert "Reminded Rick Rep" in response.content.decode()
    assert ReminderSent.objects.filter(request=rick, kind__startswith="manual").count() == 1
    assert AuditEvent.objects.filter(
        action="expectations.signature.reminded", object_id=str(rep.pk), actor=manager.user
    ).exists()
    assert [m for m in mailoutbox if rep.email in m.to]


def test_pending_signers_and_executives_get_no_remind_button(version, everyone):
    with time_machine.travel(PUBLISHED + dt.timedelta(days=2), tick=False):
        assert "data-remind=" not in _page(everyone["manager"], version)  # not due yet
    with time_machine.travel(LATE, tick=False):
        executive = _page(everyone["executive"], version)
        admin = _page(everyone["admin"], version)
    # Executives read coverage but do not remind; the names still link.
    assert "data-remind=" not in executive
    assert f'href="/org/people/{everyone["rep"].pk}/"' in executive
    assert "data-remind=" in admin


def test_coverage_page_costs_the_same_queries_for_more_people(
    version, everyone, late, org, teams, admin
):
    _page(everyone["admin"], version)
    with CaptureQueriesContext(connection) as few:
        _page(everyone["admin"], version)
    for n in range(5):
        make_person(org, f"Late Rep {n}", Role.REP, team=teams["east_ent"], login=False)
    with time_machine.travel(PUBLISHED, tick=False):
        publish(version.document, admin.user, summary="again")
    latest = version.document.versions.order_by("-number").first()
    with time_machine.travel(LATE, tick=False):
        _page(everyone["admin"], latest)
        with CaptureQueriesContext(connection) as many:
            html = _page(everyone["admin"], latest)
    assert "Late Rep 4" in html
    assert len(many) == len(few)
