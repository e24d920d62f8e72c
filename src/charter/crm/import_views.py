"""CRM import pages (admins only): upload deals, activities, CSAT or rates → map columns, stage
map and date format with a preview of the first rows → confirm → watch the background run;
plus the unmatched owners page and the exchange rates page.

The steps are the people import's, built from the same `core.imports` pieces (upload service,
mapping form, preview, one-time confirmation token, error report).
"""

from __future__ import annotations

import csv
from typing import IO, Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from charter.core.http import AuthenticatedHttpRequest, person_required
from charter.core.imports.base import Issue
from charter.core.imports.mapping import match_columns
from charter.core.imports.preview import build_preview
from charter.core.imports.readers import ImportFileError
from charter.core.imports.report import report_rows
from charter.core.imports.runner import get_importer
from charter.core.imports.selectors import import_profiles
from charter.core.imports.services import (
    FILE_KEY,
    TOKEN_KEY,
    import_profile_save,
    import_upload_confirm,
    import_upload_create,
    import_upload_update,
    is_awaiting_confirmation,
    pending_reader,
)
from charter.core.models import ImportProfile, ImportRun
from charter.crm import services
from charter.crm.forms import (
    CrmMappingForm,
    CrmUploadForm,
    OwnerResolveForm,
    RateForm,
    stage_map_text,
)
from charter.crm.importers import CRM_KINDS
from charter.crm.models import ExchangeRate
from charter.crm.owners import unmatched_owners
from charter.crm.presets import PRESETS
from charter.org.access import can_manage_org
from charter.org.models import Person

IMPORT_KINDS = (*CRM_KINDS, "rates")
_ERRORS_SHOWN = 200
# Options of a pending run the mapping step does not change.
_KEPT = ("preset", "source", "sheet", FILE_KEY)


def _require_admin(request: AuthenticatedHttpRequest) -> None:
    if not can_manage_org(request.user):
        raise PermissionDenied("Only admins manage CRM data: imports, owners and exchange rates.")


def crm_runs(org: Any) -> Any:
    return ImportRun.objects.filter(org=org, kind__in=IMPORT_KINDS).select_related(
        "created_by", "job"
    )


