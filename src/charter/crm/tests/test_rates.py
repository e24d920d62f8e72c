"""Exchange rates: the page, the service and `charter import rates`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from charter.conftest import client_for
from charter.core.models import AuditEvent
from charter.crm.models import ExchangeRate
from charter.crm.tests.test_import_deals import FIXTURES, counts, reasons, run_import

URL = "/crm/rates/"


def test_admin_adds_a_rate(everyone: Any, org: Any) -> None:
    client = client_for(everyone["admin"])

    response = client.post(URL, {"currency": "eur", "rate": "1.0850", "valid_from": "2024-01-01"})

    assert response.status_code == 302
    rate = ExchangeRate.objects.get()
    assert (rate.currency, rate.rate, rate.valid_from) == (
        "EUR",
        Decimal("1.085"),
        dt.date(2024, 1, 1),
    )
    assert AuditEvent.objects.filter(action="crm.exchange_rate.set").count() == 1
    assert "EUR" in client.get(URL).content.decode()


def test_the_reporting_currency_and_bad_codes_are_refused(everyone: Any, org: Any) -> None:
    client = client_for(everyone["admin"])

    usd = client.post(URL, {"currency": "USD", "rate": "1", "valid_from": "2024-01-01"})
    bad = client.post(URL, {"currency": "E1", "rate": "1", "valid_from": "2024-01-01"})

    assert "is the reporting currency" in usd.content.decode()
    assert "three-letter currency code" in bad.content.decode()
    assert not ExchangeRate.objects.exists()


def test_rates_import_creates_then_reports_unchanged(
    everyone: Any, org: Any, tmp_path: Path
) -> None:
    run = run_import(org, "rates", FIXTURES / "rates.csv", tmp_path)
    assert counts(run) == (3, 0, 0, 0), reasons(run)
    assert ExchangeRate.objects.get(currency="EUR", valid_from=dt.date(2024, 6, 1)).rate == Decimal(
        "1.2"
    )

    again = run_import(org, "rates", FIXTURES / "rates.csv", tmp_path)
    assert counts(again) == (0, 0, 3, 0)

    changed = (FIXTURES / "rates.csv").read_text().replace("GBP,1.25", "GBP,1.30")
    assert counts(run_import(org, "rates", changed, tmp_path)) == (0, 1, 2, 0)


def test_rates_import_refuses_bad_rows_and_duplicates(
    everyone: Any, org: Any, tmp_path: Path
) -> None:
    text = (
        "currency,rate,valid_from\nEUR,0,2024-01-01\nUSD,1,2024-01-01\n"
        "GBP,1.2,2024-01-01\nGBP,1.3,2024-01-01\n"
    )

    run = run_import(org, "rates", text, tmp_path)

    said = reasons(run)
    assert "2|rate|0|Rate must be a number more than 0" in said
    assert "3|currency|USD|USD is the reporting currency" in said
    assert "4|valid_from|2024-01-01|GBP from 2024-01-01 is also on row 5" in said
    assert not ExchangeRate.objects.exists()


def test_anonymous_people_are_sent_to_sign_in(db: Any) -> None:
    response = client_for(None).get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", ["rep", "manager", "other_manager", "executive"])
def test_only_admins_may_see_or_add_rates(everyone: Any, role: str) -> None:
    client = client_for(everyone[role])

    assert client.get(URL).status_code == 403
    response = client.post(URL, {"currency": "EUR", "rate": "1.1", "valid_from": "2024-01-01"})

    assert response.status_code == 403
    assert not ExchangeRate.objects.exists()
