"""The demo's reviews: a finished cycle (shared and signed off) and one in manager review."""

from __future__ import annotations

import pytest

from charter.core.demo import build, new_context
from charter.reviews.models import Cycle, Phase

pytestmark = pytest.mark.django_db


def test_demo_has_a_closed_and_a_running_cycle() -> None:
    build(new_context(log=lambda _: None))
    closed = Cycle.objects.get(phase=Phase.CLOSED)
    assert closed.reviews.exists()
    assert not closed.reviews.filter(acknowledged_at__isnull=True).exclude(manager=None).exists()
    assert closed.reviews.filter(disagrees=True).count() == 1
    running = Cycle.objects.get(phase=Phase.MANAGER)
    assert all(r.kpis and r.kpis["kpis"] for r in running.reviews.all())
