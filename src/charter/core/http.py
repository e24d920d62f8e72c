"""Request helpers shared by every app's views."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

from charter.accounts.models import User
from charter.org.access import person_of
from charter.org.models import Person


class AuthenticatedHttpRequest(HttpRequest):
    user: User
    person: Person
    htmx: bool


def person_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Signed in *and* an active person in the org chart; sets `request.person`."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        me = person_of(request.user)
        if me is None:
            raise PermissionDenied("Your login is not linked to an active person in Charter.")
        request.person = me  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper


def paginate(
    request: HttpRequest, items: QuerySet[Any] | list[Any], per_page: int = 50
) -> Page[Any]:
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None
