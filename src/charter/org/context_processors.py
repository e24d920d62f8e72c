from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from charter.org.access import person_of


def charter(request: HttpRequest) -> dict[str, Any]:
    """The signed-in person and their role, for the navigation in every page."""
    me = person_of(getattr(request, "user", None))
    return {"me": me, "my_role": me.role if me else ""}
