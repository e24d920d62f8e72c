"""Badges an admin defines, awards a manager gives, and the awards `charter tick` gives when a
badge's criterion is met by the figures of the KPI engine."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from charter.core import audit
from charter.expectations.models import Value
from charter.feedback.access import can_award
from charter.feedback.models import ICONS, Award, Badge, Criterion
from charter.feedback.services.feedback import org_today
from charter.kpis.metrics import METRICS
from charter.kpis.models import KpiDefinition, ScorecardSnapshot
from charter.org.models import Organization, Person

# The KPI engine's metric a "first deal over" criterion reads: which deals count as won, on
# which day, and their amount in the reporting currency.
WON_AMOUNT = "deals_won_amount"
_FIELDS = ["name", "description", "icon", "value", "criterion", "threshold", "kpi_key",
           "is_active"]  # fmt: skip


def _check(badge: Badge) -> None:
    errors: dict[str, str] = {}
    if not badge.name.strip():
        errors["name"] = "Give the badge a name."
    elif (
        Badge.objects.filter(org_id=badge.org_id, name__iexact=badge.name.strip())
        .exclude(pk=badge.pk)
        .exists()
    ):
        errors["name"] = "Another badge has that name."
    if badge.icon not in dict(ICONS):
        errors["icon"] = "Choose one of the icons."
    value = Value.objects.filter(pk=badge.value_id).first()
    if value is None or value.org_id != badge.org_id:
        errors["value"] = "Choose one of your company's values."
    elif not value.is_active and badge.is_active:
        errors["value"] = f"“{value}” is a retired value: choose one still in use."
    if badge.criterion not in Criterion.values:
        errors["criterion"] = "Choose one of the criteria."
    elif badge.criterion and (badge.threshold is None or badge.threshold <= 0):
        errors["threshold"] = "This criterion needs a positive threshold."
    if badge.criterion == Criterion.KPI_ATTAINMENT:
        if not KpiDefinition.objects.filter(org_id=badge.org_id, key=badge.kpi_key).exists():
            errors["kpi_key"] = "Choose one of your KPIs."
    elif badge.kpi_key:
        errors["kpi_key"] = "Only a KPI attainment criterion names a KPI."
    if errors:
        raise ValidationError(errors)


def badge_create(*, org: Organization, actor: Any, **fields: Any) -> Badge:
    badge = Badge(org=org, created_by=actor, **fields)
    badge.name = badge.name.strip()
    _check(badge)
    with transaction.atomic():
        badge.save()
        audit.record(
            actor=actor,
            action="feedback.badge.created",
            obj=badge,
            after=audit.snapshot(badge, _FIELDS),
        )
    return badge


def badge_update(*, badge: Badge, actor: Any, **fields: Any) -> Badge:
    before = audit.snapshot(badge, _FIELDS)
    for name, value in fields.items():
        setattr(badge, name, value)
    badge.name = badge.name.strip()
    _check(badge)
    with transaction.atomic():
        badge.save(update_fields=list(fields))
        audit.record(
            actor=actor,
            action="feedback.badge.updated",
            obj=badge,
            before=before,
            after=audit.snapshot(badge, _FIELDS),
        )
    return badge


def _achievement_of(reason: str) -> str:
    """A manager's award is for the achievement its reason names: the same words (whatever
    their case and spacing) are the same achievement."""
    return " ".join(reason.lower().split())[:200]


def _save_award(award: Award, actor: Any) -> Award:
    try:
        # Its own savepoint: the unique constraint is the final word when two award at once.
        with transaction.atomic():
            award.save()
    except IntegrityError:
        raise ValidationError(
            {"reason": f"{award.person.full_name} already has “{award.badge}” for this "
             "achievement."}
        ) from None  # fmt: skip
    audit.record(
        actor=actor,
        action="feedback.award.given",
        obj=award,
        after={"badge": award.badge_id, "person": award.person_id,
               "achievement": award.achievement, "reason": award.reason},
    )  # fmt: skip
    return award


def award_give(*, badge: Badge, person: Person, actor: Any, awarder: Person, reason: str) -> Award:
    """A manager (or admin) gives a badge to someone in their reach, for a reason."""
    if badge.org_id != awarder.org_id or not badge.is_active:
        raise ValidationError({"badge": "Choose one of your company's badges."})
    if not can_award(actor, person):
        raise ValidationError({"person": "You may award only people who report to you."})
    if not reason.strip():
        raise ValidationError({"reason": "Say what the badge is for."})
    award = Award(
        org_id=awarder.org_id,
        badge=badge,
        person=person,
        achievement=_achievement_of(reason),
        reason=reason.strip()[:300],
        awarded_by=awarder,
        awarded_on=org_today(awarder.org),
    )
    if Award.objects.filter(badge=badge, person=person, achievement=award.achievement).exists():
        raise ValidationError(
            {"reason": f"{person.full_name} already has “{badge}” for this achievement."}
        )
    with transaction.atomic():
        return _save_award(award, actor)


# -- automatic awards -----------------------------------------------------------------------


def _deal_achievements(badge: Badge) -> list[tuple[int, str, str, dt.date]]:
    """(person, achievement, reason, day) for each person's first won deal over the amount."""
    metric = METRICS[WON_AMOUNT]
    threshold = badge.threshold or Decimal(0)
    deals = (
        metric.model._default_manager.filter(
            metric.counted,
            org_id=badge.org_id,
            owner__isnull=False,
            **{f"{metric.value_field}__gte": threshold},
        )
        .order_by(metric.day_field, "pk")
        .values_list("owner_id", metric.day_field, "external_id", metric.value_field)
    )
    first: dict[int, tuple[int, str, str, dt.date]] = {}
    for owner_id, day, external_id, amount in deals:
        if owner_id not in first:
            reason = f"First deal won over {threshold:,.0f}: {external_id} ({amount:,.0f})"
            first[owner_id] = (owner_id, "first-deal-over", reason, day)
    return list(first.values())


