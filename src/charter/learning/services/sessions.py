"""Scheduling sessions, enrolling people and taking attendance.

Every write that counts places locks the session's row first (`select_for_update`), so two
people taking the last place, or two cancellations promoting from the waiting list, happen one
after the other: the capacity holds and the queue moves in arrival order. Emails (with their
calendar invitations) leave once the transaction commits."""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from charter.core import audit
from charter.learning import tasks
from charter.learning.models import (
    Attendance,
    Enrolment,
    EnrolmentStatus,
    Training,
    TrainingSession,
)
from charter.learning.services.completions import (
    completion_from_attendance,
    completion_withdraw,
)
from charter.org.models import Person

_FIELDS = [
    "starts_at", "ends_at", "time_zone", "location", "video_link", "capacity", "facilitator",
    "cancelled_at", "sequence",
]  # fmt: skip
_ENROLMENT_FIELDS = ["person", "status", "queue", "attendance"]
MAX_CAPACITY = 10_000


@functools.cache
def zone_names() -> frozenset[str]:
    """The IANA zone names this system knows (read once: it scans the zone files)."""
    return frozenset(available_timezones())


def zone_or_error(name: str) -> ZoneInfo:
    """The IANA zone called `name`, or a `time_zone` field error. Looked up among the known
    names, so a path-like or empty name never reaches the zone-file loader."""
    if name in zone_names():
        return ZoneInfo(name)
    raise ValidationError({"time_zone": f"“{name}” is not a time zone name like Europe/Paris."})


def _check(
    *,
    training: Training,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    time_zone: str,
    location: str,
    video_link: str,
    capacity: int,
    facilitator: Person,
) -> None:
    errors: dict[str, str] = {}
    try:
        zone_or_error(time_zone)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if ends_at <= starts_at:
        errors["ends_at"] = "The session must end after it starts."
    elif ends_at - starts_at > dt.timedelta(days=14):
        errors["ends_at"] = "A session lasts at most 14 days; schedule longer ones as several."
    if not location.strip() and not video_link.strip():
        errors["location"] = "Say where it takes place, or give a video link."
    if not 1 <= capacity <= MAX_CAPACITY:
        errors["capacity"] = f"Capacity is from 1 to {MAX_CAPACITY} people."
    if facilitator.org_id != training.org_id or not facilitator.is_active:
        errors["facilitator"] = "The facilitator must be an active person of this organization."
    if errors:
        raise ValidationError(errors)


def session_create(
    *,
    actor: Any,
    training: Training,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    time_zone: str,
    capacity: int,
    facilitator: Person,
    location: str = "",
    video_link: str = "",
) -> TrainingSession:
    """Schedule a run of `training` (a past one too: a session held before Charter recorded
    it still takes attendance)."""
    values: dict[str, Any] = {
        "starts_at": starts_at, "ends_at": ends_at, "time_zone": time_zone,
        "location": location.strip(), "video_link": video_link.strip(), "capacity": capacity,
        "facilitator": facilitator,
    }  # fmt: skip
    _check(training=training, **values)
    if not training.is_active:
        raise ValidationError({"training": f"“{training.title}” is retired."})
    with transaction.atomic():
        session = TrainingSession.objects.create(
            org_id=training.org_id, training=training, created_by=actor, **values
        )
        audit.record(
            actor=actor,
            action="learning.session.scheduled",
            obj=session,
            after=audit.snapshot(session, _FIELDS),
        )
    return session


def _lock(session: TrainingSession) -> TrainingSession:
    """The session's row, locked until the transaction ends, read afresh."""
    return TrainingSession.objects.select_for_update().get(pk=session.pk)


def _send_after_commit(enrolment_ids: list[int], kind: str) -> None:
    for pk in enrolment_ids:
        transaction.on_commit(
            lambda pk=pk: tasks.send_session_email.enqueue(enrolment_id=pk, kind=kind)  # type: ignore[misc]
        )


