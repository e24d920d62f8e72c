"""Target values are stored exactly on every database: up to 15 significant digits they are
given back unchanged (so the same value again changes nothing), and beyond that the service,
the importer, the grid and the API refuse them with a message."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from charter.core.models import ImportRun
from charter.kpis.models import Target, TargetRevision
from charter.kpis.tests.test_targets import Q2, _api, cell, grid_post, kpi, set_target

# Sixteen significant digits, under the largest target (a trillion) all the same.
TOO_PRECISE = "123456789012.3456"


def test_a_target_of_fifteen_significant_digits_is_kept_exactly(org, rep):
    revision, created = set_target(org, rep, "revenue_won", "99999999999.9999")
    assert created

    stored = TargetRevision.objects.get(pk=revision.pk)
    assert stored.value == Decimal("99999999999.9999")
    assert set_target(org, rep, "revenue_won", "99999999999.9999") == (None, False)


def test_the_service_refuses_a_target_it_cannot_keep_exactly(org, rep):
    with pytest.raises(ValidationError, match="has 16 significant digits"):
        set_target(org, rep, "revenue_won", TOO_PRECISE)
    assert not Target.objects.exists()


def test_the_importer_names_the_row_and_column_of_a_target_too_precise(org, rep, tmp_path: Path):
    path = tmp_path / "targets.csv"
    path.write_text(
        f"person,kpi,period,value\nrick.rep@acme.test,revenue_won,2017-Q2,{TOO_PRECISE}\n"
    )

    with pytest.raises(CommandError):
        call_command("import", "targets", str(path), stdout=io.StringIO(), stderr=io.StringIO())

    run = ImportRun.objects.get()
    assert [(e["row"], e["column"], e["value"]) for e in run.errors] == [(2, "value", TOO_PRECISE)]
    assert "Value has 16 significant digits" in run.errors[0]["reason"]
    assert not TargetRevision.objects.exists()


def test_the_grid_and_the_api_refuse_a_target_too_precise(org, teams, manager, rep):
    page = grid_post(manager, teams["east_ent"], {cell(rep, "revenue_won"): TOO_PRECISE})
    body = {"kpi": "revenue_won", "period": Q2.label, "person": rep.pk, "value": TOO_PRECISE}
    api = _api(manager).post("/api/v1/kpis/targets/", body, format="json")

    assert page.status_code == 200
    assert "has 16 significant digits" in page.content.decode()
    assert api.status_code == 400
    assert "has 16 significant digits" in str(api.json())
    assert not TargetRevision.objects.exists()
    assert kpi(org, "revenue_won").targets.count() == 0
