"""The emails of the expectations pillar: one function per kind (see `core.emails`)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from charter.core.emails import absolute_url, send
from charter.core.registry import email_topic
from charter.expectations.render import pdf_filename

# The emails of this pillar a person may turn off, under the preference `tasks.py` asks.
email_topic("reminders", "signatures you have not given yet")
email_topic("answers", "answers to the questions you asked about a document")
email_topic("team_alerts", "your team's overdue signatures and the questions they ask")


def _document_url(document_id: int, name: str = "expectations:document") -> str:
    return absolute_url(reverse(name, args=[document_id]))


def document_published(*, person: Any, version: Any, pdf: bytes) -> bool:
    """A new version reaches its audience, with the whole document as a PDF attachment."""
    document = version.document
    context = {
        "person": person,
        "version": version,
        "document": document,
        "link": _document_url(document.pk),
        "sign_link": _document_url(document.pk, "expectations:sign"),
    }
    # The download's own name: a title may hold quotes, slashes or line breaks.
    attachment = (pdf_filename(version), pdf, "application/pdf")
    return send("document_published", person.email, context, [attachment])


def signature_reminder(*, request: Any, kind: str) -> bool:
    """`kind` is "before", "due" or "overdue" (relative to the due date)."""
    version = request.version
    context = {
        "person": request.person,
        "version": version,
        "document": version.document,
        "request": request,
        "kind": kind,
        "sign_link": _document_url(version.document_id, "expectations:sign"),
    }
    return send("signature_reminder", request.person.email, context)


def signature_escalation(*, request: Any, manager: Any) -> bool:
    version = request.version
    context = {
        "manager": manager,
        "person": request.person,
        "version": version,
        "document": version.document,
        "request": request,
        "coverage_link": absolute_url(
            reverse("expectations:coverage", args=[version.document_id, version.number])
        ),
    }
    return send("signature_escalation", manager.email, context)


def question_asked(*, question: Any, to: Any) -> bool:
    context = {
        "question": question,
        "recipient": to,
        "link": absolute_url(reverse("expectations:questions")),
    }
    return send("question_asked", to.email, context)


def question_answered(*, answer: Any) -> bool:
    question = answer.question
    context = {
        "answer": answer,
        "question": question,
        "link": _document_url(question.document_id) + f"#e-{question.expectation_key}",
    }
    return send("question_answered", question.asked_by.email, context)
