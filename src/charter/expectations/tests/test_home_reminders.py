"""The manager's home lists who below them still owes a signature, overdue first, and reminds
one of them in one click; executives and admins read coverage per document on their home."""

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
LATE = dt.datetime(2027, 3, 18, 9, tzinfo=dt.UTC)  # three days overdue


@pytest.fixture
def version(company_doc: Any, admin: Any) -> Any:
    with time_machine.travel(PUBLISHED):
        return publish(company_doc, admin.user)


@pytest.fixture
def late() -> Any:
    with time_machine.travel(LATE, tick=False):
        yield


def owed_by(person: Any, version: Any) -> SignatureRequest:
    return SignatureRequest.objects.get(person=person, version=version)


def test_manager_home_names_overdue_signers_with_a_reminder(version, everyone, late):
    rep, rep2, manager = everyone["rep"], everyone["rep2"], everyone["manager"]
    sign(rep2, version)
    html = client_for(manager).get("/").content.decode()
    rick = owed_by(rep, version)
    assert f'data-request="{rick.pk}"' in html
    assert "3 days overdue" in html
    assert f'action="/expectations/requests/{rick.pk}/remind/"' in html
    # Rita signed; Olga is in another manager's team.
    assert "Rita Rep</a> · How we sell" not in html
    assert "Olga Other" not in html


def test_one_click_reminds_the_signer_once_a_day(
    version, everyone, late, mailoutbox, django_capture_on_commit_callbacks
):
    rep, manager = everyone["rep"], everyone["manager"]
    rick = owed_by(rep, version)
    mailoutbox.clear()
    client = client_for(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/expectations/requests/{rick.pk}/remind/", {"next": "/"}, HTTP_HX_REQUEST="true"
        )
    assert response.status_code == 200
    assert "Reminded Rick Rep to sign How we sell." in response.content.decode()
    assert ReminderSent.objects.filter(request=rick, kind="manual-2027-03-18").count() == 1
    event = AuditEvent.objects.get(action="expectations.signature.reminded", object_id=str(rep.pk))
    assert event.actor_id == manager.user.pk
    [mail] = [m for m in mailoutbox if rep.email in m.to]
    assert mail.subject.startswith("Overdue: please sign How we sell")
    again = client.post(f"/expectations/requests/{rick.pk}/remind/", {"next": "/"})
    assert again.status_code == 302
    assert ReminderSent.objects.filter(request=rick, kind__startswith="manual").count() == 1
    assert len([m for m in mailoutbox if rep.email in m.to]) == 1


@pytest.mark.parametrize(
    ("who", "status"),
    [("rep", 403), ("rep2", 404), ("other_manager", 404), ("executive", 403)],
)
def test_who_may_not_remind(version, everyone, late, who, status):
    rick = owed_by(everyone["rep"], version)
    response = client_for(everyone[who]).post(f"/expectations/requests/{rick.pk}/remind/")
    assert response.status_code == status
    assert not ReminderSent.objects.filter(request=rick).exists()


def test_a_signed_request_is_not_reminded(version, everyone, late):
    rick = owed_by(everyone["rep"], version)
    sign(everyone["rep"], version)
    client_for(everyone["admin"]).post(f"/expectations/requests/{rick.pk}/remind/")
    assert not ReminderSent.objects.filter(request=rick).exists()


def test_executive_home_shows_coverage_per_document(version, everyone, late):
    sign(everyone["rep"], version)
    html = client_for(everyone["executive"]).get("/").content.decode()
    start = html.index("Acknowledgment coverage")
    card = html[start : html.index("</section>", start)]
    assert "How we sell" in card
    asked = SignatureRequest.objects.filter(version=version, person__is_active=True).count()
    assert f"(1 of {asked})" in card
    assert f'<span class="badge badge-bad">{asked - 1}</span>' in card


def test_manager_home_queries_stay_flat_with_more_signers(version, everyone, org, late, teams):
    manager = everyone["manager"]
    client = client_for(manager)
    with CaptureQueriesContext(connection) as few:
        client.get("/")
    for n in range(12):
        make_person(org, f"Extra Rep{n}", Role.REP, team=teams["east_ent"], manager=manager)
    with time_machine.travel(PUBLISHED):
        publish(version.document, everyone["admin"].user, summary="v2")
    with CaptureQueriesContext(connection) as many:
        client.get("/")
    assert len(many) <= len(few), [q["sql"] for q in many.captured_queries]
