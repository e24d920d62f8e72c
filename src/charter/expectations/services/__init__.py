"""Writes of the expectations app, split by sub-domain; import from here."""

from charter.expectations.services.documents import (
    EditConflict,
    document_create,
    document_publish,
    document_update,
    expectation_add,
    expectation_delete,
    expectation_move,
    expectation_update,
    section_add,
    section_delete,
    section_move,
    section_update,
    value_create,
    value_update,
)
from charter.expectations.services.questions import question_answer, question_ask, question_fold
from charter.expectations.services.signatures import (
    AlreadyReminded,
    audience_sync,
    send_due_reminders,
    sign,
    signature_remind,
    verify_chain,
)

__all__ = [
    "AlreadyReminded",
    "EditConflict",
    "audience_sync",
    "document_create",
    "document_publish",
    "document_update",
    "expectation_add",
    "expectation_delete",
    "expectation_move",
    "expectation_update",
    "question_answer",
    "question_ask",
    "question_fold",
    "section_add",
    "section_delete",
    "section_move",
    "section_update",
    "send_due_reminders",
    "sign",
    "signature_remind",
    "value_create",
    "value_update",
    "verify_chain",
]
