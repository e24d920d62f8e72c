"""The fact upsert behind every CRM import: plain SQL in chunks, with the same outcome as
saving model instances (values, time stamps, counts)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from charter.crm import services
from charter.crm.models import Activity, Deal
from charter.org.models import Organization, Person


def deal(n: int, owner: Person | None, amount: str = "100.00") -> dict[str, Any]:
    return {
        "external_id": f"D{n}",
        "owner_id": owner.pk if owner else None,
        "owner_raw": owner.full_name if owner else "Gone Person",
        "owner_key": owner.full_name.lower() if owner else "gone person",
        "stage": "won",
        "raw_stage": "Closed Won",
        "amount": Decimal(amount),
        "currency": "USD",
        "amount_reporting": Decimal(amount),
        "created_date": dt.date(2024, 1, n % 28 + 1),
        "close_date": dt.date(2024, 2, n % 28 + 1) if n % 2 else None,
        "account": f"Account {n}",
        "product": "",
        "lead_source": "Web",
        "name": f"Deal {n}",
    }


def test_new_changed_and_unchanged_rows_across_chunks_are_counted_and_written(
    org: Organization, rep: Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "UPSERT_CHUNK", 3)
    first = services.facts_upsert(
        model=Deal, org=org, source="sf", rows=[deal(n, rep) for n in range(7)], run=None
    )
    stamps = dict(Deal.objects.values_list("external_id", "updated_at"))
    rows = [deal(n, rep, amount="250.50" if n in (1, 5) else "100.00") for n in range(9)]
    rows[6] = deal(6, None)

    second = services.facts_upsert(model=Deal, org=org, source="sf", rows=rows, run=None)

    assert (first.created, first.updated, first.unchanged) == (7, 0, 0)
    assert (second.created, second.updated, second.unchanged) == (2, 3, 4)
    stored = {d.external_id: d for d in Deal.objects.filter(org=org, source="sf")}
    assert len(stored) == 9
    assert stored["D5"].amount == Decimal("250.50")
    assert stored["D5"].amount_reporting == Decimal("250.50")
    assert (stored["D6"].owner_id, stored["D6"].owner_key) == (None, "gone person")
    assert stored["D3"].close_date == dt.date(2024, 2, 4)
    assert stored["D2"].close_date is None
    # Changed rows get a new time stamp; untouched rows keep theirs; creation time stays.
    assert stored["D5"].updated_at > stamps["D5"]
    assert stored["D5"].created_at == stamps["D5"]
    assert stored["D0"].updated_at == stamps["D0"]


def test_the_same_external_id_under_another_source_is_another_fact(
    org: Organization, rep: Person
) -> None:
    services.facts_upsert(model=Deal, org=org, source="sf", rows=[deal(1, rep)], run=None)

    counts = services.facts_upsert(
        model=Deal, org=org, source="hubspot", rows=[deal(1, rep)], run=None
    )

    assert counts.created == 1
    assert Deal.objects.filter(external_id="D1").count() == 2


def test_aware_moments_are_stored_and_compared_as_instants(org: Organization, rep: Person) -> None:
    berlin = dt.timezone(dt.timedelta(hours=1))
    row = {
        "external_id": "A1",
        "owner_id": rep.pk,
        "owner_raw": "Rick Rep",
        "owner_key": "rick rep",
        "kind": "call",
        "raw_kind": "Call",
        "occurred_at": dt.datetime(2024, 3, 1, 10, 30, tzinfo=berlin),
        "duration_minutes": 5,
        "outcome": "",
        "subject": "Intro",
    }
    services.facts_upsert(model=Activity, org=org, source="sf", rows=[row], run=None)

    again = services.facts_upsert(model=Activity, org=org, source="sf", rows=[row], run=None)

    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    stored = Activity.objects.get()
    assert stored.occurred_at == dt.datetime(2024, 3, 1, 9, 30, tzinfo=dt.UTC)
    assert timezone.is_aware(stored.created_at)


def test_rows_with_different_fields_are_refused(org: Organization, rep: Person) -> None:
    short = deal(2, rep)
    del short["name"]

    with pytest.raises(ValueError, match="same fields"):
        services.facts_upsert(
            model=Deal, org=org, source="sf", rows=[deal(1, rep), short], run=None
        )
