"""The fused accumulation used by imports and rebuilds equals the readable contributions."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from charter.crm.models import Activity, CsatResponse, Deal
from charter.kpis.metrics import Cells, accumulate, accumulate_facts, contributions_of


def _deals(rng: random.Random) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    for _ in range(400):
        created = dt.date(2017, 1, 1) + dt.timedelta(days=rng.randrange(200))
        closed = created + dt.timedelta(days=rng.randrange(60)) if rng.random() < 0.8 else None
        rows.append(
            (
                rng.choice([None, 1, 2, 3]),
                rng.choice(["won", "lost", "open"]),
                Decimal(rng.randrange(0, 10**7)) / 100,
                created,
                closed,
            )
        )
    return rows


def _activities(rng: random.Random) -> list[tuple[object, ...]]:
    start = dt.datetime(2017, 6, 29, tzinfo=dt.UTC)
    return [
        (
            rng.choice([None, 1, 2]),
            rng.choice(["call", "email", "meeting", "demo", "task", "other"]),
            start + dt.timedelta(minutes=rng.randrange(5 * 24 * 60)),
        )
        for _ in range(400)
    ]


def _csat(rng: random.Random) -> list[tuple[object, ...]]:
    return [
        (
            rng.choice([None, 1, 2]),
            Decimal(rng.randrange(0, 101)) / 10,
            10,
            dt.date(2017, 5, 1) + dt.timedelta(days=rng.randrange(30)),
        )
        for _ in range(100)
    ]


def test_fused_and_readable_accumulation_agree_for_every_fact_kind() -> None:
    rng = random.Random(7)
    for model, rows in (
        (Deal, _deals(rng)),
        (Activity, _activities(rng)),
        (CsatResponse, _csat(rng)),
    ):
        for zone in ("UTC", "America/New_York", "Asia/Tokyo"):
            readable: Cells = {}
            fused: Cells = {}
            accumulate(readable, contributions_of(model, rows, zone), sign=-1)
            accumulate_facts(fused, model, rows, zone, sign=-1)
            assert fused == readable, (model.__name__, zone)
            assert any(any(v) for v in fused.values())
