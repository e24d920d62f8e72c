import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from charter.conftest import make_person
from charter.expectations import services
from charter.expectations.models import (
    Change,
    ReminderSent,
    Signature,
    SignatureRequest,
)
from charter.expectations.tests.conftest import (
    edit_first_expectation,
    publish,
    sign,
)
from charter.org.models import Role


def test_signing_stores_name_time_ip_agent_and_content_hash(company_doc, admin, rep):
    version = publish(company_doc, admin.user)
    signature = sign(rep, version)
    assert signature.typed_name == "Rick Rep"
    assert signature.ip_address == "127.0.0.1"
    assert signature.user_agent == "pytest"
    assert signature.content_hash == version.content_hash
    assert SignatureRequest.objects.get(person=rep, version=version).signed_at is not None


def test_signing_needs_the_exact_full_name(company_doc, admin, rep):
    version = publish(company_doc, admin.user)
    request = SignatureRequest.objects.get(person=rep, version=version)
    with pytest.raises(ValidationError, match="full name"):
        services.sign(
            request=request, actor=rep.user, typed_name="Rick", ip_address=None, user_agent=""
        )
    assert not Signature.objects.exists()


def test_nobody_signs_for_someone_else(company_doc, admin, rep, manager):
    version = publish(company_doc, admin.user)
    request = SignatureRequest.objects.get(person=rep, version=version)
    with pytest.raises(PermissionDenied):
        services.sign(
            request=request,
            actor=manager.user,
            typed_name=rep.full_name,
            ip_address=None,
            user_agent="",
        )
    assert not Signature.objects.exists()


def test_signing_an_outdated_version_is_refused(company_doc, admin, rep, values):
    v1 = publish(company_doc, admin.user)
    edit_first_expectation(company_doc, admin.user, values, "Stricter rule")
    publish(company_doc, admin.user, "v2", Change.MATERIAL)
    request = SignatureRequest.objects.get(person=rep, version=v1)
    with pytest.raises(ValidationError, match="outdated"):
        services.sign(
            request=request,
            actor=rep.user,
            typed_name=rep.full_name,
            ip_address=None,
            user_agent="",
        )


def test_material_change_asks_everyone_again(company_doc, admin, rep, values):
    v1 = publish(company_doc, admin.user)
    sign(rep, v1)
    edit_first_expectation(company_doc, admin.user, values, "Stricter rule")
    v2 = publish(company_doc, admin.user, "Stricter", Change.MATERIAL)
    request = SignatureRequest.objects.get(person=rep, version=v2)
    assert request.signed_at is None
    assert request.reason == "published"


def test_editorial_change_carries_signatures_over_with_a_note(
    company_doc, admin, rep, rep2, values
):
    v1 = publish(company_doc, admin.user)
    sign(rep, v1)
    edit_first_expectation(company_doc, admin.user, values, "Same rule, better wording")
    v2 = publish(company_doc, admin.user, "Wording", Change.EDITORIAL)
    carried = SignatureRequest.objects.get(person=rep, version=v2)
    assert carried.signed_at is not None
    assert "Carried over from version 1" in carried.signature.note
    assert carried.signature.content_hash == v2.content_hash
    # rep2 had not signed v1: their old request is superseded, a new one waits for v2.
    assert SignatureRequest.objects.get(person=rep2, version=v1).superseded_at is not None
    assert SignatureRequest.objects.get(person=rep2, version=v2).signed_at is None


def test_new_hire_joining_the_audience_is_asked_automatically(
    company_doc, admin, org, teams, manager
):
    version = publish(company_doc, admin.user)
    newbie = make_person(org, "Nina New", Role.REP, team=teams["east_ent"], manager=manager)
    assert services.audience_sync() == {"requested": 1, "withdrawn": 0}
    request = SignatureRequest.objects.get(person=newbie, version=version)
    assert request.reason == "joined audience"
    assert services.audience_sync() == {"requested": 0, "withdrawn": 0}


def test_someone_who_leaves_a_team_document_audience_is_no_longer_asked(
    org, teams, manager, rep, values
):
    from charter.expectations.models import Document
    from charter.expectations.tests.conftest import fill_document
    from charter.org import services as org_services

    document = services.document_create(
        org=org, actor=manager.user, title="East", audience="team", audience_team=teams["east_ent"]
    )
    fill_document(document, values, manager.user)
    version = publish(document, manager.user)
    assert Document.objects.get(pk=document.pk)
    org_services.person_update(person=rep, actor=None, team=teams["west_mm"])
    assert services.audience_sync(document=document) == {"requested": 0, "withdrawn": 1}
    assert SignatureRequest.objects.get(person=rep, version=version).state() == "superseded"


def test_reminders_go_before_on_and_after_the_due_date_then_escalate(
    company_doc, admin, rep, mailoutbox, django_capture_on_commit_callbacks
):
    with time_machine.travel(dt.datetime(2027, 3, 1, 9, tzinfo=dt.UTC)):
        version = publish(company_doc, admin.user)
    request = SignatureRequest.objects.get(person=rep, version=version)
    assert request.due_date == dt.date(2027, 3, 15)
    mailoutbox.clear()

    def tick_on(day):
        with django_capture_on_commit_callbacks(execute=True):
            return services.send_due_reminders(today=day)

    tick_on(dt.date(2027, 3, 11))  # four days before the due date: too early for anything
    assert not ReminderSent.objects.filter(request=request).exists()
    tick_on(dt.date(2027, 3, 12))
    tick_on(dt.date(2027, 3, 12))  # a second tick the same day sends nothing more
    tick_on(dt.date(2027, 3, 15))
    tick_on(dt.date(2027, 3, 16))
    tick_on(dt.date(2027, 3, 18))
    kinds = list(
        ReminderSent.objects.filter(request=request).order_by("id").values_list("kind", flat=True)
    )
    assert kinds == ["before", "due", "overdue", "escalation"]
    to_rep = [m for m in mailoutbox if rep.email in m.to]
    to_manager = [m for m in mailoutbox if rep.manager.email in m.to]
    assert len(to_rep) == 3
    assert any("Rick Rep" in m.body for m in to_manager)
    request.refresh_from_db()
    assert request.escalated_at is not None
