"""Target cells a person can read and type: thousands separated on the page, read back with or
without separators, a European decimal comma refused rather than misread; a KPI picker that
filters by name."""

from __future__ import annotations

from decimal import Decimal

import pytest

from charter.conftest import client_for
from charter.kpis.forms import ungroup_number
from charter.kpis.tests.test_targets import (  # noqa: F401 - the module's clock applies here too
    GRID,
    _mid_july_2017,
    cell,
    grid_post,
    revisions,
)


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("1,250,000", "1250000"),
        ("1,250,000.50", "1250000.50"),
        ("1 250 000", "1250000"),
        ("1\u00a0250\u202f000,5", "1250000,5"),  # spaces go; the decimal comma stays, refused
        ("1'250'000", "1250000"),
        ("27,5", "27,5"),
        ("12,34,567", "12,34,567"),
        ("27.5", "27.5"),
        ("", ""),
    ],
)
def test_ungroup_number(typed, read):
    assert ungroup_number(typed) == read


def test_the_grid_saves_targets_typed_with_thousands_separators(org, teams, manager, rep, rep2):
    response = grid_post(
        manager,
        teams["east_ent"],
        {cell(rep, "revenue_won"): "1,250,000.50", cell(rep2, "revenue_won"): "75 000"},
    )
    assert response.status_code == 302
    assert revisions(rep, "revenue_won")[0][0] == Decimal("1250000.50")
    assert revisions(rep2, "revenue_won")[0][0] == Decimal("75000")
    page = client_for(manager).get(GRID, {"team": teams["east_ent"].pk, "period": "2017-Q2"})
    html = page.content.decode()
    assert 'value="1,250,000.5"' in html
    assert 'inputmode="decimal"' in html


def test_a_decimal_comma_is_refused_not_misread(org, teams, manager, rep):
    response = grid_post(manager, teams["east_ent"], {cell(rep, "win_rate"): "27,5"})
    assert response.status_code == 200
    [problem] = response.context["form"].problems
    assert "a point before the decimals" in problem
    assert revisions(rep, "win_rate") == []


def test_the_kpi_picker_has_a_filter_and_the_script_that_runs_it(org, teams, manager):
    html = client_for(manager).get(GRID, {"team": teams["east_ent"].pk}).content.decode()
    assert 'data-filter-for="grid-kpis"' in html
    assert "charter/targets.js" in html
    assert '<select id="grid-kpis" name="kpi" multiple' in html
