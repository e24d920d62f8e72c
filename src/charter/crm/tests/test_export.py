"""CSV and XLSX exports of the fact lists: the filtered rows, the same access rules as the
pages, and CRM text that can never run as a spreadsheet formula."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

from openpyxl import load_workbook

from charter.conftest import client_for
from charter.crm.exports import COLUMNS
from charter.crm.tests.test_browse import facts, make_activity, make_deal  # noqa: F401
from charter.org.models import Person

_NAMES = {c.heading: c.header for columns in COLUMNS.values() for c in columns}


def _csv(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def _xlsx(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    # Keyed by the CSV's column names, which the tests share; the XLSX heads them in words.
    header = [_NAMES[heading] for heading in rows[0]]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


def test_csv_export_has_the_filtered_rows_of_the_caller(facts, everyone):  # noqa: F811
    rows = _csv(client_for(everyone["manager"]).get("/crm/deals/export.csv", {"stage": "won"}))
    assert sorted(r["name"] for r in rows) == ["D1", "D4", "D5"]
    d1 = next(r for r in rows if r["name"] == "D1")
    assert d1["owner"] == "Rick Rep"
    assert d1["team"] == "East Enterprise"
    assert d1["amount_reporting"] == "1000.00"
    assert d1["close_date"] == "2025-01-15"
    assert d1["account"] == "Acme Corp"
    assert d1["external_id"].startswith("006")


def test_rep_export_holds_only_their_own_rows(facts, everyone):  # noqa: F811
    client = client_for(everyone["rep"])
    assert {r["name"] for r in _csv(client.get("/crm/deals/export.csv"))} == {"D1", "D2", "D3"}
    xlsx = _xlsx(client.get("/crm/deals/export.xlsx"))
    assert {r["name"] for r in xlsx} == {"D1", "D2", "D3"}
    # Asking for someone out of reach changes nothing.
    other = everyone["other_team_rep"].pk
    assert {r["name"] for r in _csv(client.get("/crm/deals/export.csv", {"person": other}))} == {
        "D1",
        "D2",
        "D3",
    }


def test_unmatched_rows_are_exported_to_admins_only(facts, everyone):  # noqa: F811
    admin_rows = _csv(client_for(everyone["admin"]).get("/crm/activities/export.csv"))
    assert "J. Okafor" in {r["crm_owner"] for r in admin_rows}
    exec_rows = _csv(client_for(everyone["executive"]).get("/crm/activities/export.csv"))
    assert "J. Okafor" not in {r["crm_owner"] for r in exec_rows}
    assert len(exec_rows) == 4


def test_anonymous_cannot_export(facts):  # noqa: F811
    for url in ("/crm/deals/export.csv", "/crm/csat/export.xlsx"):
        response = client_for(None).get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_xlsx_export_keeps_types(facts, everyone):  # noqa: F811
    rows = _xlsx(client_for(everyone["admin"]).get("/crm/deals/export.xlsx", {"q": "Gamma"}))
    assert len(rows) == 1
    row = rows[0]
    assert row["name"] == "D6"
    assert row["owner"] == "Olga Other"
    assert Decimal(str(row["amount_reporting"])) == Decimal("9000")
    assert row["close_date"].date() == dt.date(2025, 1, 10)
    activities = _xlsx(client_for(everyone["rep"]).get("/crm/activities/export.xlsx"))
    a1 = next(r for r in activities if r["subject"] == "A1 intro call")
    assert a1["occurred_at"] == dt.datetime(2025, 1, 15, 10, 0)
    assert a1["duration_minutes"] == 30
    csat = _xlsx(client_for(everyone["admin"]).get("/crm/csat/export.xlsx"))
    assert sorted(float(r["score"]) for r in csat) == [2, 3, 4, 5]


EVIL = ['=HYPERLINK("http://evil")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]


def test_csv_cells_cannot_run_as_formulas(org, everyone):
    rep: Person = everyone["rep"]
    for n, text in enumerate(EVIL):
        make_deal(org, rep, text, account=f"acct {n}")
    make_activity(org, rep, "=1+2", owner_raw="=cmd|' /C calc'!A0")
    rows = _csv(client_for(rep).get("/crm/deals/export.csv"))
    names = sorted(r["name"] for r in rows)
    assert names == sorted("'" + text for text in EVIL)
    activity = _csv(client_for(rep).get("/crm/activities/export.csv"))[0]
    assert activity["subject"] == "'=1+2"
    assert activity["crm_owner"] == "'=cmd|' /C calc'!A0"
    # Numbers are written as numbers, not escaped.
    assert {r["amount"] for r in rows} == {"100.00"}


def test_xlsx_text_is_stored_as_text_not_formulas(org, everyone):
    rep: Person = everyone["rep"]
    make_deal(org, rep, '=HYPERLINK("http://evil")', account="@SUM(A1)")
    response: Any = client_for(rep).get("/crm/deals/export.xlsx")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    name = sheet.cell(row=2, column=header.index("Name") + 1)
    account = sheet.cell(row=2, column=header.index("Account") + 1)
    assert name.value == '=HYPERLINK("http://evil")'
    assert name.data_type == "s"
    assert account.data_type == "s"


def test_activity_times_are_written_in_the_organizations_time_zone(org, everyone, settings):
    # The server runs on UTC; the company sells from New York (UTC-4 in July).
    settings.TIME_ZONE = "UTC"
    org.time_zone = "America/New_York"
    org.save(update_fields=["time_zone"])
    rep: Person = everyone["rep"]
    # 1 July 02:30 UTC is 30 June, 22:30 in New York: a June call for the company.
    make_activity(org, rep, "Late call", at=dt.datetime(2025, 7, 1, 2, 30, tzinfo=dt.UTC))
    client = client_for(rep)
    row = _csv(client.get("/crm/activities/export.csv"))[0]
    assert row["occurred_at"] == "2025-06-30T22:30:00-04:00"
    (cell,) = _xlsx(client.get("/crm/activities/export.xlsx"))
    assert cell["occurred_at"] == dt.datetime(2025, 6, 30, 22, 30)
    # The page shows the same wall-clock time, and a filter on 30 June finds the call.
    page = client.get("/crm/activities/", {"date_from": "2025-06-30", "date_to": "2025-06-30"})
    html = page.content.decode()
    assert "2025-06-30 22:30" in html
    assert "Late call" in html
    july = client.get("/crm/activities/", {"date_from": "2025-07-01", "date_to": "2025-07-01"})
    assert "Late call" not in july.content.decode()
