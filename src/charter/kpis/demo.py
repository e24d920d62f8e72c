"""The demo company's targets: a quota for every rep and every team, this quarter, the three
before it, each month of this one and this fiscal year, set from what each of them actually
sold before; one
target raised mid-quarter with a reason; the past quarters closed, and one deal of the last
closed quarter corrected afterwards so the scorecards show a restatement.

Quotas come from history the way a sales manager sets them: last year's quarterly average,
times the season and some growth. Quarters vary, so reps end up spread from well behind to far
ahead; the demo makes sure that whole range is visible (see `_spread`), because that is what the
pages are built to explain.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

from charter.core.demo import DemoContext
from charter.core.periods import MONTH, QUARTER, YEAR, Period, period_containing, shift
from charter.core.registry import demo_builder
from charter.crm import services as crm_services
from charter.crm.models import Deal, DealStage
from charter.kpis import services
from charter.kpis.demo_clock import backdate_revisions
from charter.kpis.metrics import METRIC_KEYS, METRICS
from charter.kpis.models import KpiDefinition, MonthlyMetrics
from charter.kpis.scoring import kpi_result
from charter.kpis.selectors.definitions import kpi_specs
from charter.kpis.selectors.scorecards import person_scorecards
from charter.kpis.selectors.subjects import Scorecard
from charter.kpis.selectors.sums import metric_sums_by_person
from charter.org.models import Person, Team
from charter.org.selectors import team_subtree_ids

# The KPIs every rep and team gets a target for.
QUOTA_KPIS = (
    "revenue_won",
    "deals_won",
    "win_rate",
    "pipeline_created",
    "activities_meetings",
    "activities_calls",
    "csat_avg",
)
MONEY_KPIS = ("revenue_won", "pipeline_created")
COUNT_KPIS = ("deals_won", "activities_meetings", "activities_calls")
HISTORY_QUARTERS = 4
PAST_QUARTERS = 3
# Each quarter a manager asks for a little more than last year's average; how much differs.
GROWTH_STEPS = (Decimal("1.05"), Decimal("1.10"), Decimal("1.15"), Decimal("1.20"))
ACTIVITY_GROWTH = Decimal("1.05")
WIN_RATE_STRETCH = Decimal(2)  # points above the rep's own rate
WIN_RATE_FLOOR, WIN_RATE_CEILING = Decimal(15), Decimal(50)
WIN_RATE_DEFAULT = Decimal(25)
CSAT_TARGET = Decimal("4.3")  # the bar the company's expectations document sets
# Someone without a quarter of history yet starts at half a typical quota while they ramp, and
# nobody's quota is lower than that.
RAMP = Decimal("0.5")
SEASON_MIN, SEASON_MAX = Decimal("0.6"), Decimal("1.4")
# The range the demo must show on revenue: someone under LOW, someone over HIGH.
LOW, HIGH = Decimal("0.7"), Decimal("1.5")
LOW_SET, HIGH_SET = Decimal("0.62"), Decimal("1.65")
CHANGED_REP = "rep.americas_enterprise.1"
RAISE = Decimal("1.25")
CHANGE_REASON = (
    "Territory expanded: took over the Pacific Northwest accounts (Harbor Outfitters, "
    "Cascade Supply) from the open seat"
)
CORRECTION = Decimal("0.9")


@dataclass(frozen=True)
class History:
    """What a rep or a team did in the quarters before a quota is set: the metric sums (natural
    units) and how many of those quarters they were selling in."""

    sums: Mapping[str, Decimal]
    quarters: int


def _round_to(value: Decimal, step: int, rounding: str = ROUND_HALF_UP) -> Decimal:
    return (value / step).quantize(Decimal(1), rounding=rounding) * step


def quota(
    history: History, growth: Decimal, season: Mapping[str, Decimal] | None = None
) -> dict[str, Decimal] | None:
    """The quarterly targets a manager would set from this history, or None without any:
    the quarterly average of what adds up times `growth` and the quarter's `season` factor
    (per metric; 1 when not given), the rep's own win rate plus a little, the company's CSAT
    bar."""
    if history.quarters <= 0:
        return None
    quarters = Decimal(history.quarters)
    sums = history.sums
    factors = season or {}

    def average(key: str, factor: Decimal) -> Decimal:
        return sums.get(key, Decimal(0)) / quarters * factor * factors.get(key, Decimal(1))

    won, lost = sums.get("deals_won_count", Decimal(0)), sums.get("deals_lost_count", Decimal(0))
    rate = won / (won + lost) * 100 if won + lost else WIN_RATE_DEFAULT
    rate = _round_to((rate + WIN_RATE_STRETCH) * 2, 1) / 2  # to the half point
    return {
        "revenue_won": max(Decimal(1000), _round_to(average("deals_won_amount", growth), 1000)),
        "deals_won": max(Decimal(1), _round_to(average("deals_won_count", growth), 1)),
        "win_rate": min(WIN_RATE_CEILING, max(WIN_RATE_FLOOR, rate)),
        "pipeline_created": max(
            Decimal(1000), _round_to(average("pipeline_created_amount", growth), 1000)
        ),
        "activities_meetings": max(
            Decimal(1), _round_to(average("activities_meeting_count", ACTIVITY_GROWTH), 1)
        ),
        "activities_calls": max(
            Decimal(1), _round_to(average("activities_call_count", ACTIVITY_GROWTH), 1)
        ),
        "csat_avg": CSAT_TARGET,
    }


def ramp_quota(typical: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """A new rep's quota: part of a typical one for what adds up, the same rates."""
    out = dict(typical)
    for key in MONEY_KPIS:
        out[key] = max(Decimal(1000), _round_to(typical[key] * RAMP, 1000))
    for key in COUNT_KPIS:
        out[key] = max(Decimal(1), _round_to(typical[key] * RAMP, 1))
    return out


