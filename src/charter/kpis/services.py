"""Writes of the KPI pillar: the KPI library, targets and their revisions, how a longer
period's target is shared (seasonality), closing periods, scorecard settings. Every change adds
a row (a version, a revision, a profile, a snapshot); none rewrites one, and each is audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import DecimalField
from django.utils import timezone

from charter.core import audit
from charter.core.decimals import exact_problem, field_problem
from charter.core.periods import Period
from charter.kpis import tasks
from charter.kpis.formula import FormulaError, check
from charter.kpis.library import BUILTIN_EFFECTIVE_FROM, DEFAULT_SCORE_CAP
from charter.kpis.models import (
    Direction,
    KpiDefinition,
    KpiVersion,
    LeaderboardVisibility,
    PeriodClose,
    ScorecardSettings,
    ScorecardSnapshot,
    Seasonality,
    SeasonalityProfile,
    Target,
    TargetRevision,
    Unit,
)
from charter.kpis.registry import all_builtins
from charter.kpis.scoring import Revision, day_total, unchanged_from
from charter.kpis.selectors.calendar import org_today
from charter.kpis.selectors.closed import figures_of
from charter.kpis.selectors.definitions import kpi_specs
from charter.kpis.selectors.scorecards import org_scorecard, person_scorecards, team_scorecards
from charter.kpis.selectors.targets import org_targets
from charter.org.models import Organization, Person, Team
from charter.org.versions import data_version_bump

# The fields of a KPI version a person chooses (the rest is bookkeeping).
VERSION_FIELDS = (
    "name",
    "description",
    "formula",
    "unit",
    "direction",
    "decimals",
    "threshold_ahead",
    "threshold_on_track",
    "threshold_at_risk",
    "weight",
    "score_cap",
    "active",
)


def _actor_user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


# -- KPI library ---------------------------------------------------------------------------


def kpi_library_ensure(*, org: Organization, actor: Any = None, audited: bool = True) -> int:
    """Create the built-in KPIs the organization does not have yet; returns how many. When an
    organization is being created this is part of that (already audited) event: `audited=False`."""
    made = 0
    with transaction.atomic():
        have = set(KpiDefinition.objects.filter(org=org).values_list("key", flat=True))
        for builtin in all_builtins():
            if builtin.key in have:
                continue
            definition = KpiDefinition.objects.create(org=org, key=builtin.key, builtin=True)
            KpiVersion.objects.create(
                definition=definition,
                number=1,
                name=builtin.name,
                description=builtin.description,
                formula=builtin.formula,
                unit=builtin.unit,
                direction=builtin.direction,
                decimals=builtin.decimals,
                weight=builtin.weight,
                active=builtin.active,
                score_cap=DEFAULT_SCORE_CAP,
                effective_from=BUILTIN_EFFECTIVE_FROM,
                reason="Built-in KPI",
                created_by=_actor_user(actor),
            )
            made += 1
        if made:
            data_version_bump(org_id=org.pk)
        if made and audited:
            audit.record(
                actor=actor, action="kpis.library.created", after={"builtin_kpis_added": made}
            )
    return made


def _version_field_problem(name: str, value: Decimal) -> str | None:
    # The API's serializers bound these, the library page's form does not: SQLite would keep
    # a weight of 1234567 in a six-digit column, and then every read of the KPI would fail.
    problem = field_problem(value, cast(DecimalField, KpiVersion._meta.get_field(name)))
    return f"{name.replace('_', ' ').capitalize()} {problem}." if problem else None


def _clean_version(values: dict[str, Any]) -> dict[str, Any]:
    """Validate a KPI version's fields, collecting every problem."""
    errors: dict[str, str] = {}
    cleaned = dict(values)
    if not str(cleaned.get("name") or "").strip():
        errors["name"] = "A KPI needs a name."
    try:
        cleaned["formula"] = check(str(cleaned.get("formula") or "")).text
    except FormulaError as exc:
        errors["formula"] = str(exc)
    if cleaned.get("unit") not in Unit.values:
        errors["unit"] = f"Unit must be one of {', '.join(Unit.values)}."
    if cleaned.get("direction") not in Direction.values:
        errors["direction"] = "Direction must be higher or lower."
    for name in ("threshold_ahead", "threshold_on_track", "threshold_at_risk", "weight"):
        try:
            cleaned[name] = Decimal(str(cleaned.get(name)))
        except (InvalidOperation, ValueError):
            errors[name] = f"{name.replace('_', ' ').capitalize()} must be a number."
            continue
        problem = _version_field_problem(name, cleaned[name])
        if problem:
            errors[name] = problem
        elif cleaned[name] < 0:
            errors[name] = f"{name.replace('_', ' ').capitalize()} cannot be negative."
    thresholds = ("threshold_ahead", "threshold_on_track", "threshold_at_risk")
    if not any(name in errors for name in thresholds) and not (
        cleaned["threshold_ahead"] >= cleaned["threshold_on_track"] >= cleaned["threshold_at_risk"]
    ):
        errors["threshold_on_track"] = (
            "Thresholds must go down: ahead ≥ on track ≥ at risk (as fractions of target)."
        )
    cap = cleaned.get("score_cap")
    if cap not in (None, ""):
        try:
            cleaned["score_cap"] = Decimal(str(cap))
            problem = _version_field_problem("score_cap", cleaned["score_cap"])
            if problem:
                errors["score_cap"] = problem
            elif cleaned["score_cap"] <= 0:
                errors["score_cap"] = "A score cap must be more than 0 (1.5 = 150%)."
        except (InvalidOperation, ValueError):
            errors["score_cap"] = "Score cap must be a number such as 1.5."
    else:
        cleaned["score_cap"] = None
    try:
        cleaned["decimals"] = int(cleaned.get("decimals") or 0)
        if not 0 <= cleaned["decimals"] <= 4:
            raise ValueError
    except (TypeError, ValueError):
        errors["decimals"] = "Decimals must be a whole number from 0 to 4."
    if errors:
        raise ValidationError(errors)
    return cleaned


