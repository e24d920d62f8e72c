"""Giving feedback, asking for it, answering a request, and the reminders near a due date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from charter.core import audit
from charter.core.periods import local_day
from charter.expectations.models import Expectation, Value
from charter.feedback import metrics, tasks
from charter.feedback.models import Feedback, FeedbackRequest, Kind, Visibility
from charter.kpis.rollups import contribute
from charter.org.access import subtree_ids
from charter.org.models import Person

# How many days before its due date an open request is reminded of (once).
REMIND_DAYS_BEFORE = 2


def org_today(org: Any) -> dt.date:
    return local_day(timezone.now(), org.time_zone or "UTC")


def _check_values(org_id: int, values: Iterable[Value]) -> list[Value]:
    chosen = list(values)
    if not chosen:
        raise ValidationError({"values": "Choose at least one company value."})
    for value in chosen:
        if value.org_id != org_id:
            raise ValidationError({"values": f"“{value}” is not one of your company's values."})
        if not value.is_active:
            raise ValidationError(
                {"values": f"“{value}” is a retired value: choose one still in use."}
            )
    return chosen


def _check_expectation(org_id: int, expectation: Expectation | None) -> None:
    if expectation is None:
        return
    if expectation.section.document.org_id != org_id:
        raise ValidationError({"expectation": "That expectation is not your company's."})


def feedback_give(
    *,
    giver: Person,
    actor: Any,
    recipient: Person,
    kind: str,
    visibility: str,
    text: str,
    values: Iterable[Value],
    expectation: Expectation | None = None,
    request: FeedbackRequest | None = None,
) -> Feedback:
    """Feedback from `giver` to `recipient`, counted in both people's KPI metrics; the
    recipient is told by email unless they turned those emails off."""
    if recipient.org_id != giver.org_id:
        raise ValidationError({"recipient": "That person is outside your organization."})
    if recipient.pk == giver.pk:
        raise ValidationError({"recipient": "You cannot give feedback to yourself."})
    if not recipient.is_active:
        raise ValidationError({"recipient": f"{recipient.full_name} has left."})
    if kind not in Kind.values:
        raise ValidationError({"kind": "Choose praise or constructive feedback."})
    if visibility not in Visibility.values:
        raise ValidationError({"visibility": "Choose who may read it."})
    if kind == Kind.CONSTRUCTIVE and visibility == Visibility.PUBLIC:
        raise ValidationError(
            {"visibility": "Constructive feedback is never public: keep it private or for "
             "the recipient and their managers."}
        )  # fmt: skip
    if not text.strip():
        raise ValidationError({"text": "Say what the feedback is."})
    chosen = _check_values(giver.org_id, values)
    _check_expectation(giver.org_id, expectation)
    with transaction.atomic():
        if request is not None:
            # Locked: two answers at once to one request would both pass the open check.
            request = FeedbackRequest.objects.select_for_update().get(pk=request.pk)
            if request.asked_id != giver.pk:
                raise ValidationError({"request": "That request was not sent to you."})
            if not request.is_open:
                raise ValidationError({"request": "That request has already been answered."})
            if request.subject_id != recipient.pk:
                raise ValidationError(
                    {"recipient": f"The request asks about {request.subject.full_name}."}
                )
        feedback = Feedback.objects.create(
            org_id=giver.org_id,
            giver=giver,
            recipient=recipient,
            kind=kind,
            visibility=visibility,
            text=text.strip(),
            expectation=expectation,
            request=request,
            given_on=org_today(giver.org),
        )
        feedback.values.set(chosen)
        if request is not None:
            request.answered_at = timezone.now()
            request.save(update_fields=["answered_at"])
        contribute(org_id=giver.org_id, amounts=metrics.feedback_amounts(feedback))
        # The text stays out of the audit log, and so does whom a private one was for: the
        # log's readers (admins) are not among a private feedback's readers.
        after: dict[str, Any] = {"kind": kind, "visibility": visibility}
        if visibility != Visibility.PRIVATE:
            after |= {"recipient": recipient.pk, "values": [v.pk for v in chosen]}
        audit.record(actor=actor, action="feedback.feedback.given", obj=feedback, after=after)
        transaction.on_commit(
            lambda fid=feedback.pk: tasks.send_feedback_received.enqueue(feedback_id=fid)  # type: ignore[misc]
        )
    return feedback


def request_create(
    *, asked_by: Person, actor: Any, subject: Person, asked: list[Person], topic: str,
    due_on: dt.date,
) -> list[FeedbackRequest]:  # fmt: skip
    """Ask each of `asked` for feedback about `subject` (the asker, or a report of theirs)."""
    errors: dict[str, str] = {}
    if subject.org_id != asked_by.org_id:
        errors["subject"] = "That person is outside your organization."
    elif subject.pk not in subtree_ids(asked_by):
        errors["subject"] = "Ask about yourself or about someone who reports to you."
    if not asked:
        errors["asked"] = "Choose whom to ask."
    for person in asked:
        if person.org_id != asked_by.org_id:
            errors["asked"] = f"{person.full_name} is outside your organization."
        elif person.pk == subject.pk:
            errors["asked"] = f"{person.full_name} cannot give feedback about themselves."
        elif not person.is_active:
            errors["asked"] = f"{person.full_name} has left."
    if not topic.strip():
        errors["topic"] = "Say what the feedback is about."
    if due_on < org_today(asked_by.org):
        errors["due_on"] = "The due date is in the past."
    if errors:
        raise ValidationError(errors)
    made: list[FeedbackRequest] = []
    with transaction.atomic():
        for person in dict.fromkeys(asked):
            found = FeedbackRequest.objects.create(
                org_id=asked_by.org_id,
                asked_by=asked_by,
                subject=subject,
                asked=person,
                topic=topic.strip(),
                due_on=due_on,
            )
            audit.record(
                actor=actor,
                action="feedback.request.created",
                obj=found,
                after={"subject": subject.pk, "asked": person.pk, "topic": found.topic,
                       "due_on": due_on},
            )  # fmt: skip
            made.append(found)
            transaction.on_commit(
                lambda rid=found.pk: tasks.send_request.enqueue(request_id=rid, stage="asked")  # type: ignore[misc]
            )
    return made


def requests_remind(*, today: dt.date | None = None) -> int:
    """Remind the people asked of open requests due within REMIND_DAYS_BEFORE days, once each.
    Returns how many were due a reminder."""
    now = timezone.now()
    count = 0
    candidates = FeedbackRequest.objects.filter(
        answered_at__isnull=True, reminded_at__isnull=True
    ).select_related("org")
    for found in candidates.iterator():
        day = today or org_today(found.org)
        if found.due_on - dt.timedelta(days=REMIND_DAYS_BEFORE) > day:
            continue
        with transaction.atomic():
            # Claimed before the email is queued: a second tick finds it reminded.
            claimed = FeedbackRequest.objects.filter(
                pk=found.pk, reminded_at__isnull=True, answered_at__isnull=True
            ).update(reminded_at=now)
            if not claimed:
                continue
            transaction.on_commit(
                lambda rid=found.pk: tasks.send_request.enqueue(request_id=rid, stage="reminder")  # type: ignore[misc]
            )
            count += 1
    return count
