"""1:1s: Mona's weekly series with Rick (rep). Its two people write; the executive, above Mona
in the reporting line, reads it; other_manager and the admin, outside that line, find nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from tests.permission_matrix.outcomes import (
    API_SIGNED_IN,
    LOGIN,
    OK,
    POST_ONLY,
    SIGNED_IN,
    By,
    Row,
)
from tests.permission_matrix.world import World

# What the pair's two people may do to their 1:1; the executive reads but never writes.
PARTICIPANTS = By(LOGIN, "changes", "changes", 404, 404, 403)
READERS = By(LOGIN, OK, OK, 404, 404, OK)
API_READERS = By(401, OK, OK, 404, 404, OK)
API_PARTICIPANTS = By(401, "changes", "changes", 400, 400, 403)
CADENCE = {
    "frequency": "weekly",
    "weekday": "2",
    "local_time": "09:00",
    "duration_minutes": "30",
    "time_zone": "Europe/Paris",
}


def series(w: World) -> Any:
    """Mona's series with Rick, from today (made on first use)."""
    from charter.meetings.models import Series
    from charter.meetings.services.series import local_today, series_create

    found = Series.objects.filter(manager=w.manager, report=w.rep).first()
    if found is None:
        cadence = {
            "frequency": "weekly",
            "weekday": 1,
            "week_of_month": None,
            "local_time": dt.time(10, 0),
            "duration_minutes": 30,
            "time_zone": "Europe/Paris",
        }
        found = series_create(
            manager=w.manager,
            report=w.rep,
            actor=w.manager.user,
            starts_on=local_today("Europe/Paris"),
            cadence=cadence,
        )
    return found


def coming(w: World) -> Any:
    """The series' next meeting, with a topic Rick added, an action item and two notes."""
    from charter.meetings.models import Meeting, Status
    from charter.meetings.services.agenda import topic_add
    from charter.meetings.services.notes import action_add, note_add

    meeting = (
        Meeting.objects.filter(series=series(w), status=Status.SCHEDULED, start__gt=timezone.now())
        .order_by("start")
        .first()
    )
    assert meeting is not None
    if not meeting.agenda.exists():
        topic_add(meeting=meeting, author=w.rep, actor=w.rep.user, title="Matrix topic")
        action_add(
            meeting=meeting, actor=w.manager.user, owner=w.rep, title="Matrix action", due_on=None
        )
        note_add(
            meeting=meeting,
            author=w.manager,
            actor=w.manager.user,
            body="Shared matrix note",
            private=False,
        )
        note_add(
            meeting=meeting,
            author=w.manager,
            actor=w.manager.user,
            body="Mona's secret",
            private=True,
        )
    return meeting


def started(w: World) -> Any:
    """A meeting of the series that began an hour ago (so it can be marked held)."""
    from charter.meetings.models import Meeting

    own = series(w)
    start = timezone.now() - dt.timedelta(hours=1)
    found, _ = Meeting.objects.get_or_create(
        series=own,
        slot=start.replace(minute=0, second=0, microsecond=0),
        defaults={
            "cadence": own.cadences.first(),
            "start": start,
            "end": start + dt.timedelta(minutes=30),
        },
    )
    return found


SERIES = {"series_id": lambda w: series(w).pk}
MEETING = {"meeting_id": lambda w: coming(w).pk}


def _later(days: int) -> str:
    return (timezone.now() + dt.timedelta(days=days)).date().isoformat()


