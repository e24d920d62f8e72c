"""Deals without a created date: a Salesforce report export gives OpportunityAge and CloseDate
instead, so a closed deal's created date is counted back from them; otherwise it stays empty,
with a note in the preview, and the deal is still imported."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from charter.conftest import client_for
from charter.core.imports import FieldInvalid
from charter.core.models import ImportRun
from charter.crm.importers.deals import parse_age
from charter.crm.models import Deal
from charter.crm.tests.test_import_deals import counts, reasons, run_import
from charter.crm.tests.test_import_pages import run_of, upload

# The columns of the public Salesforce PMM sample's opportunities report (no CreatedDate).
REPORT = (
    '"AccountName","Amount","CloseDate","Id","IsClosed","IsWon","OpportunityName",'
    '"OpportunityAge","OpportunityOwner","StageName"\n'
    '"Acme",1000,"2024-04-05","006W1","true","true","Acme 1",139,"Rick Rep","Closed Won"\n'
    '"Globex",500,"2024-03-01","006L1","true","false","Globex 2",25,"Rita Rep","Closed Lost"\n'
    '"Initech",700,"2024-09-30","006O1","false","false","Initech 3",12,"Rick Rep","Prospecting"\n'
)


def test_a_salesforce_report_without_created_date_is_imported(
    everyone: Any, org: Any, tmp_path: Path
) -> None:
    run = run_import(org, "deals", REPORT, tmp_path, preset="salesforce")

    assert run.status == ImportRun.Status.APPLIED, reasons(run) or run.message
    assert counts(run) == (3, 0, 0, 0)
    created = dict(Deal.objects.values_list("external_id", "created_date"))
    assert created == {
        "006W1": dt.date(2024, 4, 5) - dt.timedelta(days=139),
        "006L1": dt.date(2024, 2, 5),
        # An open deal's age runs to the day of the export, which the file does not say.
        "006O1": None,
    }


def test_without_created_date_or_age_the_deal_is_imported_with_a_note(
    everyone: Any, org: Any, tmp_path: Path
) -> None:
    content = "id,owner,stage,amount,close\nD1,Rick Rep,won,10,2024-01-15\n"
    run = run_import(org, "deals", content, tmp_path)

    assert run.status == ImportRun.Status.APPLIED, reasons(run) or run.message
    assert Deal.objects.get().created_date is None

    page = client_for(everyone["admin"]).get(
        f"/crm/import/{run_of(upload(client_for(everyone['admin']), content)).pk}/"
    )
    text = page.content.decode()
    assert "1 row: no created date" in text
    assert "which say how many deals lack it" in text


def test_preview_notes_the_open_deal_whose_age_gives_no_created_date(everyone: Any) -> None:
    client = client_for(everyone["admin"])
    run = run_of(upload(client, REPORT, preset="salesforce"))

    page = client.get(f"/crm/import/{run.pk}/").content.decode()

    assert "Every row passed the checks" in page
    assert "No created date: an open deal&#x27;s age says nothing of when it was created" in page


def test_a_foreign_amount_without_any_date_is_refused_with_a_reason(
    everyone: Any, org: Any, tmp_path: Path
) -> None:
    content = "id,owner,stage,amount,currency\nD1,Rick Rep,open,10,EUR\n"

    run = run_import(org, "deals", content, tmp_path)

    assert run.status == ImportRun.Status.REJECTED
    assert "needs a close or created date to pick its exchange rate" in reasons(run)


@pytest.mark.parametrize(
    ("cell", "days"), [("139", 139), (139, 139), (139.0, 139), ("12 days", 12), ("0", 0)]
)
def test_age_is_whole_days(cell: Any, days: int) -> None:
    assert parse_age(cell) == days


@pytest.mark.parametrize("cell", ["-1", "1.5", "soon", "99999999"])
def test_age_that_is_not_whole_days_is_refused(cell: str) -> None:
    with pytest.raises(FieldInvalid):
        parse_age(cell)
