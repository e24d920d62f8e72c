"""Learning records: a person's completions, reporting one, the manager's approvals."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from charter.core.http import AuthenticatedHttpRequest, paginate, person_required
from charter.learning import selectors
from charter.learning.access import (
    can_print_record,
    can_report_completion,
    can_resubmit,
    can_review_any,
    can_review_completion,
    can_view_evidence,
    can_view_record,
    visible_completions,
    visible_trainings,
)
from charter.learning.forms import CompletionForm, ResubmitForm, ReviewForm
from charter.learning.models import Completion
from charter.learning.selectors import org_today
from charter.learning.services import completions as services
from charter.learning.services.evidence import with_evidence
from charter.org.models import Person


def _add_errors(form: Any, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _record_page(request: AuthenticatedHttpRequest, person: Person, form: Any) -> HttpResponse:
    return render(
        request,
        "learning/record.html",
        {
            "person": person,
            "is_me": person.pk == request.person.pk,
            "items": selectors.person_compliance(person, org_today(person.org)),
            "page": paginate(request, selectors.record(person)),
            "form": form,
            "may_open_evidence": can_view_evidence(request.user, person),
            "can_print": can_print_record(request.user, person),
            "to_review": selectors.review_queue(request.user).count()
            if can_review_any(request.user)
            else 0,
        },
    )


@person_required
def my_record(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The signed-in person's record, with the form to report a completion."""
    me = request.person
    form = CompletionForm(
        request.POST or None,
        request.FILES or None,
        trainings=visible_trainings(request.user).filter(is_active=True),
    )
    if request.method == "POST":
        if not can_report_completion(request.user):
            raise PermissionDenied("Only active people report completions.")
        if form.is_valid():
            data = dict(form.cleaned_data)
            upload = data.pop("evidence")
            try:
                completion = with_evidence(
                    lambda: services.completion_report(person=me, actor=request.user, **data),
                    actor=request.user,
                    upload=upload,
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(
                    request,
                    f"“{completion.training.title}” is on your record, waiting for approval.",
                )
                return redirect("learning:my_record")
    return _record_page(request, me, form)


@person_required
def person_record(request: AuthenticatedHttpRequest, person_id: int) -> HttpResponse:
    person = get_object_or_404(Person, pk=person_id, org_id=request.person.org_id)
    if not can_view_record(request.user, person):
        raise Http404("No such person.")
    if person.pk == request.person.pk:
        return redirect("learning:my_record")
    return _record_page(request, person, None)


@person_required
def resubmit(request: AuthenticatedHttpRequest, completion_id: int) -> HttpResponse:
    completion = visible_completions(request.user).filter(pk=completion_id).first()
    if completion is None:
        raise Http404("No such completion.")
    if not can_resubmit(request.user, completion):
        raise PermissionDenied("Only the person corrects a completion that was sent back.")
    form = ResubmitForm(
        request.POST or None,
        request.FILES or None,
        initial={
            "completed_on": completion.completed_on, "hours": completion.hours,
            "score": completion.score, "note": completion.note,
        },
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        upload = data.pop("evidence")
        try:
            with_evidence(
                lambda: services.completion_resubmit(
                    completion=completion, actor=request.user, **data
                ),
                actor=request.user,
                upload=upload,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Sent for approval again.")
            return redirect("learning:my_record")
    return render(request, "learning/resubmit.html", {"completion": completion, "form": form})


@person_required
def approvals(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not can_review_any(request.user):
        raise PermissionDenied("Managers approve their people's completions.")
    return render(
        request, "learning/approvals.html", {"queue": selectors.review_queue(request.user)[:200]}
    )


@require_POST
@person_required
def review(request: AuthenticatedHttpRequest, completion_id: int) -> HttpResponse:
    completion: Completion | None = (
        visible_completions(request.user).filter(pk=completion_id).first()
    )
    if completion is None:
        raise Http404("No such completion.")
    if not can_review_completion(request.user, completion):
        raise PermissionDenied("Only the person's managers approve their completions.")
    form = ReviewForm(request.POST)
    if not form.is_valid():
        return HttpResponse("Choose approve or send back.", status=400)
    try:
        services.completion_review(
            completion=completion,
            actor=request.user,
            approve=form.cleaned_data["decision"] == "approve",
            review_note=form.cleaned_data["review_note"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("learning:approvals")
    messages.success(request, f"{completion.person.full_name}: {completion.get_status_display()}.")
    return redirect("learning:approvals")
