"""Seasonality profiles: how an admin says a KPI's longer targets are shared among months, on the
KPI's page and over the API, versioned like the KPI itself (a new row from a date on, with its
reason, audited)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from charter.conftest import client_for
from charter.core.models import AuditEvent
from charter.core.periods import parse_period
from charter.kpis import services
from charter.kpis.models import KpiDefinition, SeasonalityProfile
from charter.kpis.selectors.scorecards import person_scorecards

PAGE = reverse("kpis:kpi_seasonality", args=["revenue_won"])


@pytest.fixture(autouse=True)
def _early_2017() -> Any:
    with time_machine.travel(dt.datetime(2017, 2, 10, 9, tzinfo=dt.UTC), tick=False):
        yield


def _form(**extra: str) -> dict[str, str]:
    data = {"method": "shares", "effective_from": "2017-01-01", "reason": "Q4 is budget season"}
    # January to December: 1 each, December 3 (14 in all).
    data.update({f"share_{month}": "1" for month in range(1, 12)})
    data["share_12"] = "3"
    return {**data, **extra}


def test_admin_sets_shares_per_month_and_the_months_follow_them(org, admin, rep):
    response = client_for(admin).post(PAGE, _form())

    assert response.status_code == 302
    profile = SeasonalityProfile.objects.get()
    assert profile.shares == ["1"] * 11 + ["3"]
    assert profile.created_by == admin.user
    assert AuditEvent.objects.filter(action="kpis.seasonality.set").count() == 1
    page = client_for(rep).get(reverse("kpis:kpi", args=["revenue_won"])).content.decode()
    assert "a share per month" in page
    # A January fiscal year: December's share of a 140,000 year is 3/14, 30,000.
    services.target_set(
        org=org,
        kpi=KpiDefinition.objects.get(org=org, key="revenue_won"),
        period=parse_period("FY2017"),
        value="140000",
        actor=None,
        person=rep,
    )
    december = parse_period("2017-12")
    card = person_scorecards(org, december, [rep])[0]
    result = card.result("revenue_won")
    assert result is not None
    assert result.target == Decimal(30000)


def test_a_profile_without_weights_is_refused_with_a_message(org, admin):
    data = _form()
    for month in range(1, 13):
        data[f"share_{month}"] = "0"
    response = client_for(admin).post(PAGE, data)
    assert response.status_code == 200
    assert "At least one month must weigh more than 0." in response.content.decode()
    assert SeasonalityProfile.objects.count() == 0


def test_a_manager_may_not_set_how_targets_are_shared(org, manager):
    assert client_for(manager).post(PAGE, _form()).status_code == 403
    assert SeasonalityProfile.objects.count() == 0


def test_the_api_lists_profiles_to_everyone_and_lets_only_admins_add_one(org, admin, rep):
    url = "/api/v1/kpis/definitions/revenue_won/seasonality/"
    body = {
        "method": "last_year",
        "effective_from": "2017-01-01",
        "reason": "Follow last year",
    }
    as_rep = APIClient()
    as_rep.force_authenticate(rep.user)
    assert as_rep.post(url, body, format="json").status_code == 403
    as_admin = APIClient()
    as_admin.force_authenticate(admin.user)
    created = as_admin.post(url, body, format="json")
    assert created.status_code == 201
    assert created.json()["method"] == "last_year"
    listed = as_rep.get(url).json()
    assert [(p["method"], p["reason"]) for p in listed] == [("last_year", "Follow last year")]
