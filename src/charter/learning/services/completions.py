"""Reporting, reviewing and importing completions.

Only approved completions count (hours, requirements, KPIs), so approving one, and importing
some, changes figures: those bump the organization's data version."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from charter.core import audit
from charter.kpis.registry import Amount
from charter.kpis.rollups import contribute
from charter.learning.metrics import changed_amounts, state_of
from charter.learning.models import Completion, Source, Status, Training
from charter.learning.selectors import org_today
from charter.org.models import Organization, Person
from charter.org.versions import data_version_bump

HOURS_IN_A_DAY = Decimal("24")
_FIELDS = ["training", "completed_on", "hours", "score", "note", "status", "review_note"]


def hours_text(hours: Decimal) -> str:
    """Hours as people write them: 2.5, 20, not 2.50 or 2E+1."""
    return f"{hours.normalize():f}"


def _decimal(value: Any, field: str, label: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: f"{label} must be a number."}) from None
    if not number.is_finite():
        raise ValidationError({field: f"{label} must be a number."})
    return number


def hours_taken(person: Person, day: dt.date, *, exclude_pk: int | None = None) -> Decimal:
    """Hours already on `person`'s record on `day` (completions not sent back)."""
    taken = (
        Completion.objects.filter(person=person, completed_on=day)
        .exclude(status=Status.RETURNED)
        .exclude(pk=exclude_pk or 0)
        .aggregate(total=Sum("hours"))["total"]
    )
    return Decimal(taken or 0)


def completion_problems(
    *, completed_on: dt.date, hours: Decimal, score: Decimal | None, today: dt.date
) -> list[tuple[str, str]]:
    """What is wrong with one completion's own figures, as (field, message) pairs: no day in
    the future, more than 0 and at most 24 hours, a score from 0 to 100."""
    errors: list[tuple[str, str]] = []
    if completed_on > today:
        errors.append(
            ("completed_on", f"{completed_on.isoformat()} is in the future (today is {today}).")
        )
    if hours <= 0:
        errors.append(("hours", "Hours must be more than 0."))
    elif hours > HOURS_IN_A_DAY:
        errors.append(("hours", f"{hours_text(hours)} hours is more than a day holds (24)."))
    if score is not None and not Decimal("0") <= score <= Decimal("100"):
        errors.append(("score", "A score is from 0 to 100."))
    return errors


def check_completion(
    *,
    person: Person,
    training: Training,
    completed_on: dt.date,
    hours: Decimal,
    score: Decimal | None,
    exclude_pk: int | None = None,
) -> list[tuple[str, str]]:
    """`completion_problems`, and the day's total with what the person already has that day."""
    errors = completion_problems(
        completed_on=completed_on, hours=hours, score=score, today=org_today(person.org)
    )
    if training.org_id != person.org_id:
        errors.append(("training", "That training is not in this organization."))
    if not any(field == "hours" for field, _ in errors):
        taken = hours_taken(person, completed_on, exclude_pk=exclude_pk)
        if taken + hours > HOURS_IN_A_DAY:
            errors.append(
                (
                    "hours",
                    f"{person.full_name} already has {hours_text(taken)} hours on "
                    f"{completed_on.isoformat()}; with {hours_text(hours)} more the day would "
                    "hold over 24.",
                )
            )
    return errors


def _raise(errors: list[tuple[str, str]]) -> None:
    if errors:
        merged: dict[str, list[str]] = {}
        for field, message in errors:
            merged.setdefault(field, []).append(message)
        raise ValidationError(merged)


