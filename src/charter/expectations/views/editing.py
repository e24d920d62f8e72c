"""Creating documents, editing drafts (with conflict detection) and publishing versions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from charter.core.http import AuthenticatedHttpRequest, person_required
from charter.expectations import content as content_mod
from charter.expectations import diff, selectors, services
from charter.expectations import render as render_mod
from charter.expectations.access import (
    can_create_document,
    can_create_document_for,
    creatable_document_teams,
    document_audiences,
)
from charter.expectations.forms import (
    DocumentCreateForm,
    DocumentSettingsForm,
    ExpectationForm,
    PublishForm,
    SectionForm,
)
from charter.expectations.models import Expectation, Section
from charter.expectations.views._common import editable_document, form_errors


@person_required
def document_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not can_create_document(request.user):
        raise PermissionDenied("Only managers and admins write expectations documents.")
    form = DocumentCreateForm(
        request.POST or None,
        teams=creatable_document_teams(request.user).order_by("name"),
        allowed_audiences=document_audiences(request.user),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not can_create_document_for(request.user, data["audience"], data["audience_team"]):
            raise PermissionDenied("Managers write documents for their own teams only.")
        try:
            document = services.document_create(
                org=request.person.org,
                actor=request.user,
                title=data["title"],
                audience=data["audience"],
                audience_team=data["audience_team"],
                audience_role=data["audience_role"],
                default_due_days=data["default_due_days"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, "Document created from the template. Fill in each section.")
            return redirect("expectations:edit", document.pk)
    return render(request, "expectations/create.html", {"form": form})


def _editor_context(request: AuthenticatedHttpRequest, document: Any) -> dict[str, Any]:
    content = content_mod.build(document)
    current = selectors.current_version(document)
    sections = list(
        document.sections.prefetch_related("expectations__values").order_by("order", "id")
    )
    return {
        "document": document,
        "sections": sections,
        "hints": content_mod.HINTS,
        "problems": content_mod.problems(content),
        "current": current,
        "pending_diff": diff.compare(current.content, content) if current else None,
        "publish_form": PublishForm(),
        "settings_form": DocumentSettingsForm(
            initial={"title": document.title, "default_due_days": document.default_due_days}
        ),
        "new_section_form": SectionForm(),
        "expectation_form": ExpectationForm(org=document.org),
        "folded_questions": document.questions.filter(folded_into_draft_at__isnull=False).count(),
    }


@person_required
def edit(request: AuthenticatedHttpRequest, document_id: int) -> HttpResponse:
    document = editable_document(request.user, document_id)
    return render(request, "expectations/edit.html", _editor_context(request, document))


@person_required
def preview(request: AuthenticatedHttpRequest, document_id: int) -> HttpResponse:
    document = editable_document(request.user, document_id)
    content = content_mod.build(document)
    return render(
        request,
        "expectations/preview.html",
        {
            "document": document,
            "body": render_mod.document_html(content),
            "problems": content_mod.problems(content),
        },
    )


@require_POST
@person_required
def settings_update(request: AuthenticatedHttpRequest, document_id: int) -> HttpResponse:
    document = editable_document(request.user, document_id)
    form = DocumentSettingsForm(request.POST)
    if form.is_valid():
        try:
            services.document_update(document=document, actor=request.user, **form.cleaned_data)
            messages.success(request, "Settings saved.")
        except ValidationError as exc:
            messages.error(request, " ".join(form_errors(exc)))
    else:
        messages.error(request, "Check the title and the days to sign.")
    return redirect("expectations:edit", document.pk)


@require_POST
@person_required
def section_add(request: AuthenticatedHttpRequest, document_id: int) -> HttpResponse:
    document = editable_document(request.user, document_id)
    form = SectionForm(request.POST)
    if form.is_valid():
        services.section_add(
            document=document,
            actor=request.user,
            title=form.cleaned_data["title"],
            intro=form.cleaned_data["intro"],
        )
        messages.success(request, "Section added.")
    else:
        messages.error(request, "A section needs a title.")
    return redirect("expectations:edit", document.pk)


@person_required
def section_edit(
    request: AuthenticatedHttpRequest, document_id: int, section_id: int
) -> HttpResponse:
    document, section = _draft_part(request, document_id, section_id, Section)
    form = SectionForm(
        request.POST or None,
        initial={"title": section.title, "intro": section.intro, "revision": section.revision},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.section_update(
                section=section,
                actor=request.user,
                expected_revision=form.cleaned_data["revision"] or section.revision,
                title=form.cleaned_data["title"],
                intro=form.cleaned_data["intro"],
            )
        except services.EditConflict as conflict:
            return _conflict(request, document, "section", conflict, form)
        except ValidationError as exc:
            form.add_error(None, " ".join(form_errors(exc)))
        else:
            messages.success(request, f"Section “{section.title}” saved.")
            return redirect(f"{_edit_url(document)}#section-{section.pk}")
    return render(
        request,
        "expectations/section_form.html",
        {"document": document, "section": section, "form": form},
    )


def _edit_url(document: Any) -> str:
    from django.urls import reverse

    return reverse("expectations:edit", args=[document.pk])


def _conflict(
    request: AuthenticatedHttpRequest, document: Any, kind: str, conflict: Any, form: Any
) -> HttpResponse:
    """Show what the other editor saved next to what this editor typed; nothing is lost."""
    current = conflict.current
    theirs = {"title": current.title}
    if kind == "section":
        theirs["intro"] = current.intro
    else:
        theirs["text"] = current.text
        theirs["measure_text"] = current.measure_text
        theirs["values"] = ", ".join(sorted(v.name for v in current.values.all()))
    mine = {k: v for k, v in conflict.mine.items() if k in theirs}
    if isinstance(mine.get("values"), list):
        mine["values"] = ", ".join(mine["values"])
    labels = {
        "title": "Title",
        "intro": "Introduction",
        "text": "Text",
        "measure_text": "How it is measured",
        "values": "Values",
    }
    theirs = {labels[k]: v for k, v in theirs.items()}
    mine = {labels[k]: v for k, v in mine.items()}
    # Re-offer the editor's own text on the latest revision, so saving again is a deliberate choice.
    data = form.data.copy()
    data["revision"] = current.revision
    form = type(form)(data, org=document.org) if kind == "expectation" else type(form)(data)
    form.is_valid()
    return render(
        request,
        "expectations/conflict.html",
        {
            "document": document,
            "kind": kind,
            "object": current,
            "theirs": theirs,
            "mine": mine,
            "form": form,
            "action": request.path,
        },
        status=409,
    )


@require_POST
@person_required
def section_delete(
    request: AuthenticatedHttpRequest, document_id: int, section_id: int
) -> HttpResponse:
    document, section = _draft_part(request, document_id, section_id, Section)
    services.section_delete(section=section, actor=request.user)
    messages.success(request, f"Section “{section.title}” deleted from the draft.")
    return redirect("expectations:edit", document.pk)


@require_POST
@person_required
def section_move(
    request: AuthenticatedHttpRequest, document_id: int, section_id: int
) -> HttpResponse:
    document, section = _draft_part(request, document_id, section_id, Section)
    services.section_move(section=section, actor=request.user, direction=_direction(request))
    return redirect(f"{_edit_url(document)}#section-{section.pk}")


# What the expectation form edits, as the services take it (`values` as a list of values).
EXPECTATION_FIELDS = ("title", "text", "values", "measure_text", "measure_ref", "is_key")


def _expectation_fields(data: dict[str, Any]) -> dict[str, Any]:
    fields = {name: data[name] for name in EXPECTATION_FIELDS}
    fields["values"] = list(fields["values"])
    return fields


def _draft_part(
    request: AuthenticatedHttpRequest, document_id: int, part_id: int, model: type[Any]
) -> tuple[Any, Any]:
    """A section or an expectation of a draft `request.user` may edit, with its document."""
    document = editable_document(request.user, document_id)
    in_document = {"document": document} if model is Section else {"section__document": document}
    return document, get_object_or_404(model, pk=part_id, **in_document)


def _direction(request: AuthenticatedHttpRequest) -> str:
    return "up" if request.POST.get("direction") == "up" else "down"


@person_required
def expectation_add(
    request: AuthenticatedHttpRequest, document_id: int, section_id: int
) -> HttpResponse:
    document = editable_document(request.user, document_id)
    section = get_object_or_404(Section, pk=section_id, document=document, provider="")
    form = ExpectationForm(request.POST or None, org=document.org)
    if request.method == "POST" and form.is_valid():
        try:
            services.expectation_add(
                section=section, actor=request.user, **_expectation_fields(form.cleaned_data)
            )
        except ValidationError as exc:
            form.add_error(None, " ".join(form_errors(exc)))
        else:
            messages.success(request, "Expectation added.")
            return redirect(f"{_edit_url(document)}#section-{section.pk}")
    return render(
        request,
        "expectations/expectation_form.html",
        {"document": document, "section": section, "form": form, "expectation": None},
    )


@person_required
def expectation_edit(
    request: AuthenticatedHttpRequest, document_id: int, expectation_id: int
) -> HttpResponse:
    document = editable_document(request.user, document_id)
    expectation = get_object_or_404(
        Expectation.objects.select_related("section"), pk=expectation_id, section__document=document
    )
    initial = {
        **{name: getattr(expectation, name) for name in EXPECTATION_FIELDS if name != "values"},
        "values": list(expectation.values.all()),
        "revision": expectation.revision,
    }
    form = ExpectationForm(request.POST or None, org=document.org, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.expectation_update(
                expectation=expectation,
                actor=request.user,
                expected_revision=data["revision"] or expectation.revision,
                **_expectation_fields(data),
            )
        except services.EditConflict as conflict:
            return _conflict(request, document, "expectation", conflict, form)
        except ValidationError as exc:
            form.add_error(None, " ".join(form_errors(exc)))
        else:
            messages.success(request, f"“{expectation.title}” saved.")
            return redirect(f"{_edit_url(document)}#section-{expectation.section_id}")
    return render(
        request,
        "expectations/expectation_form.html",
        {
            "document": document,
            "section": expectation.section,
            "form": form,
            "expectation": expectation,
        },
    )


@require_POST
@person_required
def expectation_delete(
    request: AuthenticatedHttpRequest, document_id: int, expectation_id: int
) -> HttpResponse:
    document, expectation = _draft_part(request, document_id, expectation_id, Expectation)
    services.expectation_delete(expectation=expectation, actor=request.user)
    messages.success(request, f"“{expectation.title}” deleted from the draft.")
    return redirect("expectations:edit", document.pk)


@require_POST
@person_required
def expectation_move(
    request: AuthenticatedHttpRequest, document_id: int, expectation_id: int
) -> HttpResponse:
    document, expectation = _draft_part(request, document_id, expectation_id, Expectation)
    services.expectation_move(
        expectation=expectation, actor=request.user, direction=_direction(request)
    )
    return redirect(f"{_edit_url(document)}#section-{expectation.section_id}")


@require_POST
@person_required
def publish(request: AuthenticatedHttpRequest, document_id: int) -> HttpResponse:
    document = editable_document(request.user, document_id)
    form = PublishForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            version = services.document_publish(
                document=document,
                actor=request.user,
                summary=data["summary"],
                change=data["change"],
                effective_date=data["effective_date"],
                distribute=data["distribute"],
            )
        except ValidationError as exc:
            context = _editor_context(request, document)
            context["publish_form"] = form
            context["publish_errors"] = form_errors(exc)
            return render(request, "expectations/edit.html", context, status=400)
        messages.success(request, f"Version {version.number} is published.")
        return redirect("expectations:document", document.pk)
    context = _editor_context(request, document)
    context["publish_form"] = form
    return render(request, "expectations/edit.html", context, status=400)
