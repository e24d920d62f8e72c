"""What the KPI engine puts on a 1:1's agenda (`core.registry.agenda_source`): the report's KPIs
that moved most since the pair's last 1:1, and those behind pace in the current quarter with
their gap in the KPI's unit, each linked to the explain page behind the figure.

Both read the report's scorecard as the scorecard pages do (`person_scorecards`), and "behind
pace" is the manager home's rule (`attention.shortfall`), so the agenda never disagrees with the
page it links to. A constant number of queries whatever the number of KPIs.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.urls import reverse

from charter.core.periods import QUARTER, Period, period_containing
from charter.core.registry import AgendaItem, agenda_source
from charter.kpis.attention import shortfall
from charter.kpis.scoring import AT_RISK, BEHIND, KpiResult, Scorer
from charter.kpis.selectors.definitions import kpi_specs
from charter.kpis.selectors.scorecards import person_scorecards
from charter.kpis.selectors.subjects import Scorecard
from charter.kpis.selectors.sums import period_metric_sums, person_sums_through, uses_period_metrics
from charter.kpis.templatetags.kpis_format import kpi_value, number, percent
from charter.kpis.templatetags.kpis_scorecards import points
from charter.org.access import can_view_person, one_on_one_reader
from charter.org.models import Person

SOURCE = "kpis"
# Without a previous 1:1, "moved" is measured over this many days.
FIRST_LOOK_DAYS = 30
MOVERS = 3
# Behind pace asks for more attention than at risk, and both more than a mere move.
WEIGHT_BEHIND = 40
WEIGHT_AT_RISK = 30
WEIGHT_MOVED = 20


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def _in_unit(value: Decimal | None, result: KpiResult, currency: str) -> str:
    return kpi_value(value, result.spec.unit, result.spec.decimals, currency)


def _gap(value: Decimal, result: KpiResult, currency: str) -> str:
    # A difference of scores is a number of points, not a score out of 5.
    if result.spec.unit == "points":
        return f"{number(value, result.spec.decimals)} points"
    return _in_unit(value, result, currency)


def explain_url(person: Person, key: str, period: Period) -> str:
    return reverse("kpis:explain_person", args=[person.pk, key]) + f"?period={period.label}"


def scorecard_through(card: Scorecard, person: Person, day: dt.date) -> list[KpiResult]:
    """`card`'s KPIs as they stood at the end of `day`: the facts dated up to it, scored on that
    day against the same targets (today's), so a change between the two is what was achieved,
    not a target revised in between."""
    period, specs = card.period, [r.spec for r in card.results]
    sums = person_sums_through(person.pk, period, day)
    if uses_period_metrics(specs):
        sums.update(period_metric_sums(person.org, {0: [person.pk]}, period, day)[0])
    targets = {r.key: r.target for r in card.results}
    sources = {r.key: r.target_source for r in card.results}
    return Scorer(specs, period, day).results(sums, targets, sources)


def _behind(card: Scorecard, report: Person, currency: str) -> list[AgendaItem]:
    results = [r for r in card.results if r.target is not None and r.status in (AT_RISK, BEHIND)]
    results.sort(key=lambda r: (r.pace is None, r.pace or 0, r.spec.name))
    items = []
    for result in results:
        spec, gap = result.spec, shortfall(card, result)
        if gap.short_by is not None:
            title = f"{spec.name}: {_gap(gap.short_by, result, currency)}"
            title += " behind pace" if spec.additive else " short of target"
        else:
            title = f"{spec.name}: {result.status_label.lower()}"
        expected = "expected by today" if spec.additive else "target"
        detail = (
            f"{_in_unit(result.actual, result, currency)} of "
            f"{_in_unit(gap.expected, result, currency)} {expected}; "
            f"pace {percent(result.pace)}, heading for {percent(result.forecast_attainment)} "
            f"of the {card.period.label} target."
        )
        items.append(
            AgendaItem(
                source=SOURCE,
                key=f"kpi-behind:{spec.key}:{card.period.label}",
                title=title,
                detail=detail,
                url=explain_url(report, spec.key, card.period),
                weight=WEIGHT_BEHIND if result.status == BEHIND else WEIGHT_AT_RISK,
            )
        )
    return items


def _moved(
    card: Scorecard, report: Person, before: list[KpiResult], since: dt.date, currency: str
) -> list[AgendaItem]:
    then = {r.key: r for r in before}
    moves: list[tuple[Decimal, KpiResult, KpiResult]] = []
    for now in card.results:
        old = then.get(now.key)
        if old is None or now.attainment is None or old.attainment is None:
            continue
        change = now.attainment - old.attainment
        if change:
            moves.append((change, now, old))
    moves.sort(key=lambda m: (-abs(m[0]), m[1].spec.name))
    items = []
    for change, now, old in moves[:MOVERS]:
        spec = now.spec
        items.append(
            AgendaItem(
                source=SOURCE,
                key=f"kpi-moved:{spec.key}:{card.period.label}",
                title=f"{spec.name} {'up' if change > 0 else 'down'} {points(change)[1:]} "
                f"since {_day(since)}",
                detail=(
                    f"Attainment {percent(old.attainment, 1)} on {_day(since)}, "
                    f"{percent(now.attainment, 1)} now: "
                    f"{_in_unit(old.actual, now, currency)} then, "
                    f"{_in_unit(now.actual, now, currency)} now, "
                    f"against a {card.period.label} target of "
                    f"{_in_unit(now.target, now, currency)}."
                ),
                url=explain_url(report, spec.key, card.period),
                weight=WEIGHT_MOVED,
            )
        )
    return items


@agenda_source(SOURCE, order=10)
def kpi_agenda(
    report: Person, manager: Person, since: dt.date | None, today: dt.date
) -> list[AgendaItem]:
    """The report's KPIs behind pace in today's quarter, then the ones that moved most since
    `since` (the last 30 days for a first 1:1), for a manager who may see their scorecard."""
    user = one_on_one_reader(report, manager)
    if user is None or not can_view_person(user, report):
        return []
    org = report.org
    period = period_containing(today, QUARTER, org.fiscal_year_start_month)
    specs = kpi_specs(org, period)
    if not specs:
        return []
    card = person_scorecards(org, period, [report], today=today, specs=specs)[0]
    currency = org.reporting_currency
    items = _behind(card, report, currency)
    start = since if since is not None else today - dt.timedelta(days=FIRST_LOOK_DAYS)
    if start < today:
        # Before the quarter began its figures were all zero: the move is the quarter's so far.
        before = scorecard_through(card, report, max(start, period.start - dt.timedelta(days=1)))
        items += _moved(card, report, before, start, currency)
    return items