def _promote(session: TrainingSession, actor: Any) -> list[int]:
    """Move the first waiting people into the free places, in arrival order (session locked)."""
    enrolled = session.enrolments.filter(status=EnrolmentStatus.ENROLLED).count()
    free = session.capacity - enrolled
    if free <= 0:
        return []
    moved = list(
        session.enrolments.filter(status=EnrolmentStatus.WAITLISTED).order_by("queue")[:free]
    )
    for enrolment in moved:
        enrolment.status = EnrolmentStatus.ENROLLED
        enrolment.sequence += 1
        enrolment.save(update_fields=["status", "sequence", "updated_at"])
        audit.record(
            actor=actor,
            action="learning.enrolment.promoted",
            obj=enrolment,
            after=audit.snapshot(enrolment, _ENROLMENT_FIELDS),
        )
    return [e.pk for e in moved]


def session_update(*, session: TrainingSession, actor: Any, **values: Any) -> TrainingSession:
    """Change when, where, how many or who leads: enrolled people get an updated invitation
    (a higher SEQUENCE); more places move people up from the waiting list."""
    with transaction.atomic():
        locked = _lock(session)
        if locked.is_cancelled:
            raise ValidationError("This session is cancelled; schedule a new one instead.")
        merged = {field: values.get(field, getattr(locked, field)) for field in _FIELDS[:7]}
        merged["location"], merged["video_link"] = (
            merged["location"].strip(),
            merged["video_link"].strip(),
        )
        _check(training=locked.training, **merged)
        enrolled = locked.enrolments.filter(status=EnrolmentStatus.ENROLLED).count()
        if merged["capacity"] < enrolled:
            raise ValidationError(
                {"capacity": f"{enrolled} people are enrolled; cancel some places first."}
            )
        before = audit.snapshot(locked, _FIELDS)
        for field, value in merged.items():
            setattr(locked, field, value)
        locked.sequence += 1
        locked.save()
        audit.record(
            actor=actor,
            action="learning.session.changed",
            obj=locked,
            before=before,
            after=audit.snapshot(locked, _FIELDS),
        )
        holders = locked.enrolments.filter(status=EnrolmentStatus.ENROLLED)
        notified = list(holders.values_list("pk", flat=True))
        holders.update(sequence=F("sequence") + 1)
        _send_after_commit(notified, "changed")
        _send_after_commit(_promote(locked, actor), "promoted")
    return locked


def session_cancel(*, session: TrainingSession, actor: Any) -> TrainingSession:
    """Call the session off: everyone enrolled gets a cancellation for their calendar."""
    with transaction.atomic():
        locked = _lock(session)
        if locked.is_cancelled:
            return locked
        before = audit.snapshot(locked, _FIELDS)
        locked.cancelled_at = timezone.now()
        locked.sequence += 1
        locked.save(update_fields=["cancelled_at", "sequence", "updated_at"])
        audit.record(
            actor=actor,
            action="learning.session.cancelled",
            obj=locked,
            before=before,
            after=audit.snapshot(locked, _FIELDS),
        )
        active = locked.enrolments.exclude(status=EnrolmentStatus.CANCELLED)
        notified = list(active.values_list("pk", flat=True))
        active.update(sequence=F("sequence") + 1)
        _send_after_commit(notified, "session_cancelled")
    return locked


def enrol(
    *, session: TrainingSession, person: Person, actor: Any, by_manager: bool = False
) -> Enrolment:
    """Give `person` a place, or put them at the back of the waiting list when the session is
    full. A manager's enrolment of someone else is refused when full (they asked for a place,
    not a queue), with the reason on `capacity`."""
    with transaction.atomic():
        locked = _lock(session)
        if locked.is_cancelled:
            raise ValidationError({"session": "This session is cancelled."})
        if locked.starts_at <= timezone.now():
            raise ValidationError({"session": "This session has already started."})
        if person.org_id != locked.org_id or not person.is_active:
            raise ValidationError({"person": "Only active people of this organization enrol."})
        found = Enrolment.objects.filter(session=locked, person=person).first()
        if found is not None and found.status != EnrolmentStatus.CANCELLED:
            where = "enrolled" if found.status == EnrolmentStatus.ENROLLED else "waiting"
            raise ValidationError({"person": f"{person.full_name} is already {where}."})
        taken = locked.enrolments.filter(status=EnrolmentStatus.ENROLLED).count()
        full = taken >= locked.capacity
        if full and by_manager:
            raise ValidationError(
                {
                    "capacity": f"The session is full ({taken} of {locked.capacity} places); "
                    f"{person.full_name} can join its waiting list themself."
                }
            )
        last = locked.enrolments.aggregate(last=Max("queue"))["last"] or 0
        enrolment = found or Enrolment(session=locked, person=person)
        enrolment.status = EnrolmentStatus.WAITLISTED if full else EnrolmentStatus.ENROLLED
        enrolment.queue = last + 1
        enrolment.enrolled_by = actor
        enrolment.attendance = ""
        enrolment.sequence = (enrolment.sequence + 1) if found else 0
        enrolment.save()
        audit.record(
            actor=actor,
            action="learning.enrolment.waitlisted" if full else "learning.enrolment.enrolled",
            obj=enrolment,
            after=audit.snapshot(enrolment, _ENROLMENT_FIELDS),
        )
        _send_after_commit([enrolment.pk], "waitlisted" if full else "enrolled")
    return enrolment


