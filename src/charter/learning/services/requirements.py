"""Setting and revising learning requirements. A revision is a new version from a day on."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from charter.core import audit
from charter.learning.models import (
    Certification,
    DueRule,
    HoursPeriod,
    RequiredCertification,
    RequiredTraining,
    Requirement,
    RequirementVersion,
    Scope,
    Training,
)
from charter.org.models import Organization, Role, Team
from charter.org.versions import data_version_bump

# A yearly requirement past this many hours is a typing mistake (it is over 40 h a week).
MAX_HOURS = Decimal("2000")
MAX_DUE_DAYS = 3650


@dataclass(frozen=True)
class Ask:
    """A training a version asks for, and by when."""

    training: Training
    due_rule: str
    due_date: dt.date | None = None
    due_days: int | None = None


@dataclass(frozen=True)
class CertificationAsk:
    """A certification a version asks people to hold (a valid certificate), and by when."""

    certification: Certification
    due_rule: str
    due_date: dt.date | None = None
    due_days: int | None = None


_RELATIVE: dict[str, str] = {
    DueRule.AFTER_HIRE: "the hire date",
    DueRule.AFTER_JOIN: "joining the team",
}


def _due_error(name: str, ask: Ask | CertificationAsk) -> tuple[str, str] | None:
    if ask.due_rule not in DueRule.values:
        return "due_rule", f"Choose one of: {', '.join(DueRule.values)}."
    if ask.due_rule == DueRule.ABSOLUTE and ask.due_date is None:
        return "due_date", f"“{name}”: a due date is needed."
    if ask.due_rule in _RELATIVE and not (
        ask.due_days is not None and 1 <= ask.due_days <= MAX_DUE_DAYS
    ):
        return "due_days", (
            f"“{name}”: days after {_RELATIVE[ask.due_rule]}, from 1 to {MAX_DUE_DAYS}."
        )
    return None


def _check_certifications(org_id: int, wanted: list[CertificationAsk]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for ask in wanted:
        if ask.certification.org_id != org_id:
            errors["certifications"] = "A certification of another organization cannot be required."
        elif not ask.certification.is_active:
            errors["certifications"] = f"“{ask.certification.name}” is retired."
        elif found := _due_error(ask.certification.name, ask):
            errors["certification_" + found[0]] = found[1]
    if len({a.certification.pk for a in wanted}) != len(wanted):
        errors["certifications"] = "Each certification once."
    return errors


def _check_content(
    org_id: int,
    hours: Decimal | None,
    hours_period: str,
    asks: list[Ask],
    is_active: bool,
    certifications: list[CertificationAsk] | None = None,
) -> None:
    errors: dict[str, str] = {}
    if hours is not None:
        if not Decimal("0") < hours <= MAX_HOURS:
            errors["hours"] = f"Hours must be above 0 and at most {MAX_HOURS}."
        if hours_period not in HoursPeriod.values:
            errors["hours_period"] = "Say per month, quarter or fiscal year."
    elif hours_period:
        errors["hours"] = "Give the hours asked per period, or no period."
    for ask in asks:
        if ask.training.org_id != org_id:
            errors["trainings"] = "A training of another organization cannot be required."
        elif found := _due_error(ask.training.title, ask):
            errors[found[0]] = found[1]
    if len({a.training.pk for a in asks}) != len(asks):
        errors["trainings"] = "Each training once."
    wanted = list(certifications or [])
    errors.update(_check_certifications(org_id, wanted))
    if is_active and hours is None and not asks and not wanted:
        errors["hours"] = "Ask for hours, trainings, certifications or any of them."
    if errors:
        raise ValidationError(errors)


def _write_version(
    requirement: Requirement, *, actor: Any, effective_from: dt.date, hours: Decimal | None,
    hours_period: str, asks: list[Ask], is_active: bool, reason: str,
    certifications: list[CertificationAsk],
) -> RequirementVersion:  # fmt: skip
    version = RequirementVersion.objects.create(
        requirement=requirement, effective_from=effective_from, is_active=is_active,
        hours=hours, hours_period=hours_period if hours is not None else "", reason=reason,
        created_by=actor,
    )  # fmt: skip
    RequiredTraining.objects.bulk_create(
        RequiredTraining(
            version=version,
            training=a.training,
            due_rule=a.due_rule,
            due_date=a.due_date if a.due_rule == DueRule.ABSOLUTE else None,
            due_days=a.due_days if a.due_rule != DueRule.ABSOLUTE else None,
        )
        for a in asks
    )
    RequiredCertification.objects.bulk_create(
        RequiredCertification(
            version=version,
            certification=c.certification,
            due_rule=c.due_rule,
            due_date=c.due_date if c.due_rule == DueRule.ABSOLUTE else None,
            due_days=c.due_days if c.due_rule != DueRule.ABSOLUTE else None,
        )
        for c in certifications
    )
    audit.record(
        actor=actor,
        action="learning.requirement.versioned",
        obj=requirement,
        after={
            **audit.snapshot(version, ["effective_from", "is_active", "hours", "hours_period"]),
            "reason": reason,
            "trainings": [[a.training.pk, a.due_rule, a.due_date, a.due_days] for a in asks],
            "certifications": [
                [c.certification.pk, c.due_rule, c.due_date, c.due_days] for c in certifications
            ],
        },
    )
    data_version_bump(org_id=requirement.org_id)
    return version


def requirement_create(
    *,
    org: Organization,
    actor: Any,
    name: str,
    scope: str,
    effective_from: dt.date,
    role: str = "",
    team: Team | None = None,
    hours: Decimal | None = None,
    hours_period: str = "",
    asks: list[Ask] | None = None,
    certifications: list[CertificationAsk] | None = None,
) -> Requirement:
    asks = list(asks or [])
    wanted = list(certifications or [])
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "A requirement needs a name."
    if scope not in Scope.values:
        errors["scope"] = f"Choose one of: {', '.join(Scope.values)}."
    if scope == Scope.ROLE and role not in Role.values:
        errors["role"] = "Choose the role it applies to."
    if scope == Scope.TEAM and team is None:
        errors["team"] = "Choose the team it applies to."
    if team is not None and team.org_id != org.pk:
        errors["team"] = "That team is not in this organization."
    if errors:
        raise ValidationError(errors)
    _check_content(org.pk, hours, hours_period, asks, True, wanted)
    with transaction.atomic():
        requirement = Requirement.objects.create(
            org=org, name=name.strip(), scope=scope,
            role=role if scope == Scope.ROLE else "",
            team=team if scope == Scope.TEAM else None, created_by=actor,
        )  # fmt: skip
        audit.record(
            actor=actor,
            action="learning.requirement.created",
            obj=requirement,
            after=audit.snapshot(requirement, ["name", "scope", "role", "team"]),
        )
        _write_version(
            requirement, actor=actor, effective_from=effective_from, hours=hours,
            hours_period=hours_period, asks=asks, is_active=True, reason="Requirement set",
            certifications=wanted,
        )  # fmt: skip
    return requirement


def requirement_revise(
    *,
    requirement: Requirement,
    actor: Any,
    effective_from: dt.date,
    reason: str,
    hours: Decimal | None = None,
    hours_period: str = "",
    asks: list[Ask] | None = None,
    is_active: bool = True,
    certifications: list[CertificationAsk] | None = None,
) -> RequirementVersion:
    """A new version from `effective_from` on (after the latest one's day): history stays."""
    asks = list(asks or [])
    wanted = list(certifications or [])
    latest = requirement.versions.order_by("-effective_from", "-id").first()
    if latest is not None and effective_from <= latest.effective_from:
        raise ValidationError(
            {
                "effective_from": f"The current version starts on {latest.effective_from}; "
                "a change starts after it."
            }
        )
    if not reason.strip():
        raise ValidationError({"reason": "Say why it changes."})
    _check_content(requirement.org_id, hours, hours_period, asks, is_active, wanted)
    with transaction.atomic():
        return _write_version(
            requirement, actor=actor, effective_from=effective_from, hours=hours,
            hours_period=hours_period, asks=asks, is_active=is_active, reason=reason.strip(),
            certifications=wanted,
        )  # fmt: skip
