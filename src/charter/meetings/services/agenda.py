"""A meeting's agenda: built from every app's agenda source, then edited by its two people.

Built the day before (the periodic job) and built again whenever someone opens the meeting
until it starts, by item key: a proposed item is updated in place, a new one is added at the
end, and one its source no longer proposes is dropped unless someone marked it discussed.
Topics people add themselves are never touched by a rebuild.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from charter.core import audit
from charter.core.registry import agenda_items
from charter.meetings.models import AgendaEntry, Meeting, Status
from charter.meetings.services.series import local_today


def previous_held(meeting: Meeting) -> Meeting | None:
    return (
        Meeting.objects.filter(series=meeting.series, status=Status.HELD, start__lt=meeting.start)
        .order_by("-start")
        .first()
    )


def agenda_build(*, meeting: Meeting) -> int:
    """Bring the proposed items up to date; returns how many it added."""
    if meeting.status != Status.SCHEDULED or meeting.start <= timezone.now():
        return 0
    series = meeting.series
    before = previous_held(meeting)
    since = before.start.date() if before else None
    today = local_today(meeting.cadence.time_zone)
    proposed = agenda_items(series.report, series.manager, since, today)
    with transaction.atomic():
        existing = {e.key: e for e in meeting.agenda.exclude(key="")}
        position = (meeting.agenda.aggregate(top=Max("position"))["top"] or 0) + 1
        added: list[AgendaEntry] = []
        changed: list[AgendaEntry] = []
        for item in proposed:
            entry = existing.pop(item.key, None)
            values = {
                "source": item.source[:60],
                "title": item.title[:300],
                "detail": item.detail,
                "url": item.url[:500],
                "weight": item.weight,
            }
            if entry is None:
                added.append(
                    AgendaEntry(meeting=meeting, key=item.key[:200], position=position, **values)
                )
                position += 1
            elif any(getattr(entry, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(entry, k, v)
                changed.append(entry)
        AgendaEntry.objects.bulk_create(added)
        if changed:
            AgendaEntry.objects.bulk_update(changed, ["source", "title", "detail", "url", "weight"])
        gone = [e.pk for e in existing.values() if e.discussed_at is None and e.added_by_id is None]
        AgendaEntry.objects.filter(pk__in=gone).delete()
        meeting.agenda_built_at = timezone.now()
        meeting.save(update_fields=["agenda_built_at"])
    return len(added)


def topic_add(
    *, meeting: Meeting, author: Any, actor: Any, title: str, detail: str = ""
) -> AgendaEntry:
    title = title.strip()
    if not title:
        raise ValidationError({"title": "Write the topic."})
    if meeting.status == Status.SKIPPED:
        raise ValidationError({"title": "This meeting was skipped."})
    with transaction.atomic():
        top = meeting.agenda.aggregate(top=Max("position"))["top"] or 0
        entry = AgendaEntry.objects.create(
            meeting=meeting,
            title=title[:300],
            detail=detail.strip(),
            added_by=author,
            position=top + 1,
        )
        audit.record(
            actor=actor, action="meetings.agenda.add", obj=meeting, after={"title": entry.title}
        )
    return entry


def entry_move(*, entry: AgendaEntry, actor: Any, direction: str) -> None:
    """One place up or down: the positions of the agenda are renumbered 1..n."""
    if direction not in ("up", "down"):
        raise ValidationError({"direction": "Move up or down."})
    with transaction.atomic():
        entries = list(
            AgendaEntry.objects.select_for_update()
            .filter(meeting_id=entry.meeting_id)
            .order_by("position", "id")
        )
        index = next(i for i, e in enumerate(entries) if e.pk == entry.pk)
        other = index - 1 if direction == "up" else index + 1
        if 0 <= other < len(entries):
            entries[index], entries[other] = entries[other], entries[index]
        for number, item in enumerate(entries, start=1):
            item.position = number
        AgendaEntry.objects.bulk_update(entries, ["position"])
        audit.record(
            actor=actor,
            action="meetings.agenda.move",
            obj=entry.meeting,
            after={"entry": entry.pk, "direction": direction},
        )


def entry_discussed(*, entry: AgendaEntry, actor: Any, discussed: bool) -> AgendaEntry:
    with transaction.atomic():
        entry.discussed_at = timezone.now() if discussed else None
        entry.save(update_fields=["discussed_at"])
        audit.record(
            actor=actor,
            action="meetings.agenda.discussed",
            obj=entry.meeting,
            after={"entry": entry.pk, "discussed": discussed},
        )
    return entry
