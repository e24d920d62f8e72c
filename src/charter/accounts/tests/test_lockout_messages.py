"""Sign-in limits a person can plan around: the form warns before the attempt that locks them
out, and the lockout page says how long it lasts."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.conf import settings
from django.test import Client

from charter.accounts.templatetags.accounts_tags import duration_words
from charter.conftest import PASSWORD

LOGIN = "/accounts/login/"
START = dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC)
WARNING = "One attempt left"


def _fail(client: Client, email: str) -> str:
    response = client.post(LOGIN, {"username": email, "password": "wrong guess"})
    return response.content.decode()


def test_the_form_warns_only_before_the_attempt_that_locks_the_address(rep):
    client = Client(REMOTE_ADDR="203.0.113.9")
    limit = settings.AXES_FAILURE_LIMIT
    with time_machine.travel(START, tick=False):
        pages = [_fail(client, rep.email) for _ in range(limit)]
    # After limit - 1 failures one attempt is left; the one after it is the lockout page.
    assert [WARNING in page for page in pages[:-1]] == [False] * (limit - 2) + [True]
    warned = pages[-2]
    assert f"for {settings.LOGIN_LOCKOUT_MINUTES} minutes" in warned
    assert "Please enter a correct" in warned  # the usual error stays
    assert "Too many failed sign-ins" in pages[-1]


def test_the_lockout_page_says_how_long_it_lasts(rep):
    client = Client(REMOTE_ADDR="203.0.113.10")
    with time_machine.travel(START, tick=False):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            page = _fail(client, rep.email)
        again = client.post(LOGIN, {"username": rep.email, "password": PASSWORD})
    for html in (page, again.content.decode()):
        assert "Too many failed sign-ins" in html
        assert f"blocked for <strong data-lockout>{settings.LOGIN_LOCKOUT_MINUTES} minutes" in html


def test_the_account_wide_limit_warns_too_and_says_the_delay(rep):
    # One failure from each address: axes never locks, the account's own count does.
    limit = settings.LOGIN_ACCOUNT_FAILURE_LIMIT
    with time_machine.travel(START, tick=False):
        pages = [_fail(Client(REMOTE_ADDR=f"198.51.100.{n + 1}"), rep.email) for n in range(limit)]
    assert [WARNING in page for page in pages] == [False] * (limit - 2) + [True, False]
    assert f"for {settings.LOGIN_ACCOUNT_BASE_DELAY_SECONDS} seconds" in pages[-2]


def test_duration_words():
    assert duration_words(dt.timedelta(minutes=15)) == "15 minutes"
    assert duration_words(dt.timedelta(minutes=1)) == "1 minute"
    assert duration_words(dt.timedelta(minutes=90)) == "1 hour 30 minutes"
    assert duration_words(dt.timedelta(hours=2)) == "2 hours"
    assert duration_words(None) == ""
