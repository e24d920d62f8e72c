"""Evidence files: handed out only here, to whoever may read them, as a download.

The file's type is the one its content was checked to be at upload, and the response says so
with `nosniff` and as an attachment under a name of our making, so a browser neither guesses
another type nor shows it inside Charter's pages. Anyone else gets a 404, the same as for a
record that does not exist."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse

from charter.core.downloads import download_name
from charter.core.http import AuthenticatedHttpRequest, person_required
from charter.learning import evidence
from charter.learning.access import (
    can_attach_certificate_evidence,
    can_attach_completion_evidence,
    can_remove_completion_evidence,
    can_view_evidence,
)
from charter.learning.forms import EvidenceForm
from charter.learning.models import Certificate, Completion
from charter.learning.services.evidence import evidence_attach, evidence_remove


def _download(obj: Completion | Certificate, stem: str) -> FileResponse:
    kind = evidence.kind_of(obj.evidence_type)
    if not obj.evidence_name or kind is None:
        raise Http404("No evidence file.")
    try:
        handle = evidence.storage().open(obj.evidence_name, "rb")
    except FileNotFoundError:
        raise Http404("No evidence file.") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=download_name(stem, "evidence", extension=evidence.KINDS[kind][1][0][1:]),
        content_type=obj.evidence_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    # Opened in a tab anyway (a PDF viewer, a saved link), it runs nothing and loads nothing.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _change(
    request: AuthenticatedHttpRequest,
    obj: Completion | Certificate,
    *,
    may_attach: bool,
    may_remove: bool,
    back: str,
) -> HttpResponse:
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else None
            text = " ".join(str(e) for e in errors)
            messages.error(request, f"{label}: {text}" if label else text)
        return redirect(back)
    if form.cleaned_data["evidence"]:
        if not may_attach:
            raise PermissionDenied("You may not change this evidence file.")
        upload = form.cleaned_data["evidence"]
        try:
            evidence_attach(
                obj=obj, actor=request.user, upload=upload, filename=upload.name or "",
                size=upload.size or 0,
            )  # fmt: skip
        except ValidationError as exc:
            messages.error(request, f"Evidence file: {' '.join(exc.messages)}")
            return redirect(back)
        messages.success(request, "Evidence file saved.")
    else:
        if not may_remove:
            raise PermissionDenied("You may not remove this evidence file.")
        evidence_remove(obj=obj, actor=request.user)
        messages.success(request, "Evidence file removed.")
    return redirect(back)


@person_required
def completion_evidence(request: AuthenticatedHttpRequest, completion_id: int) -> HttpResponseBase:
    """GET: the file. POST: replace it (the person, while not approved) or remove it (the
    person then, admins at any time)."""
    completion = (
        Completion.objects.filter(pk=completion_id, org_id=request.person.org_id)
        .select_related("person", "training")
        .first()
    )
    if completion is None or not can_view_evidence(request.user, completion.person):
        raise Http404("No such completion.")
    if request.method == "POST":
        back = (
            reverse("learning:my_record")
            if completion.person_id == request.person.pk
            else reverse("learning:person_record", args=[completion.person_id])
        )
        return _change(
            request, completion, back=back,
            may_attach=can_attach_completion_evidence(request.user, completion),
            may_remove=can_remove_completion_evidence(request.user, completion),
        )  # fmt: skip
    return _download(completion, f"{completion.person.full_name} {completion.training.title}")


@person_required
def certificate_evidence(
    request: AuthenticatedHttpRequest, certificate_id: int
) -> HttpResponseBase:
    """GET: the file. POST: replace or remove it (whoever may record the holder's
    certificates)."""
    certificate = (
        Certificate.objects.filter(pk=certificate_id, org_id=request.person.org_id)
        .select_related("person", "certification")
        .first()
    )
    if certificate is None or not can_view_evidence(request.user, certificate.person):
        raise Http404("No such certificate.")
    if request.method == "POST":
        may = can_attach_certificate_evidence(request.user, certificate)
        return _change(
            request, certificate, may_attach=may, may_remove=may,
            back=reverse("learning:certificates"),
        )  # fmt: skip
    return _download(
        certificate, f"{certificate.person.full_name} {certificate.certification.name}"
    )
