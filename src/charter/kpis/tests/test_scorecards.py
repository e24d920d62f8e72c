"""Scorecards of people, teams and the organization from facts written like an import, every
figure worked out by hand in the comments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from charter.accounts.models import User
from charter.conftest import make_person
from charter.core.periods import parse_period
from charter.crm.models import Activity, CsatResponse
from charter.kpis import services
from charter.kpis.library import BUILTIN_KEYS
from charter.kpis.models import KpiDefinition
from charter.kpis.scoring import AHEAD, KpiResult
from charter.kpis.selectors.definitions import kpi_specs
from charter.kpis.selectors.scorecards import org_scorecard, person_scorecards, team_scorecard
from charter.kpis.selectors.subjects import Scorecard
from charter.kpis.tests.test_rollups import deal, upsert
from charter.org.models import Organization, Person, Role, Team

D = dt.date
Q1, Q2, Q3 = (parse_period(f"2017-Q{n}") for n in (1, 2, 3))
AFTER_Q2 = D(2017, 7, 15)  # every day of Q2 has elapsed
CENT = Decimal("0.01")


def at(day: dt.date, hour: int = 12, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=dt.UTC)


def activity(eid: str, owner: Person, kind: str, moment: dt.datetime) -> dict[str, Any]:
    return {
        "external_id": eid,
        "owner_id": owner.pk,
        "owner_raw": owner.full_name,
        "owner_key": owner.full_name.lower(),
        "kind": kind,
        "occurred_at": moment,
    }


def csat(eid: str, owner: Person, score: str, scale: int, day: dt.date) -> dict[str, Any]:
    return {
        "external_id": eid,
        "owner_id": owner.pk,
        "owner_raw": owner.full_name,
        "owner_key": owner.full_name.lower(),
        "score": Decimal(score),
        "scale": scale,
        "date": day,
    }


def card_of(org: Organization, person: Person, period: Any = Q2) -> Scorecard:
    return person_scorecards(org, period, [person], today=AFTER_Q2)[0]


def figure(card: Scorecard, key: str) -> KpiResult:
    found = card.result(key)
    assert found is not None, key
    return found


def actual(card: Scorecard, key: str) -> Decimal | None:
    return figure(card, key).actual


def kpi(org: Organization, key: str) -> KpiDefinition:
    return KpiDefinition.objects.get(org=org, key=key)


def set_target(org: Organization, key: str, value: int, period: Any = Q2, **subject: Any) -> None:
    services.target_set(
        org=org, kpi=kpi(org, key), period=period, value=value, actor=None, **subject
    )


@pytest.fixture
def rep_facts(org: Organization, rep: Person) -> None:
    upsert(
        org,
        [
            # Won in Q2 after 10 days.
            deal("d1", rep, "won", "10000.00", D(2017, 4, 3), D(2017, 4, 13)),
            # Created in Q1, won in Q2: 13 days of Feb + 31 + 30 + 17 = 91 days.
            deal("d2", rep, "won", "5000.50", D(2017, 2, 15), D(2017, 5, 17)),
            # Lost in Q2: a lost deal, never revenue.
            deal("d3", rep, "lost", "3000", D(2017, 4, 5), D(2017, 6, 1)),
            # Open: pipeline only.
            deal("d4", rep, "open", "7000", D(2017, 5, 2), None),
            # Marked won but with no close date: not won (yet), pipeline only.
            deal("d5", rep, "won", "2000", D(2017, 4, 20), None),
            # Created in Q2, lost in Q3.
            deal("d6", rep, "lost", "1000", D(2017, 6, 10), D(2017, 7, 3)),
            # Open with an expected close date inside Q2: still neither won nor lost.
            deal("d7", rep, "open", "4000", D(2017, 6, 1), D(2017, 6, 15)),
        ],
    )
    upsert(
        org,
        [
            activity("a1", rep, "call", at(D(2017, 4, 3))),
            activity("a2", rep, "call", at(D(2017, 5, 9))),
            activity("a3", rep, "call", at(D(2017, 6, 30), 23, 59)),  # last minute of Q2 (UTC)
            activity("a4", rep, "call", at(D(2017, 7, 1), 0, 0)),  # first minute of Q3
            activity("a5", rep, "email", at(D(2017, 4, 4))),
            activity("a6", rep, "email", at(D(2017, 4, 5))),
            activity("a7", rep, "meeting", at(D(2017, 5, 10))),
            activity("a8", rep, "demo", at(D(2017, 5, 11))),
        ],
        model=Activity,
    )
    upsert(
        org,
        [
            csat("c1", rep, "4.5", 5, D(2017, 5, 2)),  # 4.5 points
            csat("c2", rep, "8", 10, D(2017, 5, 3)),  # 8 of 10 = 4 points
            csat("c3", rep, "60", 100, D(2017, 6, 1)),  # 60 of 100 = 3 points
            csat("c4", rep, "1", 5, D(2017, 7, 2)),  # Q3
        ],
        model=CsatResponse,
    )


@pytest.mark.django_db
@pytest.mark.usefixtures("rep_facts")
def test_every_builtin_kpi_for_one_rep_in_q2(org: Organization, rep: Person) -> None:
    card = card_of(org, rep)
    assert {r.key for r in card.results} == set(BUILTIN_KEYS) | {"training_hours"}
    # Won in Q2: d1 (10,000.00) and d2 (5,000.50); d5 has no close date, d4 and d7 are open.
    assert actual(card, "revenue_won") == Decimal("15000.50")
    assert actual(card, "deals_won") == 2
    # Lost in Q2: d3 only (d6 is lost in Q3).
    assert actual(card, "deals_lost") == 1
    # 2 won of 3 closed = 66.67 %.
    assert actual(card, "win_rate") == Decimal(200) / Decimal(3)
    # 15,000.50 / 2.
    assert actual(card, "avg_deal_size") == Decimal("7500.25")
    # (10 + 91) / 2 = 50.5 days.
    assert actual(card, "avg_cycle_days") == Decimal("50.5")
    # Created in Q2: d1 10,000 + d3 3,000 + d4 7,000 + d5 2,000 + d6 1,000 + d7 4,000.
    assert actual(card, "pipeline_created") == 27000
    # Calls a1, a2, a3 (a4 is on 1 July); emails a5, a6; meeting a7; the demo counts in none.
    assert actual(card, "activities_calls") == 3
    assert actual(card, "activities_emails") == 2
    assert actual(card, "activities_meetings") == 1
    # (4.5 + 4 + 3) / 3 = 3.8333… points.
    assert figure(card, "csat_avg").actual.quantize(CENT) == Decimal("3.83")  # type: ignore[union-attr]
    assert figure(card, "csat_avg").metrics == {
        "csat_score_sum": Decimal("11.5"),
        "csat_count": Decimal(3),
    }


@pytest.mark.django_db
@pytest.mark.usefixtures("rep_facts")
def test_the_q1_deal_is_pipeline_in_q1_and_q3_has_a_loss_but_no_win(
    org: Organization, rep: Person
) -> None:
    q1 = card_of(org, rep, Q1)
    assert actual(q1, "pipeline_created") == Decimal("5000.50")  # d2
    assert actual(q1, "revenue_won") == 0
    # Nothing closed in Q1: the win rate is no data.
    assert actual(q1, "win_rate") is None
    q3 = card_of(org, rep, Q3)
    # d6 lost, nothing won: a win rate of 0 %, an average deal size of no data, no crash.
    assert actual(q3, "deals_lost") == 1
    assert actual(q3, "win_rate") == 0
    assert actual(q3, "avg_deal_size") is None
    assert actual(q3, "avg_cycle_days") is None
    assert actual(q3, "activities_calls") == 1  # a4
    assert actual(q3, "csat_avg") == 1  # c4


@pytest.mark.django_db
@pytest.mark.usefixtures("rep_facts")
def test_a_months_figures_add_up_to_the_quarter(org: Organization, rep: Person) -> None:
    months = [card_of(org, rep, parse_period(f"2017-0{m}")) for m in (4, 5, 6)]
    # April d1, May d2.
    assert [actual(c, "revenue_won") for c in months] == [10000, Decimal("5000.50"), 0]
    assert [actual(c, "deals_lost") for c in months] == [0, 0, 1]
    # d1 + d3 + d5 in April, d4 in May, d6 + d7 in June.
    assert [actual(c, "pipeline_created") for c in months] == [15000, 7000, 5000]


@pytest.mark.django_db
def test_a_custom_kpi_with_a_zero_denominator_is_no_data(org: Organization, rep: Person) -> None:
    services.kpi_create(
        org=org,
        key="calls_per_win",
        actor=None,
        effective_from=D(2017, 1, 1),
        name="Calls per win",
        formula="activities_call_count / deals_won_count",
        unit="count",
    )
    upsert(org, [activity("a1", rep, "call", at(D(2017, 5, 1)))], model=Activity)
    card = card_of(org, rep)
    assert actual(card, "calls_per_win") is None
    upsert(org, [deal("d1", rep, "won", "10", D(2017, 5, 1), D(2017, 5, 2))])
    assert actual(card_of(org, rep), "calls_per_win") == 1


@pytest.mark.django_db
def test_a_custom_kpi_with_an_unknown_metric_is_refused(org: Organization) -> None:
    with pytest.raises(ValidationError) as caught:
        services.kpi_create(
            org=org,
            key="bad",
            actor=None,
            effective_from=D(2017, 1, 1),
            name="Bad",
            formula="revenue / deals_won_count",
            unit="count",
        )
    assert "Unknown metric 'revenue'" in str(caught.value.message_dict["formula"])


# -- time zones at the period's edge -------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("zone", "moment", "quarter"),
    [
        # 03:30 UTC on 1 July is 23:30 on 30 June in New York: Q2 there.
        ("America/New_York", dt.datetime(2017, 7, 1, 3, 30, tzinfo=dt.UTC), Q2),
        ("UTC", dt.datetime(2017, 7, 1, 3, 30, tzinfo=dt.UTC), Q3),
        # 16:00 UTC on 30 June is 01:00 on 1 July in Tokyo: Q3 there.
        ("Asia/Tokyo", dt.datetime(2017, 6, 30, 16, 0, tzinfo=dt.UTC), Q3),
        ("UTC", dt.datetime(2017, 6, 30, 16, 0, tzinfo=dt.UTC), Q2),
    ],
)
def test_an_activity_counts_in_the_quarter_of_its_local_day(
    org: Organization, rep: Person, zone: str, moment: dt.datetime, quarter: Any
) -> None:
    org.time_zone = zone
    org.save()
    upsert(org, [activity("a1", rep, "call", moment)], model=Activity)
    other = Q3 if quarter == Q2 else Q2
    assert actual(card_of(org, rep, quarter), "activities_calls") == 1
    assert actual(card_of(org, rep, other), "activities_calls") == 0


# -- teams and the organization ------------------------------------------------------------


@pytest.fixture
def north(org: Organization, teams: dict[str, Team]) -> Team:
    return Team.objects.create(org=org, name="East Enterprise North", parent=teams["east_ent"])


@pytest.fixture
def nina(org: Organization, north: Team, manager: Person) -> Person:
    return make_person(org, "Nina North", Role.REP, team=north, manager=manager)


@pytest.fixture
def tess(org: Organization) -> Person:
    return make_person(org, "Tess Teamless", Role.REP)


@pytest.fixture
def team_facts(
    org: Organization, rep: Person, rep2: Person, other_team_rep: Person, nina: Person, tess: Person
) -> None:
    won, lost = D(2017, 5, 10), D(2017, 5, 20)
    created = D(2017, 4, 1)
    rows = [
        # rep: 1 won of 1 closed (100 %).
        deal("r1", rep, "won", "1000", created, won),
        # rep2: 1 won of 9 closed (11.1 %).
        deal("s1", rep2, "won", "3000", created, won),
        *(deal(f"s{n}", rep2, "lost", "100", created, lost) for n in range(2, 10)),
        # Nina, in a team under East Enterprise: 1 won of 2.
        deal("n1", nina, "won", "6000", created, won),
        deal("n2", nina, "lost", "100", created, lost),
        # West: 1 won of 2.
        deal("o1", other_team_rep, "won", "500", created, won),
        deal("o2", other_team_rep, "lost", "100", created, lost),
        # Someone in no team: 1 won.
        deal("t1", tess, "won", "200", created, won),
    ]
    upsert(org, rows)


@pytest.mark.django_db
@pytest.mark.usefixtures("team_facts")
def test_a_team_win_rate_is_summed_won_over_summed_closed(
    org: Organization, teams: dict[str, Team], rep: Person, rep2: Person
) -> None:
    rates = {c.person.pk: actual(c, "win_rate") for c in person_scorecards(
        org, Q2, [rep, rep2], today=AFTER_Q2
    ) if c.person}  # fmt: skip
    assert rates[rep.pk] == 100
    assert rates[rep2.pk].quantize(CENT) == Decimal("11.11")  # type: ignore[union-attr]
    # East Enterprise and the team under it: won 1 + 1 + 1 = 3 of closed 1 + 9 + 2 = 12 → 25 %,
    # not the mean of the rates.
    east_ent = team_scorecard(org, Q2, teams["east_ent"], today=AFTER_Q2)
    assert actual(east_ent, "win_rate") == 25
    assert actual(east_ent, "revenue_won") == 10000  # 1,000 + 3,000 + 6,000
    # The East region holds East Enterprise: the same figures.
    east = team_scorecard(org, Q2, teams["east"], today=AFTER_Q2)
    assert (actual(east, "win_rate"), actual(east, "deals_lost")) == (25, 9)
    west = team_scorecard(org, Q2, teams["west"], today=AFTER_Q2)
    assert actual(west, "win_rate") == 50
    # The org: won 3 + 1 + 1 = 5 of closed 12 + 2 + 1 = 15 → 33.33 %; revenue 10,700.
    whole = org_scorecard(org, Q2, today=AFTER_Q2)
    assert actual(whole, "win_rate").quantize(CENT) == Decimal("33.33")  # type: ignore[union-attr]
    assert actual(whole, "revenue_won") == 10700


@pytest.mark.django_db
def test_two_reps_1_of_1_and_1_of_9_make_a_team_rate_of_20_not_55(
    org: Organization, teams: dict[str, Team], rep: Person, rep2: Person
) -> None:
    day = D(2017, 5, 5)
    rows = [deal("r1", rep, "won", "10", day, day), deal("s1", rep2, "won", "10", day, day)]
    rows += [deal(f"s{n}", rep2, "lost", "10", day, day) for n in range(2, 10)]
    upsert(org, rows)
    team = team_scorecard(org, Q2, teams["east_ent"], today=AFTER_Q2)
    # (1 + 1) / (1 + 9) = 20 %; the mean of 100 % and 11.1 % would be 55.6 %.
    assert actual(team, "win_rate") == 20


@pytest.mark.django_db
@pytest.mark.usefixtures("team_facts")
def test_team_targets_are_their_own_or_their_parts_added_up(
    org: Organization,
    teams: dict[str, Team],
    north: Team,
    rep: Person,
    rep2: Person,
    nina: Person,
    other_team_rep: Person,
    tess: Person,
) -> None:
    set_target(org, "revenue_won", 2000, person=rep)
    set_target(org, "revenue_won", 3000, person=rep2)
    set_target(org, "revenue_won", 4000, person=nina)
    set_target(org, "revenue_won", 1000, person=other_team_rep)
    set_target(org, "revenue_won", 500, person=tess)

    def target(team: Team, key: str = "revenue_won") -> Decimal | None:
        return figure(team_scorecard(org, Q2, team, today=AFTER_Q2), key).target

    # No team targets: East Enterprise adds its members, Nina included: 2,000 + 3,000 + 4,000.
    assert target(teams["east_ent"]) == 9000
    assert target(teams["east"]) == 9000
    # The North team's own target replaces Nina's in everything above it: 2,000 + 3,000 + 5,000.
    set_target(org, "revenue_won", 5000, team=north)
    assert target(north) == 5000
    assert target(teams["east_ent"]) == 10000
    # The East region's own target wins over its parts.
    set_target(org, "revenue_won", 12000, team=teams["east"])
    assert target(teams["east"]) == 12000
    assert target(teams["west"]) == 1000
    # The org: East 12,000 + West 1,000 + Tess (in no team) 500 = 13,500; actual 10,700.
    whole = figure(org_scorecard(org, Q2, today=AFTER_Q2), "revenue_won")
    assert whole.target == 13500
    assert whole.attainment.quantize(Decimal("0.0001")) == Decimal("0.7926")  # type: ignore[union-attr]
    # A ratio is not summed: without its own target a team has none.
    assert target(teams["east_ent"], "win_rate") is None
    set_target(org, "win_rate", 30, team=teams["east_ent"])
    east_ent = figure(team_scorecard(org, Q2, teams["east_ent"], today=AFTER_Q2), "win_rate")
    # 25 % against 30 %: 0.8333…
    assert east_ent.target == 30
    assert east_ent.attainment.quantize(Decimal("0.0001")) == Decimal("0.8333")  # type: ignore[union-attr]
    assert figure(org_scorecard(org, Q2, today=AFTER_Q2), "win_rate").target is None


# -- targets that change ------------------------------------------------------------------


@pytest.mark.django_db
def test_target_revisions_are_prorated_on_the_scorecard(org: Organization, rep: Person) -> None:
    revenue = kpi(org, "revenue_won")

    def target() -> Decimal | None:
        return figure(card_of(org, rep), "revenue_won").target

    # A first target set in mid-May applies to the whole quarter.
    services.target_set(
        org=org,
        kpi=revenue,
        period=Q2,
        value=90000,
        actor=None,
        person=rep,
        effective_from=D(2017, 5, 10),
    )
    assert target() == 90000
    for value, reason in ((100000, "Bigger territory"), (130000, "Typo: it was 130k")):
        services.target_set(
            org=org,
            kpi=revenue,
            period=Q2,
            value=value,
            actor=None,
            person=rep,
            effective_from=D(2017, 5, 16),
            reason=reason,
        )
    # The two 16 May revisions: the later one wins. 45 days at 90,000 and 46 at 130,000:
    # (4,050,000 + 5,980,000) / 91 = 110,219.78…
    assert target().quantize(CENT) == Decimal("110219.78")  # type: ignore[union-attr]
    # Setting the value in effect again changes nothing.
    assert services.target_set(
        org=org,
        kpi=revenue,
        period=Q2,
        value=130000,
        actor=None,
        person=rep,
        effective_from=D(2017, 6, 1),
        reason="again",
    ) == (None, False)
    with pytest.raises(ValidationError):
        services.target_set(
            org=org,
            kpi=revenue,
            period=Q2,
            value=1,
            actor=None,
            person=rep,
            effective_from=D(2017, 7, 1),
            reason="after the period",
        )
    with pytest.raises(ValidationError):
        # A change needs a reason.
        services.target_set(
            org=org,
            kpi=revenue,
            period=Q2,
            value=1,
            actor=None,
            person=rep,
            effective_from=D(2017, 6, 1),
        )


@pytest.mark.django_db
def test_pacing_on_a_scorecard_mid_quarter(org: Organization, rep: Person) -> None:
    upsert(org, [deal("d1", rep, "won", "40000", D(2017, 4, 2), D(2017, 4, 20))])
    set_target(org, "revenue_won", 100000, person=rep)
    card = person_scorecards(org, Q2, [rep], today=D(2017, 4, 30))[0]
    revenue = figure(card, "revenue_won")
    # Day 30 of 91: expected 32,967.03, pace 121.3 %, forecast 121,333.33 → ahead.
    assert revenue.expected_to_date.quantize(CENT) == Decimal("32967.03")  # type: ignore[union-attr]
    assert revenue.pace.quantize(Decimal("0.001")) == Decimal("1.213")  # type: ignore[union-attr]
    assert revenue.forecast.quantize(CENT) == Decimal("121333.33")  # type: ignore[union-attr]
    assert revenue.status == AHEAD
    # Revenue is the only KPI with a target: the score is its attainment, 40 %.
    assert card.score == Decimal("0.4")


# -- KPI versions --------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_revised_kpi_applies_from_the_period_holding_its_date(
    org: Organization, rep: Person
) -> None:
    upsert(
        org,
        [
            deal("d1", rep, "won", "10", D(2017, 3, 1), D(2017, 3, 5)),
            deal("d2", rep, "lost", "10", D(2017, 3, 1), D(2017, 3, 6)),
            deal("d3", rep, "won", "10", D(2017, 4, 1), D(2017, 4, 5)),
            deal("d4", rep, "lost", "10", D(2017, 4, 1), D(2017, 5, 20)),
            deal("d5", rep, "lost", "10", D(2017, 4, 1), D(2017, 5, 21)),
        ],
    )
    user = User.objects.create_user("kpi.admin@acme.test", "x")
    services.kpi_revise(
        definition=kpi(org, "deals_won"),
        actor=user,
        effective_from=D(2017, 5, 15),
        reason="Count every closed deal",
        name="Deals closed",
        formula="deals_won_count + deals_lost_count",
    )
    # Q1 and April end before 15 May: the old "won" count (Q1: d1; April: d3).
    for label, won in (("2017-Q1", 1), ("2017-04", 1)):
        old = figure(card_of(org, rep, parse_period(label)), "deals_won")
        assert (old.spec.name, old.actual, old.spec.version_number) == ("Deals won", won, 1)
    # Q2 holds 15 May: the new formula, won + lost = d3 + d4 + d5 = 3. May: d4 + d5 = 2.
    for label, closed in (("2017-Q2", 3), ("2017-05", 2)):
        new = figure(card_of(org, rep, parse_period(label)), "deals_won")
        assert (new.spec.name, new.actual, new.spec.version_number) == ("Deals closed", closed, 2)
    with pytest.raises(ValidationError):
        services.kpi_revise(
            definition=kpi(org, "deals_won"),
            actor=user,
            effective_from=D(2017, 6, 1),
            reason="Nothing really",
        )


# -- cost ---------------------------------------------------------------------------------


def queries_of(call: Any) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured.captured_queries)


@pytest.mark.django_db
@pytest.mark.usefixtures("team_facts")
def test_team_and_org_scorecards_cost_the_same_queries_however_many_teams(
    org: Organization, teams: dict[str, Team], rep: Person
) -> None:
    set_target(org, "revenue_won", 2000, person=rep)
    specs = kpi_specs(org, Q2)

    def team() -> Scorecard:
        return team_scorecard(org, Q2, teams["east"], today=AFTER_Q2, specs=specs)

    def whole() -> Scorecard:
        return org_scorecard(org, Q2, today=AFTER_Q2, specs=specs)

    # The team tree, the metric sums (the CRM's, then the metrics other apps contribute), the
    # people, the target revisions (one query of rows), the close.
    assert queries_of(team) == queries_of(whole) == 6
    for n in range(5):
        parent = Team.objects.create(org=org, name=f"Region {n}")
        child = Team.objects.create(org=org, name=f"Pod {n}", parent=parent)
        person = make_person(org, f"Pod Rep {n}", Role.REP, team=child, login=False)
        set_target(org, "revenue_won", 100, person=person)
    assert queries_of(team) == queries_of(whole) == 6
    # 2,000 for rep + 5 x 100 for the pod reps; Tess and the others in team_facts have none.
    assert figure(whole(), "revenue_won").target == 2500
