"""The improvement leaderboard compares like with like: a period under way by its pace score
(actuals against the targets pro-rated to the days gone by), against the previous period's
final score; a finished period by its score.

Frozen on 15 May 2017 (UTC), day 45 of the 91 days of 2017-Q2. Revenue targets, the only KPI
with targets (so the score is the revenue figure):
- Rick: 2017-Q1 won 1,000 of 1,000 (100%); 2017-Q2 so far 1,100 of 2,000 (55%), on pace
  1,100 / (2,000 x 45/91) = 100,100 / 90,000 = 111.2%: +11.2 points.
- Rita: 2017-Q1 won 300 of 1,000 (30%); 2017-Q2 so far 300 of 2,000 (15%), on pace
  300 x 91 / 90,000 = 30.3%: +0.3 points.
Set against the quarter's score so far, Rick (55 - 100 = -45) would rank below Rita
(15 - 30 = -15) although he is heading for a better quarter than his last and she is not.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from charter.conftest import client_for
from charter.core.periods import parse_period
from charter.kpis import dashboards, services
from charter.kpis.formula import parse
from charter.kpis.models import KpiDefinition
from charter.kpis.scoring import KpiSpec, Scorer, weighted_score
from charter.kpis.tests.test_views_scorecards import deal, upsert
from charter.org.models import Organization, Person

D = dt.date
Q1 = parse_period("2017-Q1")
Q2 = parse_period("2017-Q2")
TODAY = D(2017, 5, 15)


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(dt.datetime(2017, 5, 15, 12, 0, tzinfo=dt.UTC), tick=False):
        yield


def spec(key: str, formula: str, weight: str, cap: str | None) -> KpiSpec:
    return KpiSpec(
        key=key,
        name=key,
        formula=parse(formula),
        unit="count",
        direction="higher",
        decimals=0,
        threshold_ahead=Decimal("1.1"),
        threshold_on_track=Decimal("0.95"),
        threshold_at_risk=Decimal("0.8"),
        weight=Decimal(weight),
        score_cap=Decimal(cap) if cap is not None else None,
    )


def test_pace_score_weighs_capped_paces_like_the_score_weighs_attainments():
    won = spec("won", "deals_won_amount", "2", "1.5")
    calls = spec("calls", "activities_call_count", "1", None)
    unweighted = spec("meetings", "activities_meeting_count", "0", None)
    untargeted = spec("lost", "deals_lost_count", "5", None)
    sums = {
        "deals_won_amount": Decimal(1800),
        "activities_call_count": Decimal(36),
        "activities_meeting_count": Decimal(1),
        "deals_lost_count": Decimal(3),
    }
    targets = {"won": Decimal(2000), "calls": Decimal(91), "meetings": Decimal(50), "lost": None}
    specs = [won, calls, unweighted, untargeted]
    during = Scorer(specs, Q2, TODAY).results(sums, targets)
    # Won: 1,800 against 2,000 x 45/91 is 182%, capped at 150%. Calls: 36 against 91 x 45/91
    # = 45 is 80%. (2 x 1.5 + 1 x 0.8) / 3.
    assert dashboards.pace_score(during) == Decimal("3.8") / 3
    # The score so far: (2 x 0.9 + 1 x 36/91) / 3, far below the pace.
    assert weighted_score(during) == (2 * Decimal("0.9") + Decimal(36) / 91) / 3
    # Once the period has ended, pace is attainment: the pace score is the score.
    after = Scorer(specs, Q2, D(2017, 7, 1)).results(sums, targets)
    assert dashboards.pace_score(after) == weighted_score(after)
    assert dashboards.pace_score([]) is None


def close(value: Decimal | None) -> Decimal:
    # Pace divides by a pro-rated target: equal to twenty places, not to the last digit.
    assert value is not None
    return value.quantize(Decimal("1e-20"))


def revenue_target(org: Organization, person: Person, period: Any, value: int, admin: Any) -> None:
    kpi = KpiDefinition.objects.get(org=org, key="revenue_won")
    services.target_set(org=org, kpi=kpi, period=period, value=value, actor=admin, person=person)


@pytest.fixture
def two_reps(org: Organization, everyone: dict[str, Person]) -> dict[str, Person]:
    rick, rita, admin = everyone["rep"], everyone["rep2"], everyone["admin"].user
    upsert(
        org,
        [
            deal("rick-q1", rick, "won", "1000", D(2017, 2, 10)),
            deal("rita-q1", rita, "won", "300", D(2017, 3, 10)),
            deal("rick-q2", rick, "won", "1100", D(2017, 4, 20)),
            deal("rita-q2", rita, "won", "300", D(2017, 5, 2)),
        ],
    )
    for person in (rick, rita):
        revenue_target(org, person, Q1, 1000, admin)
        revenue_target(org, person, Q2, 2000, admin)
    return everyone


@pytest.mark.django_db
def test_a_quarter_under_way_is_compared_on_pace_with_the_last_ones_final_score(org, two_reps):
    board = dashboards.leaderboard(org, Q2, today=TODAY)
    assert board.in_progress
    assert [(s.rank, s.card.name) for s in board.by_improvement] == [
        (1, "Rick Rep"),
        (2, "Rita Rep"),
    ]
    rick, rita = board.by_improvement
    assert rick.previous_score == 1
    assert close(rick.compared) == close(Decimal(100100) / 90000)  # 111.2%
    assert close(rick.change) == close(Decimal(100100) / 90000 - 1)
    assert rita.previous_score == Decimal("0.3")
    assert close(rita.compared) == close(Decimal(27300) / 90000)  # 30.3%
    assert close(rita.change) == close(Decimal(27300) / 90000 - Decimal("0.3"))
    # The score board still ranks the quarter's score so far: 55% and 15%.
    assert [(s.card.name, s.compared) for s in board.by_score] == [
        ("Rick Rep", Decimal("0.55")),
        ("Rita Rep", Decimal("0.15")),
    ]


@pytest.mark.django_db
def test_the_page_says_what_is_compared(org, two_reps):
    html = client_for(two_reps["manager"]).get("/kpis/leaderboard/").content.decode()
    improvement = html[html.index('data-board="improvement"') :]
    assert (
        "2017-Q2 on pace (day 45 of 91: actuals against the targets pro-rated to today) "
        "against the final score of 2017-Q1." in html
    )
    assert improvement.index("Rick Rep") < improvement.index("Rita Rep")
    for figure in ("100%", "111%", "+11.2 pts", "30%", "+0.3 pts"):
        assert figure in improvement, figure

    # A finished quarter is compared by its final score.
    past = client_for(two_reps["manager"]).get("/kpis/leaderboard/?period=2017-Q1").content
    assert b"Final score of 2017-Q1 against the final score of 2016-Q4." in past


@pytest.mark.django_db
def test_a_rep_without_a_previous_score_is_not_on_the_improvement_board(org, two_reps):
    tom = two_reps["other_team_rep"]
    upsert(org, [deal("olga-q2", tom, "won", "500", D(2017, 4, 3))])
    revenue_target(org, tom, Q2, 1000, two_reps["admin"].user)
    board = dashboards.leaderboard(org, Q2, today=TODAY)
    assert "Olga Other" in [s.card.name for s in board.by_score]
    assert "Olga Other" not in [s.card.name for s in board.by_improvement]
