"""The targets importer: `charter import targets FILE` and the targets upload page.

One row is one target: a person (email or full name) or a team (name), a KPI key, a period label,
the value, and for a change of an existing target its reason and (optionally) the day it takes
effect. Every write goes through `kpis.services.target_set`, so a change is a new revision with
its reason and author, and the audit log records it. A row whose value is already the one in
effect changes nothing, so importing the same file again reports every row unchanged.

The upload page is for admins and the command line for operators, so rows are not checked
against the importing person's reach the way the grid checks each row.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse

from charter.core.decimals import exact_problem
from charter.core.imports import (
    ApplyError,
    CleanRow,
    Counts,
    Field,
    FieldInvalid,
    Importer,
    Issue,
    Row,
    date,
    text,
)
from charter.core.imports.fields import cell_text
from charter.core.models import ImportRun
from charter.core.periods import Period, PeriodError
from charter.core.registry import register_importer
from charter.kpis import services
from charter.kpis.models import KpiDefinition, Target, TargetRevision
from charter.kpis.scoring import Revision, unchanged_from, value_on
from charter.kpis.selectors.calendar import org_today, period_of
from charter.org.models import Person, Team

FOUR_PLACES = Decimal("0.0001")
_TOO_LARGE = Decimal("1e14")
_THOUSANDS = re.compile(r"\d{1,3}(,\d{3})+(\.\d+)?")
_DECIMAL_COMMA = re.compile(r"\d+,\d+")

# (kind, subject id, kpi id, period label): one target.
TargetKey = tuple[str, int, int, str]


def parse_target_value(cell: Any) -> Decimal:
    """A target of 0 or more: 120000, 120,000, 27.5, 27.5% or a number cell."""
    if isinstance(cell, bool):
        raise FieldInvalid("is not a number")
    if isinstance(cell, int | float | Decimal):
        value = Decimal(str(cell))
    else:
        raw = "".join(cell_text(cell).split()).removesuffix("%")
        if _THOUSANDS.fullmatch(raw.lstrip("-")):
            raw = raw.replace(",", "")
        elif _DECIMAL_COMMA.fullmatch(raw.lstrip("-")):
            raise FieldInvalid("is ambiguous; write decimals with a point (27.5) and no commas")
        try:
            value = Decimal(raw)
        except InvalidOperation:
            raise FieldInvalid("is not a number (write 120000 or 27.5)") from None
    if not value.is_finite():
        raise FieldInvalid("is not a number")
    if value < 0:
        raise FieldInvalid("is negative; a target is 0 or more")
    if value >= _TOO_LARGE:
        raise FieldInvalid("is too large")
    value = value.quantize(FOUR_PLACES)
    problem = exact_problem(value)
    if problem:
        raise FieldInvalid(problem)
    return value


def _name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _rows_text(numbers: Iterable[int]) -> str:
    ordered = sorted(set(numbers))
    label = "row" if len(ordered) == 1 else "rows"
    return f"{label} {', '.join(str(n) for n in ordered)}"


@dataclass(frozen=True)
class TargetRow:
    person: int | None
    team: int | None
    kpi: int
    period: Period
    value: Decimal
    effective_from: dt.date | None
    reason: str
    exists: bool  # the target has revisions already

    @property
    def key(self) -> TargetKey:
        if self.person is not None:
            return ("person", self.person, self.kpi, self.period.label)
        return ("team", self.team or 0, self.kpi, self.period.label)


@register_importer
class TargetImporter(Importer[TargetRow | None]):
    name = "targets"
    label = "targets"
    fields = (
        Field(
            "person",
            "Person",
            aliases=("Email", "Person email", "Rep", "Name", "Full name", "Employee"),
            parse=text(max_length=254),
            help="The person's email or full name; leave empty for a team target.",
        ),
        Field(
            "team",
            "Team",
            aliases=("Team name",),
            parse=text(max_length=120),
            help="A team's name, for the team's own target; leave empty for a person's.",
        ),
        Field(
            "kpi",
            "KPI",
            required=True,
            aliases=("KPI key", "Key", "Measure"),
            parse=text(max_length=60),
            help="The KPI's key, e.g. revenue_won or win_rate.",
        ),
        Field(
            "period",
            "Period",
            required=True,
            aliases=("Period label", "Quarter", "Month", "Fiscal period"),
            parse=text(max_length=12),
            help="2017-05 (a month), 2017-Q2 (a quarter) or FY2018 (a fiscal year).",
        ),
        Field(
            "value",
            "Value",
            required=True,
            aliases=("Target", "Target value", "Goal", "Amount"),
            parse=parse_target_value,
            help="0 or more, in the KPI's unit; percent KPIs in percent (30 means 30%).",
        ),
        Field(
            "effective_from",
            "Effective from",
            aliases=("Effective", "Effective date", "From", "Valid from", "Starts"),
            parse=date(),
            help="When a change takes effect (default: today, within the period); not after "
            "the period ends. A first target applies to the whole period.",
        ),
        Field(
            "reason",
            "Reason",
            aliases=("Why", "Comment", "Note"),
            parse=text(max_length=300),
            help="Required when the row changes an existing target.",
        ),
    )

    def prepare(self) -> None:
        org = self.org
        self.today = org_today(org)
        self.kpis = {d.key.casefold(): d for d in KpiDefinition.objects.filter(org=org)}
        self.teams: dict[str, list[Team]] = defaultdict(list)
        for team in Team.objects.filter(org=org):
            self.teams[_name_key(team.name)].append(team)
        self.by_email: dict[str, Person] = {}
        self.by_name: dict[str, list[Person]] = defaultdict(list)
        for person in Person.objects.filter(org=org).only(
            "id", "full_name", "email", "is_active", "org_id"
        ):
            if person.email:
                self.by_email[person.email.lower()] = person
            self.by_name[_name_key(person.full_name)].append(person)
        self.periods: dict[str, Period | str] = {}
        # Existing revisions, loaded per period the file names: {target key: [Revision]}.
        self.existing: dict[TargetKey, list[Revision]] = {}
        self.loaded: set[str] = set()
        self.seen: dict[TargetKey, list[int]] = defaultdict(list)

    # -- one row --------------------------------------------------------------------------

    def clean(self, row: Row) -> TargetRow | None:
        person = self._person(row)
        team = self._team(row)
        if row["person"] and row["team"]:
            row.error("team", "give a person or a team, not both")
        elif not row.given("person") and not row.given("team"):
            row.error("person", "give a person (email or full name) or a team (name)")
        kpi = self._kpi(row)
        period = self._period(row)
        effective_from: dt.date | None = row["effective_from"]
        if period is not None and effective_from is not None and effective_from > period.end:
            row.error(
                "effective_from",
                f"{effective_from.isoformat()} is after {period.label} ends "
                f"({period.end.isoformat()})",
            )
        value: Decimal | None = row["value"]
        if row.issues or kpi is None or period is None or value is None:
            return None
        if person is None and team is None:
            return None
        data = TargetRow(
            person=person.pk if person else None,
            team=team.pk if team else None,
            kpi=kpi.pk,
            period=period,
            value=value,
            effective_from=effective_from,
            reason=row["reason"] or "",
            exists=False,
        )
        revisions = self._revisions(data.key, period)
        if revisions:
            data = replace(data, exists=True)
            when = effective_from or max(min(self.today, period.end), period.start)
            # The rule of `services.target_set`, checked while validating so that a change
            # without a reason is named with its row rather than stopping the whole import.
            if not data.reason and not unchanged_from(revisions, value, when, period):
                subject = person.full_name if person else team.name if team else ""
                row.error(
                    "reason",
                    f"this changes the {kpi.key} target of {subject} for {period.label} "
                    f"(now {value_on(revisions, period.end):f}); a change needs a reason",
                )
                return None
        self.seen[data.key].append(row.number)
        return data

    def _person(self, row: Row) -> Person | None:
        wanted: str | None = row["person"]
        if not wanted:
            return None
        if "@" in wanted:
            found = self.by_email.get(wanted.lower())
            if found is None:
                row.error("person", f"nobody in Charter has the email {wanted.lower()}")
                return None
        else:
            named = self.by_name.get(_name_key(wanted), [])
            active = [p for p in named if p.is_active]
            if len(active) > 1:
                row.error(
                    "person",
                    f"{len(active)} people in Charter are called {wanted!r}; use their email",
                )
                return None
            if not named:
                row.error("person", f"nobody in Charter is called {wanted!r}")
                return None
            found = active[0] if active else named[0]
        if not found.is_active:
            row.error("person", f"{found.full_name} is deactivated in Charter")
            return None
        return found

    def _team(self, row: Row) -> Team | None:
        wanted: str | None = row["team"]
        if not wanted:
            return None
        found = self.teams.get(_name_key(wanted), [])
        if len(found) != 1:
            row.error(
                "team",
                f"there is no team called {wanted!r} in Charter"
                if not found
                else f"{len(found)} teams are called {wanted!r}",
            )
            return None
        return found[0]

    def _kpi(self, row: Row) -> KpiDefinition | None:
        wanted: str | None = row["kpi"]
        if not wanted:
            return None
        found = self.kpis.get(wanted.casefold())
        if found is None:
            keys = ", ".join(sorted(self.kpis)[:15])
            row.error("kpi", f"there is no KPI with the key {wanted!r}; the keys are {keys}")
        return found

    def _period(self, row: Row) -> Period | None:
        label: str | None = row["period"]
        if not label:
            return None
        if label not in self.periods:
            try:
                self.periods[label] = period_of(self.org, label)
            except PeriodError as exc:
                self.periods[label] = (
                    f"is not a period label ({exc}); write 2017-05, 2017-Q2 or FY2018"
                )
        found = self.periods[label]
        if isinstance(found, str):
            row.error("period", f"Period {found}")
            return None
        return found

    def _revisions(self, key: TargetKey, period: Period) -> list[Revision]:
        if period.label not in self.loaded:
            self.loaded.add(period.label)
            targets = Target.objects.filter(org=self.org, period_label=period.label)
            revisions = TargetRevision.objects.filter(target__in=targets).order_by("id")
            by_target: dict[int, list[Revision]] = defaultdict(list)
            for revision in revisions:
                by_target[revision.target_id].append(
                    Revision(value=revision.value, effective_from=revision.effective_from)
                )
            for target in targets:
                subject: TargetKey = (
                    ("person", target.person_id, target.kpi_id, target.period_label)
                    if target.person_id is not None
                    else ("team", target.team_id or 0, target.kpi_id, target.period_label)
                )
                self.existing[subject] = by_target.get(target.pk, [])
        return self.existing.get(key, [])

    # -- across rows ----------------------------------------------------------------------

    def check(self, rows: Iterable[CleanRow[TargetRow | None]]) -> Iterable[Issue]:
        issues = []
        for numbers in self.seen.values():
            if len(numbers) < 2:
                continue
            for n in numbers:
                others = _rows_text(m for m in numbers if m != n)
                issues.append(
                    self.issue(
                        n,
                        "kpi",
                        "",
                        f"the same target (subject, KPI and period) is also on {others}; "
                        "give one row per target",
                    )
                )
        return issues

    # -- writing --------------------------------------------------------------------------

    def apply(self, rows: Iterable[CleanRow[TargetRow | None]]) -> Counts:
        chosen = [(r.number, r.data) for r in rows if r.data is not None]
        people = Person.objects.in_bulk({d.person for _, d in chosen if d.person is not None})
        teams = Team.objects.in_bulk({d.team for _, d in chosen if d.team is not None})
        kpis = {d.pk: d for d in self.kpis.values()}
        counts = Counts()
        for number, data in chosen:
            try:
                revision, _ = services.target_set(
                    org=self.org,
                    kpi=kpis[data.kpi],
                    period=data.period,
                    value=data.value,
                    actor=self.actor,
                    person=people[data.person] if data.person is not None else None,
                    team=teams[data.team] if data.team is not None else None,
                    effective_from=data.effective_from,
                    reason=data.reason,
                )
            except ValidationError as exc:
                field = next(iter(exc.message_dict)) if hasattr(exc, "error_dict") else ""
                if field not in ("value", "effective_from", "reason"):
                    field = ""
                raise ApplyError([self.issue(number, field, "", "; ".join(exc.messages))]) from exc
            if revision is None:
                counts.unchanged += 1
            elif data.exists:
                counts.updated += 1
            else:
                counts.created += 1
        return counts

    @classmethod
    def result_url(cls, run: ImportRun) -> str:
        return reverse("kpis:import_run", args=[run.pk])
