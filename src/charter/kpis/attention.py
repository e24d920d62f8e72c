"""Reads behind the KPI cards of the home pages: what needs a reader's attention now.

- `team_pace`: for a manager, who below them is behind pace and by how much, who has no
  target this period, the target changes coming into effect soon, and their team's score over
  recent periods;
- `org_overview`: for executives and admins the organization, for a director (a manager whose
  team has teams under it) their own team: its score over recent periods, each team's attainment
  beside it, and the movers (most improved, furthest behind);
- `week_focus`: for anyone with targets, each KPI against its pace and what it takes per week
  to reach the target, with the days left in the period.

Each costs a fixed number of queries whatever the number of people, teams or facts (a few per
period of a trend); the people listed are the ones `user` may see (`org.access`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from charter.core.periods import Period
from charter.kpis.access import can_compare_people, can_view_team_scorecard
from charter.kpis.dashboards import Standing, leaderboard, score_trends
from charter.kpis.models import TargetRevision
from charter.kpis.scoring import AT_RISK, BEHIND, KpiResult, pace_score
from charter.kpis.selectors.calendar import period_of, recent_periods
from charter.kpis.selectors.definitions import kpi_specs
from charter.kpis.selectors.scorecards import person_scorecards
from charter.kpis.selectors.subjects import Scorecard
from charter.org.access import can_read_all, leads_people, person_of, visible_people
from charter.org.models import Organization, Person, Team
from charter.org.selectors import team_children

# Recent periods a home-page trend shows, ending with the current one.
TREND_PERIODS = 4
# Target changes coming into effect within this many days count as "due".
UPCOMING_DAYS = 14
SHOWN = 5


@dataclass(frozen=True)
class Shortfall:
    """One KPI of one person that is at risk or behind, with how far from its pace it is."""

    card: Scorecard
    result: KpiResult
    # In the KPI's unit: what is missing against the pro-rated target today (the whole target
    # for a ratio, which is its own pace); None when nothing is missing in those terms.
    short_by: Decimal | None
    expected: Decimal | None


def shortfall(card: Scorecard, result: KpiResult) -> Shortfall:
    spec, actual = result.spec, result.actual or Decimal(0)
    expected = result.expected_to_date if spec.additive else result.target
    short_by = None
    if expected is not None:
        gap = expected - actual if spec.higher_is_better else actual - expected
        short_by = gap if gap > 0 else None
    return Shortfall(card=card, result=result, short_by=short_by, expected=expected)


# -- a manager's team ----------------------------------------------------------------------


@dataclass
class TeamPace:
    period: Period
    team: Team | None  # the manager's own team, whose score `trend` follows
    behind: list[Shortfall]  # worst pace first
    behind_count: int
    without_target: list[Person]
    # Target changes coming into effect soon, soonest first, with their KPI's name.
    upcoming: list[tuple[TargetRevision, str]]
    trend: list[Scorecard]  # the team's card in recent periods, oldest first


def team_pace(user: Any, org: Organization, *, today: dt.date) -> TeamPace | None:
    """What a manager's home leads with; None for anyone who leads nobody."""
    me = person_of(user)
    if me is None or not leads_people(user):
        return None
    period = period_of(org, None)
    people = list(
        visible_people(user)
        .filter(is_active=True)
        .exclude(pk=me.pk)
        .select_related("team")
        .order_by("full_name", "id")
    )
    specs = kpi_specs(org, period)
    names = {spec.key: spec.name for spec in specs}
    cards = person_scorecards(org, period, people, today=today, specs=specs)
    behind = [
        shortfall(card, result)
        for card in cards
        for result in card.results
        if result.target is not None and result.status in (AT_RISK, BEHIND)
    ]
    behind.sort(key=lambda s: (s.result.pace is None, s.result.pace or 0, s.card.name.lower()))
    # Who leads others (a first-line manager under a director) often carries no quota of their
    # own: only people who lead nobody are listed as missing their targets.
    leaders = {p.manager_id for p in people}
    without = [
        c.person
        for c in cards
        if c.person and c.person.pk not in leaders and all(r.target is None for r in c.results)
    ]
    upcoming = [
        (revision, names.get(revision.target.kpi.key, revision.target.kpi.key))
        for revision in TargetRevision.objects.filter(
            target__org=org,
            target__person_id__in=[p.pk for p in people],
            effective_from__gt=today,
            effective_from__lte=today + dt.timedelta(days=UPCOMING_DAYS),
        )
        .select_related("target__kpi", "target__person")
        .order_by("effective_from", "id")[:SHOWN]
    ]
    team = me.team if me.team_id is not None else None
    trend: list[Scorecard] = []
    if team is not None and can_view_team_scorecard(user, team):
        periods = recent_periods(org, period, TREND_PERIODS)
        trend = score_trends(org, periods, [team], today, whole=False)[1][team.pk]
    return TeamPace(
        period=period,
        team=team,
        behind=behind[:SHOWN],
        behind_count=len(behind),
        without_target=without,
        upcoming=upcoming,
        trend=trend,
    )


