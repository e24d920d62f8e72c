"""The PDF of a version has one clean file name, whether downloaded or attached to the email."""

from __future__ import annotations

import re

from charter.conftest import client_for
from charter.core.downloads import download_name
from charter.expectations import services
from charter.expectations.models import Change

HOSTILE_TITLE = 'Q3: "Plan" / ../../etc\r\nBcc: x@evil.example; naïve'


def test_download_name_keeps_letters_digits_and_hyphens_only():
    assert download_name(HOSTILE_TITLE, "v2", extension="pdf") == (
        "q3-plan-etc-bcc-xevilexample-naive-v2.pdf"
    )
    assert download_name("", "/", extension="csv") == "charter.csv"
    assert len(download_name("x" * 300, extension="pdf")) <= 104


def test_the_email_attachment_is_named_like_the_download(
    company_doc, admin, rep, mailoutbox, django_capture_on_commit_callbacks
):
    company_doc.title = HOSTILE_TITLE
    company_doc.save(update_fields=["title"])
    with django_capture_on_commit_callbacks(execute=True):
        version = services.document_publish(
            document=company_doc, actor=admin.user, summary="First", change=Change.MATERIAL
        )
    download = client_for(rep).get(f"/expectations/{company_doc.pk}/v/{version.number}/pdf/")
    assert download.status_code == 200
    (web_name,) = re.findall(r'filename="([^"]+)"', download["Content-Disposition"])

    mailed = {message.attachments[0][0] for message in mailoutbox}

    assert mailed == {web_name}
    assert re.fullmatch(r"[a-z0-9-]+\.pdf", web_name)
    assert web_name.endswith("-v1.pdf")
