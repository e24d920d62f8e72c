"""Scorecards of people, teams and the organization, in a constant number of queries however
many subjects a page shows (`person_scorecards`, `team_scorecards`), and a person's trend."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from charter.core.periods import Period
from charter.kpis.cascade import Family
from charter.kpis.metrics import METRIC_KEYS
from charter.kpis.models import MonthlyMetrics, PeriodClose, ScorecardSnapshot, TargetRevision
from charter.kpis.scoring import KpiResult, KpiSpec, Revision, Scorer, prorate, weighted_score
from charter.kpis.selectors.calendar import org_today
from charter.kpis.selectors.closed import freeze, with_closing
from charter.kpis.selectors.definitions import kpi_specs
from charter.kpis.selectors.subjects import ORG, PERSON, TEAM, Scorecard
from charter.kpis.selectors.sums import (
    contributed_by_month,
    contributed_zeros,
    metric_sums_by_person,
    metric_sums_by_team,
    metric_sums_for_org,
    metric_sums_for_team,
    natural,
    period_metric_sums,
    uses_period_metrics,
)
from charter.kpis.selectors.targets import (
    Rolled,
    TargetBook,
    Targets,
    book_of,
    org_targets,
    rolled_target,
    target_book,
    team_targets,
)
from charter.org.models import Organization, Person, Team
from charter.org.selectors import subtree_of, team_children

_ZERO = Decimal(0)


def _results(
    specs: Sequence[KpiSpec],
    metrics: dict[str, Decimal],
    rolled: dict[str, Rolled],
    period: Period,
    today: dt.date,
) -> list[KpiResult]:
    targets = {key: value for key, (value, _source) in rolled.items()}
    sources = {key: source for key, (_value, source) in rolled.items()}
    return Scorer(specs, period, today).results(metrics, targets, sources)


def person_scorecards(
    org: Organization,
    period: Period,
    people: Sequence[Person],
    *,
    today: dt.date | None = None,
    specs: Sequence[KpiSpec] | None = None,
    targets: TargetBook | None = None,
) -> list[Scorecard]:
    """Scorecards of many people in a constant number of queries (`targets`: from
    `org_targets`, read once for a whole page)."""
    today = today or org_today(org)
    specs = list(specs) if specs is not None else kpi_specs(org, period)
    ids = [p.pk for p in people]
    sums = metric_sums_by_person(ids, period)
    if uses_period_metrics(specs):
        for pk, values in period_metric_sums(org, {pk: [pk] for pk in ids}, period, today).items():
            sums[pk].update(values)
    if targets is None:
        targets = target_book(org, period, person_ids=ids)
    additive = {spec.key: spec.additive for spec in specs}
    cards = []
    scorer = Scorer(specs, period, today)
    for person in people:
        own, sources = targets.targets_of((PERSON, person.pk), additive)
        results = scorer.results(sums[person.pk], own, sources)
        cards.append(Scorecard(PERSON, period, results, weighted_score(results), person=person))
    return with_closing(org, period, cards)


def team_scorecard(
    org: Organization,
    period: Period,
    team: Team,
    *,
    today: dt.date | None = None,
    specs: Sequence[KpiSpec] | None = None,
) -> Scorecard:
    """A team (with every team under it) from its summed metrics: a team win rate is the
    team's won ÷ (won + lost), not an average of its members' rates."""
    today = today or org_today(org)
    specs = list(specs) if specs is not None else kpi_specs(org, period)
    children = team_children(org.pk)
    subtree = subtree_of(children, team.pk)
    metrics = metric_sums_for_team(subtree, period)
    if uses_period_metrics(specs):
        members = list(Person.objects.filter(team_id__in=subtree).values_list("pk", flat=True))
        metrics.update(period_metric_sums(org, {team.pk: members}, period, today)[team.pk])
    targets = team_targets(org, period, team, subtree, specs, children=children)
    results = _results(specs, metrics, targets, period, today)
    card = Scorecard(TEAM, period, results, weighted_score(results), team=team)
    return with_closing(org, period, [card])[0]


def team_scorecards(
    org: Organization,
    period: Period,
    teams: Sequence[Team],
    *,
    today: dt.date | None = None,
    specs: Sequence[KpiSpec] | None = None,
    targets: TargetBook | None = None,
) -> list[Scorecard]:
    """`team_scorecard` for many teams in a constant number of queries (the org view, closing
    a period), with the same figures."""
    today = today or org_today(org)
    specs = list(specs) if specs is not None else kpi_specs(org, period)
    children = team_children(org.pk)
    sums = metric_sums_by_team(org, period, children)
    members: dict[int | None, list[int]] = defaultdict(list)
    for pk, team_id in Person.objects.filter(org=org).order_by("pk").values_list("pk", "team_id"):
        members[team_id].append(pk)
    found = targets if targets is not None else org_targets(org, period)
    if uses_period_metrics(specs):
        groups = {
            team.pk: [pk for t in subtree_of(children, team.pk) for pk in members.get(t, [])]
            for team in teams
        }
        for team_id, values in period_metric_sums(org, groups, period, today).items():
            sums.setdefault(team_id, natural({})).update(values)
    cards = []
    scorer = Scorer(specs, period, today)
    memos: dict[str, dict[int | None, Rolled]] = {spec.key: {} for spec in specs}
    for team in teams:
        rolled = {
            spec.key: rolled_target(spec, team.pk, children, members, found, set(), memos[spec.key])
            for spec in specs
        }
        results = scorer.results(
            sums.get(team.pk, natural({})),
            {key: value for key, (value, _source) in rolled.items()},
            {key: source for key, (_value, source) in rolled.items()},
        )
        cards.append(Scorecard(TEAM, period, results, weighted_score(results), team=team))
    return with_closing(org, period, cards)


def org_scorecard(
    org: Organization,
    period: Period,
    *,
    today: dt.date | None = None,
    specs: Sequence[KpiSpec] | None = None,
    targets: TargetBook | None = None,
) -> Scorecard:
    """The whole organization. For additive KPIs its target is what the top-level teams'
    targets (each its own or its parts', see `team_targets`) and the targets of people in no
    team add up to; its actuals count everyone, so everyone's target counts too."""
    today = today or org_today(org)
    specs = list(specs) if specs is not None else kpi_specs(org, period)
    metrics = metric_sums_for_org(org, period)
    if uses_period_metrics(specs):
        everyone = list(Person.objects.filter(org=org).values_list("pk", flat=True))
        metrics.update(period_metric_sums(org, {None: everyone}, period, today)[None])
    children = team_children(org.pk)
    every_team = {pk for group in children.values() for pk in group}
    rolled = team_targets(org, period, None, every_team, specs, children=children, book=targets)
    results = _results(specs, metrics, rolled, period, today)
    card = Scorecard(ORG, period, results, weighted_score(results))
    return with_closing(org, period, [card])[0]


def person_trend(
    org: Organization,
    person: Person,
    periods: Sequence[Period],
    *,
    today: dt.date,
    specs: dict[str, list[KpiSpec]],
) -> list[Scorecard]:
    """One person's scorecards over several periods (a dashboard's trend) in five queries,
    however many periods: the monthly sums (the CRM's, then the contributed metrics'), the
    target revisions, the closes and the frozen scorecards are each read once for all. (A KPI
    over a per-period metric, learning compliance, computes it for each period.)"""
    if not periods:
        return []
    first = min(p.start for p in periods)
    last = max(p.end for p in periods)
    by_month = {
        row["month"]: natural(dict(row))
        for row in MonthlyMetrics.objects.filter(
            person=person, month__gte=first, month__lte=last
        ).values("month", *METRIC_KEYS)
    }
    for month, contributed in contributed_by_month(person, first, last).items():
        by_month.setdefault(month, natural({})).update(contributed)
    labels = [p.label for p in periods]
    # Each period's family too (its months, its fiscal year): a quarter's target may be its
    # months' added up, a month's a share of its year's.
    families = {p.label: Family.of(p, org.fiscal_year_start_month) for p in periods}
    related = {q.label: q for family in families.values() for q in family.members()}
    revisions: dict[tuple[str, str], list[Revision]] = defaultdict(list)
    for label, kpi_key, value, effective_from, reason, email in (
        TargetRevision.objects.filter(
            target__org=org, target__person=person, target__period_label__in=list(related)
        )
        .order_by("target_id", "id")
        .values_list(
            "target__period_label",
            "target__kpi__key",
            "value",
            "effective_from",
            "reason",
            "created_by__email",
        )
    ):
        revisions[(label, kpi_key)].append(
            Revision(value=value, effective_from=effective_from, reason=reason, author=email or "")
        )
    closes = {c.label: c for c in PeriodClose.objects.filter(org=org, label__in=labels)}
    snapshots = (
        {
            s.close_id: s
            for s in ScorecardSnapshot.objects.filter(
                close__in=list(closes.values()), subject=PERSON, person=person
            )
        }
        if closes
        else {}
    )
    set_targets: dict[str, Targets] = {}
    for (label, kpi_key), by_date in revisions.items():
        target = prorate(by_date, related[label])
        if target is not None:
            set_targets.setdefault(label, {}).setdefault((PERSON, person.pk), {})[kpi_key] = target
    zero = natural({}) | contributed_zeros()
    cards = []
    for period in periods:
        metrics = dict(zero)
        for month in period.months():
            found = by_month.get(month)
            if found is not None:
                metrics = {key: metrics[key] + found.get(key, _ZERO) for key in metrics}
        period_specs = specs.get(period.label, [])
        if uses_period_metrics(period_specs):
            metrics.update(period_metric_sums(org, {0: [person.pk]}, period, today)[0])
        book = book_of(org, families[period.label], set_targets)
        targets, sources = book.targets_of(
            (PERSON, person.pk), {spec.key: spec.additive for spec in period_specs}
        )
        results = Scorer(period_specs, period, today).results(metrics, targets, sources)
        card = Scorecard(PERSON, period, results, weighted_score(results), person=person)
        closed = closes.get(period.label)
        if closed is not None:
            freeze(card, closed, snapshots.get(closed.pk))
        cards.append(card)
    return cards