# -- the organization (or a director's part of it) -----------------------------------------


@dataclass
class TeamTrend:
    team: Team
    cards: list[Scorecard]  # oldest first; the last is the current period

    @property
    def now(self) -> Scorecard:
        return self.cards[-1]

    @property
    def change(self) -> Decimal | None:
        """The score now against the period before, on pace (a period under way is compared
        at the rate it is going, as on the leaderboard)."""
        if len(self.cards) < 2:
            return None
        before, now = self.cards[-2].score, pace_score(self.cards[-1].results)
        if before is None or now is None:
            return None
        return now - before


@dataclass
class OrgOverview:
    period: Period
    subject: Scorecard  # the organization, or the director's team
    trend: list[Scorecard]  # the subject's card in recent periods, oldest first
    teams: list[TeamTrend]
    improved: list[Standing]
    furthest_behind: list[tuple[Scorecard, Decimal]]  # (card, its pace score), lowest first


def director_team(user: Any, me: Person) -> Team | None:
    """A manager's own team when teams hang under it: a director of those teams."""
    if me.team_id is None:
        return None
    if not team_children(me.org_id).get(me.team_id):
        return None
    team = me.team
    return team if team is not None and can_view_team_scorecard(user, team) else None


def org_overview(user: Any, org: Organization, *, today: dt.date) -> OrgOverview | None:
    me = person_of(user)
    if me is None or not can_compare_people(user):
        return None
    children = team_children(org.pk)
    top: Team | None = None
    if can_read_all(user):
        team_ids = children.get(None, [])
    else:
        top = director_team(user, me)
        if top is None:
            return None
        team_ids = children.get(top.pk, [])
    teams = list(Team.objects.filter(pk__in=team_ids).order_by("name", "pk"))
    period = period_of(org, None)
    periods = recent_periods(org, period, TREND_PERIODS)
    tracked = teams if top is None else [top, *teams]
    whole, by_team = score_trends(org, periods, tracked, today, whole=top is None)
    trend = whole if top is None else by_team[top.pk]
    board = leaderboard(org, period, today=today, user=user)
    improved = [s for s in board.by_improvement if s.change is not None and s.change > 0]
    paced = [(s.card, pace_score(s.card.results)) for s in board.by_score]
    behind = sorted(
        ((card, pace) for card, pace in paced if pace is not None),
        key=lambda pair: (pair[1], pair[0].name.lower()),
    )
    return OrgOverview(
        period=period,
        subject=trend[-1],
        trend=trend,
        teams=[TeamTrend(team=team, cards=by_team[team.pk]) for team in teams],
        improved=improved[:3],
        furthest_behind=behind[:3],
    )


# -- a person's week -----------------------------------------------------------------------


@dataclass(frozen=True)
class Focus:
    result: KpiResult
    # For an additive KPI below target: what is still needed, and per remaining week.
    remaining: Decimal | None
    per_week: Decimal | None


@dataclass
class WeekFocus:
    period: Period
    days_left: int
    score: Decimal | None
    pace: Decimal | None
    kpis: list[Focus]  # the KPIs with a target, worst pace first
    next_change: TargetRevision | None  # a change to my targets coming into effect
    next_change_kpi: str = ""


def week_focus(org: Organization, person: Person, *, today: dt.date) -> WeekFocus:
    period = period_of(org, None)
    card = person_scorecards(org, period, [person], today=today)[0]
    days_left = max((period.end - today).days + 1, 0) if period.contains(today) else 0
    weeks_left = Decimal(days_left) / 7
    kpis = []
    for result in card.results:
        if result.target is None:
            continue
        remaining = per_week = None
        if result.spec.additive and result.spec.higher_is_better:
            missing = result.target - (result.actual or Decimal(0))
            if missing > 0:
                remaining = missing
                per_week = missing / weeks_left if weeks_left >= 1 else missing
        kpis.append(Focus(result=result, remaining=remaining, per_week=per_week))
    kpis.sort(key=lambda f: (f.result.pace is None, f.result.pace or 0, f.result.spec.name))
    next_change = (
        TargetRevision.objects.filter(
            target__org=org, target__person=person, effective_from__gt=today
        )
        .select_related("target__kpi")
        .order_by("effective_from", "id")
        .first()
    )
    return WeekFocus(
        period=period,
        days_left=days_left,
        score=card.score,
        pace=pace_score(card.results),
        kpis=kpis,
        next_change=next_change,
        next_change_kpi=(
            next((r.spec.name for r in card.results if r.key == next_change.target.kpi.key), "")
            if next_change is not None
            else ""
        ),
    )