def completion_report(
    *,
    person: Person,
    actor: Any,
    training: Training,
    completed_on: dt.date,
    hours: Decimal | str | int,
    score: Decimal | str | int | None = None,
    note: str = "",
) -> Completion:
    """A person says they completed a training; it waits for their manager's approval."""
    hours = _decimal(hours, "hours", "Hours")
    score = None if score in (None, "") else _decimal(score, "score", "A score")
    if not training.is_active:
        raise ValidationError({"training": f"“{training.title}” is retired."})
    if Completion.objects.filter(
        person=person, training=training, completed_on=completed_on
    ).exists():
        raise ValidationError(
            {"completed_on": f"“{training.title}” is already on your record for {completed_on}."}
        )
    _raise(
        check_completion(
            person=person, training=training, completed_on=completed_on, hours=hours, score=score
        )
    )
    with transaction.atomic():
        completion = Completion.objects.create(
            org_id=person.org_id, person=person, training=training, completed_on=completed_on,
            hours=hours, score=score, note=note.strip(), source=Source.SELF_REPORT,
            status=Status.PENDING, created_by=actor,
        )  # fmt: skip
        audit.record(
            actor=actor,
            action="learning.completion.reported",
            obj=completion,
            after={"person": person.pk, **audit.snapshot(completion, _FIELDS)},
        )
    return completion


def completion_resubmit(
    *,
    completion: Completion,
    actor: Any,
    completed_on: dt.date,
    hours: Decimal | str | int,
    score: Decimal | str | int | None = None,
    note: str = "",
) -> Completion:
    """A completion sent back, corrected and sent for approval again."""
    if completion.status != Status.RETURNED:
        raise ValidationError("Only a completion that was sent back can be sent again.")
    hours = _decimal(hours, "hours", "Hours")
    score = None if score in (None, "") else _decimal(score, "score", "A score")
    clash = Completion.objects.filter(
        person_id=completion.person_id, training_id=completion.training_id,
        completed_on=completed_on,
    ).exclude(pk=completion.pk)  # fmt: skip
    if clash.exists():
        raise ValidationError({"completed_on": f"This training is already on {completed_on}."})
    _raise(
        check_completion(
            person=completion.person,
            training=completion.training,
            completed_on=completed_on,
            hours=hours,
            score=score,
            exclude_pk=completion.pk,
        )
    )
    with transaction.atomic():
        before = audit.snapshot(completion, _FIELDS)
        completion.completed_on, completion.hours, completion.score = completed_on, hours, score
        completion.note, completion.status = note.strip(), Status.PENDING
        completion.save(update_fields=["completed_on", "hours", "score", "note", "status"])
        audit.record(
            actor=actor,
            action="learning.completion.resubmitted",
            obj=completion,
            before=before,
            after=audit.snapshot(completion, _FIELDS),
        )
    return completion


def completion_review(
    *, completion: Completion, actor: Any, approve: bool, review_note: str = ""
) -> Completion:
    """The manager approves a pending completion, or sends it back saying why."""
    if completion.status != Status.PENDING:
        raise ValidationError("This completion is not waiting for approval.")
    review_note = review_note.strip()
    if not approve and not review_note:
        raise ValidationError({"review_note": "Say why it goes back, so it can be put right."})
    with transaction.atomic():
        before = audit.snapshot(completion, _FIELDS)
        counted = state_of(completion)
        completion.status = Status.APPROVED if approve else Status.RETURNED
        completion.review_note = review_note
        completion.reviewed_by = actor
        completion.reviewed_at = timezone.now()
        completion.save(update_fields=["status", "review_note", "reviewed_by", "reviewed_at"])
        audit.record(
            actor=actor,
            action="learning.completion." + ("approved" if approve else "returned"),
            obj=completion,
            before=before,
            after=audit.snapshot(completion, _FIELDS),
        )
        if approve:
            # Approved hours count in the KPIs from now: into their rollup, in this transaction.
            contribute(
                org_id=completion.org_id, amounts=changed_amounts(counted, state_of(completion))
            )
            data_version_bump(org_id=completion.org_id)
    return completion


