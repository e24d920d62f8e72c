"""The demo company's targets: everyone has them (quarters, months and the fiscal year), they
spread people from well behind to far ahead, one changes mid-quarter with a reason, and the last
closed quarter shows a restatement."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from charter.core import demo, registry
from charter.core.periods import parse_period
from charter.kpis import rollups
from charter.kpis.demo import (
    QUOTA_KPIS,
    History,
    at_least,
    month_share,
    quota,
    ramp_quota,
    seasons,
    year_quota,
)
from charter.kpis.metrics import METRIC_KEYS
from charter.kpis.models import PeriodClose, Target, TargetRevision
from charter.kpis.selectors.calendar import period_of
from charter.kpis.selectors.scorecards import person_scorecards, team_scorecards
from charter.org.models import Organization, Person, Role, Team

D = dt.date
# 14 May 2025: the current quarter is 2025-Q2, the last closed one 2025-Q1.
NOW = dt.datetime(2025, 5, 14, 12, 0, tzinfo=dt.UTC)
QUARTERS = ["2024-Q3", "2024-Q4", "2025-Q1", "2025-Q2"]
MONTHS = ["2025-04", "2025-05", "2025-06"]
YEAR = "FY2025"  # the calendar year: the demo's fiscal year starts in January


@pytest.fixture
def built(db: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Organization, list[str]]]:
    # The expectations builder plays no part in targets; leaving it out keeps the test shorter.
    kept = {name: registry.demo_builders[name] for name in ("org", "crm", "kpis")}
    monkeypatch.setattr(registry, "demo_builders", kept)
    lines: list[str] = []
    with time_machine.travel(NOW, tick=False):
        ctx = demo.build(demo.new_context(log=lines.append))
        yield ctx.org, lines


def test_the_demo_gives_targets_a_spread_a_mid_quarter_change_and_a_restatement(built):
    # One build for every check: the demo takes seconds, not milliseconds.
    org, lines = built
    every_rep_and_team_has_targets_for_four_quarters_and_this_quarters_months(org)
    the_fiscal_year_scorecards_show_targets_and_attainment(org)
    the_closed_quarter_spreads_reps_and_shows_a_restatement(org, lines)
    one_target_changes_mid_quarter_with_a_reason_from_the_reps_manager(org)
    assert rollups.check(org=org).ok


def every_rep_and_team_has_targets_for_four_quarters_and_this_quarters_months(
    org: Organization,
) -> None:
    expected = {(key, label) for key in QUOTA_KPIS for label in [*QUARTERS, *MONTHS, YEAR]}
    reps = Person.objects.filter(org=org, role=Role.REP)
    teams = Team.objects.filter(org=org)
    assert reps.count() == 24
    assert teams.count() == 6
    for rep in reps:
        found = set(Target.objects.filter(person=rep).values_list("kpi__key", "period_label"))
        assert found == expected, rep.full_name
    for team in teams:
        found = set(Target.objects.filter(team=team).values_list("kpi__key", "period_label"))
        assert found == expected, team.name


def the_fiscal_year_scorecards_show_targets_and_attainment(org: Organization) -> None:
    year = period_of(org, YEAR)
    q1, q2 = (period_of(org, label) for label in ("2025-Q1", "2025-Q2"))
    rep = Person.objects.filter(org=org, role=Role.REP).order_by("pk").first()
    assert rep is not None
    (card,) = person_scorecards(org, year, [rep])
    revenue = card.result("revenue_won")
    assert revenue is not None
    assert revenue.target is not None
    assert revenue.attainment is not None
    assert card.score is not None
    assert all(card.result(key).target is not None for key in QUOTA_KPIS)  # type: ignore[union-attr]
    # The year's revenue target is its quarters' (Q3 and Q4 at Q2's quota): Q1 + 3 x Q2, from
    # the quarters' first revisions (a raise later in a quarter is the quarter's own business).
    quarters = {
        label: Target.objects.get(person=rep, kpi__key="revenue_won", period_label=label)
        .revisions.order_by("id")
        .first()
        for label in (q1.label, q2.label)
    }
    assert revenue.target == quarters[q1.label].value + 3 * quarters[q2.label].value  # type: ignore[union-attr]
    team = Team.objects.filter(org=org).order_by("pk").first()
    assert team is not None
    (team_card,) = team_scorecards(org, year, [team])
    team_revenue = team_card.result("revenue_won")
    assert team_revenue is not None
    assert team_revenue.target is not None


def the_closed_quarter_spreads_reps_and_shows_a_restatement(
    org: Organization, lines: list[str]
) -> None:
    closed = period_of(org, "2025-Q1")
    assert list(PeriodClose.objects.filter(org=org).values_list("label", flat=True)) == [
        "2025-Q1",
        "2024-Q4",
        "2024-Q3",
    ]
    reps = list(Person.objects.filter(org=org, role=Role.REP))
    cards = person_scorecards(org, closed, reps)
    attainments = []
    for card in cards:
        assert card.closed is not None
        result = card.result("revenue_won")
        assert result is not None
        assert result.attainment is not None
        attainments.append(result.attainment)
    assert min(attainments) < Decimal("0.7")
    assert max(attainments) > Decimal("1.5")
    assert any("revenue attainment 2025-Q1 (closed): " in line for line in lines)

    # One deal was corrected after the close: its owner's frozen revenue stands, the live
    # figure is shown next to it.
    restated = [card for card in cards if "revenue_won" in card.restated]
    assert len(restated) == 1
    frozen = restated[0].result("revenue_won")
    live = restated[0].restated["revenue_won"]
    assert frozen is not None
    assert frozen.actual is not None
    assert live.actual is not None
    assert live.actual < frozen.actual


def one_target_changes_mid_quarter_with_a_reason_from_the_reps_manager(org: Organization) -> None:
    changed = [
        target
        for target in Target.objects.filter(org=org).prefetch_related("revisions")
        if target.revisions.count() > 1
    ]
    assert len(changed) == 1
    target = changed[0]
    assert (target.kpi.key, target.period_label) == ("revenue_won", "2025-Q2")
    assert target.person is not None
    assert target.person.manager is not None
    first, change = target.revisions.order_by("id")
    assert first.effective_from == D(2025, 4, 1)
    assert change.effective_from == D(2025, 5, 1)
    assert change.reason.startswith("Territory expanded")
    assert change.value > first.value
    assert change.created_by == target.person.manager.user
    assert TargetRevision.objects.filter(target__org=org).exclude(reason="Target set").count() == 1


def test_a_quota_is_last_years_quarterly_average_with_growth_and_season():
    history = History(
        sums={
            "deals_won_amount": Decimal(400000),
            "deals_won_count": Decimal(8),
            "deals_lost_count": Decimal(24),
            "pipeline_created_amount": Decimal(1000000),
            "activities_meeting_count": Decimal(40),
            "activities_call_count": Decimal(200),
        },
        quarters=4,
    )
    assert quota(history, Decimal("1.10")) == {
        "revenue_won": Decimal(110000),  # 400,000 / 4 x 1.10
        "deals_won": Decimal(2),  # 2 x 1.10 = 2.2
        "win_rate": Decimal(27),  # 8 of 32 = 25%, plus 2 points
        "pipeline_created": Decimal(275000),
        "activities_meetings": Decimal(11),  # 10 x 1.05 = 10.5, half up
        "activities_calls": Decimal(53),  # 50 x 1.05 = 52.5
        "csat_avg": Decimal("4.3"),
    }
    slow = quota(history, Decimal("1.10"), {"deals_won_amount": Decimal("0.8")})
    assert slow is not None
    assert slow["revenue_won"] == Decimal(88000)
    assert quota(History(sums={}, quarters=0), Decimal("1.10")) is None


def test_ramp_month_and_season_helpers():
    typical = {
        "revenue_won": Decimal(90000),
        "deals_won": Decimal(5),
        "win_rate": Decimal("27.5"),
        "pipeline_created": Decimal(301000),
        "activities_meetings": Decimal(3),
        "activities_calls": Decimal(60),
        "csat_avg": Decimal("4.3"),
    }
    ramp = ramp_quota(typical)
    assert ramp["revenue_won"] == Decimal(45000)
    assert ramp["pipeline_created"] == Decimal(151000)  # 150,500, half up to the thousand
    assert ramp["activities_meetings"] == Decimal(2)  # 1.5, half up
    assert ramp["win_rate"] == Decimal("27.5")
    # A thin history never gives less than the ramp quota; rates are left as they are.
    thin = typical | {"revenue_won": Decimal(20000), "win_rate": Decimal(18)}
    floored = at_least(thin, ramp)
    assert floored["revenue_won"] == Decimal(45000)
    assert floored["deals_won"] == Decimal(5)
    assert floored["win_rate"] == Decimal(18)

    quarter = parse_period("2025-Q2")
    april = parse_period("2025-04")
    # April is 30 of the quarter's 91 days: 90,000 x 30 / 91 = 29,670.33 → 29,700.
    assert month_share("revenue_won", Decimal(90000), april, quarter) == Decimal(29700)
    assert month_share("deals_won", Decimal(5), april, quarter) == Decimal(2)  # 1.65
    assert month_share("win_rate", Decimal("27.5"), april, quarter) == Decimal("27.5")

    zero = dict.fromkeys(METRIC_KEYS, Decimal(0))
    windows = [
        zero | {"deals_won_amount": Decimal(50), "activities_call_count": Decimal(30)},
        zero | {"deals_won_amount": Decimal(100), "activities_call_count": Decimal(10)},
        zero | {"deals_won_amount": Decimal(150), "activities_call_count": Decimal(10)},
        zero | {"deals_won_amount": Decimal(100), "activities_call_count": Decimal(10)},
    ]
    found = seasons(windows)
    assert found["deals_won_amount"] == Decimal("0.6")  # 50 / 100, never below 0.6
    assert found["activities_call_count"] == Decimal("1.4")  # 30 / 15, never above 1.4
    assert found["csat_count"] == Decimal(1)  # no history: no season


def test_a_years_quota_adds_up_its_quarters_and_averages_the_rates():
    def q(revenue: int, deals: int, rate: str) -> dict[str, Decimal]:
        return {
            "revenue_won": Decimal(revenue),
            "deals_won": Decimal(deals),
            "win_rate": Decimal(rate),
            "pipeline_created": Decimal(revenue * 3),
            "activities_meetings": Decimal(10),
            "activities_calls": Decimal(50),
            "csat_avg": Decimal("4.3"),
        }

    # Fiscal years from February: FY2026 runs February 2025 to January 2026; on 14 May 2025 its
    # second quarter (May to July) is under way, its first has a quota, the last two have none.
    quarters = [parse_period(f"2026-Q{n}", 2) for n in range(1, 5)]
    quarterly = {"2026-Q1": q(90000, 4, "26"), "2026-Q2": q(100000, 5, "27.5")}
    year = year_quota(quarterly, quarters, quarters[1])
    assert year == {
        "revenue_won": Decimal(390000),  # 90,000 + 3 x 100,000
        "deals_won": Decimal(19),  # 4 + 3 x 5
        "win_rate": Decimal(27),  # (26 + 3 x 27.5) / 4 = 27.125, to the half point
        "pipeline_created": Decimal(1170000),
        "activities_meetings": Decimal(40),
        "activities_calls": Decimal(200),
        "csat_avg": Decimal("4.3"),
    }
    assert year_quota({"2026-Q1": q(90000, 4, "26")}, quarters, quarters[1]) is None
