"""Personas shared by every test: one small org with two regions and a reporting tree.

Acme Demo Co
├── East (region)            ├── West (region)
│   └── East Enterprise      │   └── West Mid-Market
admin (Ada Admin) · executive (Eve Exec)
manager (Mona Manager, East Enterprise) ← rep (Rick Rep), rep2 (Rita Rep)
other_manager (Omar Other, West Mid-Market) ← other_team_rep (Olga Other)

A second organization (`globex`), for tests that one organization never reaches the other:
Globex ── Globex Sales: admin, executive ← manager (Globex Sales) ← rep

And one SMTP server on loopback (`smtp_server`) for every test that sends real mail, and one
way to wait for something another thread or process does (`wait_for`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any, Protocol, TypeVar

import pytest
from django.test import Client

from charter.accounts.models import User
from charter.org.models import Organization, Person, Role, Team

PASSWORD = "correct horse battery staple"
T = TypeVar("T")


@pytest.fixture(autouse=True)
def _fast_hashing(settings: Any) -> None:
    # Argon2 is deliberately slow; the tests that care about it ask for it explicitly.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    # Each test's database starts over with the same ids; so must cached fragments.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def org(db: Any) -> Organization:
    return Organization.objects.create(name="Acme Demo Co")


@pytest.fixture
def teams(org: Organization) -> dict[str, Team]:
    east = Team.objects.create(org=org, name="East")
    west = Team.objects.create(org=org, name="West")
    return {
        "east": east,
        "west": west,
        "east_ent": Team.objects.create(org=org, name="East Enterprise", parent=east),
        "west_mm": Team.objects.create(org=org, name="West Mid-Market", parent=west),
    }


def make_person(
    org: Organization,
    name: str,
    role: str,
    *,
    team: Team | None = None,
    manager: Person | None = None,
    login: bool = True,
) -> Person:
    email = name.lower().replace(" ", ".") + "@acme.test"
    user = User.objects.create_user(email, PASSWORD) if login else None
    return Person.objects.create(
        org=org,
        user=user,
        full_name=name,
        email=email,
        role=role,
        team=team,
        manager=manager,
        hire_date=dt.date(2022, 3, 1),
    )


def deal_fact(
    external_id: str,
    owner: Person,
    amount: str,
    *,
    created: dt.date,
    closed: dt.date | None,
    stage: str = "won",
) -> dict[str, Any]:
    """A deal row as `crm.services.facts_upsert` takes it: owned by `owner` (matched, as an import
    matches by name), in USD, so its reporting amount is its amount."""
    return {
        "external_id": external_id,
        "owner_id": owner.pk,
        "owner_raw": owner.full_name,
        "owner_key": owner.full_name.lower(),
        "stage": stage,
        "raw_stage": stage,
        "amount": Decimal(amount),
        "currency": "USD",
        "amount_reporting": Decimal(amount),
        "created_date": created,
        "close_date": closed,
    }


@pytest.fixture
def admin(org: Organization) -> Person:
    return make_person(org, "Ada Admin", Role.ADMIN)


@pytest.fixture
def executive(org: Organization) -> Person:
    return make_person(org, "Eve Exec", Role.EXECUTIVE)


@pytest.fixture
def manager(org: Organization, teams: dict[str, Team], executive: Person) -> Person:
    return make_person(org, "Mona Manager", Role.MANAGER, team=teams["east_ent"], manager=executive)


@pytest.fixture
def rep(org: Organization, teams: dict[str, Team], manager: Person) -> Person:
    return make_person(org, "Rick Rep", Role.REP, team=teams["east_ent"], manager=manager)


@pytest.fixture
def rep2(org: Organization, teams: dict[str, Team], manager: Person) -> Person:
    return make_person(org, "Rita Rep", Role.REP, team=teams["east_ent"], manager=manager)


@pytest.fixture
def other_manager(org: Organization, teams: dict[str, Team], executive: Person) -> Person:
    return make_person(org, "Omar Other", Role.MANAGER, team=teams["west_mm"], manager=executive)


@pytest.fixture
def other_team_rep(org: Organization, teams: dict[str, Team], other_manager: Person) -> Person:
    return make_person(org, "Olga Other", Role.REP, team=teams["west_mm"], manager=other_manager)


@pytest.fixture
def everyone(
    admin: Person,
    executive: Person,
    manager: Person,
    rep: Person,
    rep2: Person,
    other_manager: Person,
    other_team_rep: Person,
) -> dict[str, Person]:
    return {
        "admin": admin,
        "executive": executive,
        "manager": manager,
        "rep": rep,
        "rep2": rep2,
        "other_manager": other_manager,
        "other_team_rep": other_team_rep,
    }


@pytest.fixture
def globex(db: Any) -> dict[str, Person]:
    """Every role again, in a second organization with a team of its own."""
    other = Organization.objects.create(name="Globex")
    sales = Team.objects.create(org=other, name="Globex Sales")
    admin = make_person(other, "Gabe Globex", Role.ADMIN)
    executive = make_person(other, "Gwen Globex", Role.EXECUTIVE)
    manager = make_person(other, "Gus Globex", Role.MANAGER, team=sales, manager=executive)
    rep = make_person(other, "Gia Globex", Role.REP, team=sales, manager=manager)
    return {"admin": admin, "executive": executive, "manager": manager, "rep": rep}


def client_for(person: Person | None) -> Client:
    client = Client()
    if person is not None:
        assert person.user is not None
        client.force_login(person.user)
    return client


class Inbox:
    """What an SMTP server on loopback received: (sender, recipients, raw message) per mail."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        # Kept before the server answers 250: a send that returned has been kept.
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[Inbox]:
    """A real SMTP server on a loopback port of its own, which Django's SMTP backend sends to
    for the length of the test."""
    from aiosmtpd.controller import Controller

    class OwnPortController(Controller):
        def _trigger_server(self) -> None:
            # Bound to port 0, so no other process can take the port between choosing and
            # binding it; learn which port the kernel gave before connecting to it.
            assert isinstance(self.server, asyncio.Server)
            self.port = self.server.sockets[0].getsockname()[1]
            super()._trigger_server()

    inbox = Inbox()
    controller = OwnPortController(inbox, hostname="127.0.0.1", port=0)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 10
    try:
        yield inbox
    finally:
        controller.stop()


class Process(Protocol):
    """A process under test: whether it ended, and what it printed."""

    @property
    def output(self) -> str: ...

    def ended(self) -> bool: ...


def wait_for(
    condition: Callable[[], T | None], *, timeout: float = 60.0, process: Process | None = None
) -> T:
    """Poll `condition` until it holds and return its value; fail at the deadline, or as soon
    as `process` has ended without it holding (no waiting out the deadline for a dead server).
    Polling a condition, never sleeping a fixed time: a slow machine only waits longer."""
    deadline = time.monotonic() + timeout
    while True:
        ended = process is not None and process.ended()
        value = condition()
        if value:
            return value
        if ended:
            assert process is not None
            raise AssertionError(f"the process ended first:\n{process.output}")
        if time.monotonic() > deadline:
            printed = f":\n{process.output}" if process is not None else ""
            raise AssertionError(f"timed out waiting{printed}")
        time.sleep(0.02)
