"""Guessing passwords: a per-account delay that holds across client addresses without keeping
the owner out for long, and the client address read from X-Forwarded-For only behind proxies
the settings trust."""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client, RequestFactory, override_settings
from django.utils import timezone

from charter.accounts import services
from charter.accounts.models import RateEvent
from charter.conftest import PASSWORD
from charter.core.http import client_ip

LOGIN = "/accounts/login/"
START = dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC)


def _attempt(email: str, password: str, address: str, **headers: Any):
    client = Client(REMOTE_ADDR=address, **headers)
    return client, client.post(LOGIN, {"username": email, "password": password})


def _spread_failures(email: str, count: int) -> None:
    # One failure from each of `count` addresses: no single address ever reaches axes' limit.
    for n in range(count):
        _client, response = _attempt(email, f"guess {n}", f"198.51.100.{n + 1}")
        assert response.status_code == 200, n


def test_guesses_spread_over_addresses_slow_the_account_down(rep):
    with time_machine.travel(START, tick=False):
        _spread_failures(rep.email, settings.LOGIN_ACCOUNT_FAILURE_LIMIT)

        client, response = _attempt(rep.email, PASSWORD, "203.0.113.50")

    assert response.status_code == 200
    assert "Too many failed sign-ins for this account" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_the_delay_is_short_and_then_the_owner_signs_in(rep):
    with time_machine.travel(START, tick=False) as traveller:
        _spread_failures(rep.email, settings.LOGIN_ACCOUNT_FAILURE_LIMIT)
        first_wait = services.sign_in_wait(email=rep.email)
        assert first_wait == dt.timedelta(seconds=settings.LOGIN_ACCOUNT_BASE_DELAY_SECONDS)

        traveller.shift(first_wait)
        client, response = _attempt(rep.email, PASSWORD, "203.0.113.50")

        assert response.status_code == 302
        assert client.session[SESSION_KEY] == str(rep.user.pk)
    # Signing in proved the password: the account's failures are forgotten.
    assert not RateEvent.objects.filter(scope=RateEvent.Scope.SIGN_IN_FAILURE).exists()


def test_each_further_failure_doubles_the_delay_up_to_a_few_minutes(rep):
    limit = settings.LOGIN_ACCOUNT_FAILURE_LIMIT
    with time_machine.travel(START, tick=False) as traveller:
        _spread_failures(rep.email, limit)
        waits = []
        for n in range(8):
            wait = services.sign_in_wait(email=rep.email)
            waits.append(wait.total_seconds())
            traveller.shift(wait)
            _attempt(rep.email, "another guess", f"192.0.2.{n + 1}")

    base = settings.LOGIN_ACCOUNT_BASE_DELAY_SECONDS
    assert waits[:4] == [base, base * 2, base * 4, base * 8]
    assert max(waits) == settings.LOGIN_ACCOUNT_MAX_DELAY_SECONDS


def test_an_attempt_refused_by_the_delay_does_not_count_as_a_failure(rep):
    with time_machine.travel(START, tick=False):
        _spread_failures(rep.email, settings.LOGIN_ACCOUNT_FAILURE_LIMIT)
        before = RateEvent.objects.count()
        _attempt(rep.email, "too soon", "203.0.113.9")
        assert RateEvent.objects.count() == before


def test_failures_older_than_the_window_no_longer_count(rep):
    with time_machine.travel(START, tick=False) as traveller:
        _spread_failures(rep.email, settings.LOGIN_ACCOUNT_FAILURE_LIMIT)
        traveller.shift(dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES, seconds=1))
        assert services.sign_in_wait(email=rep.email) == dt.timedelta(0)


def test_a_password_reset_clears_the_delay(rep):
    with time_machine.travel(START, tick=False):
        _spread_failures(rep.email, settings.LOGIN_ACCOUNT_FAILURE_LIMIT)
        services.password_set(user=rep.user, password="a brand new long passphrase")
        assert services.sign_in_wait(email=rep.email) == dt.timedelta(0)


def test_the_delay_of_one_account_leaves_another_free(rep, rep2):
    with time_machine.travel(START, tick=False):
        _spread_failures(rep.email, settings.LOGIN_ACCOUNT_FAILURE_LIMIT)
        _client, response = _attempt(rep2.email, PASSWORD, "198.51.100.1")
    assert response.status_code == 302


def test_old_rate_events_are_pruned(rep):
    with time_machine.travel(START, tick=False):
        services.sign_in_failed(email=rep.email)
    services.sign_in_failed(email=rep.email)

    assert services.rate_events_prune(now=timezone.now()) == 1
    assert RateEvent.objects.count() == 1


# --- the client's address ------------------------------------------------------------------


def _request(remote: str, forwarded: str | None = None):
    extra: dict[str, Any] = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


def test_the_forwarded_header_is_ignored_unless_proxies_are_trusted():
    assert settings.TRUSTED_PROXY_COUNT == 0
    assert client_ip(_request("10.0.0.1", "203.0.113.7")) == "10.0.0.1"


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_one_trusted_proxy_the_address_it_saw_is_the_clients():
    # The client may send its own header; the proxy appends the address it really saw.
    assert client_ip(_request("10.0.0.1", "1.2.3.4, 203.0.113.7")) == "203.0.113.7"
    assert client_ip(_request("10.0.0.1", "203.0.113.7")) == "203.0.113.7"


@override_settings(TRUSTED_PROXY_COUNT=2)
def test_behind_two_proxies_the_outer_ones_entry_counts():
    assert client_ip(_request("10.0.0.2", "1.2.3.4, 203.0.113.7, 10.0.0.1")) == "203.0.113.7"
    # Fewer entries than proxies: the request skipped one, so the header proves nothing.
    assert client_ip(_request("10.0.0.2", "203.0.113.7")) == "10.0.0.2"


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_a_forwarded_entry_that_is_not_an_address_is_ignored():
    assert client_ip(_request("10.0.0.1", "not-an-address")) == "10.0.0.1"
    assert client_ip(_request("10.0.0.1", "")) == "10.0.0.1"


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_the_proxy_one_clients_lockout_leaves_another_free(rep):
    proxy = "10.0.0.1"
    for n in range(settings.AXES_FAILURE_LIMIT):
        _attempt(rep.email, f"wrong {n}", proxy, HTTP_X_FORWARDED_FOR="203.0.113.66")
    locked, response = _attempt(rep.email, PASSWORD, proxy, HTTP_X_FORWARDED_FOR="203.0.113.66")
    assert SESSION_KEY not in locked.session

    owner, response = _attempt(rep.email, PASSWORD, proxy, HTTP_X_FORWARDED_FOR="198.51.100.8")
    assert response.status_code == 302
    assert owner.session[SESSION_KEY] == str(rep.user.pk)


def test_without_trusted_proxies_a_forged_header_does_not_escape_the_lockout(rep):
    for n in range(settings.AXES_FAILURE_LIMIT):
        _attempt(rep.email, f"wrong {n}", "198.51.100.200", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    client, _response = _attempt(
        rep.email, PASSWORD, "198.51.100.200", HTTP_X_FORWARDED_FOR="192.0.2.99"
    )
    assert SESSION_KEY not in client.session
