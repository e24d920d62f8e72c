"""Rendered scorecards, cached under the organization's data version.

Every service that can change a figure (facts, targets, KPI versions, closes, people, teams)
raises the organization's data version (`org.versions`) in its own transaction; a cached
fragment's key holds the version it was computed at, the viewer and the day, so a reader sees
the new figures on the first request after the commit, and a stale fragment is never served.
The version is one indexed row read per request, shared by every process; the fragments live
in Django's cache (per process by default, Redis or Memcached when configured).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.crypto import salted_hmac

from charter.org.models import Organization
from charter.org.versions import data_version

# Long enough to serve a team's dashboards through a busy morning, short enough that memory
# held by fragments of yesterday's versions goes away on its own.
TTL_SECONDS = 600


def _key(kind: str, org_id: int, version: int, parts: tuple[Any, ...]) -> str:
    # Hashed: the parts include a page's whole query string, and Memcached refuses keys over
    # 250 characters.
    text = ":".join(str(p) for p in (org_id, version, *parts))
    return f"kpis:{kind}:{hashlib.sha256(text.encode()).hexdigest()}"


def fragment(org_id: int, parts: tuple[Any, ...], render: Callable[[], str]) -> str:
    """`render()`'s result, reused while the organization's data version stays the same."""
    key = _key("fragment", org_id, data_version(org_id), parts)
    found = cache.get(key)
    if found is None:
        found = render()
        cache.set(key, found, TTL_SECONDS)
    return str(found)


# What a cached page holds where the CSRF token goes: each request gets its own token (Django
# masks it anew every time), written over this mark. Derived from the secret key, so every
# process of one installation uses the same mark (a page cached by one is served by another
# through a shared cache) and no page text can contain it unless it knows the key; HTML-safe,
# so it passes escaping unchanged.
CSRF_MARK = "csrf-mark-" + salted_hmac("charter.kpis.cache.csrf-mark", "mark").hexdigest()[:32]


def page(
    request: HttpRequest,
    org: Organization,
    parts: tuple[Any, ...],
    render: Callable[[dict[str, Any]], HttpResponse],
) -> HttpResponse:
    """A whole page, reused while the organization's data version stays the same, for one
    viewer (`parts` must name who sees it and what they asked for). `render(extra)` renders it
    with `extra` added to the template context. For pages that change nothing (GET).

    The cached copy is the page as rendered for this viewer with the CSRF mark instead of a
    token, kept as the bytes around each mark; serving it costs the version read, one cache read
    and joining those bytes with the token. A request with messages waiting (shown once, then
    gone) always renders afresh, and so does any answer other than a plain 200 page."""
    token = get_token(request)
    if len(get_messages(request)):
        return render({})
    key = _key("page-bytes", org.pk, data_version(org.pk), parts)
    found = cache.get(key)
    if found is None:
        response = render({"csrf_token": CSRF_MARK})
        if response.status_code != 200 or response.streaming:
            return response
        # Bytes, split where the (ASCII) mark stands: a page is sent in an ASCII-compatible
        # charset (UTF-8), so the mark's bytes are found exactly where it is in the text. Kept
        # as text, reading it back from the cache and encoding it for each request cost more
        # than the rest of the page.
        found = (tuple(response.content.split(CSRF_MARK.encode())), response["Content-Type"])
        cache.set(key, found, TTL_SECONDS)
    pieces, content_type = found
    return HttpResponse(token.encode().join(pieces), content_type=content_type)
