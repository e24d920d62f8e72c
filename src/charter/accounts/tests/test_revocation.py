"""Closing a login, setting its password or changing its email ends what it had signed in with:
sessions are deleted, API tokens revoked (they stay listed), and an email change is told to the
old address."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client

from charter.accounts import services
from charter.accounts.models import ApiToken, LoginEmailChange, Session
from charter.conftest import client_for
from charter.core import emails
from charter.core.models import AuditEvent
from charter.org import services as org_services

ME = "/api/v1/me/"
PROFILE = "/accounts/profile/"
RESET = "/accounts/password-reset/"
NEW_PASSWORD = "a brand new long passphrase"


def _token_for(person) -> str:
    _token, raw = services.api_token_create(user=person.user, actor=person.user, name="script")
    return raw


def _api(raw: str):
    return Client().get(ME, HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_deactivation_ends_sessions_and_tokens_for_good(admin, rep):
    browser = client_for(rep)
    raw = _token_for(rep)
    assert browser.get(PROFILE).status_code == 200
    assert _api(raw).status_code == 200

    org_services.person_deactivate(person=rep, actor=admin.user)
    org_services.person_reactivate(person=rep, actor=admin.user)

    # Reactivated, the person signs in afresh: the old cookie and token stay dead.
    assert browser.get(PROFILE).status_code == 302
    assert _api(raw).status_code == 401
    assert not Session.objects.filter(user=rep.user).exists()
    token = ApiToken.objects.get(user=rep.user)
    assert token.revoked_at is not None
    assert AuditEvent.objects.filter(
        action="accounts.login.access_revoked", after__reason="deactivated"
    ).exists()


def test_a_password_reset_ends_other_sessions_and_tokens(rep, django_capture_on_commit_callbacks):
    elsewhere = client_for(rep)
    raw = _token_for(rep)
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(RESET, {"email": rep.email})
    link = re.search(r"http://testserver(/accounts/set-password/\S+/)", str(mail.outbox[0].body))
    assert link

    follower = Client()
    follower.post(link.group(1), {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert elsewhere.get(PROFILE).status_code == 302
    assert _api(raw).status_code == 401
    # Whoever followed the link is signed in, in a session of their own.
    assert follower.get(PROFILE).status_code == 200
    assert Session.objects.filter(user=rep.user).count() == 1


def test_an_email_change_tells_the_old_address_and_ends_sessions_and_tokens(
    admin, rep, django_capture_on_commit_callbacks
):
    browser = client_for(rep)
    raw = _token_for(rep)
    old = rep.email

    with django_capture_on_commit_callbacks(execute=True):
        org_services.person_update(person=rep, actor=admin.user, email="rick@new.test")

    rep.user.refresh_from_db()
    assert rep.user.email == "rick@new.test"
    assert browser.get(PROFILE).status_code == 302
    assert _api(raw).status_code == 401
    change = LoginEmailChange.objects.get(user=rep.user)
    assert (change.old_email, change.new_email, change.changed_by) == (
        old,
        "rick@new.test",
        admin.user,
    )
    [message] = mail.outbox
    assert message.to == [old]
    assert "rick@new.test" in message.body
    assert "Ada Admin" in message.body
    assert AuditEvent.objects.filter(action="accounts.login.email_changed").exists()


def test_the_email_change_notice_renders_both_bodies(admin, rep):
    change = services.login_email_change(user=rep.user, email="rick@new.test", actor=admin.user)
    assert change is not None

    subject, text, html = emails.render(
        "login_email_changed",
        {"change": change, "name": "Rick", "changed_by_name": "Ada <Admin>"},
    )

    assert subject == "Your Charter sign-in address was changed"
    assert "from rick.rep@acme.test to rick@new.test by Ada <Admin>" in text
    assert "Ada &lt;Admin&gt;" in html
    assert "tell an admin" in html


def test_an_email_change_to_an_address_another_login_has_changes_nothing(admin, rep):
    from charter.accounts.models import User

    User.objects.create_user("taken@acme.test")
    browser = client_for(rep)

    with pytest.raises(ValidationError, match="already used by another login"):
        services.login_email_change(user=rep.user, email="taken@acme.test", actor=admin.user)

    rep.user.refresh_from_db()
    assert rep.user.email == "rick.rep@acme.test"
    assert not LoginEmailChange.objects.exists()
    assert browser.get(PROFILE).status_code == 200


def test_login_email_change_records_can_be_neither_edited_nor_deleted(admin, rep):
    change = services.login_email_change(user=rep.user, email="rick@new.test", actor=admin.user)
    assert change is not None
    change.new_email = "other@new.test"
    with pytest.raises(ValueError, match="never changes"):
        change.save()
    with pytest.raises(ValueError, match="never deleted"):
        change.delete()
    assert LoginEmailChange.objects.get().new_email == "rick@new.test"
