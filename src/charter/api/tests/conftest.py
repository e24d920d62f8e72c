"""API clients for the personas, each authenticated with a real token made by the real service."""

from __future__ import annotations

from collections.abc import Callable
from itertools import count

import pytest
from rest_framework.test import APIClient

from charter.accounts import services
from charter.org.access import can_write
from charter.org.models import Person

_names = count()


def token_for(person: Person, *, read_only: bool | None = None) -> str:
    """A raw token of `person`; read-write unless asked otherwise or their role is read-only."""
    assert person.user is not None
    if read_only is None:
        read_only = not can_write(person.user)
    _token, raw = services.api_token_create(
        user=person.user, actor=person.user, name=f"test token {next(_names)}", read_only=read_only
    )
    return raw


def bearer(raw: str | None) -> APIClient:
    client = APIClient()
    if raw is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


@pytest.fixture
def api_for() -> Callable[..., APIClient]:
    def make(person: Person | None, *, read_only: bool | None = None) -> APIClient:
        return bearer(token_for(person, read_only=read_only) if person is not None else None)

    return make
