"""What the KPI pillar gives expectations documents: a "kpi" measure kind (an expectation can
say it is measured by a KPI) and the "kpis" section provider, which writes "how success is
measured" from the live KPI definitions and this quarter's targets. Both read the KPIs as they
are today, so a revised weight or a changed target shows in the next draft."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from charter.core.periods import Period
from charter.expectations.registry import (
    GeneratedItem,
    MeasureKind,
    SectionProvider,
    register_measure_kind,
    register_section_provider,
)
from charter.kpis.formula import parse
from charter.kpis.metrics import METRICS
from charter.kpis.models import Direction, KpiVersion
from charter.kpis.scoring import KpiSpec, prorate
from charter.kpis.selectors.calendar import period_of
from charter.kpis.selectors.definitions import kpi_specs, version_in_effect
from charter.kpis.selectors.scorecards import team_scorecard
from charter.kpis.selectors.targets import target_revisions
from charter.kpis.templatetags.kpis_format import kpi_value, percent

UNIT_WORDS = {
    "money": "an amount in {currency}",
    "count": "a count",
    "percent": "a percentage",
    "days": "a number of days",
    "points": "points on a five-point scale",
}


def formula_in_words(text: str) -> str:
    """`deals_won_count / (deals_won_count + deals_lost_count)` →
    `deals won ÷ (deals won + deals lost)`."""
    words = parse(text).written(lambda name: METRICS[name].label.lower())
    return words.replace(" / ", " ÷ ").replace(" * ", " × ")  # noqa: RUF001


def _current_specs(org: Any, *, active_only: bool = True) -> tuple[Period, list[KpiSpec]]:
    period = period_of(org, None)
    return period, kpi_specs(org, period, active_only=active_only)


# -- the measure kind ----------------------------------------------------------------------


def kpi_choices(org: Any) -> list[tuple[str, str]]:
    _, specs = _current_specs(org)
    return [(spec.key, spec.name) for spec in specs]


def kpi_label(org: Any, key: str) -> str | None:
    """The KPI as it is defined for this quarter, or None when the organization has no such
    KPI."""
    period = period_of(org, None)
    versions = list(
        KpiVersion.objects.filter(definition__org=org, definition__key=key).select_related(
            "definition"
        )
    )
    version = version_in_effect(versions, period.end)
    if version is None:
        return None
    words = formula_in_words(version.formula)
    # "Revenue won (revenue won; …)" says nothing twice.
    parts = [words] if words.lower() != version.name.lower() else []
    parts.append("target set per quarter")
    if not version.active:
        parts.append("no longer used")
    return f"{version.name} ({'; '.join(parts)})"


KPI_MEASURE = register_measure_kind(
    MeasureKind(key="kpi", label="KPI", choices=kpi_choices, resolve=kpi_label)
)


# -- the section provider ------------------------------------------------------------------


def _value(spec: KpiSpec, value: Decimal | None, currency: str) -> str:
    return kpi_value(value, spec.unit, spec.decimals, currency)


def _status_words(spec: KpiSpec) -> str:
    return (
        f"ahead from {percent(spec.threshold_ahead)} of target (projected to the end of the "
        f"period), on track from {percent(spec.threshold_on_track)}, at risk from "
        f"{percent(spec.threshold_at_risk)}, behind below that"
    )


def _weight_words(spec: KpiSpec, total: Decimal) -> str:
    if spec.weight <= 0:
        return "not part of the overall score"
    share = percent(spec.weight / total) if total else "—"
    cap = (
        f"; counts for at most {percent(spec.score_cap)} of target"
        if spec.score_cap is not None
        else ""
    )
    return f"{spec.weight.normalize():f} of {total.normalize():f} ({share}){cap}"


def _person_targets(document: Any, period: Period) -> dict[str, list[Decimal]]:
    from charter.expectations.selectors import audience_people

    ids = list(audience_people(document).values_list("pk", flat=True))
    found = target_revisions(document.org, period, person_ids=ids)
    out: dict[str, list[Decimal]] = {}
    for (_, _, key), revisions in found.items():
        value = prorate(revisions, period)
        if value is not None:
            out.setdefault(key, []).append(value)
    return out


def _target_words(
    spec: KpiSpec,
    period: Period,
    currency: str,
    team: Any,
    team_targets: dict[str, Decimal | None],
    person_targets: dict[str, list[Decimal]],
) -> str:
    if team is not None:
        value = team_targets.get(spec.key)
        if value is None:
            return f"none set for {team.name} in {period.label} yet"
        return f"{_value(spec, value, currency)} for {team.name} in {period.label}"
    values = person_targets.get(spec.key, [])
    if not values:
        return f"set per person, per quarter; none are set for {period.label} yet"
    people = f"{len(values)} {'person' if len(values) == 1 else 'people'}"
    low, high = min(values), max(values)
    spread = (
        f"{_value(spec, low, currency)} for everyone"
        if low == high
        else f"from {_value(spec, low, currency)} to {_value(spec, high, currency)}"
    )
    total = f", {_value(spec, sum(values, Decimal(0)), currency)} in all" if spec.additive else ""
    return f"set per person, per quarter; in {period.label} {spread} ({people}{total})"


def _kpi_text(spec: KpiSpec, currency: str, total_weight: Decimal, target: str) -> str:
    unit = UNIT_WORDS.get(spec.unit, spec.unit).format(currency=currency)
    better = "higher" if spec.direction == Direction.HIGHER else "lower"
    lines = [
        f"- **Computed as:** {formula_in_words(spec.formula.text)}, as {unit}; {better} is better",
        f"- **Weight in the overall score:** {_weight_words(spec, total_weight)}",
        f"- **Status:** {_status_words(spec)}",
        f"- **Target:** {target}",
    ]
    intro = spec.description.strip()
    return "\n".join([intro, "", *lines] if intro else lines)


def _shown(specs: Sequence[KpiSpec]) -> list[KpiSpec]:
    weighted = [s for s in specs if s.weight > 0]
    return sorted(weighted, key=lambda s: -s.weight) if weighted else list(specs)


def kpi_items(document: Any) -> list[GeneratedItem]:
    """One item on how the overall score works, then one per KPI that counts in it (every
    active KPI when none has a weight): what it measures, how, its weight, its status
    thresholds and this quarter's target for the document's audience."""
    from charter.expectations.models import Audience

    org = document.org
    currency = org.reporting_currency
    period, specs = _current_specs(org)
    if not specs:
        return []
    total = sum((s.weight for s in specs), Decimal(0))
    team = document.audience_team if document.audience == Audience.TEAM else None
    team_targets: dict[str, Decimal | None] = {}
    person_targets: dict[str, list[Decimal]] = {}
    if team is not None:
        card = team_scorecard(org, period, team, specs=specs)
        team_targets = {r.key: r.target for r in card.results}
    else:
        person_targets = _person_targets(document, period)
    shown = _shown(specs)
    items = [
        GeneratedItem(
            key="score",
            title="The overall score",
            text=(
                "Each quarter your overall score is the weighted average of your attainment "
                f"(actual against target) on the {len(shown)} measures below. Attainment is "
                "never capped where you see it; in the score, each measure counts for at most "
                "its cap, so one great number cannot hide the others. Targets change only "
                "with a date and a reason you can read, and a quarter's target is shared "
                "between its revisions by days."
            ),
        )
    ]
    for spec in shown:
        target = _target_words(spec, period, currency, team, team_targets, person_targets)
        items.append(
            GeneratedItem(
                key=f"kpi:{spec.key}",
                title=spec.name,
                text=_kpi_text(spec, currency, total, target),
            )
        )
    return items


KPIS_SECTION = register_section_provider(
    SectionProvider(
        key="kpis",
        label="KPIs and targets (live)",
        default_title="How success is measured",
        items=kpi_items,
    )
)
