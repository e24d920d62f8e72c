"""Money is stored exactly on every database: amounts up to 15 digits are given back unchanged
(so a re-import changes nothing and the rollups agree with the facts), and anything beyond
that is refused with a message naming the row and the column."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Sum

from charter.conftest import client_for
from charter.core.models import ImportRun
from charter.crm import services
from charter.crm.models import Deal, ExchangeRate
from charter.crm.tests.test_import_deals import counts, reasons, run_import
from charter.kpis.models import DailyMetrics

HEADER = "External ID,Owner,Stage,Amount,Currency,Created date,Close date\n"


def deals_file(owner: str, *amounts: str, currency: str = "") -> str:
    rows = (
        f"D{n},{owner},won,{amount},{currency},2024-01-05,2024-02-01\n"
        for n, amount in enumerate(amounts, start=1)
    )
    return HEADER + "".join(rows)


def test_an_amount_of_fifteen_digits_is_kept_exactly_and_reimports_unchanged(
    everyone: Any, org: Any, tmp_path: Path, capsys: Any
) -> None:
    rep = everyone["rep"]
    text = deals_file(rep.email, "1234567890123.45", "0.07", "9999999999999.99")

    first = run_import(org, "deals", text, tmp_path)
    again = run_import(org, "deals", text, tmp_path)

    assert counts(first) == (3, 0, 0, 0), reasons(first)
    assert counts(again) == (0, 0, 3, 0), reasons(again)
    stored = dict(Deal.objects.values_list("external_id", "amount"))
    assert stored == {
        "D1": Decimal("1234567890123.45"),
        "D2": Decimal("0.07"),
        "D3": Decimal("9999999999999.99"),
    }
    won = DailyMetrics.objects.filter(person=rep).aggregate(cents=Sum("deals_won_amount"))
    assert won["cents"] == 123456789012345 + 7 + 999999999999999
    call_command("rollups", "check")
    assert "OK" in capsys.readouterr().out


@pytest.mark.parametrize("amount", ["12345678901234.56", "9999999999999999.99", "10000000000000"])
def test_an_amount_beyond_fifteen_digits_is_refused_by_row_and_column(
    everyone: Any, org: Any, tmp_path: Path, amount: str
) -> None:
    text = deals_file(everyone["rep"].email, "100", amount)

    run = run_import(org, "deals", text, tmp_path)

    assert run.status == ImportRun.Status.REJECTED
    assert (
        f"3|Amount|{amount}|Amount is too large: amounts are kept exactly up to "
        "9,999,999,999,999.99" in reasons(run)
    )
    assert not Deal.objects.exists()


def test_an_amount_too_large_once_converted_is_refused(
    everyone: Any, org: Any, tmp_path: Path
) -> None:
    ExchangeRate.objects.create(
        org=org, currency="EUR", rate=Decimal("1.5"), valid_from=dt.date(2024, 1, 1)
    )
    text = deals_file(everyone["rep"].email, "9000000000000.00", currency="EUR")

    run = run_import(org, "deals", text, tmp_path)

    assert "2|Amount|9000000000000.00|Amount 9000000000000.00 EUR is 13,500,000,000,000.00 USD" in (
        reasons(run)
    )
    assert not Deal.objects.exists()


def test_a_rate_beyond_fifteen_significant_digits_is_refused_on_import_and_page(
    everyone: Any, org: Any, tmp_path: Path
) -> None:
    text = "currency,rate,valid_from\nEUR,12345678.12345678,2024-01-01\nGBP,1.25,2024-01-01\n"

    run = run_import(org, "rates", text, tmp_path)
    page = client_for(everyone["admin"]).post(
        "/crm/rates/", {"currency": "EUR", "rate": "12345678.12345678", "valid_from": "2024-01-01"}
    )

    assert (
        "2|rate|12345678.12345678|Rate has 16 significant digits; Charter keeps numbers exactly "
        "up to 15" in reasons(run)
    )
    assert "has 16 significant digits" in page.content.decode()
    assert not ExchangeRate.objects.exists()


def test_the_rate_service_refuses_what_it_cannot_keep_exactly(org: Any) -> None:
    with pytest.raises(ValidationError, match="has 17 significant digits"):
        services.exchange_rate_set(
            org=org,
            currency="EUR",
            rate=Decimal("123456789.12345678"),
            valid_from=dt.date(2024, 1, 1),
            actor=None,
        )
    assert not ExchangeRate.objects.exists()


def test_an_amount_stored_before_the_limit_is_named_by_backup_and_rollups_check(
    everyone: Any, org: Any, tmp_path: Path
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL never held such an amount: its numeric column refuses it")
    run_import(org, "deals", deals_file(everyone["rep"].email, "100", "200"), tmp_path)
    legacy = Deal.objects.get(external_id="D2")
    # What an earlier Charter let in: 9999999999999999.99, kept by SQLite as the float 1e16.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE crm_deal SET amount = 1e16, amount_reporting = 1e16 WHERE id = %s", [legacy.pk]
        )
    backups = tmp_path / "backups"
    backups.mkdir()

    with pytest.raises(CommandError, match=rf"crm\.deal row {legacy.pk} holds a number"):
        call_command("backup", str(backups / "charter.gz"), verbosity=0)
    with pytest.raises(CommandError, match=rf"crm\.deal row {legacy.pk} holds a number"):
        call_command("rollups", "check", stdout=io.StringIO(), stderr=io.StringIO())

    assert list(backups.iterdir()) == []
