"""The upload pages of every importer: upload → map columns and preview → confirm → watch the
run → download the error report.

One implementation for every app: an app describes its pages with an `ImportFlow` (which kinds,
who may import, its URL names, forms and templates) and passes it to these views from its URLconf,
so people and CRM imports cannot drift apart. Admin-only by the flow's access check. The file is
kept under MEDIA_ROOT/imports/ from upload until its run has finished; confirming spends a one-time
token, so a form posted twice imports once.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from charter.core.http import AuthenticatedHttpRequest, person_required
from charter.core.imports.base import Issue
from charter.core.imports.forms import MappingForm, UploadForm
from charter.core.imports.mapping import match_columns
from charter.core.imports.preview import build_preview
from charter.core.imports.readers import ImportFileError, open_table
from charter.core.imports.report import rejected_rows, report_rows
from charter.core.imports.runner import get_importer
from charter.core.imports.selectors import import_profiles
from charter.core.imports.services import (
    FILE_KEY,
    RETRY_WINDOW,
    TOKEN_KEY,
    can_retry,
    import_profile_save,
    import_run_retry,
    import_upload_confirm,
    import_upload_create,
    import_upload_reject,
    import_upload_update,
    is_awaiting_confirmation,
    pending_reader,
    stored_opener,
)
from charter.core.models import ImportProfile, ImportRun

_ERRORS_SHOWN = 200


def _no_extra(run: ImportRun) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class ImportFlow:
    """What differs between the upload pages of two apps; the steps themselves do not."""

    kinds: tuple[str, ...]
    namespace: str  # URL namespace of the app's `import_run` and `import_errors` pages
    upload_url: str  # URL name of the upload page, for links back to it
    title: str  # "Import people": the upload page's title, and the breadcrumb back to it
    can_import: Callable[[Any], bool]
    denied: str  # the 403 message for anyone else
    # Called with (data, files, profiles=...); a flow of several kinds asks for it on the form.
    upload_form: Callable[..., UploadForm]
    upload_template: str  # the app's page, extending core/imports/upload.html
    preview_template: str  # the app's page, extending core/imports/preview.html
    mapping_form: type[MappingForm] = MappingForm
    status_template: str = "core/imports/run_status.html"
    errors_filename: str = "import-{pk}-errors-{stamp}.csv"
    rejected_filename: str = "import-{pk}-rejected-rows-{stamp}.csv"
    upload_context: Callable[[], dict[str, Any]] = dict
    run_context: Callable[[ImportRun], dict[str, Any]] = field(default=_no_extra)

    @property
    def run_url(self) -> str:
        return f"{self.namespace}:import_run"

    @property
    def errors_url(self) -> str:
        return f"{self.namespace}:import_errors"

    @property
    def rejected_url(self) -> str:
        return f"{self.namespace}:import_rejected"

    @property
    def several_kinds(self) -> bool:
        """The pages then say which kind each run is."""
        return len(self.kinds) > 1

    def runs(self, org: Any) -> QuerySet[ImportRun]:
        return ImportRun.objects.filter(org=org, kind__in=self.kinds).select_related(
            "created_by", "job"
        )


def _require(request: AuthenticatedHttpRequest, flow: ImportFlow) -> None:
    if not flow.can_import(request.user):
        raise PermissionDenied(flow.denied)


@person_required
def upload(request: AuthenticatedHttpRequest, flow: ImportFlow) -> HttpResponse:
    _require(request, flow)
    org = request.person.org
    profiles = ImportProfile.objects.filter(org=org, kind__in=flow.kinds).order_by("kind", "name")
    form = flow.upload_form(request.POST or None, request.FILES or None, profiles=profiles)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        profile = form.cleaned_data["profile"]
        try:
            run = import_upload_create(
                org=org,
                kind=form.cleaned_data.get("kind") or flow.kinds[0],
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
            return redirect(flow.run_url, run_id=run.pk)
    context = {
        "flow": flow,
        "form": form,
        "runs": flow.runs(org)[:15],
        # Plain data: the template engine would call an importer class, which needs arguments.
        "importers": [
            {"label": get_importer(k).label, "fields": get_importer(k).fields} for k in flow.kinds
        ],
        **flow.upload_context(),
    }
    return render(request, flow.upload_template, context)


@person_required
def run_page(request: AuthenticatedHttpRequest, run_id: int, flow: ImportFlow) -> HttpResponse:
    """The preview until the run is confirmed, then its progress and result."""
    _require(request, flow)
    run = get_object_or_404(flow.runs(request.person.org), pk=run_id)
    if is_awaiting_confirmation(run):
        return _preview(request, flow, run)
    if request.method == "POST" and request.POST.get("action") == "retry":
        return _retry(request, flow, run)
    if request.method == "POST":
        messages.info(request, "This import was already confirmed; it runs only once.")
        return redirect(flow.run_url, run_id=run.pk)
    context = {
        "flow": flow,
        "run": run,
        "can_retry": can_retry(run),
        "issues": run.errors[:_ERRORS_SHOWN],
        "more_issues": max(0, len(run.errors) - _ERRORS_SHOWN),
        "finished": run.status not in (ImportRun.Status.PENDING, ImportRun.Status.RUNNING),
        "rejected_rows": has_rejected_rows(run),
        # Read from what the run wrote, so only once it wrote something.
        "outcome_notes": get_importer(run.kind).outcome_notes(run)
        if run.status == ImportRun.Status.APPLIED
        else [],
        "kept_days": RETRY_WINDOW.days,
        **flow.run_context(run),
    }
    # htmx polls for the status part alone while the run is going.
    template = flow.status_template if request.htmx else "core/imports/run.html"
    return render(request, template, context)


def _retry(request: AuthenticatedHttpRequest, flow: ImportFlow, run: ImportRun) -> HttpResponse:
    """Queue a failed upload again from its kept file."""
    try:
        retry = import_run_retry(run=run, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(flow.run_url, run_id=run.pk)
    return redirect(flow.run_url, run_id=retry.pk)


def _preview(request: AuthenticatedHttpRequest, flow: ImportFlow, run: ImportRun) -> HttpResponse:
    importer = get_importer(run.kind)
    org = request.person.org
    try:
        reader = pending_reader(run)
        if request.method == "POST":
            return _preview_post(request, flow, run, reader.header)
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
    except ImportFileError as exc:
        # Damaged past the rows the upload read: the file goes, the run says why.
        import_upload_reject(run=run, error=exc)
        context = {"flow": flow, "run": run, "file_error": f"{run.filename}: {exc}"}
        return render(request, "core/imports/run.html", context)
    form = flow.mapping_form(
        importer=importer,
        header=reader.header,
        initial={
            **flow.mapping_form.initial_for(importer, run.mapping, run.options),
            "skip_invalid": run.skip_invalid,
        },
    )
    blocked = bool(problems) or bool(
        preview and preview.full_check and preview.issue_count and not run.skip_invalid
    )
    context = {
        "flow": flow,
        "run": run,
        "importer_label": importer.label,
        "form": form,
        "preview": preview,
        "problems": problems,
        "ignored": column_map.ignored(),
        "description": reader.describe(),
        "profiles": import_profiles(org=org, kind=run.kind),
        "token": run.options.get(TOKEN_KEY, ""),
        "blocked": blocked,
        **flow.run_context(run),
    }
    return render(request, flow.preview_template, context)


def _preview_post(
    request: AuthenticatedHttpRequest, flow: ImportFlow, run: ImportRun, header: tuple[str, ...]
) -> HttpResponse:
    importer = get_importer(run.kind)
    org = request.person.org
    action = request.POST.get("action", "preview")
    back = redirect(flow.run_url, run_id=run.pk)
    if action == "profile":
        chosen = (
            import_profiles(org=org, kind=run.kind)
            .filter(pk=request.POST.get("profile") or 0)
            .first()
        )
        if chosen is not None:
            column_map, _ = match_columns(importer.fields, header, chosen.mapping)
            mapping = {f.name: column_map.column(f.name) for f in importer.fields}
            # A profile brings its saved options (stage map, date format) along with the columns.
            merged = {**run.options, **chosen.options}
            merged = {k: v for k, v in merged.items() if k not in (FILE_KEY, TOKEN_KEY)}
            import_upload_update(
                run=run, mapping=mapping, options=merged, skip_invalid=run.skip_invalid
            )
            messages.success(request, f"Columns mapped with the profile {chosen.name!r}.")
        return back
    form = flow.mapping_form(request.POST, importer=importer, header=header)
    options: dict[str, Any] | None = None
    if form.is_valid():
        try:
            options = form.chosen_options(run.options)
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
            return back
    if options is None:
        messages.error(
            request, "Choose columns from the file, and a profile name of at most 100 characters."
        )
        return back
    mapping = form.mapping()
    skip_invalid = form.cleaned_data["skip_invalid"]
    current = form.current_options(run.options)
    changed = (mapping, options, skip_invalid) != (run.mapping, current, run.skip_invalid)
    if form.cleaned_data["save_as"]:
        try:
            profile = import_profile_save(
                org=org,
                kind=run.kind,
                name=form.cleaned_data["save_as"],
                mapping=mapping,
                actor=request.user,
                options=form.profile_options(options),
            )
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
        else:
            messages.success(request, f"Saved the mapping as {profile.name!r}.")
    if action != "confirm" or changed:
        # Confirming what the admin has not seen previewed would import a surprise.
        if changed:
            import_upload_update(
                run=run, mapping=mapping, options=options, skip_invalid=skip_invalid
            )
        if action == "confirm":
            messages.warning(
                request, "You changed the mapping or options; check the preview, then confirm."
            )
        return back
    # No "Importing…" message here: a flash message would stay on the page after the run
    # finished; the status part says it while the run goes, and htmx replaces it when done.
    if not import_upload_confirm(run=run, actor=request.user, token=request.POST.get("token", "")):
        messages.warning(
            request,
            "This preview was already confirmed or is out of date; nothing was imported twice.",
        )
    return back


@person_required
def errors_csv(request: AuthenticatedHttpRequest, run_id: int, flow: ImportFlow) -> HttpResponse:
    _require(request, flow)
    run = get_object_or_404(flow.runs(request.person.org), pk=run_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime(run.created_at).strftime("%Y%m%d-%H%M")
    filename = flow.errors_filename.format(kind=run.kind, pk=run.pk, stamp=stamp)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerows(report_rows(Issue.from_dict(e) for e in run.errors))
    return response


def has_rejected_rows(run: ImportRun) -> bool:
    """The run refused rows and its file is still kept, so they can be given back."""
    finished = run.status not in (ImportRun.Status.PENDING, ImportRun.Status.RUNNING)
    return finished and bool(run.invalid_count) and bool(run.options.get(FILE_KEY))


@person_required
def rejected_csv(request: AuthenticatedHttpRequest, run_id: int, flow: ImportFlow) -> HttpResponse:
    """The rows the run refused, in the file's own columns plus an "error" column, to be fixed
    and uploaded again; only while the run's file is kept."""
    _require(request, flow)
    run = get_object_or_404(flow.runs(request.person.org), pk=run_id)
    if not has_rejected_rows(run):
        messages.info(
            request,
            f"The rejected rows of this import cannot be given: its file is kept only "
            f"{RETRY_WINDOW.days} days after the import. The error report still lists every "
            "problem.",
        )
        return redirect(flow.run_url, run_id=run.pk)
    try:
        reader = open_table(
            stored_opener(str(run.options[FILE_KEY])),
            run.filename,
            sheet=run.options.get("sheet") or None,
        )
        rows = list(rejected_rows(reader, (Issue.from_dict(e) for e in run.errors)))
    except (ImportFileError, OSError):
        messages.error(request, "The kept file of this import can no longer be read.")
        return redirect(flow.run_url, run_id=run.pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime(run.created_at).strftime("%Y%m%d-%H%M")
    filename = flow.rejected_filename.format(kind=run.kind, pk=run.pk, stamp=stamp)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    csv.writer(response).writerows(rows)
    return response
