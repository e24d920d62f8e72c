"""End to end through a real SMTP server on loopback: publishing a version emails everyone it
applies to, with the PDF attached, and the delivery log records each message."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage

from charter.expectations import services
from charter.expectations.models import Change, Delivery, Distribution


def test_published_version_reaches_everyone_over_smtp_with_the_pdf(
    smtp_server,
    company_doc,
    admin,
    everyone,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        version = services.document_publish(
            document=company_doc, actor=admin.user, summary="First", change=Change.MATERIAL
        )

    recipients = sorted(r for _from, tos, _raw in smtp_server.messages for r in tos)
    assert recipients == sorted(p.email for p in everyone.values())
    message = message_from_bytes(smtp_server.messages[0][2], policy=policy.default)
    assert isinstance(message, EmailMessage)
    assert "How we sell" in str(message["Subject"])
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None
    assert html is not None
    assert f"/expectations/{company_doc.pk}/sign/" in text.get_content()
    assert "Transparency" in html.get_content()
    attachments = list(message.iter_attachments())
    assert [a.get_content_type() for a in attachments] == ["application/pdf"]
    assert attachments[0].get_content().startswith(b"%PDF")
    distribution = Distribution.objects.get(version=version)
    assert set(distribution.deliveries.values_list("status", flat=True)) == {Delivery.Status.SENT}
