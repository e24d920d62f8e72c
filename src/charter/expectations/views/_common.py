from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from charter.expectations.access import can_edit_document, can_view_document
from charter.expectations.models import Document, DocumentVersion


def readable_document(user: Any, document_id: int) -> Document:
    """The document if `user` may read it; 404 otherwise, so its existence is not revealed."""
    document = get_object_or_404(Document.objects.select_related("audience_team"), pk=document_id)
    if not can_view_document(user, document):
        raise Http404("No such document.")
    return document


def editable_document(user: Any, document_id: int) -> Document:
    document = readable_document(user, document_id)
    if not can_edit_document(user, document):
        raise PermissionDenied("Only the document's editors can change it.")
    return document


def version_of(document: Document, number: int) -> DocumentVersion:
    return get_object_or_404(
        DocumentVersion.objects.select_related("published_by"), document=document, number=number
    )


def form_errors(exc: Any) -> list[str]:
    """Messages of a Django ValidationError, flat, for showing above a form."""
    if hasattr(exc, "message_dict"):
        return [m for messages in exc.message_dict.values() for m in messages]
    return list(getattr(exc, "messages", [str(exc)]))