def at_least(chosen: Mapping[str, Decimal], floor: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """No quota below the ramp quota: a thin or partial history (someone hired late in a
    quarter) would otherwise give a quota nobody would set."""
    out = dict(chosen)
    for key in (*MONEY_KPIS, *COUNT_KPIS):
        out[key] = max(chosen[key], floor[key])
    return out


def month_share(key: str, value: Decimal, month: Period, quarter: Period) -> Decimal:
    """A month's part of a quarterly target: by days for what adds up, the same for a rate."""
    if key in MONEY_KPIS:
        return max(Decimal(100), _round_to(value * month.days / quarter.days, 100))
    if key in COUNT_KPIS:
        return max(Decimal(1), _round_to(value * month.days / quarter.days, 1))
    return value


def year_quota(
    quarterly: Mapping[str, Mapping[str, Decimal]], year_quarters: Sequence[Period], current: Period
) -> dict[str, Decimal] | None:
    """A fiscal year's targets from its quarters' quotas, so the year and its quarters agree:
    what adds up is the sum of the four quarters, a rate their average (a win rate to the half
    point). A quarter without a quota yet (one still to come) counts with the current quarter's:
    the year's plan assumes today's quota holds. None without a current quota."""
    now = quarterly.get(current.label)
    if now is None:
        return None
    parts = [quarterly.get(quarter.label) or now for quarter in year_quarters]
    out = {}
    for key in QUOTA_KPIS:
        values = [part[key] for part in parts]
        if key in (*MONEY_KPIS, *COUNT_KPIS):
            out[key] = sum(values, Decimal(0))
        else:
            average = sum(values, Decimal(0)) / len(values)
            out[key] = _round_to(average * 2, 1) / 2 if key == "win_rate" else average
    return out


def median(values: Sequence[Decimal]) -> Decimal:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


# -- history -------------------------------------------------------------------------------

Months = dict[int, dict[dt.date, list[int]]]  # person id -> month -> stored metric values


def _monthly(org: Any) -> Months:
    out: Months = defaultdict(dict)
    rows = (
        MonthlyMetrics.objects.filter(person__org=org)
        .order_by()
        .values_list("person_id", "month", *METRIC_KEYS)
    )
    for person_id, month, *values in rows:
        out[person_id][month] = values
    return out


def _window(months: Months, person_ids: Iterable[int], window: Period) -> list[int]:
    totals = [0] * len(METRIC_KEYS)
    for person_id in person_ids:
        for month, values in months.get(person_id, {}).items():
            if window.start <= month <= window.end:
                totals = [a + b for a, b in zip(totals, values, strict=True)]
    return totals


def _windows(quarter: Period, fy: int) -> list[Period]:
    """The HISTORY_QUARTERS quarters before `quarter`, oldest (the same quarter a year ago)
    first."""
    return [shift(quarter, -step, fy) for step in range(HISTORY_QUARTERS, 0, -1)]


def _natural(totals: Sequence[int]) -> dict[str, Decimal]:
    return {
        key: METRICS[key].natural(total) for key, total in zip(METRIC_KEYS, totals, strict=True)
    }


def _history(months: Months, person_ids: Iterable[int], quarter: Period, fy: int) -> History:
    """The people's sums over the quarters before `quarter`, and in how many of those quarters
    they did anything at all."""
    ids = list(person_ids)
    per_window = [_window(months, ids, window) for window in _windows(quarter, fy)]
    totals = [sum(column) for column in zip(*per_window, strict=True)]
    active = sum(1 for found in per_window if any(found))
    return History(sums=_natural(totals), quarters=active)


def seasons(per_window: Sequence[Mapping[str, Decimal]]) -> dict[str, Decimal]:
    """How a quarter compares with an average one, per metric: the company's figure for the
    same quarter a year earlier (the first window) over its average quarter of that year. Summer and
    December are slow; a quota that ignored it would put the whole floor behind every Q3."""
    out = {}
    for key in METRIC_KEYS:
        average = sum((found[key] for found in per_window), Decimal(0)) / len(per_window)
        factor = per_window[0][key] / average if average else Decimal(1)
        out[key] = min(SEASON_MAX, max(SEASON_MIN, factor))
    return out


# -- building ------------------------------------------------------------------------------


@dataclass
class Plan:
    """The quarterly targets chosen for every rep and team, before they are written."""

    reps: dict[int, dict[str, dict[str, Decimal]]]  # person id -> quarter label -> kpi -> value
    teams: dict[int, dict[str, dict[str, Decimal]]]  # team id -> …


def _plan(ctx: DemoContext, reps: list[Person], teams: list[Team], quarters: list[Period]) -> Plan:
    fy = ctx.org.fiscal_year_start_month
    months = _monthly(ctx.org)
    plan = Plan(reps=defaultdict(dict), teams=defaultdict(dict))
    everybody = list(months)
    for quarter in quarters:
        season = seasons(
            [_natural(_window(months, everybody, window)) for window in _windows(quarter, fy)]
        )
        by_team: dict[int | None, list[dict[str, Decimal]]] = defaultdict(list)
        for rep in reps:
            growth = ctx.rng.choice(GROWTH_STEPS)
            chosen = quota(_history(months, [rep.pk], quarter, fy), growth, season)
            if chosen is None:
                continue
            plan.reps[rep.pk][quarter.label] = chosen
            by_team[rep.team_id].append(chosen)
        everyone = [q for found in by_team.values() for q in found]
        for rep in reps:
            peers = by_team.get(rep.team_id) or everyone
            if not peers:
                continue  # no sales history anywhere: nothing to set quotas from
            floor = ramp_quota({key: median([q[key] for q in peers]) for key in QUOTA_KPIS})
            own = plan.reps[rep.pk].get(quarter.label)
            plan.reps[rep.pk][quarter.label] = floor if own is None else at_least(own, floor)
        for team in teams:
            members = Person.objects.filter(team_id__in=team_subtree_ids(team))
            ids = list(members.values_list("pk", flat=True))
            growth = ctx.rng.choice(GROWTH_STEPS)
            chosen = quota(_history(months, ids, quarter, fy), growth, season)
            if chosen is not None:
                plan.teams[team.pk][quarter.label] = chosen
    return plan


def _revenue_projection(
    ctx: DemoContext, reps: list[Person], quarter: Period, targets: Mapping[int, Decimal]
) -> dict[int, tuple[Decimal | None, Decimal | None]]:
    """Each rep's revenue forecast for the quarter and its attainment against `targets`."""
    spec = next(s for s in kpi_specs(ctx.org, quarter) if s.key == "revenue_won")
    sums = metric_sums_by_person([r.pk for r in reps], quarter)
    out = {}
    for rep in reps:
        result = kpi_result(spec, sums[rep.pk], targets.get(rep.pk), quarter, ctx.today)
        out[rep.pk] = (result.forecast, result.forecast_attainment)
    return out


def _spread(
    ctx: DemoContext, reps: list[Person], quarter: Period, plan: Plan, keep: set[int]
) -> list[str]:
    """Make sure someone is under LOW and someone over HIGH on revenue in `quarter` (projected
    to its end), by resetting the quota of whoever is already nearest each end: a quota set from
    a year the territory could not repeat, or one set before a big account moved over. Reps in
    `keep` are left as planned. Returns what was changed, for the log."""
    targets = {r.pk: plan.reps[r.pk][quarter.label]["revenue_won"] for r in reps}
    projected = _revenue_projection(ctx, reps, quarter, targets)
    candidates = [r for r in reps if r.pk not in keep and projected[r.pk][1] is not None]
    changed: list[str] = []
    by_attainment = sorted(candidates, key=lambda r: (projected[r.pk][1], r.pk))
    attainments = [projected[r.pk][1] for r in candidates]
    low = high = None
    if by_attainment and min(a for a in attainments if a is not None) >= LOW:
        low = by_attainment[0]
        forecast = projected[low.pk][0] or Decimal(0)
        target = max(Decimal(1000), _round_to(forecast / LOW_SET, 1000, ROUND_CEILING))
        plan.reps[low.pk][quarter.label]["revenue_won"] = target
        changed.append(f"{low.full_name} {quarter.label} revenue quota {target:,.0f} (behind)")
    if by_attainment and max(a for a in attainments if a is not None) <= HIGH:
        high = next(
            (r for r in reversed(by_attainment) if r != low and (projected[r.pk][0] or 0) > 0),
            None,
        )
        if high is not None:
            forecast = projected[high.pk][0] or Decimal(0)
            target = _round_to(forecast / HIGH_SET, 1000, ROUND_FLOOR)
            if target > 0:
                plan.reps[high.pk][quarter.label]["revenue_won"] = target
                changed.append(
                    f"{high.full_name} {quarter.label} revenue quota {target:,.0f} (ahead)"
                )
    return changed


def _setters(ctx: DemoContext) -> tuple[dict[int, Any], dict[int, Any]]:
    """Who sets whose targets: a rep's manager for the rep; the regional director for a team;
    the executive for a region."""
    admin = ctx.people.get("admin")
    fallback = admin.user if admin is not None else None
    executive = ctx.people.get("executive")
    top = executive.user if executive is not None else fallback
    managers = {p.team_id: p for k, p in ctx.people.items() if k.startswith("manager.")}
    by_rep = {}
    for key, person in ctx.people.items():
        if key.startswith("rep."):
            manager = managers.get(person.team_id)
            by_rep[person.pk] = manager.user if manager is not None else fallback
    by_team = {}
    directors = {p.team_id: p for k, p in ctx.people.items() if k.startswith("director.")}
    for team in ctx.teams.values():
        director = directors.get(team.parent_id)
        by_team[team.pk] = director.user if director is not None else top
    return by_rep, by_team


def _write(
    ctx: DemoContext,
    kpis: Mapping[str, KpiDefinition],
    subject: dict[str, Any],
    actor: Any,
    quarterly: Mapping[str, Mapping[str, Decimal]],
    quarters: list[Period],
    months: list[Period],
) -> int:
    written = 0
    current = quarters[-1]
    for quarter in quarters:
        values = quarterly.get(quarter.label)
        if values is None:
            continue
        for key in QUOTA_KPIS:
            services.target_set(
                org=ctx.org,
                kpi=kpis[key],
                period=quarter,
                value=values[key],
                actor=actor,
                **subject,
            )
            written += 1
    values = quarterly.get(current.label)
    for month in months if values is not None else []:
        assert values is not None
        for key in QUOTA_KPIS:
            services.target_set(
                org=ctx.org,
                kpi=kpis[key],
                period=month,
                value=month_share(key, values[key], month, current),
                actor=actor,
                **subject,
            )
            written += 1
    return written


def _write_year(
    ctx: DemoContext,
    kpis: Mapping[str, KpiDefinition],
    subject: dict[str, Any],
    actor: Any,
    quarterly: Mapping[str, Mapping[str, Decimal]],
    current: Period,
) -> int:
    """The fiscal year's targets (see `year_quota`); returns how many were set."""
    fy = ctx.org.fiscal_year_start_month
    year = period_containing(current.start, YEAR, fy)
    year_quarters = [period_containing(month, QUARTER, fy) for month in year.months()[::3]]
    values = year_quota(quarterly, year_quarters, current)
    if values is None:
        return 0
    for key in QUOTA_KPIS:
        services.target_set(
            org=ctx.org, kpi=kpis[key], period=year, value=values[key], actor=actor, **subject
        )
    return len(QUOTA_KPIS)


def _change_date(quarter: Period, today: dt.date) -> dt.date:
    """A day inside the quarter, after its first: the start of its second month when that has
    come, else halfway to today."""
    second_month = quarter.months()[1]
    if second_month <= today:
        return second_month
    return quarter.start + dt.timedelta(days=max(1, (today - quarter.start).days // 2))


def _correct_a_closed_deal(ctx: DemoContext, reps: list[Person], quarter: Period) -> Deal | None:
    """The customer's final order for the biggest deal of the closed quarter came in under what
    the CRM said; the next CRM import carries the new amount."""
    deal = (
        Deal.objects.filter(
            org=ctx.org,
            owner__in=reps,
            stage=DealStage.WON,
            close_date__gte=quarter.start,
            close_date__lte=quarter.end,
        )
        .order_by("-amount_reporting", "external_id")
        .first()
    )
    if deal is None:
        return None
    amount = _round_to(deal.amount_reporting * CORRECTION, 100)
    row = {
        "external_id": deal.external_id,
        "owner_id": deal.owner_id,
        "owner_raw": deal.owner_raw,
        "owner_key": deal.owner_key,
        "stage": deal.stage,
        "raw_stage": deal.raw_stage,
        "amount": amount,
        "currency": deal.currency,
        "amount_reporting": amount,
        "created_date": deal.created_date,
        "close_date": deal.close_date,
    }
    crm_services.facts_upsert(model=Deal, org=ctx.org, source=deal.source, rows=[row], run=None)
    return deal


def _range(values: Iterable[Decimal | None]) -> str:
    found = [v for v in values if v is not None]
    if not found:
        return "no figures"
    under = sum(1 for v in found if v < LOW)
    over = sum(1 for v in found if v > HIGH)
    return (
        f"{min(found) * 100:.0f}% to {max(found) * 100:.0f}% "
        f"({under} under {LOW * 100:.0f}%, {over} over {HIGH * 100:.0f}%)"
    )


@demo_builder("kpis", order=40)
def build_kpis(ctx: DemoContext) -> None:
    org = ctx.org
    fy = org.fiscal_year_start_month
    current = period_containing(ctx.today, QUARTER, fy)
    quarters = [shift(current, -step, fy) for step in range(PAST_QUARTERS, -1, -1)]
    months = [period_containing(day, MONTH, fy) for day in current.months()]
    closed = quarters[-2]
    kpis = {d.key: d for d in KpiDefinition.objects.filter(org=org, key__in=QUOTA_KPIS)}
    reps = sorted(
        (p for key, p in ctx.people.items() if key.startswith("rep.")), key=lambda p: p.pk
    )
    teams = sorted(ctx.teams.values(), key=lambda t: t.pk)
    plan = _plan(ctx, reps, teams, quarters)
    changed_rep = ctx.people.get(CHANGED_REP) or reps[0]
    adjusted = _spread(ctx, reps, closed, plan, keep=set())
    adjusted += _spread(ctx, reps, current, plan, keep={changed_rep.pk})

    by_rep, by_team = _setters(ctx)
    written = 0
    for rep in reps:
        written += _write(
            ctx, kpis, {"person": rep}, by_rep.get(rep.pk), plan.reps[rep.pk], quarters, months
        )
        written += _write_year(
            ctx, kpis, {"person": rep}, by_rep.get(rep.pk), plan.reps[rep.pk], current
        )
    for team in teams:
        written += _write(
            ctx, kpis, {"team": team}, by_team.get(team.pk), plan.teams[team.pk], quarters, months
        )
        written += _write_year(
            ctx, kpis, {"team": team}, by_team.get(team.pk), plan.teams[team.pk], current
        )

    before = plan.reps[changed_rep.pk][current.label]["revenue_won"]
    raised = _round_to(before * RAISE, 1000)
    when = _change_date(current, ctx.today)
    services.target_set(
        org=org,
        kpi=kpis["revenue_won"],
        period=current,
        value=raised,
        actor=by_rep.get(changed_rep.pk),
        person=changed_rep,
        effective_from=when,
        reason=CHANGE_REASON,
    )

    backdate_revisions(org=org)

    admin = ctx.people.get("admin")
    for quarter in quarters[:-1]:
        services.period_close(org=org, period=quarter, actor=admin.user if admin else None)
    corrected = _correct_a_closed_deal(ctx, reps, closed)

    closed_cards = person_scorecards(org, closed, reps)
    current_cards = person_scorecards(org, current, reps)

    def revenue(card: Scorecard, field: str) -> Decimal | None:
        result = card.result("revenue_won")
        return getattr(result, field) if result is not None else None

    ctx.log(
        f"demo: {written + 1:,} KPI targets for {len(reps)} reps and {len(teams)} teams "
        f"({quarters[0].label} to {current.label}, the months of {current.label} and "
        f"{period_containing(current.start, YEAR, fy).label}); "
        f"{changed_rep.full_name}'s revenue target raised from {before:,.0f} to {raised:,.0f} "
        f"on {when.isoformat()}; closed {', '.join(q.label for q in quarters[:-1])}"
    )
    ctx.log(
        f"demo: revenue attainment {closed.label} (closed): "
        f"{_range(revenue(c, 'attainment') for c in closed_cards)}; {current.label} projected: "
        f"{_range(revenue(c, 'forecast_attainment') for c in current_cards)}"
        + (f"; quotas reset to show the range: {'; '.join(adjusted)}" if adjusted else "")
    )
    if corrected is not None:
        ctx.log(
            f"demo: deal {corrected.external_id} of {closed.label} corrected after close "
            f"({corrected.amount_reporting:,.0f} → "
            f"{_round_to(corrected.amount_reporting * CORRECTION, 100):,.0f}): a restatement"
        )
