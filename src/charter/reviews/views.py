"""The reviews pages: mine and my team's, one review side by side, writing a review (htmx
autosave, plain POST otherwise), sharing and sign-off; for admins, templates and cycles."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from charter.core.http import AuthenticatedHttpRequest, person_required
from charter.reviews import access, selectors
from charter.reviews.forms import AcknowledgeForm, CycleForm, GenerateForm, TemplateEditForm
from charter.reviews.models import Cycle, Review, ReviewTemplate
from charter.reviews.services import cycles, reviews, templates


def _review(request: AuthenticatedHttpRequest, review_id: int) -> Review:
    found = get_object_or_404(
        Review.objects.select_related("cycle__org", "person", "manager", "previous_manager"),
        pk=review_id,
    )
    if not access.can_view_review(request.user, found):
        raise Http404("No such review.")
    return found


def _admin(request: AuthenticatedHttpRequest) -> None:
    if not access.can_manage_cycles(request.user):
        raise PermissionDenied


def _errors(form: Any, exc: ValidationError) -> None:
    for field, problems in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, problems)


@person_required
def mine(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "reviews/mine.html", {
        "mine": selectors.my_reviews(request.person),
        "team": selectors.reviews_to_write(request.user),
        "admin": access.can_manage_cycles(request.user),
    })  # fmt: skip


@person_required
def review(request: AuthenticatedHttpRequest, review_id: int) -> HttpResponse:
    found = _review(request, review_id)
    rows, own, boss = selectors.side_by_side(request.user, found)
    responses = selectors.responses_of(found)
    writable = [r for r in responses.values() if access.can_write_response(request.user, r)]
    return render(request, "reviews/review.html", {
        "review": found, "rows": rows, "own": own, "boss": boss, "writable": writable,
        "restated": selectors.restated_kpis(found) if found.kpis else [],
        "can_share": access.can_share(request.user, found),
        "can_acknowledge": access.can_acknowledge(request.user, found),
        "ack_form": AcknowledgeForm(),
    })  # fmt: skip


@person_required
def respond(request: AuthenticatedHttpRequest, review_id: int, kind: str) -> HttpResponse:
    found = _review(request, review_id)
    response = found.responses.filter(kind=kind).first()
    if response is None or not access.can_write_response(request.user, response):
        raise Http404("Nothing to write here.")
    errors: dict[str, list[str]] = {}
    answers = response.answers
    if request.method == "POST":
        answers = {item["key"]: request.POST.get(f"a-{item['key']}", "") for item in found.items}
        submit = request.POST.get("action") == "submit"
        try:
            response = reviews.response_save(
                response=response, actor=request.user, answers=answers, submit=submit
            )
        except ValidationError as exc:
            errors = exc.message_dict
        if request.headers.get("HX-Request"):
            return render(request, "reviews/_saved.html", {"response": response, "errors": errors})
        if not errors:
            messages.success(request, "Submitted." if submit else "Draft saved.")
            return redirect("reviews:review" if submit else "reviews:respond", *(
                [found.pk] if submit else [found.pk, kind]))  # fmt: skip
    items = [
        {**item, "answer": answers.get(item["key"], ""), "error": errors.get(item["key"])}
        for item in found.items
    ]
    return render(request, "reviews/respond.html", {
        "review": found, "response": response, "items": items, "errors": errors,
    }, status=400 if errors else 200)  # fmt: skip


@person_required
@require_POST
def share(request: AuthenticatedHttpRequest, review_id: int) -> HttpResponse:
    found = _review(request, review_id)
    if not access.can_share(request.user, found):
        raise PermissionDenied
    reviews.review_share(review=found, actor=request.user)
    messages.success(request, f"Shared with {found.person.full_name}.")
    return redirect("reviews:review", found.pk)


@person_required
@require_POST
def acknowledge(request: AuthenticatedHttpRequest, review_id: int) -> HttpResponse:
    found = _review(request, review_id)
    if not access.can_acknowledge(request.user, found):
        raise PermissionDenied
    form = AcknowledgeForm(request.POST)
    if form.is_valid():
        try:
            reviews.review_acknowledge(
                review=found, actor=request.user, comment=form.cleaned_data["comment"],
                disagrees=form.cleaned_data["disagrees"],
            )  # fmt: skip
            messages.success(request, "Signed off.")
            return redirect("reviews:review", found.pk)
        except ValidationError as exc:
            _errors(form, exc)
    rows, own, boss = selectors.side_by_side(request.user, found)
    return render(request, "reviews/review.html", {
        "review": found, "rows": rows, "own": own, "boss": boss, "writable": [],
        "restated": [], "can_share": False, "can_acknowledge": True, "ack_form": form,
    }, status=400)  # fmt: skip


# --- admins: cycles and templates --------------------------------------------------------


@person_required
def cycle_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _admin(request)
    org = request.person.org
    form = CycleForm(request.POST or None, org=org)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = cycles.cycle_create(org=org, actor=request.user, period=data.pop("period"),
                                       **data)  # fmt: skip
            return redirect("reviews:cycle", made.pk)
        except ValidationError as exc:
            _errors(form, exc)
    found = Cycle.objects.filter(org=org).select_related("template_version__template")
    status = 400 if request.method == "POST" else 200
    return render(request, "reviews/cycles.html", {"cycles": found, "form": form}, status=status)


@person_required
def cycle(request: AuthenticatedHttpRequest, cycle_id: int) -> HttpResponse:
    _admin(request)
    found = get_object_or_404(Cycle, pk=cycle_id, org_id=request.person.org_id)
    return render(request, "reviews/cycle.html", {
        "cycle": found, "progress": selectors.cycle_progress(found),
        "participants": found.reviews.select_related("person", "manager", "previous_manager"),
    })  # fmt: skip


@person_required
@require_POST
def cycle_advance(request: AuthenticatedHttpRequest, cycle_id: int) -> HttpResponse:
    _admin(request)
    found = get_object_or_404(Cycle, pk=cycle_id, org_id=request.person.org_id)
    try:
        moved = cycles.cycle_advance(cycle=found, actor=request.user)
        messages.success(request, f"The cycle is now in: {moved.get_phase_display()}.")
    except ValidationError as exc:
        messages.error(request, " ".join(m for ms in exc.message_dict.values() for m in ms))
    return redirect("reviews:cycle", found.pk)


@person_required
def template_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _admin(request)
    org = request.person.org
    form = GenerateForm(request.POST or None, org=org)
    if request.method == "POST" and form.is_valid():
        try:
            version = templates.template_generate(
                org=org, actor=request.user, name=form.cleaned_data["name"],
                document=form.cleaned_data["document"],
            )  # fmt: skip
            return redirect("reviews:template", version.template_id)
        except ValidationError as exc:
            _errors(form, exc)
    found = ReviewTemplate.objects.filter(org=org).prefetch_related("versions")
    status = 400 if request.method == "POST" else 200
    return render(request, "reviews/templates.html", {"templates": found, "form": form},
                  status=status)  # fmt: skip


@person_required
def template(request: AuthenticatedHttpRequest, template_id: int) -> HttpResponse:
    _admin(request)
    found = get_object_or_404(ReviewTemplate, pk=template_id, org_id=request.person.org_id)
    latest = found.versions.order_by("-number").first()
    initial = {"content": json.dumps(latest.content if latest else {}, indent=2)}
    form = TemplateEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            templates.template_edit(
                template=found, actor=request.user, content=form.cleaned_data["content"],
                reason=form.cleaned_data["reason"],
            )  # fmt: skip
            messages.success(request, "Published as a new version.")
            return redirect("reviews:template", found.pk)
        except ValidationError as exc:
            form.add_error("content", [f"{k}: {m}" for k, ms in exc.message_dict.items()
                                       for m in ms])  # fmt: skip
    status = 400 if request.method == "POST" else 200
    return render(request, "reviews/template.html", {
        "template": found, "latest": latest, "versions": found.versions.all(), "form": form,
    }, status=status)  # fmt: skip
