"""A person's learning record as a PDF to print or keep."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404

from charter.core.http import AuthenticatedHttpRequest, person_required
from charter.learning import printing
from charter.learning.access import can_print_record
from charter.learning.selectors import org_today
from charter.org.models import Person


@person_required
def record_pdf(request: AuthenticatedHttpRequest, person_id: int) -> HttpResponse:
    person = get_object_or_404(Person, pk=person_id, org_id=request.person.org_id)
    if not can_print_record(request.user, person):
        raise Http404("No such person.")
    response = HttpResponse(
        printing.record_pdf(request.user, person), content_type="application/pdf"
    )
    name = printing.record_filename(person, org_today(person.org))
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
