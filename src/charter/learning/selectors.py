"""Reads of the learning app, each starting from the access rules in `learning.access`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from charter.core.periods import local_day, period_containing
from charter.learning.access import (
    completions_to_review,
    visible_certificates,
    visible_trainings,
)
from charter.learning.certificates import LABELS as CERTIFICATE_LABELS
from charter.learning.certificates import state as certificate_state
from charter.learning.compliance import (
    CertificationRule,
    HoursRule,
    Item,
    TrainingRule,
    person_items,
    share_met,
    tally,
)
from charter.learning.joins import team_join_days
from charter.learning.models import (
    Certificate,
    Completion,
    DueRule,
    RequiredCertification,
    RequiredTraining,
    Requirement,
    RequirementVersion,
    Scope,
    Status,
    Training,
)
from charter.org.access import visible_people
from charter.org.models import Person, Team
from charter.org.selectors import team_subtree_ids


def org_today(org: Any) -> dt.date:
    """Today on the organization's calendar: what is due, expiring or in the future."""
    return local_day(timezone.now(), org.time_zone or "UTC")


def catalogue(
    user: Any, *, kind: str = "", tag: str = "", query: str = "", retired: bool = False
) -> QuerySet[Training]:
    """The trainings `user` reads, filtered; active ones only unless `retired`."""
    trainings = visible_trainings(user).select_related("team")
    if not retired:
        trainings = trainings.filter(is_active=True)
    if kind:
        trainings = trainings.filter(kind=kind)
    if tag:
        trainings = trainings.filter(tags__contains=f",{tag.strip().lower()},")
    if query:
        trainings = trainings.filter(
            Q(title__icontains=query) | Q(provider__icontains=query) | Q(code__iexact=query)
        )
    return trainings.order_by("-is_active", "title", "id")


def catalogue_tags(user: Any) -> list[str]:
    """Every tag used by an active training `user` reads, alphabetically."""
    tags: set[str] = set()
    for stored in visible_trainings(user).filter(is_active=True).values_list("tags", flat=True):
        tags.update(tag for tag in stored.split(",") if tag)
    return sorted(tags)


def record(person: Person) -> QuerySet[Completion]:
    """A person's completions, newest first (the caller checked `can_view_record`)."""
    return Completion.objects.filter(person=person).select_related("training", "reviewed_by")


def approved_hours(person: Person, first: dt.date, last: dt.date) -> Decimal:
    """Hours of `person`'s approved completions from `first` to `last`, both included."""
    total = Completion.objects.filter(
        person=person, status=Status.APPROVED, completed_on__range=(first, last)
    ).aggregate(total=Sum("hours"))["total"]
    return Decimal(total or 0)


def review_queue(user: Any) -> QuerySet[Completion]:
    return (
        completions_to_review(user)
        .select_related("person", "training")
        .order_by("created_at", "id")
    )


# --- requirements and compliance -------------------------------------------------------------


@dataclass(frozen=True)
class Rules:
    """The requirement versions in effect on a day, ready to apply to people."""

    entries: list[tuple[Requirement, RequirementVersion, list[RequiredTraining]]]
    parents: dict[int, int | None]
    # Version id → the certifications it asks for.
    certifications: dict[int, list[RequiredCertification]] = field(default_factory=dict)

    def _chain(self, person: Person) -> set[int]:
        chain: set[int] = set()
        team_id = person.team_id
        while team_id is not None and team_id not in chain:
            chain.add(team_id)
            team_id = self.parents.get(team_id)
        return chain

    @property
    def asks_certificates(self) -> bool:
        return any(self.certifications.values())

    @property
    def asks_join_days(self) -> bool:
        """Whether any rule counts from joining the team (only then is that day read)."""
        rules = [a.due_rule for _, _, asks in self.entries for a in asks]
        rules += [c.due_rule for found in self.certifications.values() for c in found]
        return DueRule.AFTER_JOIN in rules

    def certifications_for(self, person: Person) -> list[CertificationRule]:
        chain = self._chain(person)
        return [
            CertificationRule(
                requirement=requirement.name,
                certification_id=c.certification_id,
                certification=c.certification.name,
                due_rule=c.due_rule,
                expiring_days=c.certification.expiring_days,
                due_date=c.due_date,
                due_days=c.due_days,
                requirement_id=requirement.pk,
            )
            for requirement, version, _ in self.entries
            if _applies(requirement, person, chain)
            for c in self.certifications.get(version.pk, [])
        ]

    def for_person(self, person: Person) -> tuple[list[TrainingRule], list[HoursRule]]:
        chain = self._chain(person)
        trainings: list[TrainingRule] = []
        hours: list[HoursRule] = []
        for requirement, version, asks in self.entries:
            if not _applies(requirement, person, chain):
                continue
            trainings += [
                TrainingRule(
                    requirement=requirement.name,
                    training_id=a.training_id,
                    training=a.training.title,
                    due_rule=a.due_rule,
                    due_date=a.due_date,
                    due_days=a.due_days,
                    requirement_id=requirement.pk,
                )
                for a in asks
            ]
            if version.hours is not None:
                hours.append(
                    HoursRule(
                        requirement=requirement.name,
                        hours=version.hours,
                        period_kind=version.hours_period,
                        requirement_id=requirement.pk,
                    )
                )
        return trainings, hours


