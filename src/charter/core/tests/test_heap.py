"""A started process freezes what it loaded (charter.core.heap)."""

from __future__ import annotations

import gc
import subprocess
import sys
from collections.abc import Iterator

import pytest

from charter.core import heap


@pytest.fixture
def unfrozen() -> Iterator[None]:
    # The test process must not keep frozen objects after the test (they would never be
    # collected); start from nothing frozen and leave nothing frozen.
    gc.unfreeze()
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


def test_settle_loads_the_views_and_freezes_everything_loaded(unfrozen: None) -> None:
    before = gc.get_freeze_count()

    frozen = heap.settle()

    assert before == 0
    assert frozen == gc.get_freeze_count() > 10_000
    assert "charter.kpis.views.scorecards" in sys.modules
    assert gc.get_threshold()[0] == heap.YOUNG_THRESHOLD
    # What is created afterwards is still the collector's to look after.
    later = [object()]
    assert any(obj is later for obj in gc.get_objects(generation=0))


def test_a_web_process_is_settled_when_its_application_loads() -> None:
    # In a fresh interpreter, as a WSGI server (waitress in `charter serve`, or gunicorn)
    # loads it.
    code = (
        "import gc, charter.wsgi, sys; "
        "print(gc.get_freeze_count() > 10000, 'charter.kpis.views.scorecards' in sys.modules, "
        "gc.get_threshold()[0])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={
            "DJANGO_SETTINGS_MODULE": "charter.test_settings",
            "CHARTER_ENV_FILE": "/dev/null",
            "PATH": "/usr/bin:/bin",
        },
    )
    assert done.stdout.split() == ["True", "True", str(heap.YOUNG_THRESHOLD)]
