"""Certifications and the certificates people hold, with their state today."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render

from charter.core.http import AuthenticatedHttpRequest, person_required
from charter.learning import selectors
from charter.learning.access import (
    can_add_certificate_for,
    can_attach_certificate_evidence,
    can_manage_certifications,
    can_view_evidence,
    certificate_holders,
)
from charter.learning.forms import CertificateForm, CertificationForm
from charter.learning.models import Certification
from charter.learning.services import certificates as services
from charter.learning.services.evidence import with_evidence
from charter.learning.views.completions import _add_errors


@person_required
def certifications(request: AuthenticatedHttpRequest) -> HttpResponse:
    can_manage = can_manage_certifications(request.user)
    form = CertificationForm(request.POST or None) if can_manage else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("Only admins add certifications.")
        if form.is_valid():
            try:
                services.certification_create(
                    org=request.person.org, actor=request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, "Certification added.")
                return redirect("learning:certifications")
    listed = Certification.objects.filter(org_id=request.person.org_id).order_by("name")
    return render(request, "learning/certifications.html", {"certifications": listed, "form": form})


@person_required
def certificates(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The certificates the viewer may read, soonest end first, and the form to add one."""
    form = CertificateForm(
        request.POST or None,
        request.FILES or None,
        people=certificate_holders(request.user),
        certifications=Certification.objects.filter(org_id=request.person.org_id, is_active=True),
        initial={"person": request.person},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        person = data.pop("person")
        upload = data.pop("evidence")
        if not can_add_certificate_for(request.user, person):
            raise PermissionDenied("You record certificates for yourself and your people only.")
        try:
            with_evidence(
                lambda: services.certificate_add(person=person, actor=request.user, **data),
                actor=request.user,
                upload=upload,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Certificate recorded.")
            return redirect("learning:certificates")
    rows = selectors.certificate_rows(request.user)
    # Which evidence files the viewer may open or change: not every certificate they read.
    entries = [
        (
            row,
            can_view_evidence(request.user, row.certificate.person),
            can_attach_certificate_evidence(request.user, row.certificate),
        )
        for row in rows
    ]
    return render(request, "learning/certificates.html", {"entries": entries, "form": form})