def rules_on(org_id: int, day: dt.date) -> Rules:
    """The version of each requirement in effect on `day` (ended ones left out): four queries
    however many requirements and people."""
    current: dict[int, RequirementVersion] = {}
    for version in (
        RequirementVersion.objects.filter(requirement__org_id=org_id, effective_from__lte=day)
        .select_related("requirement")
        .order_by("effective_from", "id")
    ):
        current[version.requirement_id] = version
    active = {k: v for k, v in current.items() if v.is_active}
    asks: dict[int, list[RequiredTraining]] = {v.pk: [] for v in active.values()}
    for ask in RequiredTraining.objects.filter(version_id__in=asks).select_related("training"):
        asks[ask.version_id].append(ask)
    parents: dict[int, int | None] = dict(
        Team.objects.filter(org_id=org_id).values_list("id", "parent_id")
    )
    certifications: dict[int, list[RequiredCertification]] = {v.pk: [] for v in active.values()}
    for wanted in RequiredCertification.objects.filter(version_id__in=asks).select_related(
        "certification"
    ):
        certifications[wanted.version_id].append(wanted)
    entries = [(v.requirement, v, asks[v.pk]) for v in active.values()]
    return Rules(
        entries=sorted(entries, key=lambda e: e[0].name),
        parents=parents,
        certifications=certifications,
    )


def _applies(requirement: Requirement, person: Person, chain: set[int]) -> bool:
    # Whom a requirement asks (its scope: everyone, one role, a team and its subteams), not who
    # may read it: access rules stay in access.py.
    if requirement.scope == Scope.ROLE and person.role != requirement.role:
        return False
    return not (requirement.scope == Scope.TEAM and requirement.team_id not in chain)


def _held(person_ids: list[int], day: dt.date) -> dict[int, list[Any]]:
    by_person: dict[int, list[Any]] = {}
    for person_id, certification_id, issued, expires in Certificate.objects.filter(
        person_id__in=person_ids, issued_on__lte=day
    ).values_list("person_id", "certification_id", "issued_on", "expires_on"):
        by_person.setdefault(person_id, []).append((certification_id, issued, expires))
    return by_person


def _counted(rules: Rules, day: dt.date, start_month: int) -> Q | None:
    """The completions that can change an item on `day`: those of the trainings asked, and,
    when hours are asked, those from the start of the longest period asked (the rest can
    neither meet a training nor fall in a period). None when nothing asks for completions.
    A person's record holds years of learning; reading only these keeps the team pages, the
    heatmap and the KPI from loading it all."""
    trainings = {ask.training_id for _r, _v, asks in rules.entries for ask in asks}
    kinds = {v.hours_period for _r, v, _a in rules.entries if v.hours is not None}
    counted = Q(training_id__in=sorted(trainings)) if trainings else None
    if kinds:
        since = min(period_containing(day, kind, start_month).start for kind in kinds)
        counted = Q(completed_on__gte=since) | counted if counted else Q(completed_on__gte=since)
    return counted


def _approved(person_ids: Iterable[int], day: dt.date, counted: Q | None) -> dict[int, list[Any]]:
    by_person: dict[int, list[Any]] = {}
    if counted is None:
        return by_person
    for person_id, training_id, when, hours in (
        Completion.objects.filter(
            person_id__in=list(person_ids), status=Status.APPROVED, completed_on__lte=day
        )
        .filter(counted)
        .values_list("person_id", "training_id", "completed_on", "hours")
    ):
        by_person.setdefault(person_id, []).append((training_id, when, hours))
    return by_person