def kpi_create(
    *,
    org: Organization,
    key: str,
    actor: Any,
    effective_from: dt.date,
    reason: str = "",
    **fields: Any,
) -> KpiDefinition:
    """A custom KPI: a formula over metrics with its unit, direction, thresholds and weight."""
    slug = (key or "").strip().lower()
    if not slug or not slug.replace("_", "").isalnum() or not slug[0].isalpha():
        raise ValidationError(
            {"key": "A key is lower-case letters, digits and _ (e.g. calls_per_win)."}
        )
    values = {
        "description": "",
        "direction": Direction.HIGHER,
        "decimals": 0,
        "threshold_ahead": Decimal("1.1"),
        "threshold_on_track": Decimal("0.95"),
        "threshold_at_risk": Decimal("0.8"),
        "weight": Decimal(0),
        "score_cap": DEFAULT_SCORE_CAP,
        "active": True,
        **fields,
    }
    cleaned = _clean_version(values)
    with transaction.atomic():
        if KpiDefinition.objects.filter(org=org, key=slug).exists():
            raise ValidationError({"key": f"There is already a KPI with the key {slug!r}."})
        definition = KpiDefinition.objects.create(org=org, key=slug)
        version = KpiVersion.objects.create(
            definition=definition,
            number=1,
            effective_from=effective_from,
            reason=reason or "Created",
            created_by=_actor_user(actor),
            **{name: cleaned[name] for name in VERSION_FIELDS},
        )
        data_version_bump(org_id=org.pk)
        audit.record(
            actor=actor,
            action="kpis.kpi.created",
            obj=definition,
            after={"key": slug, **_version_summary(version)},
        )
    return definition


def _version_summary(version: KpiVersion) -> dict[str, Any]:
    return {
        name: str(getattr(version, name)) if getattr(version, name) is not None else None
        for name in VERSION_FIELDS
    } | {"effective_from": version.effective_from.isoformat(), "number": version.number}


