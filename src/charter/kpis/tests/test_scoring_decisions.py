"""Two edge rules: a KPI is not on scorecards of periods before it existed, and nothing at all
of a lower-is-better thing is "ahead"."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from charter.core.periods import parse_period
from charter.kpis import services
from charter.kpis.formula import parse
from charter.kpis.scoring import AHEAD, KpiSpec, kpi_result
from charter.kpis.selectors.definitions import kpi_specs
from charter.kpis.selectors.scorecards import (
    person_scorecards,
    person_trend,
    team_scorecard,
    team_scorecards,
)
from charter.kpis.selectors.targets import org_targets, prorated, target_revisions
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
    before = [s.key for s in kpi_specs(org, parse_period("2017-Q4"))]
    after = [s.key for s in kpi_specs(org, parse_period("2018-Q1"))]
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


@pytest.mark.django_db
def test_a_threshold_that_is_not_a_number_is_a_validation_error(
    org: Organization, admin: Any
) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        services.kpi_create(
            org=org,
            key="x_rate",
            actor=admin.user,
            effective_from=dt.date(2017, 1, 1),
            name="X",
            formula="deals_won_count",
            unit="count",
            threshold_at_risk="abc",
        )
    assert "threshold_at_risk" in caught.value.message_dict


@pytest.mark.django_db
def test_many_team_scorecards_at_once_equal_one_at_a_time(
    org: Organization, teams: Any, manager: Any, rep: Any, other_team_rep: Any, admin: Any
) -> None:
    from charter.crm import services as crm_services
    from charter.crm.models import Deal

    rows = [
        (rep, "won", "1000"),
        (rep, "lost", "10"),
        (other_team_rep, "won", "250"),
        (manager, "won", "40"),
    ]
    crm_services.facts_upsert(
        model=Deal,
        org=org,
        source="file",
        rows=[
            {
                "external_id": f"d{i}",
                "owner_id": person.pk,
                "stage": stage,
                "owner_raw": person.full_name,
                "owner_key": person.full_name.lower(),
                "amount": Decimal(amount),
                "currency": "USD",
                "amount_reporting": Decimal(amount),
                "created_date": dt.date(2017, 4, 2),
                "close_date": dt.date(2017, 5, 2),
            }
            for i, (person, stage, amount) in enumerate(rows)
        ],
        run=None,
    )
    period = parse_period("2017-Q2")
    revenue = next(s for s in kpi_specs(org, period) if s.key == "revenue_won")
    services.target_set(
        org=org,
        kpi=revenue_definition(org),
        period=period,
        value="2000",
        actor=admin.user,
        person=rep,
    )
    everything = list(teams.values())
    together = team_scorecards(org, period, everything, today=dt.date(2017, 8, 1))
    for card in together:
        assert card.team is not None
        alone = team_scorecard(org, period, card.team, today=dt.date(2017, 8, 1))
        assert [(r.key, r.actual, r.target) for r in card.results] == [
            (r.key, r.actual, r.target) for r in alone.results
        ]
    by_name = {card.name: card.by_key["revenue_won"] for card in together}
    # East holds East Enterprise (rep 1,000 won + manager 40); West holds Olga's 250.
    assert by_name["East"].actual == Decimal(1040)
    assert by_name["West"].actual == Decimal(250)
    assert by_name["East"].target == Decimal(2000)
    assert revenue.key == "revenue_won"


def revenue_definition(org: Organization) -> Any:
    from charter.kpis.models import KpiDefinition

    return KpiDefinition.objects.get(org=org, key="revenue_won")


@pytest.mark.django_db
def test_a_persons_trend_read_at_once_equals_each_period_read_alone(
    org: Organization, rep: Any, admin: Any, django_assert_max_num_queries: Any
) -> None:
    from charter.core.periods import recent
    from charter.crm import services as crm_services
    from charter.crm.models import Deal
    from charter.kpis.models import KpiDefinition

    def won(eid: str, amount: str, closed: dt.date) -> dict[str, Any]:
        return {
            "external_id": eid,
            "owner_id": rep.pk,
            "owner_raw": "",
            "owner_key": "",
            "stage": "won",
            "amount": Decimal(amount),
            "currency": "USD",
            "amount_reporting": Decimal(amount),
            "created_date": closed - dt.timedelta(days=10),
            "close_date": closed,
        }

    crm_services.facts_upsert(
        model=Deal,
        org=org,
        source="file",
        rows=[won("a", "100", dt.date(2017, 2, 3)), won("b", "250", dt.date(2017, 5, 9))],
        run=None,
    )
    revenue = KpiDefinition.objects.get(org=org, key="revenue_won")
    q1, q2 = parse_period("2017-Q1"), parse_period("2017-Q2")
    services.target_set(org=org, kpi=revenue, period=q1, value="400", actor=admin.user, person=rep)
    services.target_set(org=org, kpi=revenue, period=q2, value="500", actor=admin.user, person=rep)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(services, "org_today", lambda _org: dt.date(2017, 8, 1))
        services.period_close(org=org, period=q1, actor=admin.user)
    # Late data in the closed Q1: the trend shows it as a restatement, like the single read.
    crm_services.facts_upsert(
        model=Deal, org=org, source="file", rows=[won("c", "50", dt.date(2017, 3, 1))], run=None
    )
    periods = recent(q2, 3)
    specs = {p.label: kpi_specs(org, p) for p in periods}
    today = dt.date(2017, 5, 20)
    # The monthly sums (the CRM's, then the contributed metrics'), targets, closes, snapshots.
    with django_assert_max_num_queries(5):
        trend = person_trend(org, rep, periods, today=today, specs=specs)
    for card, period in zip(trend, periods, strict=True):
        alone = person_scorecards(org, period, [rep], today=today, specs=specs[period.label])[0]
        assert [(r.key, r.actual, r.target, r.status) for r in card.results] == [
            (r.key, r.actual, r.target, r.status) for r in alone.results
        ]
        assert set(card.restated) == set(alone.restated)
        assert card.frozen == alone.frozen
    # Q1 frozen at 100 of 400 (25%), restated to 150; Q2 250 of 500 so far.
    q1_card, q2_card = trend[1], trend[2]
    assert q1_card.by_key["revenue_won"].actual == 100
    assert q1_card.restated["revenue_won"].actual == 150
    assert q2_card.by_key["revenue_won"].attainment == Decimal("0.5")


@pytest.mark.django_db
def test_the_lean_org_wide_target_read_equals_the_detailed_one(
    org: Organization, teams: Any, rep: Any, rep2: Any, admin: Any
) -> None:
    from charter.kpis.models import KpiDefinition

    q2 = parse_period("2017-Q2")
    revenue = KpiDefinition.objects.get(org=org, key="revenue_won")
    win_rate = KpiDefinition.objects.get(org=org, key="win_rate")
    services.target_set(
        org=org, kpi=revenue, period=q2, value="90000", actor=admin.user, person=rep
    )
    # Changed from 1 June: (90,000 x 61 + 120,000 x 30) / 91 = 99,890.1098901...
    services.target_set(
        org=org,
        kpi=revenue,
        period=q2,
        value="120000",
        actor=admin.user,
        person=rep,
        effective_from=dt.date(2017, 6, 1),
        reason="New territory",
    )
    services.target_set(
        org=org, kpi=win_rate, period=q2, value="27.5", actor=admin.user, person=rep2
    )
    services.target_set(
        org=org, kpi=revenue, period=q2, value="0.0001", actor=admin.user, team=teams["east"]
    )
    # Another period's target is not read.
    services.target_set(
        org=org,
        kpi=revenue,
        period=parse_period("2017-Q3"),
        value="5",
        actor=admin.user,
        person=rep,
    )
    lean = org_targets(org, q2).values
    detailed = prorated(target_revisions(org, q2, everyone=True), q2)
    assert lean == detailed
    assert lean[("person", rep.pk)]["revenue_won"].quantize(Decimal("0.0001")) == Decimal(
        "99890.1099"
    )
    assert lean[("person", rep2.pk)]["win_rate"] == Decimal("27.5")
    assert lean[("team", teams["east"].pk)]["revenue_won"] == Decimal("0.0001")
    assert sum(len(found) for found in lean.values()) == 3
