"""The people upload page: upload → map columns and preview → confirm → watch the result.

Admins only. The file is kept under MEDIA_ROOT/imports/ from upload until its run has finished;
confirming spends a one-time token, so a form posted twice imports once.
"""

from __future__ import annotations

import csv
from typing import IO, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from charter.core.http import AuthenticatedHttpRequest, person_required
from charter.core.imports.base import Issue
from charter.core.imports.forms import MappingForm, UploadForm
from charter.core.imports.mapping import match_columns
from charter.core.imports.preview import build_preview
from charter.core.imports.readers import ImportFileError
from charter.core.imports.report import report_rows
from charter.core.imports.runner import get_importer
from charter.core.imports.selectors import import_profiles, import_runs
from charter.core.imports.services import (
    TOKEN_KEY,
    import_profile_save,
    import_upload_confirm,
    import_upload_create,
    import_upload_update,
    is_awaiting_confirmation,
    pending_reader,
)
from charter.core.models import ImportRun
from charter.org.access import can_manage_org

KIND = "people"
_ERRORS_SHOWN = 200


def _require_admin(request: AuthenticatedHttpRequest) -> None:
    if not can_manage_org(request.user):
        raise PermissionDenied("Only admins can import people.")


@person_required
def import_people(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_admin(request)
    org = request.person.org
    importer = get_importer(KIND)
    profiles = import_profiles(org=org, kind=KIND)
    form = UploadForm(
        request.POST or None, request.FILES or None, importer=importer, profiles=profiles
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        profile = form.cleaned_data["profile"]
        try:
            run = import_upload_create(
                org=org,
                kind=KIND,
                actor=request.user,
                upload=cast(IO[bytes], upload),
                filename=upload.name,
                mapping=profile.mapping if profile else None,
                options=form.options(),
                skip_invalid=form.cleaned_data["skip_invalid"],
            )
        except ImportFileError as exc:
            form.add_error("file", f"{upload.name}: {exc}")
        else:
            return redirect("org:import_run", run_id=run.pk)
    runs = import_runs(org=org, kind=KIND)[:15]
    return render(
        request,
        "org/import.html",
        {"form": form, "runs": runs, "importer": importer, "profiles": profiles},
    )


@person_required
def import_run(request: AuthenticatedHttpRequest, run_id: int) -> HttpResponse:
    _require_admin(request)
    run = get_object_or_404(import_runs(org=request.person.org, kind=KIND), pk=run_id)
    if is_awaiting_confirmation(run):
        return _preview(request, run)
    if request.method == "POST":
        messages.info(request, "This import was already confirmed; it runs only once.")
        return redirect("org:import_run", run_id=run.pk)
    context = {
        "run": run,
        "issues": run.errors[:_ERRORS_SHOWN],
        "more_issues": max(0, len(run.errors) - _ERRORS_SHOWN),
        "finished": run.status not in (ImportRun.Status.PENDING, ImportRun.Status.RUNNING),
    }
    template = "org/import_run_status.html" if request.htmx else "org/import_run.html"
    return render(request, template, context)


def _preview(request: AuthenticatedHttpRequest, run: ImportRun) -> HttpResponse:
    importer = get_importer(run.kind)
    org = request.person.org
    try:
        reader = pending_reader(run)
    except ImportFileError as exc:
        return render(request, "org/import_run.html", {"run": run, "file_error": str(exc)})
    if request.method == "POST":
        return _preview_post(request, run, reader.header)
    form = MappingForm(
        importer=importer,
        header=reader.header,
        initial={
            **MappingForm.initial_for(importer, run.mapping, run.options),
            "skip_invalid": run.skip_invalid,
        },
    )
    column_map, problems = match_columns(importer.fields, reader.header, run.mapping)
    preview = None
    if not problems:
        preview = build_preview(
            importer_cls=importer,
            reader=reader,
            column_map=column_map,
            org=org,
            actor=request.user,
            options=run.options,
            skip_invalid=run.skip_invalid,
        )
    blocked = bool(problems) or bool(
        preview and preview.full_check and preview.issue_count and not run.skip_invalid
    )
    context = {
        "run": run,
        "form": form,
        "preview": preview,
        "problems": problems,
        "ignored": column_map.ignored(),
        "description": reader.describe(),
        "profiles": import_profiles(org=org, kind=run.kind),
        "token": run.options.get(TOKEN_KEY, ""),
        "blocked": blocked,
    }
    return render(request, "org/import_preview.html", context)


def _preview_post(
    request: AuthenticatedHttpRequest, run: ImportRun, header: tuple[str, ...]
) -> HttpResponse:
    importer = get_importer(run.kind)
    org = request.person.org
    action = request.POST.get("action", "preview")
    if action == "profile":
        chosen = (
            import_profiles(org=org, kind=run.kind)
            .filter(pk=request.POST.get("profile") or 0)
            .first()
        )
        if chosen is not None:
            column_map, _ = match_columns(importer.fields, header, chosen.mapping)
            mapping = {f.name: column_map.column(f.name) for f in importer.fields}
            import_upload_update(
                run=run, mapping=mapping, options=run.options, skip_invalid=run.skip_invalid
            )
            messages.success(request, f"Columns mapped with the profile {chosen.name!r}.")
        return redirect("org:import_run", run_id=run.pk)
    form = MappingForm(request.POST, importer=importer, header=header)
    if not form.is_valid():
        messages.error(
            request, "Choose columns from the file, and a profile name of at most 100 characters."
        )
        return redirect("org:import_run", run_id=run.pk)
    mapping, options = form.mapping(), form.options()
    skip_invalid = form.cleaned_data["skip_invalid"]
    current = {o.name: True for o in importer.options if run.options.get(o.name)}
    changed = (mapping, options, skip_invalid) != (run.mapping, current, run.skip_invalid)
    if form.cleaned_data["save_as"]:
        try:
            profile = import_profile_save(
                org=org,
                kind=run.kind,
                name=form.cleaned_data["save_as"],
                mapping=mapping,
                actor=request.user,
            )
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
        else:
            messages.success(request, f"Saved the mapping as {profile.name!r}.")
    if action != "confirm" or changed:
        if changed:
            import_upload_update(
                run=run, mapping=mapping, options=options, skip_invalid=skip_invalid
            )
        if action == "confirm":
            messages.warning(
                request, "You changed the mapping or options; check the preview, then confirm."
            )
        return redirect("org:import_run", run_id=run.pk)
    if import_upload_confirm(run=run, actor=request.user, token=request.POST.get("token", "")):
        messages.success(request, f"Importing {run.filename}; this page shows how far it got.")
    else:
        messages.warning(
            request,
            "This preview was already confirmed or is out of date; nothing was imported twice.",
        )
    return redirect("org:import_run", run_id=run.pk)


@person_required
def import_errors_csv(request: AuthenticatedHttpRequest, run_id: int) -> HttpResponse:
    _require_admin(request)
    run = get_object_or_404(import_runs(org=request.person.org, kind=KIND), pk=run_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime(run.created_at).strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="import-{run.pk}-errors-{stamp}.csv"'
    writer = csv.writer(response)
    writer.writerows(report_rows(Issue.from_dict(e) for e in run.errors))
    return response