def kpi_revise(
    *,
    definition: KpiDefinition,
    actor: Any,
    effective_from: dt.date,
    reason: str,
    **changes: Any,
) -> KpiVersion:
    """A new version of a KPI from `effective_from` on. Periods that end before that date keep
    computing with the version they had."""
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the KPI changes; the team reads this."})
    unknown = set(changes) - set(VERSION_FIELDS)
    if unknown:
        raise ValidationError({"fields": f"Unknown KPI fields: {', '.join(sorted(unknown))}."})
    with transaction.atomic():
        versions = list(
            KpiVersion.objects.select_for_update().filter(definition=definition).order_by("number")
        )
        current = versions[-1]
        values = {name: getattr(current, name) for name in VERSION_FIELDS} | changes
        cleaned = _clean_version(values)
        if all(cleaned[name] == getattr(current, name) for name in VERSION_FIELDS):
            raise ValidationError({"fields": "Nothing changed."})
        version = KpiVersion.objects.create(
            definition=definition,
            number=current.number + 1,
            effective_from=effective_from,
            reason=reason.strip(),
            created_by=_actor_user(actor),
            **{name: cleaned[name] for name in VERSION_FIELDS},
        )
        data_version_bump(org_id=definition.org_id)
        audit.record(
            actor=actor,
            action="kpis.kpi.revised",
            obj=definition,
            before=_version_summary(current),
            after=_version_summary(version) | {"reason": version.reason},
        )
    return version


# -- targets -------------------------------------------------------------------------------


# A trillion: the period's day total of a target (in ten-thousandths, up to 366 days) must fit
# in a 64-bit whole number (see `Target.day_total`).
MAX_TARGET = Decimal(10) ** 12


def _clean_value(value: Any) -> Decimal:
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError({"value": f"{value!r} is not a number."}) from None
    if not number.is_finite() or number < 0:
        raise ValidationError({"value": "A target is a number of 0 or more."})
    if abs(number) >= MAX_TARGET:
        raise ValidationError(
            {"value": f"That target is too large: it must be under {MAX_TARGET:,.0f}."}
        )
    number = number.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    problem = exact_problem(number)
    if problem:
        raise ValidationError({"value": f"That target ({number.normalize():f}) {problem}."})
    return number


def target_set(
    *,
    org: Organization,
    kpi: KpiDefinition,
    period: Period,
    value: Any,
    actor: Any,
    person: Person | None = None,
    team: Team | None = None,
    effective_from: dt.date | None = None,
    reason: str = "",
) -> tuple[TargetRevision | None, bool]:
    """Set (or change) the target of one person or one team for a KPI and period. A first
    target applies from the period's start; a change needs a reason and an effective date within
    the period, and the period's target becomes the day-weighted mix of the revisions. Returns
    (revision, created); setting the value it already has adds nothing."""
    if (person is None) == (team is None):
        raise ValidationError({"subject": "A target belongs to one person or one team."})
    subject = person or team
    assert subject is not None
    if subject.org_id != org.pk or kpi.org_id != org.pk:
        raise ValidationError({"subject": "That belongs to another organization."})
    amount = _clean_value(value)
    with transaction.atomic():
        target, _ = Target.objects.select_for_update().get_or_create(
            org=org,
            kpi=kpi,
            person=person,
            team=team,
            period_label=period.label,
            defaults={
                "period_kind": period.kind,
                "period_start": period.start,
                "period_end": period.end,
            },
        )
        previous = list(target.revisions.order_by("id"))
        if not previous:
            when = effective_from or period.start
            why = (reason or "").strip() or "Target set"
        else:
            when = effective_from or max(min(org_today(org), period.end), period.start)
            why = (reason or "").strip()
            # Nothing to do when every day from `when` on already has that target.
            timeline = [Revision(value=r.value, effective_from=r.effective_from) for r in previous]
            if unchanged_from(timeline, amount, when, period):
                return None, False
            if not why:
                raise ValidationError(
                    {"reason": "Say why the target changes; the person sees it with the change."}
                )
        if when > period.end:
            raise ValidationError(
                {"effective_from": f"{when.isoformat()} is after {period.label} ends."}
            )
        if previous and when < period.start:
            when = period.start
        revision = TargetRevision.objects.create(
            target=target,
            value=amount,
            effective_from=when,
            reason=why,
            created_by=_actor_user(actor),
        )
        target.day_total = day_total(
            [*(Revision(r.value, r.effective_from) for r in previous), Revision(amount, when)],
            period,
        )
        target.save(update_fields=["day_total"])
        data_version_bump(org_id=org.pk)
        audit.record(
            actor=actor,
            action="kpis.target.revised" if previous else "kpis.target.set",
            obj=target,
            before={"value": str(previous[-1].value)} if previous else None,
            after={
                "kpi": kpi.key,
                "period": period.label,
                "subject": f"person {person.pk}" if person else f"team {team.pk if team else ''}",
                "value": str(amount),
                "effective_from": when.isoformat(),
                "reason": why,
            },
        )
        if previous and person is not None:
            # The form promises the person sees the reason with the change: tell them.
            rid = revision.pk
            transaction.on_commit(lambda: tasks.notify_target_changed.enqueue(revision_id=rid))
    return revision, True


