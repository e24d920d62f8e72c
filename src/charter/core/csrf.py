"""CSRF tokens for a response, as Django makes them, from one read of the system's randomness.

Django masks the CSRF secret anew for every response (so a page's token changes each time and
compression leaks nothing about the secret), drawing each of the 32 mask characters with its own
`secrets.choice`: 32 reads of the operating system's random source, a tenth of the whole cost of
a page served from the cache. Here the mask comes from one `secrets.token_bytes` call, spread
evenly over the same alphabet. The token has Django's format (the mask, then the secret shifted
character by character by the mask), so CsrfViewMiddleware checks it as one of its own.
"""

from __future__ import annotations

import secrets

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


def random_chars(count: int) -> str:
    """`count` characters of the alphabet, each drawn uniformly and independently."""
    found = b""
    while len(found) < count:
        found += secrets.token_bytes(count + _SPARE).translate(_TO_CHAR, _DROPPED)
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
