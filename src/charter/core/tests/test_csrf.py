"""CSRF tokens masked from read-ahead bytes of the system's randomness (`core.csrf`): Django's
format, accepted by Django's middleware, a new mask every time, every character equally likely."""

from __future__ import annotations

import collections
import string
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.middleware import csrf as django_csrf
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CsrfViewMiddleware
from django.middleware.csrf import get_token as django_get_token
from django.test import RequestFactory

from charter.core import csrf

# Django's own unmasking, private and untyped: the tokens must be what it reads.
_unmask_cipher_token = django_csrf._unmask_cipher_token  # type: ignore[attr-defined]

SECRET = "0123456789abcdefghijklmnopqrstuV"
TOKEN_FORM_FIELD = "csrfmiddlewaretoken"


def view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("done")


def request_with_cookie(secret: str | None) -> HttpRequest:
    """A GET request as CsrfViewMiddleware leaves it for the view, with `secret` in its cookie."""
    factory = RequestFactory()
    request = factory.get("/")
    if secret is not None:
        request.COOKIES["csrftoken"] = secret
    middleware = CsrfViewMiddleware(view)
    middleware.process_request(request)
    middleware.process_view(request, view, (), {})
    return request


def post_is_accepted(secret: str, token: str) -> bool:
    request = RequestFactory().post("/", {TOKEN_FORM_FIELD: token})
    request.COOKIES["csrftoken"] = secret
    middleware = CsrfViewMiddleware(view)
    middleware.process_request(request)
    return middleware.process_view(request, view, (), {}) is None


# -- the token -----------------------------------------------------------------------------


def test_a_token_unmasks_to_the_secret_and_has_djangos_shape() -> None:
    for _ in range(50):
        token = csrf.masked(SECRET)
        assert len(token) == 64
        assert set(token) <= set(string.ascii_letters + string.digits)
        assert _unmask_cipher_token(token) == SECRET


def test_two_tokens_for_one_secret_differ() -> None:
    tokens = {csrf.masked(SECRET) for _ in range(20)}
    assert len(tokens) == 20


def test_djangos_middleware_accepts_the_token_and_refuses_a_changed_one() -> None:
    token = csrf.masked(SECRET)
    assert post_is_accepted(SECRET, token)
    # The same mask over another secret: a token for some other browser's cookie.
    other = token[:32] + csrf.masked("x" * 32)[32:]
    assert not post_is_accepted(SECRET, other)
    assert post_is_accepted(SECRET, django_get_token(request_with_cookie(SECRET)))


# -- drawn evenly ----------------------------------------------------------------------------


def test_every_character_is_equally_likely(monkeypatch: Any) -> None:
    # Handed every byte value once per read, two reads must give each of the 62 characters
    # exactly as often (248 = 4 x 62 bytes used, the 8 highest dropped): `byte % 62` alone would
    # give the first 8 characters 5 times each from a read.
    monkeypatch.setattr(csrf, "random_bytes", lambda n: bytes(range(256)))
    counts = collections.Counter(csrf.random_chars(2 * 248))
    assert set(counts) == set(CSRF_ALLOWED_CHARS)
    assert set(counts.values()) == {8}


def test_dropped_bytes_are_made_up_by_reading_again(monkeypatch: Any) -> None:
    reads = iter([b"\xff" * 38, b"\xf8" + b"\x00" * 39])
    monkeypatch.setattr(csrf, "random_bytes", lambda n: next(reads))
    assert csrf.random_chars(32) == CSRF_ALLOWED_CHARS[0] * 32


def test_random_bytes_are_read_ahead_and_handed_out_once(monkeypatch: Any) -> None:
    reads: list[int] = []
    counter = iter(range(65536))

    def urandom(n: int) -> bytes:
        # Each pair of bytes a number never given before: any two even-aligned slices differ.
        reads.append(n)
        return b"".join(next(counter).to_bytes(2, "big") for _ in range(n // 2))

    monkeypatch.setattr(csrf.os, "urandom", urandom)
    csrf._forget_pool()
    handed = [csrf.random_bytes(40) for _ in range(200)]
    # 8,000 bytes from two reads of 4,096, none handed out twice.
    assert reads == [4096, 4096]
    assert len(set(handed)) == len(handed)
    assert sum(map(len, handed)) == 8000
    assert csrf.random_bytes(0) == b""
    # More than a read ahead at once is read whole.
    assert len(csrf.random_bytes(5000)) == 5000
    assert reads[-1] == 5000


def test_a_forked_child_does_not_reuse_its_parents_bytes(monkeypatch: Any) -> None:
    csrf.random_bytes(1)
    assert csrf._pool
    # What os.register_at_fork runs in a child.
    csrf._forget_pool()
    assert not csrf._pool


def test_an_even_spread_over_many_tokens() -> None:
    # 2,000 masks, 64,000 characters: each expected 1,032 times. A bias like `byte % 62`'s
    # (the first 8 characters at 1.25 times the rest) lies far outside these bounds.
    counts = collections.Counter("".join(csrf.random_chars(32) for _ in range(2000)))
    assert set(counts) == set(CSRF_ALLOWED_CHARS)
    assert min(counts.values()) > 850
    assert max(counts.values()) < 1220


# -- for a request ---------------------------------------------------------------------------


def test_get_token_uses_the_cookies_secret_and_has_the_cookie_sent_again() -> None:
    request = request_with_cookie(SECRET)
    assert "CSRF_COOKIE_NEEDS_UPDATE" not in request.META
    token = csrf.get_token(request)
    assert _unmask_cipher_token(token) == SECRET
    # As with Django's get_token: the response renews the cookie.
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True
    response = CsrfViewMiddleware(view).process_response(request, HttpResponse())
    assert response.cookies["csrftoken"].value == SECRET


@pytest.mark.parametrize("cookie", [None, "too-short", "!" * 32])
def test_without_a_valid_cookie_a_new_secret_is_made_and_set(cookie: str | None) -> None:
    request = request_with_cookie(cookie)
    token = csrf.get_token(request)
    secret = request.META["CSRF_COOKIE"]
    assert secret != cookie
    assert len(secret) == 32
    assert _unmask_cipher_token(token) == secret
    response = CsrfViewMiddleware(view).process_response(request, HttpResponse())
    assert response.cookies["csrftoken"].value == secret
    assert post_is_accepted(secret, token)
