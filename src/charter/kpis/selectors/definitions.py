"""The KPIs in effect: each definition's version at a period's end, as the specs scoring takes,
and the organization's scorecard settings."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from django.db.models import Prefetch, QuerySet

from charter.core.periods import Period
from charter.kpis.formula import parse
from charter.kpis.models import KpiDefinition, KpiVersion, ScorecardSettings
from charter.kpis.scoring import KpiSpec
from charter.org.models import Organization


def spec_of(version: KpiVersion) -> KpiSpec:
    return KpiSpec(
        key=version.definition.key,
        name=version.name,
        formula=parse(version.formula),
        unit=version.unit,
        direction=version.direction,
        decimals=version.decimals,
        threshold_ahead=version.threshold_ahead,
        threshold_on_track=version.threshold_on_track,
        threshold_at_risk=version.threshold_at_risk,
        weight=version.weight,
        score_cap=version.score_cap,
        version_id=version.pk,
        version_number=version.number,
        description=version.description,
    )


def version_in_effect(versions: Sequence[KpiVersion], day: dt.date) -> KpiVersion | None:
    """The version whose effective date is the latest on or before `day` (the latest made wins
    a tie); before the first effective date, the first version."""
    if not versions:
        return None
    ordered = sorted(versions, key=lambda v: (v.effective_from, v.number))
    chosen: KpiVersion = ordered[0]
    for version in ordered:
        if version.effective_from <= day:
            chosen = version
    return chosen


def kpi_definitions(org: Organization) -> QuerySet[KpiDefinition]:
    return (
        KpiDefinition.objects.filter(org=org)
        .prefetch_related(
            Prefetch("versions", queryset=KpiVersion.objects.select_related("created_by"))
        )
        .order_by("id")
    )


def kpi_specs_by_period(
    org: Organization, periods: Sequence[Period], *, active_only: bool = True
) -> dict[str, list[KpiSpec]]:
    """The KPIs as defined at each period's end, from one read of the versions. A KPI that did
    not exist yet by a period's end (its first version is effective later) is not on that
    period's scorecards."""
    by_definition: dict[int, list[KpiVersion]] = defaultdict(list)
    for version in KpiVersion.objects.filter(definition__org=org).select_related("definition"):
        by_definition[version.definition_id].append(version)
    out: dict[str, list[KpiSpec]] = {}
    for period in periods:
        specs = []
        for definition_id in sorted(by_definition):
            versions = by_definition[definition_id]
            if min(v.effective_from for v in versions) > period.end:
                continue
            chosen = version_in_effect(versions, period.end)
            if chosen is not None and (chosen.active or not active_only):
                specs.append(spec_of(chosen))
        out[period.label] = specs
    return out


def kpi_specs(org: Organization, period: Period, *, active_only: bool = True) -> list[KpiSpec]:
    """The KPIs as defined at the period's end (one query)."""
    return kpi_specs_by_period(org, [period], active_only=active_only)[period.label]


def scorecard_settings(org: Organization) -> ScorecardSettings:
    found = ScorecardSettings.objects.filter(org=org).first()
    return found if found is not None else ScorecardSettings(org=org)