def completions_import(
    *, org: Organization, actor: Any, rows: list[dict[str, Any]], run: Any = None
) -> tuple[int, int, int]:
    """Write completions from an LMS export, approved as they come: each row is a person,
    training and day (the completion's identity) with its hours and score. A row that is already
    on record with the same figures changes nothing. Returns (created, updated, unchanged).
    Rows are checked by the importer before; this runs inside its transaction."""
    keys = {(r["person"], r["training"], r["completed_on"]) for r in rows}
    existing = {
        (c.person_id, c.training_id, c.completed_on): c
        for c in Completion.objects.filter(
            org=org,
            person_id__in={k[0] for k in keys},
            training_id__in={k[1] for k in keys},
        )
        if (c.person_id, c.training_id, c.completed_on) in keys
    }
    created = updated = unchanged = 0
    new: list[Completion] = []
    changes: list[Amount] = []
    for row in rows:
        found = existing.get((row["person"], row["training"], row["completed_on"]))
        if found is None:
            new.append(
                Completion(
                    org=org,
                    person_id=row["person"],
                    training_id=row["training"],
                    completed_on=row["completed_on"],
                    hours=row["hours"],
                    score=row["score"],
                    source=Source.IMPORT,
                    status=Status.APPROVED,
                    import_run=run,
                    created_by=actor,
                    reviewed_at=timezone.now(),
                )
            )
            changes += changed_amounts(None, state_of(new[-1]))
            created += 1
            continue
        same = found.hours == row["hours"] and found.score == row["score"]
        if same and found.status == Status.APPROVED:
            unchanged += 1
            continue
        counted = state_of(found)
        found.hours, found.score, found.status = row["hours"], row["score"], Status.APPROVED
        found.source, found.import_run, found.reviewed_at = Source.IMPORT, run, timezone.now()
        found.save(
            update_fields=["hours", "score", "status", "source", "import_run", "reviewed_at"]
        )
        changes += changed_amounts(counted, state_of(found))
        updated += 1
    Completion.objects.bulk_create(new, batch_size=1000)
    # What the file changed in approved hours, into the KPI rollup in the import's transaction.
    contribute(org_id=org.pk, amounts=changes)
    if created or updated:
        audit.record(
            actor=actor,
            action="learning.completions.imported",
            obj=run,
            after={"created": created, "updated": updated, "unchanged": unchanged},
        )
        data_version_bump(org_id=org.pk)
    return created, updated, unchanged


def completion_from_attendance(
    *, person: Person, actor: Any, training: Training, completed_on: dt.date, hours: Decimal
) -> Completion:
    """Attending a session is the completion, approved as it is recorded (whoever took the
    attendance vouches for it): written, or an existing one of that training and day brought
    to these hours and approved, with its hours into the KPI rollup in the caller's
    transaction. Problems are keyed `attendance`, the field the caller shows."""
    found = Completion.objects.filter(
        person=person, training=training, completed_on=completed_on
    ).first()
    errors = check_completion(
        person=person,
        training=training,
        completed_on=completed_on,
        hours=hours,
        score=None,
        exclude_pk=found.pk if found else None,
    )
    _raise([("attendance", message) for _field, message in errors])
    counted = state_of(found) if found else None
    completion = found or Completion(
        org_id=person.org_id, person=person, training=training, completed_on=completed_on,
        created_by=actor,
    )  # fmt: skip
    before = audit.snapshot(completion, _FIELDS) if found else None
    completion.hours, completion.status = hours, Status.APPROVED
    completion.source, completion.reviewed_by = Source.SESSION, actor
    completion.reviewed_at = timezone.now()
    completion.save()
    audit.record(
        actor=actor,
        action="learning.completion.attended",
        obj=completion,
        before=before,
        after={"person": person.pk, **audit.snapshot(completion, _FIELDS)},
    )
    contribute(org_id=completion.org_id, amounts=changed_amounts(counted, state_of(completion)))
    data_version_bump(org_id=completion.org_id)
    return completion


def completion_withdraw(*, completion: Completion, actor: Any) -> None:
    """Take back a completion that attending wrote (the attendance was corrected): its hours
    leave the KPI rollup in the caller's transaction."""
    counted = state_of(completion)
    audit.record(
        actor=actor,
        action="learning.completion.withdrawn",
        obj=completion,
        before={"person": completion.person_id, **audit.snapshot(completion, _FIELDS)},
    )
    completion.delete()
    contribute(org_id=completion.org_id, amounts=changed_amounts(counted, None))
    data_version_bump(org_id=completion.org_id)
