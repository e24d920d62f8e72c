"""Emailing a version to its audience, the PDF and the poster, and hostile Markdown."""

from charter.expectations import render, services
from charter.expectations.models import Change, Delivery, Distribution
from charter.expectations.tests.conftest import first_expectation

HOSTILE = (
    "Be nice. <script>alert('x')</script> <img src=x onerror=\"alert(1)\"> "
    "[click me](javascript:alert(2))"
)


def test_publish_emails_everyone_with_the_pdf_and_logs_each_delivery(
    company_doc, admin, everyone, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        version = services.document_publish(
            document=company_doc, actor=admin.user, summary="First", change=Change.MATERIAL
        )
    distribution = Distribution.objects.get(version=version)
    statuses = set(distribution.deliveries.values_list("status", flat=True))
    assert statuses == {Delivery.Status.SENT}
    assert distribution.deliveries.count() == len(everyone)
    assert len(mailoutbox) == len(everyone)
    message = mailoutbox[0]
    html = message.alternatives[0][0]
    assert "How we sell" in message.subject
    assert "/expectations/" in message.body
    assert "sign" in message.body
    assert "Transparency" in html
    _name, content, mimetype = message.attachments[0]
    assert mimetype == "application/pdf"
    assert content.startswith(b"%PDF")
    job = distribution.job
    assert job is not None
    job.refresh_from_db()
    assert job.status == "succeeded"
    assert job.progress_done == len(everyone)


def test_hostile_markdown_is_neutralised_in_page_email_and_pdf_source(
    company_doc, admin, values, mailoutbox, django_capture_on_commit_callbacks
):
    expectation = first_expectation(company_doc)
    services.expectation_update(
        expectation=expectation,
        actor=admin.user,
        expected_revision=expectation.revision,
        title="Hostile",
        text=HOSTILE,
        values=[values["ownership"]],
    )
    with django_capture_on_commit_callbacks(execute=True):
        version = services.document_publish(
            document=company_doc, actor=admin.user, summary="v1", change=Change.MATERIAL
        )
    for html in (version.rendered_html, mailoutbox[0].alternatives[0][0]):
        assert "<script" not in html
        assert "<img" not in html
        assert 'href="javascript' not in html
    assert "Be nice." in version.rendered_html
    pdf = render.document_pdf(version)
    assert pdf.startswith(b"%PDF")
    assert b"javascript" not in pdf


def test_poster_stays_on_one_page_with_many_long_key_expectations(company_doc, admin, values):
    section = company_doc.sections.filter(provider="").first()
    for n in range(12):
        services.expectation_add(
            section=section,
            actor=admin.user,
            title=f"Key expectation number {n} with a fairly long title",
            text="Long text " * 80,
            values=[values["growth"]],
            measure_text="A long description of how this is measured, every week",
            is_key=True,
        )
    version = services.document_publish(
        document=company_doc, actor=admin.user, summary="v1", change=Change.MATERIAL,
        distribute=False,
    )  # fmt: skip
    assert len(render.poster_layout(version).pages) == 1
    assert len(render.document_layout(version).pages) >= 2
