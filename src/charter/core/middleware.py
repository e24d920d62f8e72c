from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class HtmxMiddleware:
    """Sets `request.htmx`: one view answers with the whole page or just the fragment htmx wants."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.htmx = request.headers.get("HX-Request") == "true"  # type: ignore[attr-defined]
        response = self.get_response(request)
        if request.htmx:  # type: ignore[attr-defined]
            # Browsers must not serve a fragment from cache when the full page is asked for.
            response.headers["Vary"] = ", ".join(
                v for v in (response.headers.get("Vary"), "HX-Request") if v
            )
        return response


class ContentSecurityPolicyMiddleware:
    """Sends `settings.CONTENT_SECURITY_POLICY` with every response that has none of its own.

    Django 5.2 has no built-in CSP. The policy is one fixed string, so a page that needs
    something else (say an inline script) fails loudly in the browser tests rather than quietly
    widening the policy for every page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = settings.CONTENT_SECURITY_POLICY

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.policy:
            response.headers.setdefault("Content-Security-Policy", self.policy)
        return response
