"""Password reset by email and the set-password link that invitations share."""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client

from charter.conftest import PASSWORD, client_for, make_person
from charter.core.models import AuditEvent, EmailLog
from charter.org import services as org_services
from charter.org.models import Invitation, Role

RESET = "/accounts/password-reset/"
NEW_PASSWORD = "a brand new long passphrase"


def _link_path(message: mail.EmailMessage) -> str:
    match = re.search(r"http://testserver(/accounts/set-password/\S+/)", str(message.body))
    assert match, message.body
    return match.group(1)


def test_reset_request_emails_a_link_that_sets_the_password_and_signs_in(
    rep, django_capture_on_commit_callbacks
):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(RESET, {"email": rep.email.upper()})
    assert response.status_code == 200
    assert "Check your email" in response.content.decode()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [rep.email]
    assert EmailLog.objects.filter(kind="password_reset", to=rep.email, status="sent").exists()

    link = _link_path(mail.outbox[0])
    assert client.get(link).status_code == 200
    response = client.post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session[SESSION_KEY] == str(rep.user.pk)
    rep.user.refresh_from_db()
    assert rep.user.check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(action="accounts.password.set", actor=rep.user).exists()


def test_reset_link_works_only_once(rep, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(RESET, {"email": rep.email})
    link = _link_path(mail.outbox[0])
    Client().post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    again = Client()
    response = again.post(link, {"new_password1": "another one entirely", "new_password2": "x"})

    assert response.status_code == 400
    assert "no longer works" in response.content.decode()
    assert SESSION_KEY not in again.session
    rep.user.refresh_from_db()
    assert rep.user.check_password(NEW_PASSWORD)


def test_unknown_email_gets_the_same_answer_and_no_mail(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(RESET, {"email": "nobody@acme.test"})
    assert response.status_code == 200
    assert "If nobody@acme.test belongs to someone in Charter" in response.content.decode()
    assert mail.outbox == []
    assert not EmailLog.objects.exists()


def test_deactivated_person_gets_no_reset_mail(rep, django_capture_on_commit_callbacks):
    rep.user.is_active = False
    rep.user.save(update_fields=["is_active"])
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(RESET, {"email": rep.email})
    assert mail.outbox == []


def test_mismatched_passwords_change_nothing(rep, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(RESET, {"email": rep.email})
    link = _link_path(mail.outbox[0])
    client = Client()
    response = client.post(link, {"new_password1": NEW_PASSWORD, "new_password2": "different"})
    assert response.status_code == 200
    assert SESSION_KEY not in client.session
    rep.user.refresh_from_db()
    assert rep.user.check_password(PASSWORD)


def test_a_tampered_link_does_not_work(rep, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(RESET, {"email": rep.email})
    link = _link_path(mail.outbox[0])
    assert Client().get(link[:-3] + "xx/").status_code == 400
    assert Client().get("/accounts/set-password/!!!/abc/").status_code == 400


def test_setting_a_password_by_link_lifts_a_lockout(rep, django_capture_on_commit_callbacks):
    locked = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        locked.post("/accounts/login/", {"username": rep.email, "password": "wrong"})
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(RESET, {"email": rep.email})
    Client().post(
        _link_path(mail.outbox[0]),
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    response = locked.post("/accounts/login/", {"username": rep.email, "password": NEW_PASSWORD})

    assert response.status_code == 302


def test_invitation_link_sets_a_password_once_and_accepts_the_invitation(
    admin, org, django_capture_on_commit_callbacks
):
    newcomer = make_person(org, "Nina New", Role.REP, login=False)
    with django_capture_on_commit_callbacks(execute=True):
        invitation = org_services.person_invite(person=newcomer, actor=admin.user)
    link = _link_path(mail.outbox[0])

    client = Client()
    response = client.post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    assert "Nina" in client.get("/").content.decode()
    second = Client()
    assert second.get(link).status_code == 400
    response = second.post(link, {"new_password1": "x" * 20, "new_password2": "x" * 20})
    assert response.status_code == 400
    assert SESSION_KEY not in second.session
    assert Invitation.objects.filter(accepted_at__isnull=True).count() == 0


def test_signed_in_person_is_sent_home_from_the_login_page(rep):
    response = client_for(rep).get("/accounts/login/")
    assert response.status_code == 302
    assert response["Location"] == "/"