# -- closing periods -----------------------------------------------------------------------


def period_close(
    *, org: Organization, period: Period, actor: Any, automatic_after_days: int | None = None
) -> PeriodClose:
    """Freeze the period's scorecards (every person, every team, the org) as they are now.
    Later data does not change them; it shows as a restatement next to them.
    `automatic_after_days`: closed by `charter tick` under the org's auto-close setting, which
    the audit row says (its actor is the system, as for the CLI)."""
    today = org_today(org)
    if period.end >= today:
        raise ValidationError(
            {"period": f"{period.label} has not ended yet (it ends {period.end.isoformat()})."}
        )
    with transaction.atomic():
        if PeriodClose.objects.filter(org=org, label=period.label).exists():
            raise ValidationError({"period": f"{period.label} is already closed."})
        specs = kpi_specs(org, period)
        people = list(Person.objects.filter(org=org).order_by("pk"))
        targets = org_targets(org, period)
        cards = person_scorecards(org, period, people, today=today, specs=specs, targets=targets)
        teams = list(Team.objects.filter(org=org).order_by("pk"))
        cards += team_scorecards(org, period, teams, today=today, specs=specs, targets=targets)
        cards.append(org_scorecard(org, period, today=today, specs=specs, targets=targets))
        try:
            # Its own savepoint: two people closing at once both pass the check above, and the
            # unique constraint makes the second one's close a plain "already closed".
            with transaction.atomic():
                closed = PeriodClose.objects.create(
                    org=org,
                    label=period.label,
                    kind=period.kind,
                    start=period.start,
                    end=period.end,
                    closed_by=_actor_user(actor),
                )
        except IntegrityError:
            raise ValidationError({"period": f"{period.label} is already closed."}) from None
        ScorecardSnapshot.objects.bulk_create(
            ScorecardSnapshot(
                close=closed,
                subject=card.kind,
                person=card.person,
                team=card.team,
                score=(
                    card.score.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
                    if card.score is not None
                    else None
                ),
                figures={"kpis": [figures_of(r) for r in card.results]},
            )
            for card in cards
        )
        data_version_bump(org_id=org.pk)
        after: dict[str, Any] = {"period": period.label, "scorecards": len(cards)}
        if automatic_after_days is not None:
            after |= {"automatic": True, "days_after_end": automatic_after_days}
        audit.record(actor=actor, action="kpis.period.closed", obj=closed, after=after)
    return closed


# -- settings ------------------------------------------------------------------------------

# A quarter's grace is already generous; more would leave last year's figures open all year.
AUTO_CLOSE_MAX_DAYS = 90


