"""Asking and answering questions about expectations."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from charter.core.http import AuthenticatedHttpRequest, person_required, safe_next
from charter.expectations import selectors, services
from charter.expectations.access import (
    can_answer,
    can_answer_questions,
    can_edit_document,
    can_view_document,
)
from charter.expectations.forms import AnswerForm, QuestionForm
from charter.expectations.models import Question
from charter.expectations.views._common import form_errors, readable_document


@require_POST
@person_required
def ask(request: AuthenticatedHttpRequest, document_id: int) -> HttpResponse:
    document = readable_document(request.user, document_id)
    form = QuestionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Write your question and choose who may see it.")
    else:
        try:
            services.question_ask(
                document=document,
                actor=request.user,
                expectation_key=form.cleaned_data["expectation"],
                text=form.cleaned_data["text"],
                visibility=form.cleaned_data["visibility"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(form_errors(exc)))
        else:
            messages.success(
                request, "Your question was sent. You will get an email with the answer."
            )
    anchor = f"#e-{form.data.get('expectation', '')}"
    return redirect(reverse("expectations:document", args=[document.pk]) + anchor)


def _answerable_question(request: AuthenticatedHttpRequest, question_id: int) -> Question:
    question = get_object_or_404(
        Question.objects.select_related("document", "asked_by"), pk=question_id
    )
    if question not in selectors.visible_questions(request.user, question.document) or not (
        can_view_document(request.user, question.document)
    ):
        raise Http404("No such question.")
    if not can_answer(request.user, question):
        raise PermissionDenied("Only the asker's managers and the document's editors answer.")
    return question


@require_POST
@person_required
def answer(request: AuthenticatedHttpRequest, question_id: int) -> HttpResponse:
    question = _answerable_question(request, question_id)
    form = AnswerForm(request.POST)
    if form.is_valid():
        services.question_answer(
            question=question, actor=request.user, text=form.cleaned_data["text"]
        )
        messages.success(request, "Answer posted; the asker gets an email.")
    else:
        messages.error(request, "Write an answer first.")
    return redirect(safe_next(request.POST.get("next"), fallback=reverse("expectations:questions")))


@require_POST
@person_required
def fold(request: AuthenticatedHttpRequest, question_id: int) -> HttpResponse:
    question = _answerable_question(request, question_id)
    try:
        expectation = services.question_fold(question=question, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(form_errors(exc)))
        return redirect("expectations:questions")
    messages.success(
        request, "The answer was added to the draft; publish a new version when you are ready."
    )
    return redirect(
        reverse("expectations:edit", args=[question.document_id])
        + f"#section-{expectation.section_id}"
    )


@person_required
def inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The manager's questions: those waiting for an answer (first), the answered ones with a
    way to fold an answer into the document's draft, or all of them."""
    if not can_answer_questions(request.user):
        raise PermissionDenied("Questions are answered by managers and admins.")
    show = request.GET.get("show", "unanswered")
    if show not in selectors.QUESTION_FILTERS:
        show = "unanswered"
    questions = list(selectors.inbox_questions(request.user, show=show))
    editable: dict[int, bool] = {}
    for question in questions:
        if question.document_id not in editable:
            editable[question.document_id] = can_edit_document(request.user, question.document)
    return render(
        request,
        "expectations/questions.html",
        {
            "questions": questions,
            "show": show,
            "filters": selectors.QUESTION_FILTERS,
            "editable_documents": {pk for pk, may in editable.items() if may},
            "answer_form": AnswerForm(),
        },
    )