def _attainment_achievements(badge: Badge) -> list[tuple[int, str, str, dt.date]]:
    """(person, achievement, reason, day) for each closed period where the person's KPI reached
    the threshold (a percent of target)."""
    threshold = (badge.threshold or Decimal(0)) / 100
    snapshots = ScorecardSnapshot.objects.filter(
        close__org_id=badge.org_id, subject=ScorecardSnapshot.Subject.PERSON
    ).select_related("close")
    found = []
    for snapshot in snapshots.iterator():
        for figures in snapshot.figures.get("kpis", []):
            if figures.get("key") != badge.kpi_key or figures.get("attainment") is None:
                continue
            attainment = Decimal(figures["attainment"])
            if attainment >= threshold:
                reason = f"{figures['name']} at {attainment * 100:.0f}% of target in " + (
                    snapshot.close.label
                )
                assert snapshot.person_id is not None  # a person's scorecard
                found.append(
                    (snapshot.person_id, f"close:{snapshot.close.label}", reason,
                     snapshot.close.end)
                )  # fmt: skip
    return found


def awards_evaluate(*, org: Organization | None = None) -> int:
    """Give every automatic award whose criterion is met and not yet rewarded; returns how
    many were given. Run by `charter tick`; running it again gives nothing twice."""
    badges = Badge.objects.filter(is_active=True).exclude(criterion="")
    if org is not None:
        badges = badges.filter(org=org)
    given = 0
    for badge in badges.select_related("org"):
        met = (
            _deal_achievements(badge)
            if badge.criterion == Criterion.FIRST_DEAL_OVER
            else _attainment_achievements(badge)
        )
        have = set(Award.objects.filter(badge=badge).values_list("person_id", "achievement"))
        active = set(
            Person.objects.filter(org_id=badge.org_id, is_active=True).values_list("pk", flat=True)
        )
        for person_id, achievement, reason, day in met:
            if (person_id, achievement) in have or person_id not in active:
                continue
            with transaction.atomic():
                _save_award(
                    Award(
                        org_id=badge.org_id,
                        badge=badge,
                        person_id=person_id,
                        achievement=achievement,
                        reason=reason[:300],
                        awarded_on=day,
                    ),
                    None,
                )
            have.add((person_id, achievement))
            given += 1
    return given
