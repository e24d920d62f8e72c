"""Explain: every scorecard number opens the records it counts and its formula with the figures
written in. Expected values are worked out by hand from the facts in explain_facts.py; the
pages and exports are in test_explain_pages.py, the API in test_explain_api.py."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from charter.conftest import client_for
from charter.crm.models import Deal
from charter.kpis import services
from charter.kpis.explain import KpiNotFound, Subject, explain, metric_records, records_total
from charter.kpis.library import BUILTINS
from charter.kpis.metrics import METRICS
from charter.kpis.models import KpiDefinition
from charter.kpis.selectors.calendar import period_of
from charter.kpis.selectors.scorecards import org_scorecard, person_scorecards, team_scorecard
from charter.kpis.tests.explain_facts import (
    Q2,
    D,
    deal,
    eids,
    explain_url,
    q2,
    upsert,
)
from charter.kpis.tests.explain_facts import facts as facts  # the fixture
from charter.org.models import Organization, Person

# --- the selector ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_revenue_won_lists_exactly_the_two_q2_deals(facts: Organization, rep: Person) -> None:
    x = explain(Subject.of_person(rep), q2(facts), "revenue_won")
    assert x.formula == "deals_won_amount"
    assert x.result.actual == Decimal(1500)
    [won] = x.records
    assert won.key == "deals_won_amount"
    assert eids(won.rows) == ["d1", "d2"]
    assert (won.count, won.total) == (2, Decimal(1500))
    assert [won.value_of(r) for r in won.rows] == [Decimal(1000), Decimal(500)]


@pytest.mark.django_db
def test_win_rate_substitutes_the_figures(facts: Organization, rep: Person) -> None:
    x = explain(Subject.of_person(rep), q2(facts), "win_rate")
    assert x.formula == "deals_won_count / (deals_won_count + deals_lost_count)"
    assert x.substituted == "2 / (2 + 1)"
    assert x.result.actual is not None
    assert round(x.result.actual, 1) == Decimal("66.7")
    by_key = {r.key: r for r in x.records}
    assert eids(by_key["deals_won_count"].rows) == ["d1", "d2"]
    assert eids(by_key["deals_lost_count"].rows) == ["d3"]


@pytest.mark.django_db
def test_team_and_org_win_rates_come_from_summed_counts(facts: Organization, teams: Any) -> None:
    team = explain(Subject.of_team(teams["east_ent"]), q2(facts), "win_rate")
    # Rick 2 won 1 lost, Rita 1 won 1 lost: 3 / 5, not the mean of 66.7% and 50%.
    assert team.substituted == "3 / (3 + 2)"
    assert team.result.actual == Decimal(60)
    assert eids(team.records_of("deals_lost_count").rows) == ["d3", "r2"]  # type: ignore[union-attr]
    org = explain(Subject.of_org(facts), q2(facts), "win_rate")
    assert org.substituted == "4 / (4 + 2)"
    assert eids(org.records_of("deals_won_count").rows) == ["d1", "o1", "r1", "d2"]  # type: ignore[union-attr]


@pytest.mark.django_db
def test_calls_land_on_the_org_local_day(facts: Organization, rep: Person) -> None:
    x = explain(Subject.of_person(rep), q2(facts), "activities_calls")
    [calls] = x.records
    assert eids(calls.rows) == ["mid", "late"]
    assert x.result.actual == Decimal(2)
    q1 = explain(Subject.of_person(rep), period_of(facts, "2017-Q1"), "activities_calls")
    assert eids(q1.records[0].rows) == ["early"]
    june = explain(Subject.of_person(rep), period_of(facts, "2017-06"), "activities_calls")
    assert eids(june.records[0].rows) == ["mid", "late"]
    july = explain(Subject.of_person(rep), period_of(facts, "2017-07"), "activities_calls")
    assert eids(july.records[0].rows) == []


@pytest.mark.django_db
def test_cycle_days_and_csat_records_add_up_like_the_rollups(
    facts: Organization, rep: Person
) -> None:
    cycle = explain(Subject.of_person(rep), q2(facts), "avg_cycle_days")
    # d1: 3 Apr → 20 Apr = 17 days; d2: 1 May → 10 Jun = 40 days.
    assert cycle.substituted == "57 / 2"
    assert cycle.result.actual == Decimal("28.5")
    days = cycle.records_of("won_cycle_days_sum")
    assert days is not None
    assert [days.value_of(r) for r in days.rows] == [17, 40]
    assert days.total == 57
    score = explain(Subject.of_person(rep), q2(facts), "csat_avg")
    # 8 of 10 is 4 points of 5, plus 4.5: 8.5 points over 2 answers.
    assert score.substituted == "8.50 / 2"
    assert score.result.actual == Decimal("4.25")
    points = score.records_of("csat_score_sum")
    assert points is not None
    assert (points.count, points.total) == (2, Decimal("8.5"))


@pytest.mark.django_db
@pytest.mark.parametrize("builtin", [b.key for b in BUILTINS])
def test_records_sum_to_the_scorecard_figure_for_every_builtin(
    facts: Organization, rep: Person, teams: Any, builtin: str
) -> None:
    period = q2(facts)
    cards = {
        "person": (Subject.of_person(rep), person_scorecards(facts, period, [rep])[0]),
        "team": (Subject.of_team(teams["east"]), team_scorecard(facts, period, teams["east"])),
        "org": (Subject.of_org(facts), org_scorecard(facts, period)),
    }
    for subject, card in cards.values():
        figure = card.result(builtin)
        assert figure is not None
        for key, value in figure.metrics.items():
            rows = metric_records(subject, METRICS[key], period)
            assert records_total(METRICS[key], rows)[1] == value, (subject.ref, key)
            # The same sum, record by record, from what the page shows each one adds.
            getter = explain(subject, period, builtin).records_of(key)
            assert getter is not None
            assert sum((getter.value_of(r) for r in rows), Decimal(0)) == value


@pytest.mark.django_db
def test_target_proration_lists_each_revision_with_its_days(
    facts: Organization, rep: Person, teams: Any, admin: Person
) -> None:
    period = q2(facts)
    kpi = KpiDefinition.objects.get(org=facts, key="revenue_won")
    services.target_set(
        org=facts, kpi=kpi, period=period, value="3000", actor=admin.user, person=rep
    )
    services.target_set(
        org=facts,
        kpi=kpi,
        period=period,
        value="6000",
        actor=admin.user,
        person=rep,
        effective_from=D(2017, 6, 1),
        reason="Territory grew",
    )
    x = explain(Subject.of_person(rep), period, "revenue_won")
    # April and May (61 days) at 3,000, June (30 days) at 6,000, over 91 days.
    assert [(s.revision.value, s.days) for s in x.target.spans] == [(3000, 61), (6000, 30)]
    assert x.target.spans[1].revision.reason == "Territory grew"
    assert x.result.target == Decimal(363000) / 91
    assert x.target.value == x.result.target
    page = client_for(rep).get(explain_url("person", rep.pk, "revenue_won"), {"period": Q2})
    text = page.content.decode()
    assert "(3,000 \u00d7 61 + 6,000 \u00d7 30) \u00f7 91 days = $3,989.01" in text
    assert "$1,500 \u00f7 $3,989 = 37.6%" in text
    assert "Territory grew" in text
    team = explain(Subject.of_team(teams["east_ent"]), period, "revenue_won")
    assert team.target.summed_from == "members"
    assert [(p.name, p.value) for p in team.target.parts] == [("Rick Rep", Decimal(363000) / 91)]
    assert team.result.target == Decimal(363000) / 91


@pytest.mark.django_db
def test_a_closed_period_shows_the_frozen_figure_and_the_restated_one(
    facts: Organization, rep: Person, admin: Person
) -> None:
    period = q2(facts)
    services.period_close(org=facts, period=period, actor=admin.user)
    upsert(facts, Deal, [deal("late", rep, "won", "250", D(2017, 6, 2), D(2017, 6, 28))])
    x = explain(Subject.of_person(rep), period, "revenue_won")
    assert x.closed is not None
    assert x.result.actual == Decimal(1500)
    assert x.live is not None
    assert x.live.actual == Decimal(1750)
    [won] = x.records
    assert (won.shown, won.live, won.total) == (Decimal(1500), Decimal(1750), Decimal(1750))
    page = client_for(rep).get(explain_url("person", rep.pk, "revenue_won"), {"period": Q2})
    text = page.content.decode()
    assert "$1,500" in text
    assert "$1,750" in text
    assert "restated" in text


@pytest.mark.django_db
def test_an_unknown_kpi_is_not_found(facts: Organization, rep: Person) -> None:
    with pytest.raises(KpiNotFound):
        explain(Subject.of_person(rep), q2(facts), "no_such_kpi")
