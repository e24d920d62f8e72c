"""Request helpers shared by every app's views."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

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


def safe_next(target: str | None, *, fallback: str) -> str:
    """`target` (a `next`, `return` or Referer value the client sent) if it is a path on this
    site, else `fallback`. Every view that redirects to a client-supplied address goes through
    here: an absolute URL, `//host`, `/\\host`, `javascript:` or a control character would send
    the person elsewhere (or make `redirect` raise), so only a plain local path is followed."""
    if not target or not target.startswith("/"):
        return fallback
    # No host is allowed at all, so any URL naming one (however spelled) is refused.
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts=set(), require_https=settings.HTTPS
    ):
        return fallback
    if any(ch < " " or ch == "\x7f" for ch in target):
        return fallback
    return target
