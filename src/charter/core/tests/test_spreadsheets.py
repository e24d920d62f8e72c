"""XLSX sheet titles: any org, team or metric name makes a workbook that opens."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from charter.conftest import client_for
from charter.core.spreadsheets import sheet_title

HOSTILE_NAME = "East: Enterprise [A/B] \\ who? * 'quoted' and far too long for a sheet"


@pytest.mark.parametrize(
    "name",
    [
        HOSTILE_NAME,
        "Q3: plan",
        "[]:*?/\\",
        "",
        "'",
        "History",
        "line\nbreak\x00",
        "x" * 40,
    ],
)
def test_sheet_title_is_accepted_by_openpyxl(name):
    title = sheet_title(name)
    assert 0 < len(title) <= 31
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title  # raises on a title Excel would refuse
    assert not title.startswith("'")
    assert not title.endswith("'")


def test_sheet_title_keeps_a_plain_name_and_says_where_characters_were_cleaned():
    assert sheet_title("East Enterprise · 2017-Q2") == "East Enterprise · 2017-Q2"
    assert sheet_title("Q3: plan/review") == "Q3 plan review"
    assert sheet_title("", fallback="Scorecards") == "Scorecards"


def test_sheet_titles_stay_unique_after_cleaning():
    first = sheet_title("Team: A")
    second = sheet_title("Team/A", taken=[first])
    third = sheet_title("team a", taken=[first, second])
    assert len({t.casefold() for t in (first, second, third)}) == 3
    long = sheet_title("y" * 40, taken=[sheet_title("y" * 40)])
    assert len(long) <= 31
    assert long.endswith(" (2)")


def _sheet_title_of(response):
    assert response.status_code == 200, response.status_code
    data = b"".join(response.streaming_content) if response.streaming else response.content
    book = load_workbook(io.BytesIO(data))
    return book.active.title


@pytest.mark.django_db
def test_team_and_org_scorecard_exports_open_with_colons_in_names(org, teams, admin, manager):
    org.name = "Acme: Demo/Co"
    org.save(update_fields=["name"])
    team = teams["east_ent"]
    team.name = HOSTILE_NAME
    team.save(update_fields=["name"])
    team_sheet = _sheet_title_of(
        client_for(manager).get(f"/kpis/teams/{team.pk}/export.xlsx", {"period": "2017-Q2"})
    )
    assert team_sheet.startswith("East Enterprise A B")
    org_sheet = _sheet_title_of(client_for(admin).get("/kpis/org/export.xlsx?period=2017-Q2"))
    assert org_sheet.startswith("Acme Demo Co")


@pytest.mark.django_db
def test_crm_xlsx_export_has_a_valid_sheet_title(everyone, admin):
    response = client_for(admin).get("/crm/deals/export.xlsx")
    assert _sheet_title_of(response) == "Deals"
