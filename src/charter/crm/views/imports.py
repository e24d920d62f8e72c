"""CRM admin pages: the import steps for deals, activities, CSAT and rates (the shared ones of
`core.imports.views`, with a stage map, date format and presets), the unmatched owners page and
the exchange rates page. Admins only.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from charter.core.http import AuthenticatedHttpRequest, person_required
from charter.core.imports.views import ImportFlow
from charter.core.models import ImportRun
from charter.crm import services
from charter.crm.forms import CrmMappingForm, CrmUploadForm, OwnerResolveForm, RateForm
from charter.crm.importers.base import CRM_KINDS
from charter.crm.models import ExchangeRate
from charter.crm.owners import Candidate, picker_choices, unmatched_owners
from charter.crm.presets import PRESETS
from charter.org.access import can_manage_org
from charter.org.models import Person

IMPORT_KINDS = (*CRM_KINDS, "rates")
DENIED = "Only admins manage CRM data: imports, owners and exchange rates."


def _require_admin(request: AuthenticatedHttpRequest) -> None:
    if not can_manage_org(request.user):
        raise PermissionDenied(DENIED)


def _rate(run: ImportRun) -> int | None:
    """Rows checked per second so far, for the progress line."""
    if run.started_at is None or not run.rows_done:
        return None
    end = run.finished_at or timezone.now()
    seconds = (end - run.started_at).total_seconds()
    return int(run.rows_done / seconds) if seconds > 0 else None


def _run_context(run: ImportRun) -> dict[str, Any]:
    # CRM files are large: the run page shows the speed, the preview where the rows come from.
    return {
        "rate": _rate(run),
        "preset": PRESETS.get(str(run.options.get("preset") or "")),
        "source": run.options.get("source") or run.options.get("preset") or "file",
    }


CRM_IMPORT = ImportFlow(
    kinds=IMPORT_KINDS,
    namespace="crm",
    upload_url="crm:import",
    title="Import CRM data",
    can_import=can_manage_org,
    denied=DENIED,
    upload_form=CrmUploadForm,
    upload_template="crm/import.html",
    preview_template="crm/import_preview.html",
    status_template="crm/import_run_status.html",
    mapping_form=CrmMappingForm,
    errors_filename="{kind}-import-{pk}-errors-{stamp}.csv",
    upload_context=lambda: {"presets": PRESETS.values()},
    run_context=_run_context,
)


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
    candidates = [Candidate(p.pk, p.full_name, p.email) for p in people]
    if request.htmx and "key" in request.GET:
        # The picker of one owner, narrowed by what the admin typed in its search box.
        suggested, others = picker_choices(
            request.GET["key"], candidates, query=request.GET.get("q", "")
        )
        return render(request, "crm/_owner_people.html", {"suggested": suggested, "others": others})
    rows = []
    for owner in unmatched_owners(org=org):
        suggested, others = picker_choices(owner.key, candidates)
        rows.append({"owner": owner, "suggested": suggested, "others": others})
    context = {"rows": rows, "kinds": form.fields["kind"]}
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
