"""The emails of the learning pillar: one function per kind (see `core.emails`)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.urls import reverse

from charter.core.emails import absolute_url, send
from charter.core.registry import email_topic

# The emails of this pillar a person may turn off, under the preference `tasks.py` asks.
email_topic("reminders", "certificates about to expire")
email_topic("team_alerts", "certificates in your team about to expire")


def certificate_expiring(*, certificate: Any, stage: str, to: Any) -> bool:
    """A certificate ends in 60, 30 or 7 days, or today: told to its holder or their manager."""
    context = {
        "certificate": certificate,
        "stage": stage,
        "holder": certificate.person,
        "to": to,
        "is_holder": to.pk == certificate.person_id,
        "link": absolute_url(reverse("learning:certificates")),
    }
    return send("certificate_expiring", to.email, context)


email_topic("reminders", "training sessions: your place, the waiting list and changes")

# (subject words, calendar method) of each session email; None: no invitation attached.
SESSION_KINDS: dict[str, str | None] = {
    "enrolled": "REQUEST",
    "promoted": "REQUEST",
    "changed": "REQUEST",
    "waitlisted": None,
    "cancelled": "CANCEL",
    "session_cancelled": "CANCEL",
}


def local_times(session: Any) -> dict[str, dt.datetime]:
    """The session's start and end as wall-clock times in its own zone. Naive on purpose: the
    template's `date` filter would move an aware time into the reader's zone."""
    zone = ZoneInfo(session.time_zone)
    return {
        "start": session.starts_at.astimezone(zone).replace(tzinfo=None),
        "end": session.ends_at.astimezone(zone).replace(tzinfo=None),
    }


def session_email(*, enrolment: Any, kind: str) -> bool:
    """A person's place in a session: given, moved up from the waiting list, changed, queued or
    cancelled, with the invitation (or its cancellation) for their calendar attached. It links
    to the session's page, where they enrol or cancel."""
    from charter.core import ics
    from charter.learning.calendars import enrolment_event

    session = enrolment.session
    person = enrolment.person
    context = {
        "kind": kind,
        "person": person,
        "session": session,
        "training": session.training,
        "enrolment": enrolment,
        **local_times(session),
        "link": absolute_url(reverse("learning:session", args=[session.pk])),
    }
    attachments = []
    method = SESSION_KINDS[kind]
    if method is not None:
        body = ics.calendar([enrolment_event(enrolment)], method=method)
        content_type = ics.INVITATION_CONTENT_TYPE.format(method=method)
        attachments.append(("invite.ics", body, content_type))
    return send("session_enrolment", person.email, context, attachments)
