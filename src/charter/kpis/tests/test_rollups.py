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
        "won_cycle_count": 1,
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


def all_cells(model: Any = DailyMetrics) -> list[tuple[Any, ...]]:
    """Every stored rollup row with a non-zero metric, without its id."""
    rows = model.objects.order_by("person_id", "pk").values_list()
    return sorted(tuple(row[1:]) for row in rows if any(row[3:]))


@pytest.mark.django_db
def test_reimporting_unchanged_rows_changes_nothing(org: Organization, rep: Person) -> None:
    rows = [
        deal("d1", rep, "won", "1000.50", D(2017, 4, 3), D(2017, 4, 13)),
        deal("d2", rep, "open", "50", D(2017, 4, 13), None),
    ]
    upsert(org, rows)
    daily_before, monthly_before = all_cells(), all_cells(MonthlyMetrics)
    counts = crm_services.facts_upsert(model=Deal, org=org, source="file", rows=rows, run=None)
    assert (counts.created, counts.updated, counts.unchanged) == (0, 0, 2)
    assert all_cells() == daily_before
    assert all_cells(MonthlyMetrics) == monthly_before


@pytest.mark.django_db
def test_changes_of_stage_amount_and_dates_move_the_figures(org: Organization, rep: Person) -> None:
    upsert(
        org,
        [
            deal("d1", rep, "won", "100", D(2017, 4, 3), D(2017, 4, 13)),
            deal("d2", rep, "won", "200", D(2017, 4, 5), D(2017, 5, 2)),
            deal("d3", rep, "lost", "300", D(2017, 4, 7), D(2017, 5, 9)),
        ],
    )
    upsert(
        org,
        [
            # Won → open again: no longer won on 13 April, still created on 3 April.
            deal("d1", rep, "open", "100", D(2017, 4, 3), D(2017, 4, 13)),
            # Amount 200 → 250, created moved from April to 28 March: cycle 35 days.
            deal("d2", rep, "won", "250", D(2017, 3, 28), D(2017, 5, 2)),
            # Close date dropped: a lost deal without a close date counts nowhere as lost.
            deal("d3", rep, "lost", "300", D(2017, 4, 7), None),
        ],
    )
    assert daily(rep, D(2017, 4, 13)) == {}
    assert daily(rep, D(2017, 4, 3)) == {
        "pipeline_created_count": 1,
        "pipeline_created_amount": 10000,
    }
    assert daily(rep, D(2017, 4, 5)) == {}
    assert daily(rep, D(2017, 3, 28)) == {
        "pipeline_created_count": 1,
        "pipeline_created_amount": 25000,
    }
    # 3 days left in March + 30 in April + 2 in May = 35.
    assert daily(rep, D(2017, 5, 2)) == {
        "deals_won_count": 1,
        "deals_won_amount": 25000,
        "won_cycle_days_sum": 35,
        "won_cycle_count": 1,
    }
    assert daily(rep, D(2017, 5, 9)) == {}
    april = MonthlyMetrics.objects.get(person=rep, month=D(2017, 4, 1))
    # d1 (100) and d3 (300) were created in April; d2 moved to March.
    assert (april.pipeline_created_count, april.pipeline_created_amount) == (2, 40000)
    assert (april.deals_won_count, april.deals_lost_count) == (0, 0)
    assert rollups.check(org=org).ok


@pytest.mark.django_db
def test_activity_kind_and_csat_score_changes(org: Organization, rep: Person) -> None:
    moment = dt.datetime(2017, 5, 3, 15, 0, tzinfo=dt.UTC)
    row = {
        "external_id": "a1",
        "owner_id": rep.pk,
        "owner_raw": "",
        "owner_key": "",
        "kind": "call",
        "occurred_at": moment,
    }
    upsert(org, [row], model=Activity)
    upsert(org, [row | {"kind": "meeting"}], model=Activity)
    assert daily(rep, D(2017, 5, 3)) == {"activities_count": 1, "activities_meeting_count": 1}
    answer = {
        "external_id": "c1",
        "owner_id": rep.pk,
        "owner_raw": "",
        "owner_key": "",
        "score": Decimal("3"),
        "scale": 5,
        "date": D(2017, 5, 3),
    }
    upsert(org, [answer], model=CsatResponse)
    # 7 of 10 is 3.5 points of 5.
    upsert(org, [answer | {"score": Decimal("7"), "scale": 10}], model=CsatResponse)
    assert daily(rep, D(2017, 5, 3))["csat_score_sum"] == 3500
    assert rollups.check(org=org).ok


