"""Certificates: validity, states, and expiry alerts sent exactly once through `charter tick`
and the notification preferences."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command

from charter.accounts.models import NotificationPreferences
from charter.conftest import client_for
from charter.core import registry
from charter.core.models import AuditEvent
from charter.learning.certificates import EXPIRED, EXPIRING, VALID, alert_stage, expiry_of, state
from charter.learning.models import Certificate, CertificateAlert
from charter.learning.services.certificates import (
    certificate_add,
    certification_create,
    send_expiry_alerts,
)

D = dt.date


def test_validity_runs_to_the_day_before_the_anniversary():
    assert expiry_of(D(2025, 3, 15), 12) == D(2026, 3, 14)
    assert expiry_of(D(2024, 2, 29), 12) == D(2025, 2, 27)  # no 29 Feb 2025: 28th, less a day
    assert expiry_of(D(2025, 8, 31), 6) == D(2026, 2, 27)


def test_states_around_the_window_and_the_end():
    end = D(2026, 6, 30)
    assert state(end, D(2026, 5, 1), 60) == EXPIRING  # 60 days left: inside the window
    assert state(end, D(2026, 4, 30), 60) == VALID  # 61 days left
    assert state(end, D(2026, 5, 1), 30) == VALID
    assert state(end, D(2026, 5, 2), 60) == EXPIRING
    assert state(end, D(2026, 6, 30), 60) == EXPIRING  # the last valid day
    assert state(end, D(2026, 7, 1), 60) == EXPIRED


def test_alert_stages_latest_reached_only():
    end = D(2026, 6, 30)
    assert alert_stage(end, D(2026, 4, 30)) is None  # 61 days
    assert alert_stage(end, D(2026, 5, 1)) == "60"
    assert alert_stage(end, D(2026, 5, 31)) == "30"
    assert alert_stage(end, D(2026, 6, 1)) == "30"  # a late tick: 29 days, still the 30 stage
    assert alert_stage(end, D(2026, 6, 23)) == "7"
    assert alert_stage(end, D(2026, 6, 30)) == "expired"
    assert alert_stage(end, D(2026, 7, 7)) == "expired"
    assert alert_stage(end, D(2026, 7, 8)) is None  # old news


@pytest.fixture
def aws(org, admin):
    return certification_create(org=org, actor=admin.user, name="AWS Practitioner",
                                validity_months=24)  # fmt: skip


@pytest.fixture
def rick_cert(rep, aws):
    with time_machine.travel(dt.datetime(2026, 1, 10, 12, tzinfo=dt.UTC), tick=False):
        return certificate_add(
            person=rep, actor=rep.user, certification=aws, issued_on=D(2024, 7, 1),
            credential_id="AWS-123",
        )  # fmt: skip


def _tick(day, monkeypatch, capture):
    jobs = {"learning.certificate_alerts": registry.periodic_jobs["learning.certificate_alerts"]}
    monkeypatch.setattr(registry, "periodic_jobs", jobs)
    with (
        time_machine.travel(dt.datetime.combine(day, dt.time(12), dt.UTC), tick=False),
        capture(execute=True),
    ):
        call_command("tick", stdout=StringIO())


def test_each_alert_goes_once_to_the_holder_and_the_manager(
    rick_cert, manager, monkeypatch, mailoutbox, django_capture_on_commit_callbacks
):
    assert rick_cert.expires_on == D(2026, 6, 30)
    for day in (D(2026, 4, 30), D(2026, 5, 1), D(2026, 5, 2), D(2026, 5, 31), D(2026, 6, 1),
                D(2026, 6, 23), D(2026, 6, 30), D(2026, 7, 1)):  # fmt: skip
        _tick(day, monkeypatch, django_capture_on_commit_callbacks)
    stages = list(CertificateAlert.objects.order_by("id").values_list("stage", flat=True))
    assert stages == ["60", "30", "7", "expired"]
    assert len(mailoutbox) == 8
    subjects = [m.subject for m in mailoutbox]
    assert subjects[0] == "Your AWS Practitioner certificate ends in 60 days"
    assert subjects[1] == "Rick Rep's AWS Practitioner certificate ends in 60 days"
    assert {tuple(m.to) for m in mailoutbox} == {("rick.rep@acme.test",),
                                                 ("mona.manager@acme.test",)}  # fmt: skip
    assert "AWS-123" in mailoutbox[0].body
    assert "AWS-123" in mailoutbox[0].alternatives[0][0]


def test_preferences_are_asked(
    rick_cert, rep, manager, mailoutbox, django_capture_on_commit_callbacks
):
    NotificationPreferences.objects.create(user=rep.user, reminders=False)
    with django_capture_on_commit_callbacks(execute=True):
        send_expiry_alerts(today=D(2026, 5, 1))
    assert [m.to for m in mailoutbox] == [["mona.manager@acme.test"]]
    NotificationPreferences.objects.create(user=manager.user, team_alerts=False)
    with django_capture_on_commit_callbacks(execute=True):
        send_expiry_alerts(today=D(2026, 6, 1))
    assert len(mailoutbox) == 1
    assert CertificateAlert.objects.count() == 2  # decided once, whoever wanted the email


def test_a_renewed_certificate_silences_the_old_one(rick_cert, rep, aws, mailoutbox):
    with time_machine.travel(dt.datetime(2026, 5, 1, 12, tzinfo=dt.UTC), tick=False):
        certificate_add(person=rep, actor=rep.user, certification=aws, issued_on=D(2026, 4, 20))
    assert send_expiry_alerts(today=D(2026, 6, 1)) == {"60": 0, "30": 0, "7": 0, "expired": 0}
    assert mailoutbox == []


def test_bad_certificates_name_their_field(rep, aws):
    with time_machine.travel(dt.datetime(2026, 1, 10, 12, tzinfo=dt.UTC), tick=False):
        with pytest.raises(ValidationError) as future:
            certificate_add(person=rep, actor=rep.user, certification=aws, issued_on=D(2026, 2, 1))
        assert "issued_on" in future.value.message_dict
        with pytest.raises(ValidationError) as backwards:
            certificate_add(person=rep, actor=rep.user, certification=aws,
                            issued_on=D(2025, 2, 1), expires_on=D(2025, 1, 1))  # fmt: skip
        assert "expires_on" in backwards.value.message_dict
    assert not Certificate.objects.exists()


def test_certificate_page_scope_and_who_records_for_whom(
    rick_cert, rep, rep2, manager, other_manager, aws
):
    assert "AWS Practitioner" in client_for(manager).get("/learning/certificates/").content.decode()
    assert "AWS-123" not in client_for(rep2).get("/learning/certificates/").content.decode()
    assert (
        "AWS-123" not in client_for(other_manager).get("/learning/certificates/").content.decode()
    )
    data = {"person": rep2.pk, "certification": aws.pk, "issued_on": "2025-01-01"}
    assert client_for(rep).post("/learning/certificates/", data).status_code == 200  # not his
    assert client_for(manager).post("/learning/certificates/", data).status_code == 302
    assert Certificate.objects.filter(person=rep2).count() == 1


def test_only_admins_add_certifications(manager, admin):
    data = {"name": "Sales Navigator", "validity_months": "12", "expiring_days": "30"}
    assert client_for(manager).post("/learning/certifications/", data).status_code == 403
    assert client_for(admin).post("/learning/certifications/", data).status_code == 302


def test_the_audit_log_names_the_holder_of_an_alerted_certificate(rick_cert):
    send_expiry_alerts(today=D(2026, 5, 1))
    event = AuditEvent.objects.get(action="learning.certificate.alerted")
    assert event.object_repr == "AWS Practitioner of Rick Rep until 2026-06-30"