ROWS: dict[str, Row] = {
    "meetings:index": Row(get=SIGNED_IN),
    "meetings:actions": Row(get=SIGNED_IN),
    # Managers start series with their direct reports: Rita is not other_manager's (400).
    "meetings:series_create": Row(
        get=By(LOGIN, 403, OK, OK, 403, 403),
        write=By(LOGIN, 403, "changes", 400, 403, 403),
        data=lambda w: {"report": w.rep2.pk, "starts_on": _later(2), **CADENCE},
    ),
    "meetings:series": Row(get=READERS, kwargs=SERIES),
    "meetings:cadence_change": Row(
        get=POST_ONLY,
        write=By(LOGIN, 403, "changes", 404, 404, 403),
        data=lambda w: {"effective_from": _later(30), "reason": "Matrix", **CADENCE},
        kwargs=SERIES,
    ),
    "meetings:series_end": Row(
        get=POST_ONLY,
        write=By(LOGIN, 403, "changes", 404, 404, 403),
        data=lambda w: {"reason": "Matrix"},
        kwargs=SERIES,
    ),
    # The invitation is for the two people only.
    "meetings:series_ics": Row(get=By(LOGIN, OK, OK, 404, 404, 403), kwargs=SERIES),
    "meetings:meeting": Row(get=READERS, kwargs=MEETING),
    "meetings:meeting_move": Row(
        get=By(LOGIN, OK, OK, 404, 404, 403),
        write=PARTICIPANTS,
        data=lambda w: {"day": _later(60), "time": "07:15"},
        kwargs=MEETING,
    ),
    "meetings:meeting_skip": Row(get=POST_ONLY, write=PARTICIPANTS, kwargs=MEETING),
    "meetings:meeting_held": Row(
        get=POST_ONLY, write=PARTICIPANTS, kwargs={"meeting_id": lambda w: started(w).pk}
    ),
    "meetings:topic_add": Row(
        get=POST_ONLY,
        write=PARTICIPANTS,
        data=lambda w: {"topic-title": "Pipeline review"},
        kwargs=MEETING,
    ),
    "meetings:entry_move": Row(
        get=POST_ONLY,
        write=PARTICIPANTS,
        data=lambda w: {"direction": "down"},
        kwargs={**MEETING, "entry_id": lambda w: coming(w).agenda.first().pk},
    ),
    "meetings:entry_discussed": Row(
        get=POST_ONLY,
        write=PARTICIPANTS,
        data=lambda w: {"discussed": "1"},
        kwargs={**MEETING, "entry_id": lambda w: coming(w).agenda.first().pk},
    ),
    "meetings:note_add": Row(
        get=POST_ONLY,
        write=PARTICIPANTS,
        data=lambda w: {"note-body": "Matrix note", "note-private": "on"},
        kwargs=MEETING,
    ),
    "meetings:action_add": Row(
        get=POST_ONLY,
        write=PARTICIPANTS,
        data=lambda w: {"action-title": "Send the plan", "action-owner": w.rep.pk},
        kwargs=MEETING,
    ),
    "meetings:action_done": Row(
        get=POST_ONLY,
        write=PARTICIPANTS,
        data=lambda w: {"done": "1"},
        kwargs={**MEETING, "item_id": lambda w: coming(w).action_items.first().pk},
    ),
    # --- the API: the same scope; writes by the two people only --------------------------
    "api:meetings-series-list": Row(
        get=API_SIGNED_IN, write=By(401, 405, 405, 405, 405, 403), json=True
    ),
    "api:meetings-series-detail": Row(get=API_READERS, kwargs={"pk": lambda w: series(w).pk}),
    "api:meetings-meeting-list": Row(
        get=API_SIGNED_IN, write=By(401, 405, 405, 405, 405, 403), json=True
    ),
    "api:meetings-meeting-detail": Row(get=API_READERS, kwargs={"pk": lambda w: coming(w).pk}),
    # A meeting outside the caller's scope reads as no such meeting (400 naming the field).
    "api:meetings-agenda-list": Row(
        get=API_SIGNED_IN,
        write=API_PARTICIPANTS,
        data=lambda w: {"meeting": coming(w).pk, "title": "Api topic"},
        json=True,
    ),
    "api:meetings-note-list": Row(
        get=API_SIGNED_IN,
        write=API_PARTICIPANTS,
        data=lambda w: {"meeting": coming(w).pk, "body": "Api note", "private": True},
        json=True,
    ),
    "api:meetings-action-list": Row(
        get=API_SIGNED_IN,
        write=API_PARTICIPANTS,
        data=lambda w: {"meeting": coming(w).pk, "owner": w.rep.pk, "title": "Api action"},
        json=True,
    ),
    "api:meetings-action-detail": Row(
        get=By(401, 405, 405, 405, 405, 405),
        write=By(401, "changes", "changes", 404, 404, 403),
        method="patch",
        data=lambda w: {"done": True},
        kwargs={"pk": lambda w: coming(w).action_items.first().pk},
        json=True,
    ),
}
