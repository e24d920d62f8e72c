"""Password-reset requests are limited per address and per client address, in the database so
every process shares the count, and known and unknown addresses cost the request the same."""

from __future__ import annotations

import datetime as dt
import re

import time_machine
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from charter.accounts import services
from charter.accounts.models import RateEvent
from charter.core.models import AuditEvent

RESET = "/accounts/password-reset/"
START = dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC)


def _ask(email: str, address: str = "198.51.100.1"):
    return Client(REMOTE_ADDR=address).post(RESET, {"email": email})


def test_an_address_gets_a_few_reset_mails_then_a_429(rep, django_capture_on_commit_callbacks):
    with time_machine.travel(START, tick=False), django_capture_on_commit_callbacks(execute=True):
        answers = [_ask(rep.email, f"198.51.100.{n}").status_code for n in range(11)]

    allowed = services.RESET_PER_ADDRESS
    assert answers == [200] * allowed + [429] * (11 - allowed)
    assert len(mail.outbox) == allowed


def test_the_refusal_says_when_to_try_again(rep):
    with time_machine.travel(START, tick=False):
        for _ in range(services.RESET_PER_ADDRESS):
            _ask(rep.email)
        response = _ask(rep.email)
    assert response.status_code == 429
    assert "Too many reset requests" in response.content.decode()
    assert "try again in 60 minutes" in response.content.decode()


def test_an_unknown_address_is_limited_exactly_like_a_known_one(db):
    with time_machine.travel(START, tick=False):
        answers = [_ask("nobody@acme.test").status_code for _ in range(5)]
    assert answers == [200] * services.RESET_PER_ADDRESS + [429] * (5 - services.RESET_PER_ADDRESS)


def test_one_client_asking_for_many_addresses_is_limited(db):
    with time_machine.travel(START, tick=False):
        answers = [
            _ask(f"someone{n}@acme.test", "203.0.113.5").status_code
            for n in range(services.RESET_PER_CLIENT + 1)
        ]
        other_client = _ask("someone0@acme.test", "203.0.113.6").status_code
    assert answers[-1] == 429
    assert answers[:-1] == [200] * services.RESET_PER_CLIENT
    assert other_client == 200


def test_the_limit_lifts_after_the_window(rep, django_capture_on_commit_callbacks):
    with time_machine.travel(START, tick=False) as traveller:
        for _ in range(services.RESET_PER_ADDRESS):
            _ask(rep.email)
        traveller.shift(services.RESET_WINDOW)
        with django_capture_on_commit_callbacks(execute=True):
            assert _ask(rep.email).status_code == 200
    assert len(mail.outbox) == 1


def test_the_counts_keep_no_address_in_clear(rep):
    _ask(rep.email, "198.51.100.77")
    keys = set(RateEvent.objects.values_list("key", flat=True))
    assert keys == {RateEvent.key_for(rep.email), RateEvent.key_for("198.51.100.77")}
    assert not any(rep.email in key or "198.51.100.77" in key for key in keys)


def _request_work(email: str, address: str, capture) -> tuple[list[str], int]:
    with capture(execute=False) as callbacks, CaptureQueriesContext(connection) as queries:
        response = _ask(email, address)
    assert response.status_code == 200
    # The statements without their values: what the request did, not with which address.
    shapes = [
        re.sub(r"'[^']*'|\"s\d+_x\d+\"|\b\d+\b", "?", q["sql"]) for q in queries.captured_queries
    ]
    return shapes, len(callbacks)


def test_known_and_unknown_addresses_do_the_same_work_in_the_request(
    rep, django_capture_on_commit_callbacks
):
    known = _request_work(rep.email, "198.51.100.1", django_capture_on_commit_callbacks)
    unknown = _request_work("nobody@acme.test", "198.51.100.2", django_capture_on_commit_callbacks)

    # The same statements and one queued job each: only the job looks the address up.
    assert known == unknown
    assert known[1] == 1
    assert not any("accounts_user" in sql for sql in known[0])
    assert mail.outbox == []


def test_the_job_mails_a_known_address_and_records_it(rep, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _ask(rep.email.upper())
    assert [m.to for m in mail.outbox] == [[rep.email]]
    assert AuditEvent.objects.filter(action="accounts.password.reset_requested").count() == 1


def test_the_job_does_nothing_visible_for_an_unknown_address(db):
    assert services.password_reset_send(email="nobody@acme.test") is False
    assert mail.outbox == []
    assert not AuditEvent.objects.exists()
