"""One basis for a figure's colour and its status: the status (from where the figure is
heading), never the raw attainment; an overall score goes by its pace score."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from charter.conftest import client_for, deal_fact
from charter.core.periods import parse_period
from charter.crm import services as crm_services
from charter.crm.models import Deal
from charter.kpis import services
from charter.kpis.formula import parse
from charter.kpis.models import KpiDefinition
from charter.kpis.scoring import AHEAD, AT_RISK, BEHIND, ON_TRACK, KpiSpec, kpi_result
from charter.kpis.templatetags.kpis_format import score_status, score_thresholds, status_heat
from charter.kpis.templatetags.kpis_scorecards import result_status

Q2 = parse_period("2017-Q2")  # 91 days
DAY_45 = dt.date(2017, 5, 15)
REVENUE = KpiSpec(
    key="revenue_won",
    name="Revenue won",
    formula=parse("deals_won_amount"),
    unit="money",
    direction="higher",
    decimals=0,
    threshold_ahead=Decimal("1.1"),
    threshold_on_track=Decimal("0.95"),
    threshold_at_risk=Decimal("0.8"),
    weight=Decimal(1),
    score_cap=None,
)


class Card:
    def __init__(self, results):
        self.results = results


def revenue(won: str, target: str = "1000", day: dt.date = DAY_45):
    return kpi_result(REVENUE, {"deals_won_amount": Decimal(won)}, Decimal(target), Q2, day)


def test_a_cell_at_60_percent_heading_for_121_percent_is_coloured_ahead():
    # 600 by day 45 of 91 is 60% attained, a pace of 121%: ahead, and coloured so.
    result = revenue("600")
    assert result.attainment == Decimal("0.6")
    assert result.status == AHEAD
    assert status_heat(result.status) == "heat-ahead"


def test_each_status_has_its_colour_and_no_status_has_none():
    assert [status_heat(s) for s in (AHEAD, ON_TRACK, AT_RISK, BEHIND, None, "")] == [
        "heat-ahead",
        "heat-on",
        "heat-risk",
        "heat-behind",
        "heat-none",
        "heat-none",
    ]


def test_a_score_goes_by_its_pace_not_its_attainment():
    # 450 by day 45 of 91: 45% attained (once "behind" red), a pace of 91%: at risk.
    card = Card([revenue("450")])
    assert score_status(card) == AT_RISK
    assert score_status(Card([revenue("600")])) == AHEAD
    assert score_status(None) is None


def test_once_the_period_has_ended_a_score_goes_by_its_attainment():
    assert score_status(Card([revenue("900", day=dt.date(2017, 7, 1))])) == AT_RISK
    assert score_status(Card([revenue("1200", day=dt.date(2017, 7, 1))])) == AHEAD


def test_the_score_thresholds_are_a_new_kpis_defaults():
    assert score_thresholds() == (Decimal("1.1"), Decimal("0.95"), Decimal("0.8"))


def test_a_missing_result_reads_no_target():
    assert result_status(None) == "No target"


@pytest.fixture
def rick_at_60_percent(org, rep, manager):
    """Rick: 600 won by 15 May 2017 against a Q2 revenue target of 1,000."""
    won = deal_fact("d1", rep, "600", created=dt.date(2017, 4, 3), closed=dt.date(2017, 4, 10))
    crm_services.facts_upsert(model=Deal, org=org, source="file", rows=[won], run=None)
    services.target_set(
        org=org,
        kpi=KpiDefinition.objects.get(org=org, key="revenue_won"),
        period=Q2,
        value="1000",
        actor=manager.user,
        person=rep,
    )
    return rep


@pytest.mark.django_db
def test_explain_says_how_the_status_was_decided_from_pace_forecast_and_thresholds(
    rick_at_60_percent,
):
    with time_machine.travel(dt.datetime(2017, 5, 15, 12, tzinfo=dt.UTC), tick=False):
        page = (
            client_for(rick_at_60_percent)
            .get(f"/kpis/people/{rick_at_60_percent.pk}/explain/revenue_won/?period=2017-Q2")
            .content.decode()
        )
    basis = page[page.index("data-status-basis") :]
    assert "Ahead" in page[page.index("data-status>") :][:120]
    assert "Day 45 of 91" in basis
    assert "<span data-expected>$495</span>" in basis  # 1,000 x 45 / 91
    assert "<span data-pace>121.3%</span>" in basis
    assert "<span data-forecast>$1,213</span>" in basis  # 600 x 91 / 45
    assert "<strong data-basis>121.3%</strong>" in basis
    assert "Ahead</span> at 110.0% and more" in basis
    assert "At risk</span> at 80.0%" in basis


@pytest.mark.django_db
def test_explain_of_a_finished_period_goes_by_the_attainment(rick_at_60_percent):
    with time_machine.travel(dt.datetime(2017, 7, 15, 12, tzinfo=dt.UTC), tick=False):
        page = (
            client_for(rick_at_60_percent)
            .get(f"/kpis/people/{rick_at_60_percent.pk}/explain/revenue_won/?period=2017-Q2")
            .content.decode()
        )
    basis = page[page.index("data-status-basis") :]
    assert "2017-Q2 has ended, so the status goes by the attainment" in basis
    assert "<strong data-basis>60.0%</strong>" in basis
