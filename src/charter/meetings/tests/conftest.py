"""Fixtures of the 1:1 tests: a clock stopped on Monday 2 March 2026 (UTC), and Mona's weekly
series with Rick, on Tuesdays at 10:00 in Paris, starting that day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from charter.meetings.models import Series
from charter.meetings.services.series import series_create

NOW = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)


def weekly(**changes: Any) -> dict[str, Any]:
    cadence = {
        "frequency": "weekly",
        "weekday": 1,
        "week_of_month": None,
        "local_time": dt.time(10, 0),
        "duration_minutes": 30,
        "time_zone": "Europe/Paris",
    }
    cadence.update(changes)
    return cadence


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def series(clock: Any, manager: Any, rep: Any, django_capture_on_commit_callbacks: Any) -> Series:
    with django_capture_on_commit_callbacks(execute=True):
        return series_create(
            manager=manager, report=rep, actor=manager.user, starts_on=NOW.date(), cadence=weekly()
        )
