"""Learning's events in people's calendars: the sessions they hold a place in, and the ones
they lead. The invitation emails carry the same events (same UID), so a calendar that has both
the feed and the invitation shows one event."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.urls import reverse

from charter.core.emails import absolute_url
from charter.core.registry import CalendarEvent, calendar_source
from charter.learning.models import Enrolment, EnrolmentStatus, TrainingSession


def _domain() -> str:
    return settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "charter"


def _event(session: TrainingSession, *, uid: str, sequence: int, cancelled: bool) -> CalendarEvent:
    facilitator = session.facilitator
    link = absolute_url(reverse("learning:session", args=[session.pk]))
    description = f"Led by {facilitator.full_name}.\n{link}"
    if session.video_link:
        description = f"Join: {session.video_link}\n{description}"
    return CalendarEvent(
        uid=uid,
        sequence=sequence,
        summary=session.training.title,
        start=session.starts_at,
        end=session.ends_at,
        timezone=session.time_zone,
        description=description,
        location=session.location or session.video_link,
        url=link,
        cancelled=cancelled or session.is_cancelled,
        organizer_email=facilitator.email or "",
    )


def enrolment_event(enrolment: Enrolment) -> CalendarEvent:
    """One person's place in a session: its UID is the enrolment's for ever."""
    return _event(
        enrolment.session,
        uid=f"learning-enrolment-{enrolment.pk}@{_domain()}",
        sequence=enrolment.sequence,
        cancelled=enrolment.status == EnrolmentStatus.CANCELLED,
    )


def facilitated_event(session: TrainingSession) -> CalendarEvent:
    return _event(
        session,
        uid=f"learning-session-{session.pk}@{_domain()}",
        sequence=session.sequence,
        cancelled=False,
    )


@calendar_source("learning")
def sessions_of(person: Any, start: dt.datetime, end: dt.datetime) -> list[CalendarEvent]:
    """The sessions `person` is enrolled in or leads, overlapping [start, end)."""
    places = Enrolment.objects.filter(
        person=person,
        status=EnrolmentStatus.ENROLLED,
        session__starts_at__lt=end,
        session__ends_at__gt=start,
    ).select_related("session__training", "session__facilitator")
    led = TrainingSession.objects.filter(
        facilitator=person, starts_at__lt=end, ends_at__gt=start
    ).select_related("training", "facilitator")
    return [enrolment_event(e) for e in places] + [facilitated_event(s) for s in led]
