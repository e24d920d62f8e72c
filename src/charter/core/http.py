"""Request helpers shared by every app's views."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

from charter.core import registry

if TYPE_CHECKING:
    # Types only: the person comes from the lookup the org app registers (core.registry).
    from charter.accounts.models import User
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
        me = registry.person_of(request.user)
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
    """The address of the client: the connection's, or, behind `TRUSTED_PROXY_COUNT` proxies,
    the one the outermost of them saw. Each proxy appends the address it received from to
    X-Forwarded-For, so the client's is that many entries from the right; anything further left
    is what the client itself sent and proves nothing. Sign-in lockouts, rate limits,
    signatures and the audit log all read it here."""
    remote = request.META.get("REMOTE_ADDR") or None
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [h for h in hops if h]
    if len(hops) < count:
        # Fewer hops than proxies: the request did not come through all of them.
        return remote
    try:
        return str(ipaddress.ip_address(hops[-count]))
    except ValueError:
        return remote


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
