"""Reads of the 1:1s, each starting from the access rules."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from charter.meetings.access import (
    visible_action_items,
    visible_meetings,
    visible_notes,
    visible_series,
)
from charter.meetings.models import ActionItem, AgendaEntry, Meeting, Note, Series, Status
from charter.org.access import person_of
from charter.org.models import Person


def upcoming_meetings(user: Any, *, limit: int = 10) -> list[Meeting]:
    """The viewer's own next meetings (those they take part in), soonest first."""
    me = person_of(user)
    if me is None:
        return []
    return list(
        Meeting.objects.filter(Q(series__manager=me) | Q(series__report=me))
        .filter(start__gte=timezone.now() - dt.timedelta(hours=2), series__ended_on__isnull=True)
        .exclude(status=Status.SKIPPED)
        .select_related("series__manager", "series__report")
        .order_by("start")[:limit]
    )


def my_series(user: Any) -> list[Series]:
    me = person_of(user)
    if me is None:
        return []
    return list(
        visible_series(user)
        .filter(Q(manager=me) | Q(report=me), ended_on__isnull=True)
        .select_related("manager", "report")
        .order_by("report__full_name")
    )


@dataclass
class ReportRow:
    """A manager's view of one direct report's 1:1s."""

    person: Person
    series: Series | None
    last: Meeting | None = None
    next: Meeting | None = None
    # Meetings in a row, most recent first, that were skipped or passed without being held.
    missed_streak: int = 0
    open_actions: list[ActionItem] = field(default_factory=list)


def streak(meetings: list[Meeting], now: dt.datetime) -> int:
    """How many of the latest past meetings in a row were skipped or not marked held."""
    count = 0
    for meeting in sorted(
        (m for m in meetings if m.start < now), key=lambda m: m.start, reverse=True
    ):
        if meeting.status == Status.HELD:
            break
        count += 1
    return count


def report_rows(user: Any) -> list[ReportRow]:
    """Each direct report with their last and next 1:1, missed streak and open action items,
    in a fixed number of queries however many reports."""
    me = person_of(user)
    if me is None:
        return []
    now = timezone.now()
    reports = list(Person.objects.filter(manager=me, is_active=True).order_by("full_name"))
    series = {
        s.report_id: s
        for s in Series.objects.filter(
            manager=me, report__in=reports, ended_on__isnull=True
        ).prefetch_related(
            Prefetch("meetings", queryset=Meeting.objects.order_by("start")),
            Prefetch(
                "action_items",
                queryset=ActionItem.objects.filter(done_at__isnull=True).select_related("owner"),
            ),
        )
    }
    rows = []
    for person in reports:
        found = series.get(person.pk)
        row = ReportRow(person=person, series=found)
        if found is not None:
            meetings = list(found.meetings.all())
            past = [m for m in meetings if m.status == Status.HELD]
            row.last = past[-1] if past else None
            row.next = next(
                (m for m in meetings if m.start >= now and m.status == Status.SCHEDULED), None
            )
            row.missed_streak = streak(meetings, now)
            row.open_actions = list(found.action_items.all())
        rows.append(row)
    return rows


def reports_without_series(user: Any) -> list[Person]:
    """Direct reports with no open series with the viewer: new ones, or who changed manager."""
    me = person_of(user)
    if me is None:
        return []
    open_with = Series.objects.filter(manager=me, ended_on__isnull=True).values("report_id")
    return list(Person.objects.filter(manager=me, is_active=True).exclude(pk__in=open_with))


def my_open_actions(user: Any) -> list[ActionItem]:
    me = person_of(user)
    if me is None:
        return []
    return list(
        visible_action_items(user)
        .filter(owner=me, done_at__isnull=True)
        .select_related("series__manager", "series__report", "meeting")
        .order_by("due_on", "id")
    )


def meeting_for(user: Any, meeting_id: int) -> Meeting | None:
    return (
        visible_meetings(user)
        .select_related("series__manager", "series__report", "cadence")
        .filter(pk=meeting_id)
        .first()
    )


@dataclass
class MeetingPage:
    meeting: Meeting
    agenda: list[AgendaEntry]
    notes: list[Note]
    actions: list[ActionItem]
    previous: Meeting | None
    following: Meeting | None


def meeting_page(user: Any, meeting: Meeting) -> MeetingPage:
    """What the meeting page shows: the agenda; the notes the viewer may read (shared ones and
    their own private ones, nothing else); the series' action items still open or done in
    this meeting, from this meeting or earlier ones (carried over until done)."""
    agenda = list(meeting.agenda.select_related("added_by").order_by("position", "id"))
    notes = list(visible_notes(user).filter(meeting=meeting).select_related("author"))
    actions = list(
        ActionItem.objects.filter(series=meeting.series, meeting__start__lte=meeting.start)
        .filter(Q(done_at__isnull=True) | Q(done_in=meeting))
        .select_related("owner", "meeting")
        .order_by("due_on", "id")
    )
    siblings = Meeting.objects.filter(series=meeting.series).exclude(pk=meeting.pk)
    previous = siblings.filter(start__lt=meeting.start).order_by("-start").first()
    following = siblings.filter(start__gt=meeting.start).order_by("start").first()
    return MeetingPage(meeting, agenda, notes, actions, previous, following)


def series_meetings(series: Series) -> QuerySet[Meeting]:
    return series.meetings.order_by("-start")


def overdue_actions(user: Any, today: dt.date) -> list[ActionItem]:
    me = person_of(user)
    if me is None:
        return []
    return list(
        ActionItem.objects.filter(owner=me, done_at__isnull=True, due_on__lt=today)
        .filter(Q(series__manager=me) | Q(series__report=me))
        .select_related("meeting")
        .order_by("due_on")
    )
