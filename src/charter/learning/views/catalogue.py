"""The training catalogue: everyone browses it; admins and team managers keep it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from charter.core.http import AuthenticatedHttpRequest, paginate, person_required
from charter.expectations.access import visible_documents
from charter.expectations.markdown import render as render_markdown
from charter.expectations.models import Expectation, Value
from charter.learning import selectors
from charter.learning.access import (
    can_create_training,
    can_create_training_for,
    can_edit_training,
    training_teams,
    visible_trainings,
)
from charter.learning.forms import TrainingForm
from charter.learning.models import Kind, Training
from charter.learning.services import catalogue as services


def _form(request: AuthenticatedHttpRequest, **kwargs: Any) -> TrainingForm:
    documents = visible_documents(request.user)
    return TrainingForm(
        request.POST or None,
        teams=training_teams(request.user),
        values=Value.objects.filter(org_id=request.person.org_id, is_active=True),
        expectations=Expectation.objects.filter(section__document__in=documents).order_by(
            "section__document__title", "title"
        ),
        **kwargs,
    )


def _fields(form: TrainingForm) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    data["values"] = list(data["values"])
    data["expectations"] = list(data["expectations"])
    return data


def _text_param(request: AuthenticatedHttpRequest, name: str) -> str:
    """A search word from the address: one holding a NUL byte (which PostgreSQL refuses in
    text) filters nothing rather than failing the page."""
    value = request.GET.get(name, "")[:200]
    return "" if "\x00" in value else value.strip()


@person_required
def catalogue(request: AuthenticatedHttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    tag = _text_param(request, "tag")
    query = _text_param(request, "q")
    retired = request.GET.get("retired") == "1"
    trainings = selectors.catalogue(
        request.user,
        kind=kind if kind in Kind.values else "",
        tag=tag,
        query=query,
        retired=retired,
    )
    return render(
        request,
        "learning/catalogue.html",
        {
            "page": paginate(request, trainings),
            "kinds": Kind.choices,
            "tags": selectors.catalogue_tags(request.user),
            "filters": {"kind": kind, "tag": tag, "q": query, "retired": retired},
            "can_create": can_create_training(request.user),
        },
    )


@person_required
def training_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not can_create_training(request.user):
        raise PermissionDenied("Admins and team managers add trainings.")
    form = _form(request)
    if request.method == "POST" and form.is_valid():
        fields = _fields(form)
        if not can_create_training_for(request.user, fields["team"]):
            form.add_error("team", "You may add trainings for the teams you run only.")
        else:
            try:
                training = services.training_create(
                    org=request.person.org, actor=request.user, **fields
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, f"“{training.title}” added to the catalogue.")
                return redirect("learning:training", training_id=training.pk)
    return render(request, "learning/training_form.html", {"form": form, "training": None})


def _training(request: AuthenticatedHttpRequest, training_id: int) -> Training:
    training = visible_trainings(request.user).filter(pk=training_id).first()
    if training is None:
        raise Http404("No such training.")
    return training


@person_required
def training_detail(request: AuthenticatedHttpRequest, training_id: int) -> HttpResponse:
    training = _training(request, training_id)
    return render(
        request,
        "learning/training.html",
        {
            "training": training,
            "description": render_markdown(training.description),
            "values": training.values.all(),
            "expectations": training.expectations.select_related("section__document"),
            "can_edit": can_edit_training(request.user, training),
        },
    )


@person_required
def training_edit(request: AuthenticatedHttpRequest, training_id: int) -> HttpResponse:
    training = _training(request, training_id)
    if not can_edit_training(request.user, training):
        raise PermissionDenied("Only admins and the team's managers change this training.")
    if request.method == "POST" and ("retire" in request.POST or "restore" in request.POST):
        services.training_update(
            training=training, actor=request.user, is_active="restore" in request.POST
        )
        state = "back in the catalogue" if training.is_active else "retired"
        messages.success(request, f"“{training.title}” is {state}.")
        return redirect("learning:training", training_id=training.pk)
    form = _form(
        request,
        initial={
            "title": training.title, "kind": training.kind, "team": training.team,
            "expected_hours": training.expected_hours, "code": training.code,
            "provider": training.provider, "link": training.link,
            "description": training.description, "tags": ", ".join(training.tag_list),
            "values": training.values.all(), "expectations": training.expectations.all(),
        },
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        fields = _fields(form)
        if not can_create_training_for(request.user, fields["team"]):
            form.add_error("team", "You may move trainings to the teams you run only.")
        else:
            values, expectations = fields.pop("values"), fields.pop("expectations")
            try:
                services.training_update(
                    training=training,
                    actor=request.user,
                    values=values,
                    expectations=expectations,
                    **fields,
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, "Training saved.")
                return redirect("learning:training", training_id=training.pk)
    return render(request, "learning/training_form.html", {"form": form, "training": training})
