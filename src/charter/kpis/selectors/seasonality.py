"""How a longer period's target is shared among its shorter periods: each KPI's seasonality
profile in effect, and the weights it gives (`kpis.cascade.Weight`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from django.db.models import Sum

from charter.core.periods import Period, add_months
from charter.kpis.cascade import BY_LAST_YEAR, BY_SHARES, Weigh, Weight, by_days, by_months
from charter.kpis.metrics import METRIC_KEYS
from charter.kpis.models import MonthlyMetrics, Seasonality, SeasonalityProfile
from charter.kpis.scoring import KpiSpec, actual_of
from charter.kpis.selectors.definitions import kpi_specs
from charter.kpis.selectors.sums import natural
from charter.org.models import Organization


def profiles_of(org: Organization) -> dict[str, list[SeasonalityProfile]]:
    """Every KPI's seasonality profiles, in the order they were made, by KPI key (one query)."""
    out: dict[str, list[SeasonalityProfile]] = {}
    rows = SeasonalityProfile.objects.filter(kpi__org=org).select_related("kpi", "created_by")
    for profile in rows.order_by("id"):
        out.setdefault(profile.kpi.key, []).append(profile)
    return out


def profile_in_effect(
    profiles: Sequence[SeasonalityProfile], day: dt.date
) -> SeasonalityProfile | None:
    """The latest profile made whose effective date is on or before `day` (as a target's
    revisions: a later change for an earlier date wins from then on)."""
    chosen = None
    for profile in profiles:
        if profile.effective_from <= day:
            chosen = profile
    return chosen


def month_shares(profile: SeasonalityProfile) -> dict[int, Decimal]:
    """The profile's weight of each calendar month (1-12); a bad stored value weighs nothing."""
    out = {}
    for month, text in enumerate(profile.shares[:12], start=1):
        try:
            out[month] = Decimal(str(text))
        except InvalidOperation:
            out[month] = Decimal(0)
    return out


def last_year_actuals(org: Organization, spec: KpiSpec, longer: Period) -> dict[dt.date, Decimal]:
    """The organization's actual of the KPI in each month of `longer`, a year earlier, keyed by
    the month of `longer` it stands for (one query)."""
    first, last = add_months(longer.start, -12), add_months(longer.end, -12)
    rows = (
        MonthlyMetrics.objects.filter(person__org=org, month__gte=first, month__lte=last)
        .order_by()
        .values("month")
        .annotate(**{key: Sum(key) for key in METRIC_KEYS})
    )
    out = {}
    for row in rows:
        value = actual_of(spec, natural(dict(row)))
        out[add_months(row["month"], 12)] = value if value is not None else Decimal(0)
    return out


def weigher(org: Organization) -> Weigh:
    """The share each KPI's profile gives a shorter period of a longer one: by days unless a
    profile in effect on the longer period's last day says otherwise (and has weights to give:
    a profile whose months weigh nothing shares by days). Reads the profiles only when a share
    is first asked for: most pages have none to work out."""
    loaded: list[dict[str, list[SeasonalityProfile]]] = []
    actuals: dict[tuple[str, str], dict[dt.date, Decimal]] = {}

    def weigh(key: str, period: Period, longer: Period) -> Weight:
        if not loaded:
            loaded.append(profiles_of(org))
        profile = profile_in_effect(loaded[0].get(key, []), longer.end)
        weight = None
        if profile is not None and profile.method == Seasonality.SHARES:
            shares = month_shares(profile)
            amounts = {month: shares.get(month.month, Decimal(0)) for month in longer.months()}
            weight = by_months(period, longer, amounts, BY_SHARES)
        elif profile is not None and profile.method == Seasonality.LAST_YEAR:
            if (key, longer.label) not in actuals:
                # The KPI as defined for the longer period, as its target is.
                specs = kpi_specs(org, longer, active_only=False)
                spec = next((s for s in specs if s.key == key), None)
                found = last_year_actuals(org, spec, longer) if spec is not None else {}
                actuals[(key, longer.label)] = found
            weight = by_months(period, longer, actuals[(key, longer.label)], BY_LAST_YEAR)
        return weight if weight is not None else by_days(period, longer)

    return weigh