@pytest.mark.django_db
def test_an_update_that_leaves_fields_out_still_keeps_rollups_exact(
    org: Organization, rep: Person
) -> None:
    upsert(org, [deal("d1", rep, "won", "100", D(2017, 4, 3), D(2017, 4, 13))])
    # A writer that sends only the stage (no owner, no amount, no dates).
    upsert(org, [{"external_id": "d1", "stage": "lost"}])
    assert daily(rep, D(2017, 4, 13)) == {"deals_lost_count": 1}
    assert rollups.check(org=org).ok


@pytest.mark.django_db
def test_check_holds_after_imports_reattribution_and_rebuild(
    org: Organization, rep: Person, rep2: Person, other_team_rep: Person, admin: Any
) -> None:
    upsert(
        org,
        [
            deal("d1", rep, "won", "100", D(2017, 4, 3), D(2017, 4, 13)),
            deal("d2", None, "won", "200", D(2017, 4, 5), D(2017, 5, 2)),
            deal("d3", None, "lost", "300", D(2017, 6, 7), D(2017, 7, 9)),
            deal("d4", other_team_rep, "open", "400", D(2017, 6, 30), None),
        ],
    )
    assert rollups.check(org=org).ok
    upsert(
        org,
        [
            deal("d1", rep2, "won", "100", D(2017, 4, 3), D(2017, 4, 14)),
            deal("d4", other_team_rep, "won", "450", D(2017, 6, 30), D(2017, 7, 1)),
            deal("d5", rep, "lost", "10", D(2017, 5, 5), D(2017, 5, 6)),
        ],
    )
    assert rollups.check(org=org).ok
    # d2 and d3 belong to "J. Doe", who turns out to be rep.
    crm_services.owner_resolve(org=org, key="J. Doe", person=rep, actor=admin.user)
    assert rollups.check(org=org).ok
    stored = all_cells()
    # A rebuild from the facts writes exactly what the increments had.
    rollups.rebuild(org=org)
    assert all_cells() == stored
    assert rollups.check(org=org).ok
    # rep: d2 won 200 on 2 May (27 days), d3 lost on 9 July, d5 lost on 6 May.
    may = MonthlyMetrics.objects.get(person=rep, month=D(2017, 5, 1))
    assert (may.deals_won_count, may.deals_won_amount, may.won_cycle_days_sum) == (1, 20000, 27)
    assert may.deals_lost_count == 1
    assert MonthlyMetrics.objects.get(person=rep, month=D(2017, 7, 1)).deals_lost_count == 1


@pytest.mark.django_db
def test_rebuild_reports_progress_per_batch(
    org: Organization, rep: Person, rep2: Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    upsert(org, [deal("d1", rep, "won", "100", D(2017, 4, 3), D(2017, 4, 13))])
    monkeypatch.setattr(rollups, "PEOPLE_PER_BATCH", 1)
    seen: list[tuple[int, int]] = []
    rollups.rebuild(org=org, progress=lambda done, total: seen.append((done, total)))
    people = Person.objects.filter(org=org).count()
    assert seen == [(n, people) for n in range(1, people + 1)]
    assert daily(rep, D(2017, 4, 13))["deals_won_count"] == 1


def test_cells_are_written_person_by_person_in_day_order_and_summed_by_month() -> None:
    from django.db import connection

    cells = {
        (9, D(2024, 1, 31)): [1, 0, 5],
        (2, D(2024, 2, 1)): [0, 2, 0],
        (9, D(2023, 12, 31)): [4, 0, 0],
        (2, D(2024, 1, 15)): [1, 1, 1],
        (2, D(2024, 1, 2)): [0, 0, 0],  # nothing to add: not written
        (2, D(2024, 1, 20)): [2, 0, 3],
    }
    day = connection.ops.adapt_datefield_value

    assert list(rollups._rows(cells)) == [
        (2, day(D(2024, 1, 15)), 1, 1, 1),
        (2, day(D(2024, 1, 20)), 2, 0, 3),
        (2, day(D(2024, 2, 1)), 0, 2, 0),
        (9, day(D(2023, 12, 31)), 4, 0, 0),
        (9, day(D(2024, 1, 31)), 1, 0, 5),
    ]
    assert rollups.to_months(cells) == {
        (9, D(2024, 1, 1)): [1, 0, 5],
        (2, D(2024, 2, 1)): [0, 2, 0],
        (9, D(2023, 12, 1)): [4, 0, 0],
        (2, D(2024, 1, 1)): [3, 1, 4],
    }
    assert cells[(2, D(2024, 1, 15))] == [1, 1, 1]  # the daily cells are left as they were
