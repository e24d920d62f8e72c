"""Rollups follow every write of facts, and a rebuild from the facts agrees with them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from charter.crm import services as crm_services
from charter.crm.models import Activity, CsatResponse, Deal
from charter.kpis import rollups
from charter.kpis.models import DailyMetrics, MonthlyMetrics
from charter.org.models import Organization, Person

D = dt.date


def deal(
    eid: str,
    owner: Person | None,
    stage: str,
    amount: str,
    created: dt.date,
    closed: dt.date | None,
) -> dict[str, Any]:
    return {
        "external_id": eid,
        "owner_id": owner.pk if owner else None,
        "owner_raw": owner.full_name if owner else "J. Doe",
        "owner_key": owner.full_name.lower() if owner else "j. doe",
        "stage": stage,
        "raw_stage": stage,
        "amount": Decimal(amount),
        "currency": "USD",
        "amount_reporting": Decimal(amount),
        "created_date": created,
        "close_date": closed,
    }


def upsert(org: Organization, rows: list[dict[str, Any]], model: Any = Deal) -> None:
    crm_services.facts_upsert(model=model, org=org, source="file", rows=rows, run=None)


def daily(person: Person, day: dt.date) -> dict[str, int]:
    row: dict[str, Any] = dict(
        DailyMetrics.objects.filter(person=person, day=day).values().first() or {}
    )
    return {k: int(v) for k, v in row.items() if k not in ("id", "person_id", "day") and v}


@pytest.mark.django_db
def test_import_update_and_reattribution_keep_rollups_exact(
    org: Organization, rep: Person, rep2: Person, admin: Any
) -> None:
    upsert(
        org,
        [
            deal("d1", rep, "won", "1000.50", D(2017, 4, 3), D(2017, 4, 13)),
            deal("d2", rep, "lost", "300", D(2017, 4, 1), D(2017, 4, 13)),
            deal("d3", rep, "open", "50", D(2017, 4, 13), None),
            deal("d4", None, "won", "700", D(2017, 4, 2), D(2017, 4, 13)),
        ],
    )
    assert daily(rep, D(2017, 4, 13)) == {
        "deals_won_count": 1,
        "deals_won_amount": 100050,
        "deals_lost_count": 1,
        "won_cycle_days_sum": 10,
        "pipeline_created_count": 1,
        "pipeline_created_amount": 5000,
    }
    month = MonthlyMetrics.objects.get(person=rep, month=D(2017, 4, 1))
    assert (month.pipeline_created_count, month.pipeline_created_amount) == (3, 135050)

    # A correction: d1 was actually lost, on another day, and belongs to rep2.
    upsert(org, [deal("d1", rep2, "lost", "1000.50", D(2017, 4, 3), D(2017, 4, 20))])
    assert daily(rep, D(2017, 4, 13)) == {
        "deals_lost_count": 1,
        "pipeline_created_count": 1,
        "pipeline_created_amount": 5000,
    }
    assert daily(rep2, D(2017, 4, 20)) == {"deals_lost_count": 1}
    assert rollups.check(org=org).ok

    # The unmatched owner of d4 turns out to be rep2.
    crm_services.owner_resolve(org=org, key="j. doe", person=rep2, actor=admin.user)
    assert daily(rep2, D(2017, 4, 13))["deals_won_amount"] == 70000
    assert rollups.check(org=org).ok


@pytest.mark.django_db
def test_check_finds_a_tampered_cell_and_rebuild_repairs_it(org: Organization, rep: Person) -> None:
    upsert(org, [deal("d1", rep, "won", "10", D(2017, 4, 3), D(2017, 4, 13))])
    DailyMetrics.objects.filter(person=rep, day=D(2017, 4, 13)).update(deals_won_count=5)
    result = rollups.check(org=org)
    assert not result.ok
    assert [(d.table, d.metric, d.stored, d.expected) for d in result.differences] == [
        ("daily", "deals_won_count", 5, 1)
    ]
    rollups.rebuild(org=org)
    assert rollups.check(org=org).ok
    assert daily(rep, D(2017, 4, 13))["deals_won_count"] == 1


@pytest.mark.django_db
def test_activities_count_on_the_org_local_day(org: Organization, rep: Person) -> None:
    org.time_zone = "America/New_York"
    org.save()
    late_call = dt.datetime(2017, 7, 1, 3, 30, tzinfo=dt.UTC)  # 23:30 on 30 June in New York
    upsert(
        org,
        [
            {
                "external_id": "a1",
                "owner_id": rep.pk,
                "owner_raw": "",
                "owner_key": "",
                "kind": "call",
                "occurred_at": late_call,
            }
        ],
        model=Activity,
    )
    assert daily(rep, D(2017, 6, 30)) == {"activities_count": 1, "activities_call_count": 1}
    assert MonthlyMetrics.objects.get(person=rep).month == D(2017, 6, 1)


@pytest.mark.django_db
def test_csat_on_other_scales_is_put_on_five_points(org: Organization, rep: Person) -> None:
    upsert(
        org,
        [
            {
                "external_id": "c1",
                "owner_id": rep.pk,
                "owner_raw": "",
                "owner_key": "",
                "score": Decimal("8"),
                "scale": 10,
                "date": D(2017, 5, 2),
            },
            {
                "external_id": "c2",
                "owner_id": rep.pk,
                "owner_raw": "",
                "owner_key": "",
                "score": Decimal("4.5"),
                "scale": 5,
                "date": D(2017, 5, 2),
            },
        ],
        model=CsatResponse,
    )
    # 8/10 is 4 points of 5; plus 4.5 → 8.5 points = 8500 thousandths over 2 answers.
    assert daily(rep, D(2017, 5, 2)) == {"csat_count": 2, "csat_score_sum": 8500}
