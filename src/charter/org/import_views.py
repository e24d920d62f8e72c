from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render

from charter.core.http import AuthenticatedHttpRequest, person_required
from charter.org.access import can_manage_org


@person_required
def import_people(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not can_manage_org(request.user):
        raise PermissionDenied("Only admins can import people.")
    return render(request, "org/import.html", {})
