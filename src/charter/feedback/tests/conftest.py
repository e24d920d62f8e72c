"""Fixtures of the feedback tests: the company's values (one retired) on a fixed day."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from charter.expectations import services as ex
from charter.expectations.models import Value
from charter.feedback.services.feedback import feedback_give

# Inside FY2026-Q2 (April to June) of a calendar fiscal year.
TODAY = dt.datetime(2026, 5, 20, 12, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def values(org: Any, admin: Any) -> dict[str, Value]:
    found = {
        name.lower(): ex.value_create(org=org, actor=admin.user, name=name)
        for name in ("Ownership", "Candor", "Old ways")
    }
    ex.value_update(value=found["old ways"], actor=admin.user, is_active=False)
    found["old ways"].refresh_from_db()
    return found


@pytest.fixture
def give(values: dict[str, Value]) -> Any:
    """Feedback from `giver` to `recipient`, praise tagged Ownership unless told otherwise."""

    def make(giver: Any, recipient: Any, visibility: str, kind: str = "praise", **kw: Any) -> Any:
        return feedback_give(
            giver=giver, actor=giver.user, recipient=recipient, kind=kind,
            visibility=visibility, text=kw.pop("text", f"{visibility} {kind}"),
            values=kw.pop("values", [values["ownership"]]), **kw,
        )  # fmt: skip

    return make