def compliance_of(people: list[Person], day: dt.date, rules: Rules) -> dict[int, list[Item]]:
    """Every item asked of each of `people` on `day`: one query for their completions, one for
    their certificates when a certification is asked for, one for the days they joined their
    teams when a rule counts from it."""
    if not people:
        return {}
    start_month = people[0].org.fiscal_year_start_month
    ids = [p.pk for p in people]
    done = _approved(ids, day, _counted(rules, day, start_month))
    held = _held(ids, day) if rules.asks_certificates else {}
    joined = team_join_days(people) if rules.asks_join_days else {}
    out: dict[int, list[Item]] = {}
    for person in people:
        trainings, hours = rules.for_person(person)
        out[person.pk] = person_items(
            trainings=trainings, hours=hours, hire_date=person.hire_date,
            completions=done.get(person.pk, []), day=day, start_month=start_month,
            certifications=rules.certifications_for(person),
            certificates=held.get(person.pk, []), joined_on=joined.get(person.pk),
        )  # fmt: skip
    return out


def person_compliance(person: Person, day: dt.date) -> list[Item]:
    return compliance_of([person], day, rules_on(person.org_id, day))[person.pk]


def cannot_apply_to(user: Any, requirement: Requirement, day: dt.date) -> list[tuple[Person, str]]:
    """The active people `user` reads whom `requirement` asks something of, but for whom a due
    day cannot be computed (a rule counting from a hire date they lack), each with why. Read on
    `day`, or on the day the requirement's latest version starts when that is later."""
    latest = requirement.versions.order_by("-effective_from", "-id").first()
    if latest is None or not latest.is_active:
        return []
    day = max(day, latest.effective_from)
    rules = rules_on(requirement.org_id, day)
    mine = Rules(
        entries=[e for e in rules.entries if e[0].pk == requirement.pk],
        parents=rules.parents,
        certifications=rules.certifications,
    )
    people = visible_people(user).filter(org_id=requirement.org_id, is_active=True)
    if requirement.scope == Scope.ROLE:
        people = people.filter(role=requirement.role)
    elif requirement.scope == Scope.TEAM and requirement.team is not None:
        people = people.filter(team_id__in=team_subtree_ids(requirement.team))
    found = list(people.select_related("org").order_by("full_name", "id"))
    items = compliance_of(found, day, mine)
    out: list[tuple[Person, str]] = []
    for person in found:
        reasons = sorted({i.reason for i in items[person.pk] if not i.computable})
        if reasons:
            out.append((person, "; ".join(reasons)))
    return out


@dataclass(frozen=True)
class ComplianceRow:
    person: Person
    items: list[Item]
    counts: dict[str, int]
    share: Decimal | None


def team_compliance(
    user: Any, team: Team, day: dt.date, *, rules: Rules | None = None
) -> list[ComplianceRow]:
    """The active people of `team` and the teams below it whom `user` reads, each with their
    items; the caller checked `can_view_team_compliance`. `rules`: those in effect on `day`,
    when the caller read them already."""
    ids = team_subtree_ids(team)
    people = list(
        visible_people(user)
        .filter(team_id__in=ids, is_active=True)
        .select_related("org", "team")
        .order_by("full_name", "id")
    )
    items = compliance_of(people, day, rules or rules_on(team.org_id, day))
    return [
        ComplianceRow(
            person=p,
            items=items[p.pk],
            counts=tally(items[p.pk]),
            share=share_met(items[p.pk], day),
        )
        for p in people
    ]


# --- certificates ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CertificateRow:
    certificate: Certificate
    state: str

    @property
    def state_label(self) -> str:
        return CERTIFICATE_LABELS[self.state]


def certificate_rows(
    user: Any, *, day: dt.date | None = None, people: Iterable[int] | None = None
) -> list[CertificateRow]:
    """The newest certificate of each certification each visible person holds, with its state,
    soonest end first (a renewed certificate replaces the one before)."""
    found = visible_certificates(user).select_related("person__org", "certification")
    if people is not None:
        found = found.filter(person_id__in=list(people))
    newest: dict[tuple[int, int], Certificate] = {}
    for certificate in found.order_by("expires_on", "id"):
        newest[(certificate.person_id, certificate.certification_id)] = certificate
    rows = []
    for certificate in newest.values():
        today = day or org_today(certificate.person.org)
        rows.append(
            CertificateRow(
                certificate=certificate,
                state=certificate_state(
                    certificate.expires_on, today, certificate.certification.expiring_days
                ),
            )
        )
    return sorted(rows, key=lambda r: (r.certificate.expires_on, r.certificate.pk))
