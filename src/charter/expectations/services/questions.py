"""Questions people ask about expectations, and the answers."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from charter.core import audit
from charter.expectations.access import can_answer, can_edit_document, can_view_document
from charter.expectations.models import Answer, Document, Expectation, Question
from charter.org.access import can_write, person_of


def _find_expectation(document: Document, key: str) -> dict[str, Any] | None:
    from charter.expectations.selectors import current_version

    version = current_version(document)
    if version is None:
        return None
    for section in version.content["sections"]:
        for item in section["expectations"]:
            if item["key"] == key:
                return item
    return None


def question_ask(
    *, document: Document, actor: Any, expectation_key: str, text: str, visibility: str
) -> Question:
    from charter.expectations import tasks
    from charter.expectations.selectors import current_version

    me = person_of(actor)
    if me is None or not can_view_document(actor, document):
        raise PermissionDenied("You cannot ask questions about this document.")
    if not can_write(actor):
        raise PermissionDenied("Your role is read-only.")
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Write your question."})
    if visibility not in Question.Visibility.values:
        raise ValidationError({"visibility": "Choose who may see the question."})
    item = _find_expectation(document, expectation_key)
    if item is None:
        raise ValidationError({"expectation": "That expectation is not in the current version."})
    try:
        key = uuid.UUID(item["key"])
    except ValueError:
        raise ValidationError(
            {"expectation": "Questions are asked on written expectations, not generated sections."}
        ) from None
    version = current_version(document)
    assert version is not None
    with transaction.atomic():
        question = Question.objects.create(
            document=document,
            expectation_key=key,
            expectation_title=item["title"],
            version=version,
            asked_by=me,
            text=text,
            visibility=visibility,
        )
        audit.record(
            actor=actor,
            action="expectations.question.asked",
            obj=question,
            after={"expectation": item["title"], "visibility": visibility, "text": text},
        )
        qid = question.pk
        transaction.on_commit(lambda: tasks.notify_question_asked.enqueue(question_id=qid))
    return question


def question_answer(*, question: Question, actor: Any, text: str) -> Answer:
    from charter.expectations import tasks

    if not can_answer(actor, question):
        raise PermissionDenied("Only the asker's managers and the document's editors answer.")
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Write your answer."})
    me = person_of(actor)
    assert me is not None
    with transaction.atomic():
        answer = Answer.objects.create(question=question, author=me, text=text)
        audit.record(
            actor=actor, action="expectations.question.answered", obj=question, after={"text": text}
        )
        aid = answer.pk
        transaction.on_commit(lambda: tasks.notify_question_answered.enqueue(answer_id=aid))
    return answer


def question_fold(*, question: Question, actor: Any) -> Expectation:
    """Append the question and its answer to the expectation's draft text for the next version."""
    if not can_edit_document(actor, question.document):
        raise PermissionDenied("Only the document's editors change its draft.")
    answers = list(question.answers.all())
    if not answers:
        raise ValidationError("Answer the question before folding it into the document.")
    expectation = (
        Expectation.objects.filter(
            key=question.expectation_key, section__document=question.document
        )
        .select_related("section__document")
        .first()
    )
    if expectation is None:
        raise ValidationError("The expectation is no longer in the draft.")
    addition = f"\n\n**Q: {question.text}**  \n{answers[-1].text}"
    with transaction.atomic():
        before = expectation.text
        expectation.text = (expectation.text.rstrip() + addition).strip()
        expectation.revision += 1
        expectation.save(update_fields=["text", "revision"])
        Question.objects.filter(pk=question.pk).update(folded_into_draft_at=timezone.now())
        from charter.expectations.services.documents import _touch_draft

        _touch_draft(question.document)
        audit.record(
            actor=actor,
            action="expectations.question.folded",
            obj=question,
            before={"text": before},
            after={"text": expectation.text},
        )
    return expectation
