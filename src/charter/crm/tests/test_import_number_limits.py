"""Durations and CSAT scores too large or not numbers at all: refused by row, never a crash of the
import (a 40-digit duration or `NaN` raised decimal.InvalidOperation out of the importer)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from charter.core.imports import FieldInvalid
from charter.core.models import ImportRun
from charter.crm.importers.activities import parse_duration
from charter.crm.models import Activity, CsatResponse
from charter.crm.tests.test_import_deals import run_import


@pytest.mark.parametrize("duration", ["9" * 40, "1e400", "NaN", "-inf", "600000"])
def test_an_activity_duration_that_is_not_a_real_duration_is_refused_by_row(
    everyone: Any, tmp_path: Path, duration: str
) -> None:
    content = f"id,owner,kind,date,duration\nA1,Rick Rep,call,2024-01-02,{duration}\n"

    run = run_import(everyone["admin"].org, "activities", content, tmp_path)

    assert run.status == ImportRun.Status.REJECTED
    assert [(e["row"], e["column"], e["value"]) for e in run.errors] == [(2, "duration", duration)]
    assert not Activity.objects.exists()


def test_a_long_but_real_duration_is_kept() -> None:
    assert parse_duration("2h 30m") == 150
    assert parse_duration("1440") == 1440
    with pytest.raises(FieldInvalid, match="longer than a year"):
        parse_duration("99999999999999999999999999999h")


@pytest.mark.parametrize("score", ["9" * 40, "1e400", "1000000"])
def test_a_csat_score_too_large_is_refused_by_row(
    everyone: Any, tmp_path: Path, score: str
) -> None:
    content = f"id,owner,score,scale,date\nC1,Rick Rep,{score},5,2024-01-02\n"

    run = run_import(everyone["admin"].org, "csat", content, tmp_path)

    assert run.status == ImportRun.Status.REJECTED
    assert [(e["row"], e["column"]) for e in run.errors] == [(2, "score")]
    assert not CsatResponse.objects.exists()
