"""Fixtures for expectations tests: company values and a publishable company-wide document."""

from __future__ import annotations

from typing import Any

import pytest

from charter.expectations import services
from charter.expectations.models import (
    Change,
    Document,
    DocumentVersion,
    Expectation,
    Signature,
    SignatureRequest,
    Value,
)
from charter.org.models import Organization, Person


@pytest.fixture
def values(org: Organization, admin: Person) -> dict[str, Value]:
    names = {
        "transparency": ("Transparency", "We tell customers and each other the truth."),
        "ownership": ("Ownership", "We do what we said, and say so when we cannot."),
        "growth": ("Growth", "We get better every quarter."),
        "teamwork": ("Teamwork", "We win together."),
    }
    return {
        key: services.value_create(org=org, actor=admin.user, name=name, description=desc)
        for key, (name, desc) in names.items()
    }


def fill_document(document: Document, values: dict[str, Value], actor: Any) -> None:
    """Give every hand-written template section one expectation, so the draft can be published."""
    for section in document.sections.filter(provider=""):
        services.expectation_add(
            section=section,
            actor=actor,
            title=f"{section.title}: the basics",
            text=f"Everyone follows the **{section.title.lower()}** standard.",
            values=[values["ownership"]],
            measure_text="Reviewed in the quarterly review",
            is_key=True,
        )


@pytest.fixture
def company_doc(
    org: Organization, admin: Person, values: dict[str, Value], everyone: Any
) -> Document:
    document = services.document_create(org=org, actor=admin.user, title="How we sell")
    fill_document(document, values, admin.user)
    return document


def first_expectation(document: Document) -> Expectation:
    """The first hand-written expectation of a document's draft."""
    expectation = (
        Expectation.objects.filter(section__document=document, section__provider="")
        .order_by("section__order", "order", "id")
        .first()
    )
    assert expectation is not None
    return expectation


def edit_first_expectation(
    document: Document, actor: Any, values: dict[str, Value], text: str
) -> None:
    """Rewords the first expectation of the draft: same title, valued for ownership."""
    expectation = first_expectation(document)
    services.expectation_update(
        expectation=expectation,
        actor=actor,
        expected_revision=expectation.revision,
        title=expectation.title,
        text=text,
        values=[values["ownership"]],
    )


def publish(
    document: Document, actor: Any, summary: str = "v", change: str = Change.MATERIAL
) -> DocumentVersion:
    return services.document_publish(document=document, actor=actor, summary=summary, change=change)


def sign(person: Person, version: DocumentVersion) -> Signature:
    """`person` signs `version` as the signing page does: their full name, from a browser."""
    request = SignatureRequest.objects.get(person=person, version=version)
    return services.sign(
        request=request,
        actor=person.user,
        typed_name=person.full_name,
        ip_address="127.0.0.1",
        user_agent="pytest",
    )
