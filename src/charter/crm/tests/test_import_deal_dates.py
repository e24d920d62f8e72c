"""Deal dates an import refuses: a closed deal without a close date (no KPI would count it), a
time that does not exist, and years outside 1900 to 2100."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from charter.core.imports.fields import FieldInvalid, parse_date, parse_date_as, parse_datetime
from charter.core.models import ImportRun
from charter.crm.models import Deal
from charter.crm.tests.test_import_deals import run_import
from charter.kpis.models import DailyMetrics

HEADER = "id,owner,stage,amount,created,close\n"


def test_a_won_or_lost_deal_without_a_close_date_refuses_the_import(
    everyone: Any, tmp_path: Path
) -> None:
    content = (
        HEADER
        + "D1,Rick Rep,won,10,2024-01-02,\n"
        + "D2,Rick Rep,lost,10,2024-01-02,\n"
        + "D3,Rick Rep,won,10,2024-01-02,2024-01-09\n"
    )

    run = run_import(everyone["admin"].org, "deals", content, tmp_path)

    assert run.status == ImportRun.Status.REJECTED
    assert [(e["row"], e["column"], e["reason"]) for e in run.errors] == [
        (2, "close", "Close date is required for a won deal"),
        (3, "close", "Close date is required for a lost deal"),
    ]
    assert not Deal.objects.exists()


def test_skipping_invalid_rows_skips_closed_deals_without_a_close_date(
    everyone: Any, tmp_path: Path
) -> None:
    content = HEADER + "D1,Rick Rep,won,10,2024-01-02,\nD2,Rick Rep,won,10,2024-01-02,2024-01-09\n"

    run = run_import(everyone["admin"].org, "deals", content, tmp_path, skip_invalid=True)

    assert run.status == ImportRun.Status.APPLIED
    assert (run.created_count, run.invalid_count) == (1, 1)
    assert list(Deal.objects.values_list("external_id", flat=True)) == ["D2"]
    assert DailyMetrics.objects.filter(day=dt.date(2024, 1, 9), deals_won_count=1).exists()


def test_an_open_deal_needs_no_close_date_and_a_won_time_stands_in_for_one(
    everyone: Any, tmp_path: Path
) -> None:
    content = (
        "id,owner,stage,amount,created,close,won time\n"
        "D1,Rick Rep,open,10,2024-01-02,,\n"
        "D2,Rick Rep,won,10,2024-01-02,,2024-01-07\n"
    )

    run = run_import(everyone["admin"].org, "deals", content, tmp_path)

    assert run.status == ImportRun.Status.APPLIED, run.errors
    assert dict(Deal.objects.values_list("external_id", "close_date")) == {
        "D1": None,
        "D2": dt.date(2024, 1, 7),
    }


@pytest.mark.parametrize(
    ("close", "reason"),
    [
        ("2017-02-28T25:00", "Close date has a time that does not exist"),
        ("0001-01-01", "Close date is in the year 1; only dates from 1900 to 2100"),
        ("9999-12-31", "Close date is in the year 9999; only dates from 1900 to 2100"),
    ],
)
def test_impossible_close_dates_are_refused_by_row(
    everyone: Any, tmp_path: Path, close: str, reason: str
) -> None:
    content = HEADER + f"D1,Rick Rep,won,10,1999-01-02,{close}\n"

    run = run_import(everyone["admin"].org, "deals", content, tmp_path)

    assert run.status == ImportRun.Status.REJECTED
    assert [(e["row"], e["column"], e["value"]) for e in run.errors] == [(2, "close", close)]
    assert run.errors[0]["reason"].startswith(reason)
    assert not Deal.objects.exists()


@pytest.mark.parametrize(
    "text",
    ["2017-02-28T25:00", "2017-02-28 23:60", "2017-02-28T10:00:61", "1899-12-31", "2101-01-01"],
)
def test_dates_that_do_not_exist_or_fall_outside_the_window_are_refused(text: str) -> None:
    with pytest.raises(FieldInvalid):
        parse_date(text)
    with pytest.raises(FieldInvalid):
        parse_datetime(text, tz=dt.UTC)


def test_the_window_holds_for_excel_serials_and_given_formats_too() -> None:
    with pytest.raises(FieldInvalid, match="year 9999"):
        parse_date(2958465)  # Excel's serial for 9999-12-31
    with pytest.raises(FieldInvalid, match="year 2999"):
        parse_date_as("31/12/2999", "%d/%m/%Y")
    assert parse_date(1) == dt.date(1900, 1, 1)
    assert parse_date("2100-12-31T23:59:59") == dt.date(2100, 12, 31)