def scorecard_settings_update(
    *,
    org: Organization,
    actor: Any,
    leaderboard_visibility: str | None = None,
    auto_close: bool | None = None,
    auto_close_after_days: int | None = None,
) -> ScorecardSettings:
    """Change the scorecard settings; what is left None stays as it is. `auto_close` turns
    closing periods from `charter tick` on (with `auto_close_after_days`, required then) or
    off."""
    errors: dict[str, str] = {}
    if leaderboard_visibility is not None and leaderboard_visibility not in (
        LeaderboardVisibility.values
    ):
        errors["leaderboard_visibility"] = (
            f"Choose one of {', '.join(LeaderboardVisibility.values)}."
        )
    days: int | None = None
    if auto_close:
        if auto_close_after_days is None:
            errors["auto_close_after_days"] = "Say how many days after a period ends it closes."
        elif not 0 <= auto_close_after_days <= AUTO_CLOSE_MAX_DAYS:
            errors["auto_close_after_days"] = (
                f"Choose from 0 (the day after it ends) to {AUTO_CLOSE_MAX_DAYS} days."
            )
        else:
            days = auto_close_after_days
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        found, _ = ScorecardSettings.objects.select_for_update().get_or_create(org=org)
        wanted = {
            "leaderboard_visibility": (
                found.leaderboard_visibility
                if leaderboard_visibility is None
                else leaderboard_visibility
            ),
            "auto_close_after_days": found.auto_close_after_days if auto_close is None else days,
        }
        changed = [name for name, value in wanted.items() if getattr(found, name) != value]
        if not changed:
            return found
        before = {name: getattr(found, name) for name in changed}
        for name in changed:
            setattr(found, name, wanted[name])
        found.updated_at = timezone.now()
        found.save(update_fields=[*changed, "updated_at"])
        if "leaderboard_visibility" in changed:
            # Cached pages show the leaderboard link (or not) by this setting.
            data_version_bump(org_id=org.pk)
        audit.record(
            actor=actor,
            action="kpis.settings.updated",
            obj=found,
            before=before,
            after={name: wanted[name] for name in changed},
        )
    return found


# -- seasonality ---------------------------------------------------------------------------


def seasonality_set(
    *,
    kpi: KpiDefinition,
    actor: Any,
    method: str,
    effective_from: dt.date,
    reason: str,
    shares: Sequence[Any] = (),
) -> SeasonalityProfile:
    """How the KPI's target of a longer period is shared among its shorter periods from
    `effective_from` on (`kpis.cascade`): by days, by twelve weights per calendar month
    (January first), or by last year's actuals. A new profile, never an edit."""
    errors: dict[str, str] = {}
    if method not in Seasonality.values:
        errors["method"] = f"Choose one of {', '.join(Seasonality.values)}."
    if not (reason or "").strip():
        errors["reason"] = "Say why the targets are shared this way; people read it."
    weights: list[str] = []
    if method == Seasonality.SHARES:
        weights, problem = _month_weights(shares)
        if problem:
            errors["shares"] = problem
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # One writer at a time per KPI, as for its versions.
        KpiDefinition.objects.select_for_update().filter(pk=kpi.pk).first()
        previous = SeasonalityProfile.objects.filter(kpi=kpi).order_by("id").last()
        profile = SeasonalityProfile.objects.create(
            kpi=kpi,
            method=method,
            shares=weights,
            effective_from=effective_from,
            reason=reason.strip(),
            created_by=_actor_user(actor),
        )
        data_version_bump(org_id=kpi.org_id)
        audit.record(
            actor=actor,
            action="kpis.seasonality.set",
            obj=kpi,
            before=({"method": previous.method, "shares": previous.shares} if previous else None),
            after={
                "method": method,
                "shares": weights,
                "effective_from": effective_from.isoformat(),
                "reason": profile.reason,
            },
        )
    return profile


def _month_weights(shares: Sequence[Any]) -> tuple[list[str], str]:
    """Twelve weights of 0 or more, not all 0, as exact decimal text (or what is wrong)."""
    if len(shares) != 12:
        return [], "Give twelve weights, one per month from January to December."
    out = []
    for month, value in enumerate(shares, start=1):
        try:
            number = Decimal(str(value).strip().rstrip("%").replace(",", "") or "0")
        except (InvalidOperation, ValueError):
            return [], f"Month {month}: {value!r} is not a number."
        if not number.is_finite() or number < 0 or number >= MAX_TARGET:
            return [], f"Month {month}: a weight is a number of 0 or more."
        out.append(format(number.normalize(), "f"))
    if not any(Decimal(value) > 0 for value in out):
        return [], "At least one month must weigh more than 0."
    return out, ""
