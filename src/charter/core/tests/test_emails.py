"""Every email kind: subject, text and HTML rendered from one context, logged when sent."""

from __future__ import annotations

import socket
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from django.core import mail
from django.test import override_settings

from charter.accounts import emails as accounts_emails
from charter.accounts.models import User
from charter.conftest import make_person
from charter.core import emails
from charter.core.models import EmailLog
from charter.org import emails as org_emails
from charter.org.models import Invitation, Role

EVIL = "<script>alert(1)</script> O'Brien"


@pytest.fixture
def invitation(org, admin) -> Invitation:
    person = make_person(org, "Nina New", Role.REP, login=False)
    person.user = User.objects.create_user(person.email)
    person.save(update_fields=["user"])
    return Invitation.objects.create(person=person, email=person.email, invited_by=admin.user)


def _html_part(message: mail.EmailMessage) -> str:
    assert isinstance(message, mail.EmailMultiAlternatives)
    html = [content for content, mimetype in message.alternatives if mimetype == "text/html"]
    assert len(html) == 1
    return str(html[0])


def test_invitation_sends_text_and_html_with_the_link_and_names(invitation):
    assert org_emails.invitation(invitation=invitation) is True

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert isinstance(message, mail.EmailMultiAlternatives)
    assert message.to == ["nina.new@acme.test"]
    assert message.subject == "Ada Admin invited you to Acme Demo Co on Charter"
    assert "http://testserver/accounts/set-password/" in message.body
    assert "Hello Nina," in message.body
    html = _html_part(message)
    assert 'href="http://testserver/accounts/set-password/' in html
    assert "Hello Nina," in html
    assert "Ada Admin" in html


def test_password_reset_sends_text_and_html_with_the_link_and_name(rep):
    accounts_emails.password_reset(user=rep.user)

    message = mail.outbox[0]
    assert message.subject == "Reset your Charter password"
    assert "Hello Rick," in message.body
    assert "http://testserver/accounts/set-password/" in message.body
    html = _html_part(message)
    assert "Hello Rick," in html
    assert 'href="http://testserver/accounts/set-password/' in html


def test_both_renders_share_one_link(rep):
    subject, text, html = emails.render(
        "password_reset", {"user": rep.user, "name": "Rick", "link": "http://x.test/l/1/"}
    )
    assert subject == "Reset your Charter password"
    assert "http://x.test/l/1/" in text
    assert 'href="http://x.test/l/1/"' in html


def test_html_escapes_a_malicious_name_and_text_keeps_it_literal(invitation, admin):
    invitation.person.full_name = EVIL
    admin.full_name = EVIL
    admin.save(update_fields=["full_name"])

    _subject, text, html = emails.render(
        "invitation",
        {
            "person": invitation.person,
            "org": invitation.person.org,
            "inviter_name": EVIL,
            "link": "http://testserver/l/",
        },
    )

    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; O&#x27;Brien" in html
    assert f"{EVIL} invited you" in text
    assert "&lt;" not in text
    assert "&#x27;" not in text


def test_subject_is_one_line_even_when_a_name_has_line_breaks(invitation, admin):
    admin.full_name = "Ada\r\nBcc: victim@example.com"
    admin.save(update_fields=["full_name"])
    org_emails.invitation(invitation=invitation)
    assert "\n" not in mail.outbox[0].subject
    assert "\r" not in mail.outbox[0].subject


def test_every_send_is_logged(invitation, rep):
    org_emails.invitation(invitation=invitation)
    accounts_emails.password_reset(user=rep.user)
    logged = {(log.kind, log.to, log.status) for log in EmailLog.objects.all()}
    assert logged == {
        ("invitation", "nina.new@acme.test", "sent"),
        ("password_reset", rep.email, "sent"),
    }


def test_a_failed_send_is_logged_with_the_error_and_raised(rep):
    # A port bound here but never listening: the connection is refused, and no other process
    # can start listening on it meanwhile (a fixed port might have had a server).
    unlistened = socket.socket()
    unlistened.bind(("127.0.0.1", 0))
    with (
        unlistened,
        override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=unlistened.getsockname()[1],
            EMAIL_USE_TLS=False,
            EMAIL_USE_SSL=False,
            EMAIL_TIMEOUT=2,
        ),
        pytest.raises(ConnectionRefusedError),
    ):
        accounts_emails.password_reset(user=rep.user)
    log = EmailLog.objects.get()
    assert log.status == EmailLog.Status.FAILED
    assert log.kind == "password_reset"
    assert log.error


def test_development_backend_writes_mail_to_files(invitation, tmp_path):
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(tmp_path),
    ):
        org_emails.invitation(invitation=invitation)
    files = list(tmp_path.iterdir())
    assert len(files) == 1
    parsed = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    assert parsed["To"] == "nina.new@acme.test"
    text_part = parsed.get_body(preferencelist=("plain",))
    assert text_part is not None
    text = text_part.get_content()
    assert "http://testserver/accounts/set-password/" in text
