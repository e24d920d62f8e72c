"""Reading documents: the list, a version, PDFs, comparisons and the change log."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render

from charter.core.http import AuthenticatedHttpRequest, person_required
from charter.expectations import diff, selectors
from charter.expectations import render as render_mod
from charter.expectations.access import (
    can_answer,
    can_create_document,
    can_edit_document,
    can_view_coverage,
)
from charter.expectations.forms import QuestionForm
from charter.expectations.models import Document, DocumentVersion, Question
from charter.expectations.registry import reader_statuses
from charter.expectations.views._common import readable_document, version_of


@person_required
def document_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    rows = []
    for document, latest in selectors.documents_for(request.user):
        my_request = selectors.request_for(request.person, latest) if latest else None
        rows.append(
            {
                "document": document,
                "latest": latest,
                "my_request": my_request,
                "my_state": my_request.state() if my_request else "",
                "can_edit": can_edit_document(request.user, document),
            }
        )
    return render(
        request,
        "expectations/list.html",
        {
            "rows": rows,
            "to_sign": selectors.open_requests(request.person),
            "can_create": can_create_document(request.user),
            "can_view_coverage": can_view_coverage(request.user),
            "unanswered": selectors.unanswered_questions_for_manager(request.user).count(),
        },
    )


@person_required
def document_detail(request: AuthenticatedHttpRequest, document_id: int) -> HttpResponse:
    document = readable_document(request.user, document_id)
    version = selectors.current_version(document)
    if version is None:
        if can_edit_document(request.user, document):
            return redirect("expectations:edit", document.pk)
        return render(request, "expectations/unpublished.html", {"document": document})
    return _render_version(request, document, version)


@person_required
def version_detail(
    request: AuthenticatedHttpRequest, document_id: int, number: int
) -> HttpResponse:
    document = readable_document(request.user, document_id)
    return _render_version(request, document, version_of(document, number))


def _render_version(
    request: AuthenticatedHttpRequest, document: Document, version: DocumentVersion
) -> HttpResponse:
    current = selectors.current_version(document)
    questions = list(selectors.visible_questions(request.user, document))
    by_expectation: dict[str, list[Question]] = {}
    for question in questions:
        by_expectation.setdefault(str(question.expectation_key), []).append(question)
    my_request = selectors.request_for(request.person, version)
    return render(
        request,
        "expectations/document.html",
        {
            "document": document,
            "version": version,
            "is_current": current is not None and current.pk == version.pk,
            "current": current,
            "my_request": my_request,
            "my_state": my_request.state() if my_request else "",
            "questions": by_expectation,
            "question_form": QuestionForm(),
            "can_edit": can_edit_document(request.user, document),
            "answerable": {q.pk for q in questions if can_answer(request.user, q)},
            "versions": selectors.versions(document),
            "can_view_coverage": can_view_coverage(request.user),
            "reader_status": reader_statuses(document, version.content, request.person),
        },
    )


def _pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@person_required
def version_pdf(request: AuthenticatedHttpRequest, document_id: int, number: int) -> HttpResponse:
    document = readable_document(request.user, document_id)
    version = version_of(document, number)
    return _pdf_response(render_mod.document_pdf(version), render_mod.pdf_filename(version))


@person_required
def version_poster(
    request: AuthenticatedHttpRequest, document_id: int, number: int
) -> HttpResponse:
    document = readable_document(request.user, document_id)
    version = version_of(document, number)
    return _pdf_response(
        render_mod.poster_pdf(version), render_mod.pdf_filename(version, poster=True)
    )


@person_required
def compare(request: AuthenticatedHttpRequest, document_id: int) -> HttpResponse:
    document = readable_document(request.user, document_id)
    all_versions = list(selectors.versions(document))
    numbers = [v.number for v in all_versions]
    try:
        new_n = int(request.GET.get("b", numbers[0] if numbers else 0))
        old_n = int(request.GET.get("a", new_n - 1))
    except ValueError:
        old_n, new_n = (numbers[1], numbers[0]) if len(numbers) > 1 else (0, 0)
    old = next((v for v in all_versions if v.number == old_n), None)
    new = next((v for v in all_versions if v.number == new_n), None)
    result = diff.compare(old.content, new.content) if old and new else None
    return render(
        request,
        "expectations/compare.html",
        {"document": document, "versions": all_versions, "old": old, "new": new, "diff": result},
    )


@person_required
def change_log(request: AuthenticatedHttpRequest, document_id: int) -> HttpResponse:
    document = readable_document(request.user, document_id)
    all_versions = list(selectors.versions(document))
    entries = []
    for index, version in enumerate(all_versions):
        previous = all_versions[index + 1] if index + 1 < len(all_versions) else None
        entries.append(
            {
                "version": version,
                "previous": previous,
                "diff": diff.compare(previous.content, version.content) if previous else None,
            }
        )
    return render(
        request, "expectations/changelog.html", {"document": document, "entries": entries}
    )
