"""Activities and CSAT imports: kinds, time zones, durations, scores, re-imports, bad input."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from charter.core.imports.fields import FieldInvalid
from charter.core.models import ImportRun
from charter.crm.importers.activities import parse_duration
from charter.crm.models import Activity, CsatResponse
from charter.crm.tests.test_import_deals import FIXTURES, counts, reasons, run_import
from charter.org.models import OwnerAlias

UTC = dt.UTC


def test_activities_fixture_maps_kinds_time_zones_and_durations(
    everyone: Any, org: Any, tmp_path: Path
) -> None:
    org.time_zone = "Europe/Berlin"
    org.save()
    OwnerAlias.objects.create(org=org, person=everyone["rep2"], kind="crm_id", value="crm-user-77")

    run = run_import(org, "activities", FIXTURES / "activities.csv", tmp_path)

    assert counts(run) == (3, 0, 0, 0), reasons(run)
    got = {a.external_id: a for a in Activity.objects.all()}
    assert (got["A1"].kind, got["A1"].raw_kind, got["A1"].duration_minutes) == (
        "call",
        "Logged call",
        90,
    )
    # Naive times are read in the organization's time zone (Berlin is UTC+1 in March).
    assert got["A1"].occurred_at == dt.datetime(2024, 3, 1, 8, 30, tzinfo=UTC)
    assert got["A2"].occurred_at == dt.datetime(2024, 3, 2, 12, 0, tzinfo=UTC)
    assert got["A2"].kind == "meeting"
    assert got["A2"].subject == "Onsite meeting"
    assert got["A3"].occurred_at == dt.datetime(2024, 3, 3, tzinfo=ZoneInfo("Europe/Berlin"))
    assert got["A3"].kind == "demo"
    assert got["A3"].owner == everyone["rep2"]
    assert got["A1"].owner == everyone["rep"]
    assert got["A1"].outcome == "Connected"

    again = run_import(org, "activities", FIXTURES / "activities.csv", tmp_path)
    assert counts(again) == (0, 0, 3, 0)


def test_a_seconds_column_is_read_as_seconds(everyone: Any, org: Any, tmp_path: Path) -> None:
    text = "id,owner,type,date,Duration (seconds)\nS1,Rick Rep,call,2024-03-01 10:00,150\n"

    run_import(org, "activities", text, tmp_path)

    assert Activity.objects.get().duration_minutes == 3


@pytest.mark.parametrize(
    ("cell", "unit", "minutes"),
    [
        ("45", "m", 45),
        ("1:30", "m", 90),
        ("0:02:30", "m", 3),
        ("90 min", "m", 90),
        ("1h 15m", "m", 75),
        ("5400", "s", 90),
        ("120000", "ms", 2),
        (dt.time(0, 45), "m", 45),
    ],
)
def test_durations_in_every_spelling(cell: Any, unit: str, minutes: int) -> None:
    assert parse_duration(cell, unit=unit) == minutes


def test_unknown_kinds_and_bad_timestamps_are_refused(
    everyone: Any, org: Any, tmp_path: Path
) -> None:
    text = (
        "id,owner,type,date,duration\n"
        "K1,Rick Rep,Telepathy,2024-03-01,10\n"
        "K2,Rick Rep,call,someday,10\n"
        "K3,Rick Rep,call,2024-03-01,-4\n"
        "K1,Rick Rep,call,2024-03-01,10\n"
    )
    run = run_import(org, "activities", text, tmp_path)

    assert run.status == ImportRun.Status.REJECTED
    said = reasons(run)
    assert "2|type|Telepathy|Kind 'Telepathy' is not an activity kind Charter knows" in said
    assert "3|date|someday|Timestamp is not a date" in said
    assert "4|duration|-4|Duration is negative" in said
    assert "5|id|K1|the id 'K1' is also on row 2" in said
    assert not Activity.objects.exists()


def test_bad_duration_text_is_refused() -> None:
    with pytest.raises(FieldInvalid):
        parse_duration("a while")


def test_csat_fixture_with_default_scale(everyone: Any, org: Any, tmp_path: Path) -> None:
    run = run_import(org, "csat", FIXTURES / "csat.csv", tmp_path)

    assert counts(run) == (3, 0, 0, 0), reasons(run)
    got = {c.external_id: c for c in CsatResponse.objects.all()}
    assert (got["C1"].score, got["C1"].scale, got["C1"].owner) == (Decimal("4"), 5, everyone["rep"])
    assert (got["C2"].score, got["C2"].scale) == (Decimal("9"), 10)
    assert got["C3"].scale == 5
    assert got["C3"].date == dt.date(2024, 3, 7)
    assert got["C3"].account == "Gamma"
    assert counts(run_import(org, "csat", FIXTURES / "csat.csv", tmp_path)) == (0, 0, 3, 0)


def test_csat_scores_outside_the_scale_are_refused(everyone: Any, org: Any, tmp_path: Path) -> None:
    text = "id,owner,score,scale,date\nQ1,Rick Rep,6,5,2024-01-01\nQ2,Rick Rep,x,5,2024-01-01\n"

    run = run_import(org, "csat", text, tmp_path)

    assert "2|score|6|Score 6 is outside 0 to 5" in reasons(run)
    assert "3|score|x|Score is not a number" in reasons(run)
    assert not CsatResponse.objects.exists()