@person_required
def import_upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_admin(request)
    org = request.person.org
    profiles = ImportProfile.objects.filter(org=org, kind__in=IMPORT_KINDS).order_by("kind", "name")
    form = CrmUploadForm(request.POST or None, request.FILES or None, profiles=profiles)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        profile = form.cleaned_data["profile"]
        try:
            run = import_upload_create(
                org=org,
                kind=form.cleaned_data["kind"],
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
            return redirect("crm:import_run", run_id=run.pk)
    context = {
        "form": form,
        "runs": crm_runs(org)[:15],
        # Plain data: the template engine would call an importer class, which needs arguments.
        "importers": [
            {"label": get_importer(k).label, "fields": get_importer(k).fields} for k in IMPORT_KINDS
        ],
        "presets": PRESETS.values(),
    }
    return render(request, "crm/import.html", context)


@person_required
def import_run(request: AuthenticatedHttpRequest, run_id: int) -> HttpResponse:
    _require_admin(request)
    run = get_object_or_404(crm_runs(request.person.org), pk=run_id)
    if is_awaiting_confirmation(run):
        return _preview(request, run)
    if request.method == "POST":
        messages.info(request, "This import was already confirmed; it runs only once.")
        return redirect("crm:import_run", run_id=run.pk)
    context = {
        "run": run,
        "issues": run.errors[:_ERRORS_SHOWN],
        "more_issues": max(0, len(run.errors) - _ERRORS_SHOWN),
        "finished": run.status not in (ImportRun.Status.PENDING, ImportRun.Status.RUNNING),
        "rate": _rate(run),
    }
    template = "crm/import_run_status.html" if request.htmx else "crm/import_run.html"
    return render(request, template, context)


def _rate(run: ImportRun) -> int | None:
    """Rows checked per second so far, for the progress line."""
    if run.started_at is None or not run.rows_done:
        return None
    end = run.finished_at or timezone.now()
    seconds = (end - run.started_at).total_seconds()
    return int(run.rows_done / seconds) if seconds > 0 else None


def _preview(request: AuthenticatedHttpRequest, run: ImportRun) -> HttpResponse:
    importer = get_importer(run.kind)
    org = request.person.org
    try:
        reader = pending_reader(run)
    except ImportFileError as exc:
        return render(request, "crm/import_run.html", {"run": run, "file_error": str(exc)})
    if request.method == "POST":
        return _preview_post(request, run, reader.header)
    form = CrmMappingForm(
        importer=importer,
        header=reader.header,
        initial={
            **CrmMappingForm.initial_for(importer, run.mapping, run.options),
            "skip_invalid": run.skip_invalid,
            "stage_map": stage_map_text(run.options.get("stage_map")),
            "date_format": run.options.get("date_format", ""),
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
        "importer_label": importer.label,
        "form": form,
        "preview": preview,
        "problems": problems,
        "ignored": column_map.ignored(),
        "description": reader.describe(),
        "profiles": import_profiles(org=org, kind=run.kind),
        "token": run.options.get(TOKEN_KEY, ""),
        "blocked": blocked,
        "preset": PRESETS.get(str(run.options.get("preset") or "")),
        "source": run.options.get("source") or run.options.get("preset") or "file",
    }
    return render(request, "crm/import_preview.html", context)


def _preview_post(
    request: AuthenticatedHttpRequest, run: ImportRun, header: tuple[str, ...]
) -> HttpResponse:
    importer = get_importer(run.kind)
    org = request.person.org
    action = request.POST.get("action", "preview")
    kept = {k: run.options[k] for k in ("preset", "source") if k in run.options}
    if action == "profile":
        chosen = (
            import_profiles(org=org, kind=run.kind)
            .filter(pk=request.POST.get("profile") or 0)
            .first()
        )
        if chosen is not None:
            column_map, _ = match_columns(importer.fields, header, chosen.mapping)
            mapping = {f.name: column_map.column(f.name) for f in importer.fields}
            options = {**run.options, **chosen.options}
            options = {k: v for k, v in options.items() if k not in (FILE_KEY, TOKEN_KEY)}
            import_upload_update(
                run=run, mapping=mapping, options=options, skip_invalid=run.skip_invalid
            )
            messages.success(request, f"Columns mapped with the profile {chosen.name!r}.")
        return redirect("crm:import_run", run_id=run.pk)
    form = CrmMappingForm(request.POST, importer=importer, header=header)
    settings: dict[str, Any] | None = None
    if form.is_valid():
        try:
            settings = form.settings(kept)
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
            return redirect("crm:import_run", run_id=run.pk)
    if settings is None:
        messages.error(
            request, "Choose columns from the file, and a profile name of at most 100 characters."
        )
        return redirect("crm:import_run", run_id=run.pk)
    mapping = form.mapping()
    skip_invalid = form.cleaned_data["skip_invalid"]
    current = {k: v for k, v in run.options.items() if k in importer.valued_options}
    changed = (mapping, settings, skip_invalid) != (run.mapping, current, run.skip_invalid)
    if form.cleaned_data["save_as"]:
        try:
            profile = import_profile_save(
                org=org,
                kind=run.kind,
                name=form.cleaned_data["save_as"],
                mapping=mapping,
                actor=request.user,
                options={k: v for k, v in settings.items() if k != "source"},
            )
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
        else:
            messages.success(request, f"Saved the mapping as {profile.name!r}.")
    if action != "confirm" or changed:
        if changed:
            extra = {k: run.options[k] for k in ("sheet",) if k in run.options}
            import_upload_update(
                run=run, mapping=mapping, options={**settings, **extra}, skip_invalid=skip_invalid
            )
        if action == "confirm":
            messages.warning(
                request, "You changed the mapping or options; check the preview, then confirm."
            )
        return redirect("crm:import_run", run_id=run.pk)
    if import_upload_confirm(run=run, actor=request.user, token=request.POST.get("token", "")):
        messages.success(request, f"Importing {run.filename}; this page shows how far it got.")
    else:
        messages.warning(
            request,
            "This preview was already confirmed or is out of date; nothing was imported twice.",
        )
    return redirect("crm:import_run", run_id=run.pk)


@person_required
def import_errors_csv(request: AuthenticatedHttpRequest, run_id: int) -> HttpResponse:
    _require_admin(request)
    run = get_object_or_404(crm_runs(request.person.org), pk=run_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime(run.created_at).strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = (
        f'attachment; filename="{run.kind}-import-{run.pk}-errors-{stamp}.csv"'
    )
    writer = csv.writer(response)
    writer.writerows(report_rows(Issue.from_dict(e) for e in run.errors))
    return response


# -- unmatched owners -----------------------------------------------------------------------


@person_required
def owners(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_admin(request)
    org = request.person.org
    people = Person.objects.filter(org=org, is_active=True).order_by("full_name")
    form = OwnerResolveForm(request.POST or None, people=people)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["person"] is not None:
                person = data["person"]
                counts = services.owner_resolve(
                    org=org, key=data["key"], person=person, actor=request.user, kind=data["kind"]
                )
            else:
                person, counts = services.owner_resolve_new_person(
                    org=org,
                    key=data["key"],
                    full_name=data["full_name"],
                    email=data["email"] or "",
                    actor=request.user,
                    kind=data["kind"],
                )
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
        else:
            messages.success(
                request,
                f"{data['key']!r} is now {person.full_name}: {counts['deals']} deals, "
                f"{counts['activities']} activities and {counts['csat']} CSAT responses "
                "attributed. Later imports match them automatically.",
            )
            return redirect("crm:owners")
    elif request.method == "POST":
        messages.error(request, "; ".join(str(m) for ms in form.errors.values() for m in ms))
    context = {"owners": unmatched_owners(org=org), "people": people, "kinds": form.fields["kind"]}
    return render(request, "crm/owners.html", context)


# -- exchange rates -------------------------------------------------------------------------


@person_required
def rates(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_admin(request)
    org = request.person.org
    form = RateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rate, changed = services.exchange_rate_set(
                org=org,
                currency=form.cleaned_data["currency"],
                rate=form.cleaned_data["rate"],
                valid_from=form.cleaned_data["valid_from"],
                actor=request.user,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"Saved: {rate}." if changed else f"Already saved: {rate}.")
            return redirect("crm:rates")
    context = {
        "form": form,
        "rates": ExchangeRate.objects.filter(org=org),
        "reporting": org.reporting_currency,
    }
    return render(request, "crm/rates.html", context)