def enrolment_cancel(*, enrolment: Enrolment, actor: Any) -> Enrolment:
    """Give a place up (or leave the waiting list); the first person waiting moves up."""
    with transaction.atomic():
        locked = _lock(enrolment.session)
        current = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        if current.status == EnrolmentStatus.CANCELLED:
            return current
        if locked.starts_at <= timezone.now():
            raise ValidationError({"session": "This session has already started."})
        before = audit.snapshot(current, _ENROLMENT_FIELDS)
        had_place = current.status == EnrolmentStatus.ENROLLED
        current.status = EnrolmentStatus.CANCELLED
        current.sequence += 1
        current.save(update_fields=["status", "sequence", "updated_at"])
        audit.record(
            actor=actor,
            action="learning.enrolment.cancelled",
            obj=current,
            before=before,
            after=audit.snapshot(current, _ENROLMENT_FIELDS),
        )
        if had_place:
            _send_after_commit([current.pk], "cancelled")
            _send_after_commit(_promote(locked, actor), "promoted")
    return current


def session_hours(session: TrainingSession) -> Decimal:
    """What attending counts: the training's expected hours, or the session's length."""
    if session.training.expected_hours:
        return Decimal(session.training.expected_hours)
    seconds = Decimal((session.ends_at - session.starts_at).total_seconds())
    return (seconds / 3600).quantize(Decimal("0.01"))


def attendance_set(*, enrolment: Enrolment, actor: Any, attendance: str) -> Enrolment:
    """Record who came. Attended writes an approved completion of the training's hours on the
    session's last day (its own zone), feeding the hours KPI; any other answer takes it back."""
    if attendance not in Attendance.values:
        raise ValidationError({"attendance": "Choose attended, did not come or excused."})
    with transaction.atomic():
        session = _lock(enrolment.session)
        current = (
            Enrolment.objects.select_for_update().select_related("person").get(pk=enrolment.pk)
        )
        if session.is_cancelled:
            raise ValidationError({"attendance": "This session is cancelled."})
        if session.starts_at > timezone.now():
            raise ValidationError({"attendance": "Attendance is taken once the session starts."})
        if current.status != EnrolmentStatus.ENROLLED:
            raise ValidationError({"attendance": "Only enrolled people have an attendance."})
        if current.attendance == attendance:
            return current
        before = audit.snapshot(current, _ENROLMENT_FIELDS)
        if attendance == Attendance.ATTENDED:
            day = session.ends_at.astimezone(ZoneInfo(session.time_zone)).date()
            current.completion = completion_from_attendance(
                person=current.person,
                actor=actor,
                training=session.training,
                completed_on=day,
                hours=session_hours(session),
            )
        elif current.completion is not None:
            completion_withdraw(completion=current.completion, actor=actor)
            current.completion = None
        current.attendance = attendance
        current.attendance_by = actor
        current.save(update_fields=["attendance", "attendance_by", "completion", "updated_at"])
        audit.record(
            actor=actor,
            action="learning.enrolment.attendance",
            obj=current,
            before=before,
            after=audit.snapshot(current, _ENROLMENT_FIELDS),
        )
    return current
