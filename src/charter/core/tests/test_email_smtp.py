"""End to end through a real SMTP server: an admin invites someone, the invitation travels over
SMTP on loopback, and the link in it lets the newcomer choose a password and sign in."""

from __future__ import annotations

import re
from email import message_from_bytes, policy
from email.message import EmailMessage

from django.test import Client

from charter.conftest import make_person
from charter.core.models import EmailLog
from charter.org import services as org_services
from charter.org.models import Role

NEW_PASSWORD = "a long and fresh passphrase"


def test_invitation_arrives_over_smtp_and_its_link_signs_the_person_in(
    smtp_server, org, admin, django_capture_on_commit_callbacks
):
    newcomer = make_person(org, "Nora Newcomer", Role.REP, login=False)

    with django_capture_on_commit_callbacks(execute=True):
        invitation = org_services.person_invite(person=newcomer, actor=admin.user)

    ((_mail_from, rcpt_tos, raw),) = smtp_server.messages
    assert rcpt_tos == ["nora.newcomer@acme.test"]
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    assert message["To"] == "nora.newcomer@acme.test"
    assert "Ada Admin invited you" in str(message["Subject"])
    text_part = message.get_body(preferencelist=("plain",))
    html_part = message.get_body(preferencelist=("html",))
    assert text_part is not None
    assert html_part is not None
    text = text_part.get_content()
    assert "Hello Nora," in text
    assert "Hello Nora," in html_part.get_content()
    match = re.search(r"http://testserver(/accounts/set-password/\S+/)", text)
    assert match, text
    link = match.group(1)
    assert EmailLog.objects.filter(kind="invitation", status="sent").count() == 1

    client = Client()
    assert "Choose your password" in client.get(link).content.decode()
    response = client.post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302

    home = client.get("/")
    assert home.status_code == 200
    assert "Nora Newcomer" in home.content.decode()
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    newcomer.refresh_from_db()
    assert newcomer.user is not None
    assert newcomer.user.check_password(NEW_PASSWORD)

    stranger = Client()
    assert stranger.get(link).status_code == 400
    response = stranger.post(link, {"new_password1": "x" * 20, "new_password2": "x" * 20})
    assert response.status_code == 400
    assert stranger.get("/").status_code == 302
