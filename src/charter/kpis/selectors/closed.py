"""Closed periods: the figures frozen at close, swapped into live scorecards, with every KPI whose
figures changed since shown as restated."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Q

from charter.core.periods import Period
from charter.kpis.cascade import source_from_json, source_json
from charter.kpis.formula import parse
from charter.kpis.models import PeriodClose, ScorecardSnapshot
from charter.kpis.scoring import KpiResult, KpiSpec
from charter.kpis.selectors.subjects import ORG, PERSON, TEAM, Scorecard
from charter.org.models import Organization


def period_close_of(org: Organization, period: Period) -> PeriodClose | None:
    return PeriodClose.objects.filter(org=org, label=period.label).first()


def _decimal(value: Any) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def result_from_figures(figures: dict[str, Any]) -> KpiResult:
    """A frozen KPI result back from its snapshot."""
    spec = KpiSpec(
        key=figures["key"],
        name=figures["name"],
        formula=parse(figures["formula"]),
        unit=figures["unit"],
        direction=figures["direction"],
        decimals=int(figures["decimals"]),
        threshold_ahead=Decimal(figures["threshold_ahead"]),
        threshold_on_track=Decimal(figures["threshold_on_track"]),
        threshold_at_risk=Decimal(figures["threshold_at_risk"]),
        weight=Decimal(figures["weight"]),
        score_cap=_decimal(figures.get("score_cap")),
        version_id=figures.get("version_id"),
        version_number=figures.get("version_number"),
        description=figures.get("description", ""),
    )
    return KpiResult(
        spec=spec,
        actual=_decimal(figures["actual"]),
        target=_decimal(figures["target"]),
        attainment=_decimal(figures["attainment"]),
        expected_to_date=_decimal(figures.get("expected_to_date")),
        pace=_decimal(figures["pace"]),
        forecast=_decimal(figures["forecast"]),
        forecast_attainment=_decimal(figures.get("forecast_attainment")),
        status=figures.get("status"),
        sums={k: Decimal(v) for k, v in figures.get("metrics", {}).items()},
        elapsed_days=int(figures.get("elapsed_days", 0)),
        period_days=int(figures.get("period_days", 0)),
        target_source=source_from_json(figures.get("target_source")),
    )


def figures_of(result: KpiResult) -> dict[str, Any]:
    """A KPI result as JSON-safe figures (Decimals as strings, exact)."""

    def text(value: Decimal | None) -> str | None:
        return None if value is None else str(value)

    spec = result.spec
    return {
        "key": spec.key,
        "name": spec.name,
        "formula": spec.formula.text,
        "unit": spec.unit,
        "direction": spec.direction,
        "decimals": spec.decimals,
        "threshold_ahead": str(spec.threshold_ahead),
        "threshold_on_track": str(spec.threshold_on_track),
        "threshold_at_risk": str(spec.threshold_at_risk),
        "weight": str(spec.weight),
        "score_cap": text(spec.score_cap),
        "version_id": spec.version_id,
        "version_number": spec.version_number,
        "description": spec.description,
        "actual": text(result.actual),
        "target": text(result.target),
        "attainment": text(result.attainment),
        "expected_to_date": text(result.expected_to_date),
        "pace": text(result.pace),
        "forecast": text(result.forecast),
        "forecast_attainment": text(result.forecast_attainment),
        "status": result.status,
        "metrics": {k: str(v) for k, v in result.metrics.items()},
        "elapsed_days": result.elapsed_days,
        "period_days": result.period_days,
        "target_source": source_json(result.target_source, result.target),
    }


# Figures compared to decide whether a closed number has been restated.
_COMPARED = ("actual", "target")


def _restated(frozen: KpiResult, live: KpiResult | None) -> bool:
    """Whether a frozen figure no longer stands: its actual or target changed, or the sums under
    it did (2 of 3 becoming 4 of 6 keeps the rate but is still a restatement)."""
    if live is None:
        return False
    if any(_rounded(getattr(frozen, name)) != _rounded(getattr(live, name)) for name in _COMPARED):
        return True
    return any(
        _rounded(value) != _rounded(live.metrics.get(key)) for key, value in frozen.metrics.items()
    )


def _rounded(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(Decimal("0.0001"))


def with_closing(org: Organization, period: Period, cards: list[Scorecard]) -> list[Scorecard]:
    """Swap in the frozen figures of a closed period (one query when closed, one when not)."""
    closed = period_close_of(org, period)
    if closed is None or not cards:
        return cards
    # Only the snapshots of the cards asked for: one rep's dashboard must not load the frozen
    # scorecards of the whole organization.
    wanted = Q(pk__in=[])
    people = [card.person.pk for card in cards if card.kind == PERSON and card.person]
    teams = [card.team.pk for card in cards if card.kind == TEAM and card.team]
    if people:
        wanted |= Q(subject=PERSON, person_id__in=people)
    if teams:
        wanted |= Q(subject=TEAM, team_id__in=teams)
    if any(card.kind == ORG for card in cards):
        wanted |= Q(subject=ORG)
    snapshots = ScorecardSnapshot.objects.filter(wanted, close=closed)
    frozen: dict[tuple[str, int | None], ScorecardSnapshot] = {}
    for snapshot in snapshots:
        subject_id = snapshot.person_id if snapshot.subject == PERSON else snapshot.team_id
        frozen[(snapshot.subject, subject_id)] = snapshot
    for card in cards:
        subject_id = card.person.pk if card.person else card.team.pk if card.team else None
        freeze(card, closed, frozen.get((card.kind, subject_id)))
    return cards


def freeze(card: Scorecard, closed: PeriodClose, found: ScorecardSnapshot | None) -> None:
    card.closed = closed
    if found is None:
        return  # nobody's figures were frozen for this subject (it did not exist yet)
    card.frozen = True
    live = card.by_key
    card.live_score = card.score
    card.results = [result_from_figures(f) for f in found.figures.get("kpis", [])]
    card.score = found.score
    card.restated = {r.key: live[r.key] for r in card.results if _restated(r, live.get(r.key))}
