"""The API's default permission: an active person, with executives and read-only tokens
limited to safe methods. Object-level scope comes from each endpoint's queryset, built with the
same access functions as the web pages."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from charter.accounts.models import ApiToken
from charter.org.access import can_write, person_of


class IsPersonInCharter(BasePermission):
    message = "Sign in (or send an API token) as an active person in Charter."

    def has_permission(self, request: Request, view: Any) -> bool:
        if person_of(request.user) is None:
            return False
        if request.method in SAFE_METHODS:
            return True
        if isinstance(request.auth, ApiToken) and request.auth.read_only:
            self.message = "This API token is read-only."
            return False
        # Signing one's own acknowledgment is personal, not a change to the company's data, so a
        # read-only role (an executive) may still do it; views list such actions by name.
        if getattr(view, "action", None) in getattr(view, "personal_actions", ()):
            return True
        if not can_write(request.user):
            self.message = "Your role is read-only."
            return False
        return True
