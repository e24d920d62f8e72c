"""Two edge rules: a KPI is not on scorecards of periods before it existed, and nothing at all
of a lower-is-better thing is "ahead"."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from charter.core.periods import parse_period
from charter.kpis import selectors, services
from charter.kpis.formula import parse
from charter.kpis.scoring import AHEAD, KpiSpec, kpi_result
from charter.org.models import Organization


@pytest.mark.django_db
def test_a_custom_kpi_only_appears_from_its_first_effective_date(
    org: Organization, admin: Any
) -> None:
    services.kpi_create(
        org=org,
        key="calls_per_meeting",
        actor=admin.user,
        effective_from=dt.date(2018, 1, 1),
        name="Calls per meeting",
        formula="activities_call_count / activities_meeting_count",
        unit="count",
    )
    before = [s.key for s in selectors.kpi_specs(org, parse_period("2017-Q4"))]
    after = [s.key for s in selectors.kpi_specs(org, parse_period("2018-Q1"))]
    assert "calls_per_meeting" not in before
    assert "calls_per_meeting" in after
    assert "revenue_won" in before


def test_no_deal_lost_at_all_is_ahead_without_an_attainment() -> None:
    spec = KpiSpec(
        key="deals_lost",
        name="Deals lost",
        formula=parse("deals_lost_count"),
        unit="count",
        direction="lower",
        decimals=0,
        threshold_ahead=Decimal("1.1"),
        threshold_on_track=Decimal("0.95"),
        threshold_at_risk=Decimal("0.8"),
        weight=Decimal(1),
        score_cap=None,
    )
    period = parse_period("2017-Q2")
    result = kpi_result(
        spec, {"deals_lost_count": Decimal(0)}, Decimal(5), period, dt.date(2017, 7, 15)
    )
    assert result.attainment is None
    assert result.status == AHEAD
    # One lost deal against a target of at most 5: 5 / 1 = 500%, ahead as well.
    one = kpi_result(
        spec, {"deals_lost_count": Decimal(1)}, Decimal(5), period, dt.date(2017, 7, 15)
    )
    assert one.attainment == Decimal(5)
