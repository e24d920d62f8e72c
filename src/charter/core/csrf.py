"""CSRF tokens for a response, as Django makes them, from randomness read ahead.

Django masks the CSRF secret anew for every response (so a page's token changes each time and
compression leaks nothing about the secret), drawing each of the 32 mask characters with its own
`secrets.choice`: 32 reads of the operating system's random source, a tenth of the whole cost of
a page served from the cache. Here the mask comes from bytes of the same source, spread evenly
over the same alphabet, read a few kilobytes at a time and each used once: every read lets go
of the GIL, which under a busy threaded server is slow to get back. The token has Django's
format (the mask, then the secret shifted character by character by the mask), so
CsrfViewMiddleware checks it as one of its own.
"""

from __future__ import annotations

import os
import threading

from django.http import HttpRequest
from django.middleware.csrf import CSRF_ALLOWED_CHARS
from django.middleware.csrf import get_token as django_get_token

_BASE = len(CSRF_ALLOWED_CHARS)
# Bytes at or above the largest multiple of the alphabet's size a byte can hold are dropped: the
# rest map onto the alphabet evenly (`byte % 62` over all 256 values would favour its first 8).
_LIMIT = 256 - 256 % _BASE
_TO_CHAR = bytes(CSRF_ALLOWED_CHARS.encode()[byte % _BASE] for byte in range(256))
_DROPPED = bytes(range(_LIMIT, 256))
# About 3% of bytes are dropped; this many spare ones make a second read very rare.
_SPARE = 8
_INDEX = {char: i for i, char in enumerate(CSRF_ALLOWED_CHARS)}
# Twice over, so a sum of two positions needs no modulo.
_TWICE = CSRF_ALLOWED_CHARS * 2


# Random bytes read ahead, per process (a forked child starts without its parent's), and handed
# out once each under a lock.
_READ_AHEAD = 4096
_pool = bytearray()
_pool_lock = threading.Lock()


def _forget_pool() -> None:
    # In a forked child: no bytes its parent may also hand out, and a lock nobody holds (a
    # thread of the parent may have held it at the fork).
    global _pool_lock
    _pool.clear()
    _pool_lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_pool)


def random_bytes(count: int) -> bytes:
    """`count` bytes from the operating system's random source, never handed out twice."""
    if count <= 0:
        return b""
    with _pool_lock:
        if len(_pool) < count:
            _pool.extend(os.urandom(max(_READ_AHEAD, count)))
        taken = bytes(_pool[-count:])
        del _pool[-count:]
    return taken


def random_chars(count: int) -> str:
    """`count` characters of the alphabet, each drawn uniformly and independently."""
    found = b""
    while len(found) < count:
        found += random_bytes(count + _SPARE).translate(_TO_CHAR, _DROPPED)
    return found[:count].decode("ascii")


def masked(secret: str) -> str:
    """A token for `secret` (a string of the alphabet) under a fresh random mask."""
    mask = random_chars(len(secret))
    pairs = zip(secret, mask, strict=True)
    return mask + "".join([_TWICE[_INDEX[char] + _INDEX[shift]] for char, shift in pairs])


def get_token(request: HttpRequest) -> str:
    """What Django's `get_token` returns, and with the same effect: the CSRF cookie is (re)sent
    with the response."""
    secret = request.META.get("CSRF_COOKIE")
    if secret is None:
        # No valid secret yet: Django makes one and has the cookie set.
        return django_get_token(request)
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    return masked(secret)
