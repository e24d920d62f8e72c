"""Changes to a person's targets, told in words for the person: the email that tells them and
the card on their home page read the same `TargetChange`."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Exists, OuterRef

from charter.kpis.models import KpiVersion, TargetRevision
from charter.kpis.scoring import Revision, value_on
from charter.kpis.templatetags.kpis_format import kpi_value
from charter.org.models import Person


@dataclass(frozen=True)
class TargetChange:
    """One change to a person's target: what it was on the day the change applies from, what
    it becomes, why and by whom."""

    revision_id: int
    person: Person
    kpi_name: str
    period_label: str
    before: str
    after: str
    effective_from: dt.date
    reason: str
    author: str
    created_at: dt.datetime


def _changes(revisions: list[TargetRevision]) -> list[TargetChange]:
    """The changes among `revisions` (each with its target's earlier revisions loaded by the
    caller as `earlier`): a target's first revision sets it and is not a change."""
    kpis = {r.target.kpi_id for r in revisions}
    latest: dict[int, KpiVersion] = {}
    for each in KpiVersion.objects.filter(definition_id__in=kpis).order_by("number"):
        latest[each.definition_id] = each
    out = []
    for revision in revisions:
        earlier: list[TargetRevision] = getattr(revision, "earlier", [])
        if not earlier:
            continue
        target = revision.target
        person = target.person
        assert person is not None
        version = latest.get(target.kpi_id)
        unit, decimals = (version.unit, version.decimals) if version else ("count", 0)
        currency = person.org.reporting_currency
        timeline = [Revision(r.value, r.effective_from) for r in earlier]
        author = revision.created_by
        out.append(
            TargetChange(
                revision_id=revision.pk,
                person=person,
                kpi_name=version.name if version else target.kpi.key,
                period_label=target.period_label,
                before=kpi_value(
                    value_on(timeline, revision.effective_from), unit, decimals, currency
                ),
                after=kpi_value(revision.value, unit, decimals, currency),
                effective_from=revision.effective_from,
                reason=revision.reason,
                author=_name_of(author),
                created_at=revision.created_at,
            )
        )
    return out


def _name_of(user: object) -> str:
    if user is None:
        return "Charter"  # the command line or an import run by the system
    person = getattr(user, "person", None)
    return person.full_name if person is not None else str(getattr(user, "email", ""))


def _with_earlier(revisions: list[TargetRevision]) -> list[TargetRevision]:
    """Loads, for each revision, the revisions of its target made before it (one query)."""
    by_target: dict[int, list[TargetRevision]] = defaultdict(list)
    targets = {r.target_id for r in revisions}
    for other in TargetRevision.objects.filter(target_id__in=targets).order_by("id"):
        by_target[other.target_id].append(other)
    for revision in revisions:
        revision.earlier = [  # type: ignore[attr-defined]
            r for r in by_target[revision.target_id] if r.pk < revision.pk
        ]
    return revisions


def target_change(revision_id: int) -> TargetChange | None:
    """The change revision `revision_id` made to a person's target; None for a first target or
    a team's target (nobody in particular to tell)."""
    revision = (
        TargetRevision.objects.select_related(
            "target__kpi", "target__person__org", "created_by__person"
        )
        .filter(pk=revision_id, target__person__isnull=False)
        .first()
    )
    if revision is None:
        return None
    changes = _changes(_with_earlier([revision]))
    return changes[0] if changes else None


def recent_target_changes(person: Person, *, since: dt.datetime, limit: int) -> list[TargetChange]:
    """Changes made since `since` to `person`'s targets, newest first."""
    revisions = list(
        TargetRevision.objects.select_related(
            "target__kpi", "target__person__org", "created_by__person"
        )
        .filter(target__person=person, created_at__gte=since)
        .filter(
            # A change, not the first value a target was set to.
            Exists(
                TargetRevision.objects.filter(
                    target_id=OuterRef("target_id"), pk__lt=OuterRef("pk")
                )
            )
        )
        .order_by("-created_at", "-id")[:limit]
    )
    return _changes(_with_earlier(revisions))
