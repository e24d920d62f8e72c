from __future__ import annotations

from typing import Any

from django.contrib import auth
from django.contrib.auth import middleware
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from charter.accounts.sessions import finding_user_of


def get_user(request: HttpRequest) -> Any:
    # Django's (`django.contrib.auth.middleware.get_user`), with the session's own read
    # offering the user's columns to the backend (`accounts.sessions`).
    if not hasattr(request, "_cached_user"):
        with finding_user_of(request.session):
            request._cached_user = auth.get_user(request)  # type: ignore[attr-defined]
    return request._cached_user  # type: ignore[attr-defined]


class AuthenticationMiddleware(middleware.AuthenticationMiddleware):
    """Django's, finding the user with what the session's read already joined."""

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: get_user(request))  # type: ignore[assignment]
