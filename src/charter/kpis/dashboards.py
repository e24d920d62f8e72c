"""Reads behind the scorecard pages: a person's dashboard with its trend, a team's grid, the
org view, the leaderboards and the home-page summary.

Built on the engine's selectors; every function here costs a fixed number of queries whatever
the number of people, teams' members or facts (the org view adds a few per team, not per
person). The callers have checked access to the subject; the functions that list people take
`user` and show only the people `user` may see.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.urls import reverse

from charter.core.periods import KINDS, Period, period_containing, shift
from charter.kpis.access import can_compare_people, can_view_team_scorecard
from charter.kpis.metrics import METRIC_KEYS, METRICS
from charter.kpis.models import DailyMetrics, Target
from charter.kpis.scoring import (
    AHEAD,
    AT_RISK,
    BEHIND,
    ON_TRACK,
    KpiResult,
    KpiSpec,
    actual_of,
    pace_score,
)
from charter.kpis.selectors.calendar import period_of, recent_periods
from charter.kpis.selectors.definitions import kpi_specs, kpi_specs_by_period
from charter.kpis.selectors.scorecards import (
    org_scorecard,
    person_scorecards,
    person_trend,
    team_scorecard,
    team_scorecards,
)
from charter.kpis.selectors.subjects import Scorecard
from charter.kpis.selectors.targets import org_targets
from charter.org.access import can_read_all, visible_people
from charter.org.models import Organization, Person, Role, Team
from charter.org.selectors import flatten_tree, team_subtree_ids, team_tree

TREND_PERIODS = 6
STATUS_ORDER = (AHEAD, ON_TRACK, AT_RISK, BEHIND)


# -- periods -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodNav:
    """The period picker: the periods before and after, and the same moment as a month,
    quarter or year."""

    period: Period
    previous: Period
    next: Period
    kinds: list[tuple[str, Period]]


def period_nav(org: Organization, period: Period, today: dt.date) -> PeriodNav:
    start_month = org.fiscal_year_start_month
    anchor = today if period.contains(today) else period.start
    return PeriodNav(
        period=period,
        previous=shift(period, -1, start_month),
        next=shift(period, 1, start_month),
        kinds=[(kind, period_containing(anchor, kind, start_month)) for kind in KINDS],
    )


# -- a person's dashboard ------------------------------------------------------------------


@dataclass
class Dashboard:
    card: Scorecard
    trend: list[Scorecard]  # the recent periods, oldest first, ending with `card`'s period
    chart_result: KpiResult | None  # the KPI drawn as a running total
    chart_points: list[tuple[dt.date, Decimal]] = field(default_factory=list)

    @property
    def additive_results(self) -> list[KpiResult]:
        return [r for r in self.card.results if r.spec.additive]

    @property
    def trend_rows(self) -> list[tuple[KpiSpec, list[KpiResult | None]]]:
        """Per KPI of the current period that had a target in any recent period, its result
        in each of them (a KPI nobody set a target for has no attainment to follow)."""
        rows = [
            (result.spec, [card.result(result.key) for card in self.trend])
            for result in self.card.results
        ]
        return [
            (spec, found)
            for spec, found in rows
            if any(r is not None and r.attainment is not None for r in found)
        ]


def person_dashboard(
    org: Organization,
    person: Person,
    period: Period,
    *,
    today: dt.date,
    chart_key: str | None = None,
) -> Dashboard:
    periods = recent_periods(org, period, TREND_PERIODS)
    specs = kpi_specs_by_period(org, periods)
    trend = person_trend(org, person, periods, today=today, specs=specs)
    card = trend[-1]
    chosen = _chart_result(card, chart_key)
    points: list[tuple[dt.date, Decimal]] = []
    if chosen is not None:
        points = running_total(person, period, chosen.spec, today)
    return Dashboard(card=card, trend=trend, chart_result=chosen, chart_points=points)


def _chart_result(card: Scorecard, key: str | None) -> KpiResult | None:
    """The KPI asked for if it adds up day by day; else the heaviest one with a target."""
    additive = [r for r in card.results if r.spec.additive]
    if key:
        asked = next((r for r in additive if r.key == key), None)
        if asked is not None:
            return asked
    with_target = [r for r in additive if r.target is not None]
    pool = with_target or additive
    return max(pool, key=lambda r: r.spec.weight, default=None)


def running_total(
    person: Person, period: Period, spec: KpiSpec, today: dt.date
) -> list[tuple[dt.date, Decimal]]:
    """The KPI's value from the period's first day to each day so far (one query on the daily
    rollup); an additive formula over running sums is the running value of the KPI."""
    last = min(today, period.end)
    if last < period.start:
        return []
    used = [key for key in spec.formula.metrics if key in METRIC_KEYS]
    rows = (
        DailyMetrics.objects.filter(person=person, day__gte=period.start, day__lte=last)
        .order_by("day")
        .values("day", *used)
    )
    by_day = {row["day"]: row for row in rows}
    totals = {key: 0 for key in used}
    out = []
    day = period.start
    while day <= last:
        row = by_day.get(day)
        if row is not None:
            for key in used:
                totals[key] += row[key] or 0
        natural = {key: METRICS[key].natural(stored) for key, stored in totals.items()}
        value = actual_of(spec, natural)
        out.append((day, value if value is not None else Decimal(0)))
        day += dt.timedelta(days=1)
    return out


# -- a team's grid -------------------------------------------------------------------------

SORT_NAME = "name"
SORT_SCORE = "score"


@dataclass
class TeamGrid:
    team: Team
    period: Period
    specs: list[KpiSpec]
    aggregate: Scorecard
    rows: list[Scorecard]
    members_shown: bool  # False for a rep: team-level aggregates only
    sort: str
    descending: bool


def team_grid(
    user: Any,
    org: Organization,
    team: Team,
    period: Period,
    *,
    today: dt.date,
    sort: str = SORT_NAME,
    descending: bool = False,
) -> TeamGrid:
    specs = kpi_specs(org, period)
    aggregate = team_scorecard(org, period, team, today=today, specs=specs)
    rows: list[Scorecard] = []
    # A rep sees their team's figures as a whole, never their teammates' rows.
    shown = can_compare_people(user)
    if shown:
        people = list(
            visible_people(user)
            .filter(team_id__in=team_subtree_ids(team), is_active=True)
            .select_related("team")
            .order_by("full_name", "id")
        )
        rows = person_scorecards(org, period, people, today=today, specs=specs)
    keys = {spec.key for spec in specs}
    if sort not in keys and sort != SORT_SCORE:
        sort = SORT_NAME
    return TeamGrid(
        team=team,
        period=period,
        specs=specs,
        aggregate=aggregate,
        rows=sort_cards(rows, sort, descending),
        members_shown=shown,
        sort=sort,
        descending=descending,
    )


def sort_cards(cards: list[Scorecard], sort: str, descending: bool) -> list[Scorecard]:
    """By name, by overall score, or by one KPI's attainment (its actual breaks ties); cards
    without the figure go last whichever the direction."""
    if sort == SORT_NAME:
        return sorted(cards, key=lambda c: c.name.lower(), reverse=descending)

    def figure(card: Scorecard) -> tuple[Decimal, Decimal] | None:
        if sort == SORT_SCORE:
            return None if card.score is None else (card.score, Decimal(0))
        result = card.result(sort)
        if result is None or (result.attainment is None and result.actual is None):
            return None
        return (
            result.attainment if result.attainment is not None else Decimal("-Infinity"),
            result.actual if result.actual is not None else Decimal("-Infinity"),
        )

    having = [c for c in cards if figure(c) is not None]
    missing = [c for c in cards if figure(c) is None]
    having.sort(key=lambda c: c.name.lower())
    having.sort(key=lambda c: figure(c) or (Decimal(0), Decimal(0)), reverse=descending)
    return having + sorted(missing, key=lambda c: c.name.lower())


# -- the org view --------------------------------------------------------------------------


@dataclass
class OrgView:
    period: Period
    specs: list[KpiSpec]
    org_card: Scorecard
    team_rows: list[tuple[int, Scorecard]]  # (depth, team card), in tree order


def org_view(user: Any, org: Organization, period: Period, *, today: dt.date) -> OrgView:
    specs = kpi_specs(org, period)
    targets = org_targets(org, period)
    card = org_scorecard(org, period, today=today, specs=specs, targets=targets)
    tree = flatten_tree(team_tree(user))
    cards = team_scorecards(
        org, period, [node.team for _depth, node in tree], today=today, specs=specs, targets=targets
    )
    rows = [(depth, team_card) for (depth, _node), team_card in zip(tree, cards, strict=True)]
    return OrgView(period=period, specs=specs, org_card=card, team_rows=rows)


# -- trends of teams and the organization -------------------------------------------------


def score_trends(
    org: Organization, periods: list[Period], teams: list[Team], today: dt.date, *, whole: bool
) -> tuple[list[Scorecard], dict[int, list[Scorecard]]]:
    """The organization's card (with `whole`) and each team's card in every one of `periods`,
    oldest first: the trends of the team and org views and of the home pages, in a few queries
    per period and none per team."""
    specs = kpi_specs_by_period(org, periods)
    whole_cards: list[Scorecard] = []
    by_team: dict[int, list[Scorecard]] = {team.pk: [] for team in teams}
    for period in periods:
        period_specs = specs[period.label]
        targets = org_targets(org, period)
        if whole:
            whole_cards.append(
                org_scorecard(org, period, today=today, specs=period_specs, targets=targets)
            )
        if teams:
            cards = team_scorecards(
                org, period, teams, today=today, specs=period_specs, targets=targets
            )
            for team, card in zip(teams, cards, strict=True):
                by_team[team.pk].append(card)
    return whole_cards, by_team


# -- leaderboards --------------------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    rank: int
    card: Scorecard
    previous_score: Decimal | None
    # The figure of `card`'s period that is ranked: its score on the score board, its pace
    # score on the improvement board (see `scoring.pace_score`).
    compared: Decimal | None = None

    @property
    def change(self) -> Decimal | None:
        if self.compared is None or self.previous_score is None:
            return None
        return self.compared - self.previous_score


@dataclass
class Leaderboard:
    period: Period
    previous: Period
    by_score: list[Standing]
    by_improvement: list[Standing]
    # Days of `period` gone by and in all: an improvement in a period still running compares
    # its pace with the previous period's final score.
    elapsed_days: int = 0
    period_days: int = 0

    @property
    def in_progress(self) -> bool:
        return 0 < self.elapsed_days < self.period_days


Row = tuple[Scorecard, Decimal | None, Decimal | None]  # (card, previous score, compared)


def _ranked(rows: list[Row], value: Any) -> list[Standing]:
    """Standard competition ranking (1, 2, 2, 4): equal figures share a rank. Each row is
    (card, previous score, compared figure); `value` gives what a row is ranked by."""
    ordered = sorted(rows, key=lambda r: r[0].name.lower())
    ordered.sort(key=value, reverse=True)
    out: list[Standing] = []
    ranked_by: list[Any] = []
    for index, row in enumerate(ordered):
        card, previous, compared = row
        rank = index + 1
        figure = value(row)
        if out and figure == ranked_by[-1]:
            rank = out[-1].rank
        out.append(Standing(rank=rank, card=card, previous_score=previous, compared=compared))
        ranked_by.append(figure)
    return out


def leaderboard(
    org: Organization, period: Period, *, today: dt.date, user: Any = None
) -> Leaderboard:
    """Active reps ranked by overall score (% to target), and by improvement: their pace score
    in `period` (`scoring.pace_score`; the score itself once the period has ended) less their
    final score in the period before, so a quarter under way is not set against a whole one. With
    `user`, only the reps that user may see (a manager ranks their own people); without, the
    whole org (the "everyone" setting publishes it to all)."""
    previous = shift(period, -1, org.fiscal_year_start_month)
    specs = kpi_specs_by_period(org, [period, previous])
    reps = Person.objects.filter(org=org, is_active=True, role=Role.REP)
    if user is not None:
        reps = reps.filter(pk__in=visible_people(user).values("pk"))
    people = list(reps.select_related("team").order_by("full_name", "id"))
    now = person_scorecards(org, period, people, today=today, specs=specs[period.label])
    before = person_scorecards(org, previous, people, today=today, specs=specs[previous.label])
    earlier = {card.person.pk: card.score for card in before if card.person is not None}
    scored: list[Row] = [(card, None, card.score) for card in now if card.score is not None]
    moved: list[Row] = []
    for card in now:
        previous_score = earlier.get(card.person.pk if card.person else 0)
        on_pace = pace_score(card.results)
        if previous_score is not None and on_pace is not None:
            moved.append((card, previous_score, on_pace))
    return Leaderboard(
        period=period,
        previous=previous,
        by_score=_ranked(scored, lambda r: r[2]),
        by_improvement=_ranked(moved, lambda r: r[2] - r[1]),
        elapsed_days=period.elapsed_days(today),
        period_days=period.days,
    )


# -- home page -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    period: Period
    score: Decimal | None
    counts: list[tuple[str, int]]  # (status, how many KPIs), in STATUS_ORDER
    with_target: int


def person_summary(org: Organization, person: Person, *, today: dt.date) -> Summary:
    period = period_of(org, None)
    card = person_scorecards(org, period, [person], today=today)[0]
    counts = {status: 0 for status in STATUS_ORDER}
    for result in card.results:
        if result.status in counts:
            counts[result.status] += 1
    return Summary(
        period=period,
        score=card.score,
        counts=[(status, counts[status]) for status in STATUS_ORDER],
        with_target=sum(1 for r in card.results if r.target is not None),
    )


# -- where "Scorecards" lands ----------------------------------------------------------------


def scorecard_landing(user: Any, org: Organization, me: Person, period: Period) -> str | None:
    """The page a manager, director, executive or admin without targets of their own in
    `period` opens on instead of an empty "My KPIs": the organization for those who read it
    all, else their own team. None: their own dashboard (a rep's always is)."""
    if not can_compare_people(user):
        return None
    if Target.objects.filter(org=org, person=me, period_label=period.label).exists():
        return None
    if can_read_all(user):
        return reverse("kpis:org")
    team = me.team
    if team is not None and can_view_team_scorecard(user, team):
        return reverse("kpis:team", args=[team.pk])
    return None
