"""Closing a period freezes its scorecards; later data shows as a restatement beside them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from charter.core.models import AuditEvent
from charter.core.periods import parse_period
from charter.kpis import services
from charter.kpis.models import KpiDefinition, PeriodClose, ScorecardSnapshot
from charter.kpis.scoring import BEHIND
from charter.kpis.selectors.scorecards import org_scorecard, person_scorecards, team_scorecard
from charter.kpis.selectors.subjects import Scorecard
from charter.kpis.selectors.sums import metric_sums_by_person
from charter.kpis.tests.test_rollups import deal, upsert
from charter.org.models import Organization, Person, Team

D = dt.date
Q2 = parse_period("2017-Q2")


def revenue(card: Scorecard) -> tuple[Decimal | None, Decimal | None]:
    found = card.result("revenue_won")
    assert found is not None
    return found.actual, found.target


@pytest.fixture
def closed_q2(
    org: Organization, teams: dict[str, Team], rep: Person, rep2: Person, admin: Person
) -> PeriodClose:
    # Won 10,000 after 9 days (1 May - 10 May) against a target of 20,000.
    upsert(org, [deal("d1", rep, "won", "10000", D(2017, 5, 1), D(2017, 5, 10))])
    services.target_set(
        org=org,
        kpi=KpiDefinition.objects.get(org=org, key="revenue_won"),
        period=Q2,
        value=20000,
        actor=admin.user,
        person=rep,
    )
    return services.period_close(org=org, period=Q2, actor=admin.user)


@pytest.mark.django_db
def test_closing_freezes_every_scorecard(
    org: Organization, teams: dict[str, Team], rep: Person, closed_q2: PeriodClose
) -> None:
    people = Person.objects.filter(org=org).count()
    # Every person, the four teams and the org.
    assert ScorecardSnapshot.objects.filter(close=closed_q2).count() == people + 4 + 1
    assert AuditEvent.objects.filter(action="kpis.period.closed").count() == 1
    card = person_scorecards(org, Q2, [rep])[0]
    assert card.closed == closed_q2
    assert revenue(card) == (10000, 20000)
    assert card.restated == {}
    frozen = card.result("revenue_won")
    assert frozen is not None
    # 10,000 of 20,000 once the quarter is over: 50 %, behind.
    assert (frozen.attainment, frozen.forecast, frozen.status) == (Decimal("0.5"), 10000, BEHIND)
    # Only revenue has a target: the score is its attainment.
    assert card.score == Decimal("0.5")


@pytest.mark.django_db
def test_late_data_shows_as_a_restatement_not_a_silent_change(
    org: Organization,
    teams: dict[str, Team],
    rep: Person,
    admin: Person,
    closed_q2: PeriodClose,
) -> None:
    # A deal created in Q1 and won on 20 June is imported after the close:
    # 30 days of March + 30 + 31 + 20 = 111 days.
    upsert(org, [deal("d2", rep, "won", "5000", D(2017, 3, 1), D(2017, 6, 20))])
    live = metric_sums_by_person([rep.pk], Q2)[rep.pk]
    assert live["deals_won_amount"] == 15000

    card = person_scorecards(org, Q2, [rep])[0]
    # The frozen figure stays; the live one is beside it.
    assert revenue(card) == (10000, 20000)
    assert card.restated["revenue_won"].actual == 15000
    # Won count 1 → 2, average 10,000 → 7,500, cycle 9 → (9 + 111) / 2 = 60 days. The win
    # rate stays 100 % but on 2 of 2 instead of 1 of 1: restated too, as its sums moved. Q2's
    # pipeline holds d1 only: not restated.
    assert set(card.restated) == {
        "revenue_won",
        "deals_won",
        "avg_deal_size",
        "avg_cycle_days",
        "win_rate",
    }
    assert card.restated["avg_cycle_days"].actual == 60
    assert card.restated["avg_deal_size"].actual == 7500
    assert (card.score, card.live_score) == (Decimal("0.5"), Decimal("0.75"))

    for frozen in (
        team_scorecard(org, Q2, teams["east_ent"]),
        team_scorecard(org, Q2, teams["east"]),
        org_scorecard(org, Q2),
    ):
        # The team's target is its member's 20,000.
        assert revenue(frozen) == (10000, 20000)
        assert frozen.restated["revenue_won"].actual == 15000

    # A target changed after the close is a restatement too: 20,000 until 31 May, 30,000 in
    # June: (61 x 20,000 + 30 x 30,000) / 91 = 2,120,000 / 91 = 23,296.70.
    services.target_set(
        org=org,
        kpi=KpiDefinition.objects.get(org=org, key="revenue_won"),
        period=Q2,
        value=30000,
        actor=admin.user,
        person=rep,
        effective_from=D(2017, 6, 1),
        reason="New territory",
    )
    card = person_scorecards(org, Q2, [rep])[0]
    assert revenue(card) == (10000, 20000)
    restated = card.restated["revenue_won"].target
    assert restated is not None
    assert restated.quantize(Decimal("0.01")) == Decimal("23296.70")


@pytest.mark.django_db
def test_other_periods_stay_live(org: Organization, rep: Person, closed_q2: PeriodClose) -> None:
    upsert(org, [deal("d3", rep, "won", "700", D(2017, 7, 3), D(2017, 7, 4))])
    card = person_scorecards(org, parse_period("2017-Q3"), [rep])[0]
    assert card.closed is None
    assert revenue(card) == (700, None)


@pytest.mark.django_db
def test_closing_twice_is_refused(org: Organization, admin: Person, closed_q2: PeriodClose) -> None:
    with pytest.raises(ValidationError, match="already closed"):
        services.period_close(org=org, period=Q2, actor=admin.user)
    assert PeriodClose.objects.filter(org=org).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("now", [dt.datetime(2017, 6, 15, 12), dt.datetime(2017, 6, 30, 23, 59)])
def test_a_period_that_has_not_ended_cannot_be_closed(
    org: Organization, admin: Person, now: dt.datetime
) -> None:
    with (
        time_machine.travel(now.replace(tzinfo=dt.UTC), tick=False),
        pytest.raises(ValidationError, match="has not ended"),
    ):
        services.period_close(org=org, period=Q2, actor=admin.user)
    assert not PeriodClose.objects.exists()


@pytest.mark.django_db
def test_the_last_day_of_the_period_is_the_orgs(org: Organization, admin: Person) -> None:
    # 02:00 UTC on 1 July is still 30 June in New York: Q2 has not ended there.
    org.time_zone = "America/New_York"
    org.save()
    with (
        time_machine.travel(dt.datetime(2017, 7, 1, 2, 0, tzinfo=dt.UTC), tick=False),
        pytest.raises(ValidationError, match="has not ended"),
    ):
        services.period_close(org=org, period=Q2, actor=admin.user)
    with time_machine.travel(dt.datetime(2017, 7, 1, 5, 0, tzinfo=dt.UTC), tick=False):
        assert services.period_close(org=org, period=Q2, actor=admin.user).label == "2017-Q2"
