"""What every step shares: the sizes and paths measured, Django set up as in a started
process, progress on standard error, and timing."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

LATE_DEALS = 10_000
REPEATS = 9
CLIENTS = 10
# A minute per URL: the worker's tick (every TICK_INTERVAL_SECONDS, 60 by default) commits once
# during each load.
DEFAULT_SECONDS = 60.0
TRIVIAL_PATH = "/bench/trivial/"
DASHBOARD_PATH = "/kpis/"


def _setup_django(data_dir: str) -> None:
    os.environ["DATA_DIR"] = data_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "charter.settings"
    os.environ["TASKS_BACKEND"] = "immediate"
    os.environ["CHARTER_ENV_FILE"] = os.devnull
    import django

    django.setup()
    # Measured as in a started web or worker process (charter.wsgi, `charter worker`), which
    # freezes what it loaded at start (charter.core.heap).
    from charter.core import heap

    heap.settle()


def _db_path() -> Path:
    from django.conf import settings

    return Path(str(settings.DATABASES["default"]["NAME"]))


def _say(text: str) -> None:
    print(f"   .. {text}", file=sys.stderr, flush=True)


def _timed(func: Callable[[], Any], repeats: int) -> tuple[list[float], Any]:
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return times, result


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)
