"""One meeting at a time: skip it, move it, say it was held. None of these touches the other
meetings of the series; each change raises the occurrence's SEQUENCE and tells both people."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from charter.core import audit
from charter.meetings.models import Meeting, Status


def _require_scheduled(meeting: Meeting, field: str) -> None:
    if meeting.status != Status.SCHEDULED:
        raise ValidationError(
            {field: f"This meeting is already {meeting.get_status_display().lower()}."}
        )


def meeting_skip(*, meeting: Meeting, actor: Any, reason: str = "") -> Meeting:
    _require_scheduled(meeting, "reason")
    if meeting.start <= timezone.now():
        raise ValidationError(
            {"reason": "A meeting that has started cannot be skipped; mark it held."}
        )
    with transaction.atomic():
        meeting.status = Status.SKIPPED
        meeting.skip_reason = reason.strip()[:200]
        meeting.sequence += 1
        meeting.save(update_fields=["status", "skip_reason", "sequence"])
        audit.record(
            actor=actor,
            action="meetings.meeting.skip",
            obj=meeting,
            after={"reason": meeting.skip_reason},
        )
        transaction.on_commit(lambda: _tell(meeting.pk))
    return meeting


def meeting_move(*, meeting: Meeting, actor: Any, start: dt.datetime) -> Meeting:
    """To another time: not into the past, and not onto another meeting of the same pair."""
    _require_scheduled(meeting, "start")
    if timezone.is_naive(start):
        raise ValueError("meeting_move needs an aware datetime")
    if start <= timezone.now():
        raise ValidationError({"start": "A meeting cannot move into the past."})
    end = start + (meeting.end - meeting.start)
    series = meeting.series
    clash = (
        Meeting.objects.filter(
            series__manager_id=series.manager_id,
            series__report_id=series.report_id,
            start__lt=end,
            end__gt=start,
        )
        .exclude(pk=meeting.pk)
        .exclude(status=Status.SKIPPED)
        .first()
    )
    if clash is not None:
        raise ValidationError(
            {"start": f"That overlaps your other 1:1 on {clash.start:%Y-%m-%d %H:%M}."}
        )
    with transaction.atomic():
        before = {"start": meeting.start}
        meeting.start, meeting.end = start, end
        meeting.sequence += 1
        # Its agenda is built again the day before the new time.
        meeting.reminded_at = None
        meeting.save(update_fields=["start", "end", "sequence", "reminded_at"])
        audit.record(
            actor=actor,
            action="meetings.meeting.move",
            obj=meeting,
            before=before,
            after={"start": start},
        )
        transaction.on_commit(lambda: _tell(meeting.pk))
    return meeting


def meeting_mark_held(*, meeting: Meeting, actor: Any) -> Meeting:
    """Either person says it took place; only from its start on (a 1:1 cannot be held early)."""
    _require_scheduled(meeting, "status")
    if meeting.start > timezone.now():
        raise ValidationError({"status": "A meeting is marked held once it has started."})
    with transaction.atomic():
        meeting.status = Status.HELD
        meeting.held_by = actor
        meeting.held_at = timezone.now()
        meeting.save(update_fields=["status", "held_by", "held_at"])
        audit.record(actor=actor, action="meetings.meeting.held", obj=meeting)
    return meeting


def _tell(meeting_id: int) -> None:
    from charter.meetings import emails

    emails.meeting_changed(meeting_id=meeting_id)
