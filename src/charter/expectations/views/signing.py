"""Signing a version, coverage reports and the emailing log."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from charter.core.http import AuthenticatedHttpRequest, client_ip, person_required, safe_next
from charter.expectations import diff, selectors, services
from charter.expectations.access import (
    can_edit_document,
    can_remind_signer,
    can_view_coverage,
    coverage_people_ids,
)
from charter.expectations.forms import SignForm
from charter.expectations.models import Distribution, SignatureRequest
from charter.expectations.views._common import form_errors, readable_document, version_of
from charter.org.access import can_view_person, visible_people


@person_required
def sign(request: AuthenticatedHttpRequest, document_id: int) -> HttpResponse:
    """Sign the current version. Someone who signed an older one sees what changed first."""
    document = readable_document(request.user, document_id)
    version = selectors.current_version(document)
    if version is None:
        raise Http404("Nothing is published yet.")
    my_request = selectors.request_for(request.person, version)
    if my_request is None:
        messages.info(request, "This document does not ask you for a signature.")
        return redirect("expectations:document", document.pk)
    if my_request.signed_at:
        messages.info(
            request, f"You signed version {version.number} on {my_request.signed_at:%d %b %Y}."
        )
        return redirect("expectations:document", document.pk)
    signed_before = selectors.last_signed_version(request.person, document)
    changes = diff.compare(signed_before.content, version.content) if signed_before else None
    form = SignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # The form names the version it showed; signing anything else is refused.
        shown = request.POST.get("version")
        if shown != str(version.number):
            form.add_error(
                None,
                f"A newer version ({version.number}) was published while you were reading. "
                "Read it below, then sign.",
            )
        else:
            try:
                services.sign(
                    request=my_request,
                    actor=request.user,
                    typed_name=form.cleaned_data["typed_name"],
                    ip_address=client_ip(request),
                    user_agent=request.headers.get("User-Agent", ""),
                )
            except ValidationError as exc:
                form.add_error(None, " ".join(form_errors(exc)))
            else:
                messages.success(request, f"Thank you. You signed version {version.number}.")
                return redirect("expectations:document", document.pk)
    return render(
        request,
        "expectations/sign.html",
        {
            "document": document,
            "version": version,
            "request_": my_request,
            "signed_before": signed_before,
            "changes": changes,
            "form": form,
        },
    )


@person_required
def sign_outdated(request: AuthenticatedHttpRequest, document_id: int, number: int) -> HttpResponse:
    """A link to sign a specific version: the current one goes to the sign page, an old one is
    refused with a link to the current version."""
    document = readable_document(request.user, document_id)
    version = version_of(document, number)
    current = selectors.current_version(document)
    if current is not None and current.pk == version.pk:
        return redirect("expectations:sign", document.pk)
    return render(
        request,
        "expectations/sign_outdated.html",
        {"document": document, "version": version, "current": current},
        status=409,
    )


@require_POST
@person_required
def remind(request: AuthenticatedHttpRequest, request_id: int) -> HttpResponse:
    """One click on the home or coverage page: remind a person of a signature they owe."""
    owed = get_object_or_404(
        SignatureRequest.objects.select_related(
            "person__user__notification_prefs", "version__document"
        ),
        pk=request_id,
        person__org_id=request.person.org_id,
    )
    if not can_view_person(request.user, owed.person):
        raise Http404("No such signature request.")
    if not can_remind_signer(request.user, owed.person):
        raise PermissionDenied("Only their managers and admins remind people to sign.")
    name = owed.person.full_name
    try:
        emailed = services.signature_remind(request=owed, actor=request.user)
    except ValidationError as exc:
        note, ok = " ".join(form_errors(exc)), False
    else:
        ok = True
        note = (
            f"Reminded {name} to sign {owed.version.document.title}."
            if emailed
            else f"Noted, but {name} turned reminder emails off: tell them in person."
        )
    if request.htmx:
        return render(request, "expectations/panels/reminded.html", {"note": note, "ok": ok})
    (messages.success if ok else messages.info)(request, note)
    return redirect(safe_next(request.POST.get("next"), fallback="/"))


def _coverage_allowed(request: AuthenticatedHttpRequest) -> None:
    if not can_view_coverage(request.user):
        raise PermissionDenied("Coverage reports are for managers, admins and executives.")


@person_required
def coverage(request: AuthenticatedHttpRequest, document_id: int, number: int) -> HttpResponse:
    _coverage_allowed(request)
    document = readable_document(request.user, document_id)
    version = version_of(document, number)
    report = selectors.coverage(request.user, version)
    # Read once for the whole list: a query per row would grow with the audience.
    linked = set(visible_people(request.user).values_list("pk", flat=True))
    remindable = {
        row.request.pk
        for row in report.rows
        if row.state == "overdue"
        and row.request is not None
        and can_remind_signer(request.user, row.person)
    }
    return render(
        request,
        "expectations/coverage.html",
        {
            "document": document,
            "version": version,
            "report": report,
            "versions": selectors.versions(document),
            "scope_all": coverage_people_ids(request.user) is None,
            "linked": linked,
            "remindable": remindable,
        },
    )


@person_required
def coverage_csv(request: AuthenticatedHttpRequest, document_id: int, number: int) -> HttpResponse:
    _coverage_allowed(request)
    document = readable_document(request.user, document_id)
    version = version_of(document, number)
    report = selectors.coverage(request.user, version)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"{slugify(document.title)}-v{version.number}-coverage-{timezone.localdate()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "document",
            "version",
            "person",
            "email",
            "team",
            "state",
            "due_date",
            "signed_at",
            "signed_late",
            "latest_version_signed",
        ]
    )
    for row in report.rows:
        request_ = row.request
        signed_at = request_.signed_at if request_ else None
        late = bool(signed_at and request_ and timezone.localdate(signed_at) > request_.due_date)
        writer.writerow(
            [
                _safe(document.title),
                version.number,
                _safe(row.person.full_name),
                _safe(row.person.email),
                _safe(row.person.team.name if row.person.team else ""),
                row.state,
                request_.due_date.isoformat() if request_ else "",
                signed_at.isoformat() if signed_at else "",
                "yes" if late else ("no" if signed_at else ""),
                row.signed_version or "",
            ]
        )
    return response


def _safe(value: str) -> str:
    """Keep spreadsheet programs from running a cell as a formula."""
    return "'" + value if value and value[0] in "=+-@\t\r" else value


@person_required
def distribution(request: AuthenticatedHttpRequest, distribution_id: int) -> HttpResponse:
    item = get_object_or_404(
        Distribution.objects.select_related("version__document", "job"), pk=distribution_id
    )
    if not can_edit_document(request.user, item.version.document):
        raise PermissionDenied("Only the document's editors see its delivery log.")
    return render(
        request,
        "expectations/distribution.html",
        {"distribution": item, "deliveries": item.deliveries.select_related("person")},
    )
