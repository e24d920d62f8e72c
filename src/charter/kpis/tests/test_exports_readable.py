"""Scorecard exports a person can use: XLSX headers in words with number and percent formats, a
frozen header row and sized columns; PDF rows that never split across pages."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
from typing import Any

import pytest
import time_machine
from openpyxl import load_workbook

from charter.conftest import client_for, deal_fact, make_person
from charter.core.periods import parse_period
from charter.crm import services as crm_services
from charter.crm.models import Deal
from charter.kpis import services
from charter.kpis.models import KpiDefinition
from charter.org.models import Organization, Person, Role

Q2 = parse_period("2017-Q2")
MANY = 70  # enough rows for a team PDF of several pages


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(dt.datetime(2017, 5, 15, 12, 0, tzinfo=dt.UTC), tick=False):
        yield


def _sell(org: Organization, admin: Person, people: list[Person]) -> None:
    rows = [
        deal_fact(
            f"d{i}", person, str(1000 + i), created=dt.date(2017, 1, 2), closed=dt.date(2017, 4, 10)
        )
        for i, person in enumerate(people)
    ]
    crm_services.facts_upsert(model=Deal, org=org, source="file", rows=rows, run=None)
    kpi = KpiDefinition.objects.get(org=org, key="revenue_won")
    for person in people:
        services.target_set(
            org=org, kpi=kpi, period=Q2, value=2000, actor=admin.user, person=person
        )


@pytest.mark.django_db
def test_team_xlsx_reads_in_words_with_formats_frozen_header_and_widths(
    org, teams, admin, manager, rep, rep2
):
    _sell(org, admin, [rep, rep2])
    response = client_for(manager).get(
        f"/kpis/teams/{teams['east_ent'].pk}/export.xlsx", {"period": "2017-Q2"}
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["Name", "Kind", "Period", "Closed"]
    at = header.index("Revenue won: actual (USD)")
    assert header[at + 1 : at + 4] == [
        "Revenue won: target (USD)",
        "Revenue won: attainment",
        "Revenue won: status",
    ]
    assert header[-1] == "Score"
    assert "Win rate: actual (%)" in header  # percent points, said in the heading
    assert "Deals won: actual" in header  # a count needs no unit
    assert not any("_" in str(h) for h in header)
    assert sheet[1][0].font.bold
    assert sheet.freeze_panes == "A2"
    rick = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == "Rick Rep")
    actual, target, attainment = rick[at], rick[at + 1], rick[at + 2]
    assert (actual.value, target.value) == (1000, 2000)
    assert actual.number_format == target.number_format == "#,##0.00"
    assert (attainment.value, attainment.number_format) == (0.5, "0.0%")
    assert rick[len(header) - 1].number_format == "0.0%"
    widths = [sheet.column_dimensions[c].width for c in ("A", "B")]
    assert widths[0] >= len("Rick Rep")
    assert all(8 <= w <= 48 for w in widths)
    assert sheet.column_dimensions[rick[at].column_letter].width >= len(header[at])


@pytest.mark.django_db
def test_team_xlsx_with_a_colon_in_the_team_name_opens(org, teams, admin, manager, rep):
    team = teams["east_ent"]
    team.name = "EMEA: Commercial"
    team.save(update_fields=["name"])
    response = client_for(manager).get(f"/kpis/teams/{team.pk}/export.xlsx")
    assert response.status_code == 200
    assert load_workbook(io.BytesIO(response.content)).active.title.startswith("EMEA Commercial")


@pytest.mark.django_db
def test_crm_xlsx_reads_in_words_with_money_and_date_formats(org, admin, rep):
    _sell(org, admin, [rep])
    response = client_for(admin).get("/crm/deals/export.xlsx")
    data = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    assert "Amount (reporting currency)" in header
    assert "Close date" in header
    assert not any("_" in str(h) for h in header)
    assert sheet.freeze_panes == "A2"
    row = sheet[2]
    amount = row[header.index("Amount (reporting currency)")]
    closed = row[header.index("Close date")]
    assert (amount.value, amount.number_format) == (1000, "#,##0.00")
    assert closed.number_format == "yyyy-mm-dd"
    assert sheet.column_dimensions["A"].width >= len(header[0])


def _pages(data: bytes) -> list[str]:
    assert data.startswith(b"%PDF")
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = subprocess.run(
        [tool, "-layout", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()
    return [page for page in text.split("\f") if page.strip()]


@pytest.mark.django_db
def test_team_pdf_keeps_each_row_whole_and_repeats_the_header_on_every_page(
    org, teams, admin, manager
):
    people = [
        make_person(
            org, f"Seller {i:02d}", Role.REP, team=teams["east_ent"], manager=manager, login=False
        )
        for i in range(MANY)
    ]
    _sell(org, admin, people)
    response = client_for(manager).get(
        f"/kpis/teams/{teams['east_ent'].pk}/export.pdf", {"period": "2017-Q2"}
    )
    pages = _pages(response.content)
    assert len(pages) >= 3
    seen = set()
    for number, page in enumerate(pages, start=1):
        if not re.search(r"Seller \d\d", page):
            continue  # after the grid: the score trend and its figures, which have their own
        assert re.search(r"NAME +REVENUE", page), f"page {number} has no column headings"
        lines = [line for line in page.splitlines() if line.strip()]
        for at, line in enumerate(lines):
            name = re.search(r"Seller \d\d", line)
            if name is None:
                continue
            seen.add(name.group())
            # A row is three lines (attainment; actual /; target): all on the name's page.
            following = lines[at + 1 : at + 3]
            assert len(following) == 2, (number, name.group())
            assert " / " in following[0], (number, name.group())
            assert "$2,000" in following[1], (number, name.group())
    assert len(seen) == MANY
