"""Who may see and change 1:1s. Default deny; built on `org.access`.

- A series and its meetings, agenda, shared notes and action items are read by its two people
  and by the managers above the report in the reporting line (not by admins or executives as
  such: a 1:1 is a conversation, not a record of the organization).
- Its two people write to it (topics, notes, action items, held, skip, move); the managers
  above only read. Executives never write.
- The report's manager creates, re-paces and ends the series.
- A private note is read by its author alone, whoever else may read the meeting.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from charter.meetings.models import ActionItem, AgendaEntry, Meeting, Note, Series
from charter.org.access import can_write, person_of, subtree_ids
from charter.org.models import Person


def visible_series(user: Any) -> QuerySet[Series]:
    me = person_of(user)
    if me is None:
        return Series.objects.none()
    below = subtree_ids(me) - {me.pk}
    return Series.objects.filter(org_id=me.org_id).filter(
        Q(manager_id=me.pk) | Q(report_id=me.pk) | Q(report_id__in=below)
    )


def visible_meetings(user: Any) -> QuerySet[Meeting]:
    return Meeting.objects.filter(series__in=visible_series(user))


def is_participant(user: Any, series: Series) -> bool:
    me = person_of(user)
    if me is None:
        return False
    if series.org_id != me.org_id:
        return False
    return me.pk in (series.manager_id, series.report_id)


def can_view_series(user: Any, series: Series) -> bool:
    return visible_series(user).filter(pk=series.pk).exists()


def can_take_part(user: Any, series: Series) -> bool:
    """Write to a meeting: its two people, while the series is open and they may write."""
    if not can_write(user):
        return False
    if series.ended_on is not None:
        return False
    return is_participant(user, series)


def can_manage_series(user: Any, series: Series) -> bool:
    """Re-pace or end a series: its manager."""
    me = person_of(user)
    if me is None:
        return False
    if not can_write(user):
        return False
    if series.ended_on is not None:
        return False
    return series.manager_id == me.pk


def direct_reports(user: Any) -> QuerySet[Person]:
    """Whom `user` may start a series with: their active direct reports."""
    me = person_of(user)
    if me is None:
        return Person.objects.none()
    if not can_write(user):
        return Person.objects.none()
    return Person.objects.filter(manager_id=me.pk, is_active=True, org_id=me.org_id)


def can_start_series(user: Any) -> bool:
    return direct_reports(user).exists()


def visible_notes(user: Any) -> QuerySet[Note]:
    """Shared notes of the meetings `user` reads, and their own private notes: never anyone
    else's private note, whatever their role."""
    me = person_of(user)
    if me is None:
        return Note.objects.none()
    return Note.objects.filter(meeting__in=visible_meetings(user)).filter(
        Q(private=False) | Q(author_id=me.pk)
    )


def visible_agenda(user: Any) -> QuerySet[AgendaEntry]:
    return AgendaEntry.objects.filter(meeting__in=visible_meetings(user))


def visible_action_items(user: Any) -> QuerySet[ActionItem]:
    return ActionItem.objects.filter(series__in=visible_series(user))
