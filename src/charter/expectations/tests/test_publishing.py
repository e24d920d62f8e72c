import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from charter.core.models import AuditEvent
from charter.expectations import content, services
from charter.expectations.models import (
    Change,
    DocumentVersion,
    Expectation,
    ImmutableError,
    SignatureRequest,
)
from charter.expectations.tests.conftest import first_expectation


def test_new_document_starts_from_the_articles_sections(org, admin):
    document = services.document_create(org=org, actor=admin.user, title="Team charter")
    titles = list(document.sections.values_list("title", flat=True))
    assert titles == [t["title"] for t in content.TEMPLATE]
    assert document.sections.get(title="Our values").provider == "values"


def test_publishing_an_empty_section_is_refused_and_nothing_is_published(org, admin, values):
    document = services.document_create(org=org, actor=admin.user, title="Team charter")
    with pytest.raises(ValidationError) as excinfo:
        services.document_publish(
            document=document, actor=admin.user, summary="First", change=Change.MATERIAL
        )
    assert "Responsibilities and sales process" in str(excinfo.value)
    assert "is empty" in str(excinfo.value)
    assert not DocumentVersion.objects.exists()


def test_an_expectation_without_a_value_cannot_be_saved(company_doc, admin):
    section = company_doc.sections.filter(provider="").first()
    with pytest.raises(ValidationError) as excinfo:
        services.expectation_add(
            section=section, actor=admin.user, title="No value", text="Something", values=[]
        )
    assert "value" in str(excinfo.value)


def test_publishing_an_expectation_that_lost_its_values_is_refused(company_doc, admin):
    expectation = first_expectation(company_doc)
    expectation.values.clear()  # e.g. the value was removed after the expectation was written
    with pytest.raises(ValidationError) as excinfo:
        services.document_publish(
            document=company_doc, actor=admin.user, summary="v1", change=Change.MATERIAL
        )
    assert "is not tied to any company value" in str(excinfo.value)
    assert not DocumentVersion.objects.exists()


def test_publish_freezes_content_hash_and_asks_everyone(company_doc, admin, everyone):
    version = services.document_publish(
        document=company_doc, actor=admin.user, summary="First version", change=Change.MATERIAL
    )
    assert version.number == 1
    assert version.content_hash == content.content_hash(version.content)
    assert "Transparency" in version.rendered_html  # the values section is generated live
    assert SignatureRequest.objects.filter(version=version).count() == len(everyone)
    assert AuditEvent.objects.filter(action="expectations.version.published").count() == 1


def test_a_published_version_is_immutable(company_doc, admin):
    version = services.document_publish(
        document=company_doc, actor=admin.user, summary="v1", change=Change.MATERIAL
    )
    version.summary = "rewritten history"
    with pytest.raises(ImmutableError):
        version.save()
    with pytest.raises(ImmutableError):
        version.delete()


def test_later_draft_edits_do_not_touch_the_published_version(company_doc, admin, values):
    version = services.document_publish(
        document=company_doc, actor=admin.user, summary="v1", change=Change.MATERIAL
    )
    expectation = first_expectation(company_doc)
    services.expectation_update(
        expectation=expectation,
        actor=admin.user,
        expected_revision=expectation.revision,
        title="Changed",
        text="Changed text",
        values=[values["growth"]],
    )
    version.refresh_from_db()
    assert "Changed text" not in version.rendered_html
    assert version.content_hash == content.content_hash(version.content)


def test_publishing_unchanged_content_again_is_refused(company_doc, admin):
    services.document_publish(
        document=company_doc, actor=admin.user, summary="v1", change=Change.MATERIAL
    )
    with pytest.raises(ValidationError, match="Nothing changed"):
        services.document_publish(
            document=company_doc, actor=admin.user, summary="again", change=Change.EDITORIAL
        )


def test_second_editor_gets_a_conflict_not_a_silent_overwrite(company_doc, admin, values):
    expectation = first_expectation(company_doc)
    opened_at = expectation.revision
    services.expectation_update(
        expectation=expectation,
        actor=admin.user,
        expected_revision=opened_at,
        title="First editor",
        text="First editor's text",
        values=[values["ownership"]],
    )
    stale = Expectation.objects.get(pk=expectation.pk)
    with pytest.raises(services.EditConflict) as excinfo:
        services.expectation_update(
            expectation=stale,
            actor=admin.user,
            expected_revision=opened_at,
            title="Second editor",
            text="Second editor's text",
            values=[values["growth"]],
        )
    assert excinfo.value.current.text == "First editor's text"
    assert excinfo.value.mine["text"] == "Second editor's text"
    stale.refresh_from_db()
    assert stale.text == "First editor's text"


def test_effective_date_is_recorded(company_doc, admin):
    version = services.document_publish(
        document=company_doc,
        actor=admin.user,
        summary="v1",
        change=Change.MATERIAL,
        effective_date=dt.date(2027, 1, 1),
    )
    assert version.effective_date == dt.date(2027, 1, 1)
