"""What a scorecard is about (a person, a team or the whole organization) and the Scorecard
every scorecard read returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from charter.core.periods import Period
from charter.kpis.models import PeriodClose
from charter.kpis.scoring import KpiResult
from charter.org.models import Person, Team

PERSON = "person"
TEAM = "team"
ORG = "org"

Subject = tuple[str, int]  # (PERSON | TEAM, id)


# Slotted, as KpiResult: an org-wide page builds a thousand of these.
@dataclass(slots=True)
class Scorecard:
    """What one subject (a person, a team or the org) achieved in a period.

    For a closed period `results` and `score` are the figures frozen at close; `restated` holds
    the live result of every KPI whose figures have changed since (late data, corrections), so a
    change is shown, never slipped in."""

    kind: str  # PERSON | TEAM | ORG
    period: Period
    results: list[KpiResult]
    score: Decimal | None
    person: Person | None = None
    team: Team | None = None
    closed: PeriodClose | None = None
    restated: dict[str, KpiResult] = field(default_factory=dict)
    live_score: Decimal | None = None
    # Whether `results` are the frozen figures: False for a subject that had no scorecard when
    # its period closed (someone who joined later), whose figures stay live.
    frozen: bool = False

    @property
    def name(self) -> str:
        if self.person is not None:
            return self.person.full_name
        if self.team is not None:
            return self.team.name
        return "Whole organization"

    def result(self, key: str) -> KpiResult | None:
        return next((r for r in self.results if r.key == key), None)

    @property
    def by_key(self) -> dict[str, KpiResult]:
        return {r.key: r for r in self.results}
