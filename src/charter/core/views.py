"""The error pages: no domain knowledge, the same for every app."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    reason = str(exception) if exception and str(exception) else ""
    return render(request, "403.html", {"reason": reason}, status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path_info.startswith("/api/"):
        # An address the API does not have (`/api/v1/teams/abc/`) answers like an id it does
        # not have: JSON in the API's error shape, not the web page.
        return JsonResponse({"detail": "Not found."}, status=404)
    return render(request, "404.html", status=404)
