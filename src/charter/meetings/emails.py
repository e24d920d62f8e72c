"""The emails of 1:1s: one function per kind (see `core.emails`). Each goes to both people of
the series, each under their own notification preference, and never carries a note."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

from charter.accounts.emails import wants
from charter.core.emails import absolute_url, send
from charter.core.ics import INVITATION_CONTENT_TYPE
from charter.core.registry import email_topic
from charter.meetings import recurrence
from charter.meetings.invitations import occurrence_ics, series_ics
from charter.meetings.models import AgendaEntry, Cadence, Meeting, Series
from charter.meetings.services.series import rule_of

PREFERENCE = "reminders"
email_topic(PREFERENCE, "1:1 calendar invitations and their changes")
email_topic(PREFERENCE, "1:1 reminders with the agenda")


def _recipients(series: Series) -> list[Any]:
    people = [series.manager, series.report]
    return [
        p
        for p in people
        if p.email and p.user is not None and p.user.is_active and wants(p.user, PREFERENCE)
    ]


def _attachment(content: bytes, method: str) -> tuple[str, bytes, str]:
    return ("invite.ics", content, INVITATION_CONTENT_TYPE.format(method=method))


def series_invitation(*, cadence_id: int, ended_cadence_id: int | None = None) -> int:
    """A new series or cadence: the invitation with its recurrence (and the previous version
    ended, in the same email, so calendars never show both)."""
    cadence = Cadence.objects.select_related("series__manager__user", "series__report__user").get(
        pk=cadence_id
    )
    series = cadence.series
    files = [_attachment(series_ics(cadence), "REQUEST")]
    if ended_cadence_id is not None:
        ended = Cadence.objects.select_related("series__manager", "series__report").get(
            pk=ended_cadence_id
        )
        files.insert(
            0, ("previous.ics", series_ics(ended), INVITATION_CONTENT_TYPE.format(method="REQUEST"))
        )
    sent = 0
    for person in _recipients(series):
        context = {
            "to": person,
            "series": series,
            "other": series.report if person.pk == series.manager_id else series.manager,
            "rhythm": recurrence.describe(rule_of(cadence)),
            "cadence": cadence,
            "changed": ended_cadence_id is not None,
            "link": absolute_url(reverse("meetings:series", args=[series.pk])),
        }
        sent += send("meeting_series", person.email, context, attachments=files)
    return sent


def series_cancelled(*, series_id: int) -> int:
    series = Series.objects.select_related("manager__user", "report__user").get(pk=series_id)
    cadence = series.cadences.order_by("-effective_from").first()
    if cadence is None:
        return 0
    files = [_attachment(series_ics(cadence, cancelled=True), "CANCEL")]
    sent = 0
    for person in _recipients(series):
        context = {
            "to": person,
            "series": series,
            "other": series.report if person.pk == series.manager_id else series.manager,
        }
        sent += send("meeting_series_ended", person.email, context, attachments=files)
    return sent


def meeting_changed(*, meeting_id: int) -> int:
    """One meeting moved or skipped: the override of the recurring event."""
    meeting = Meeting.objects.select_related(
        "series__manager__user", "series__report__user", "cadence"
    ).get(pk=meeting_id)
    content, method = occurrence_ics(meeting)
    sent = 0
    for person in _recipients(meeting.series):
        context = {
            "to": person,
            "meeting": meeting,
            "series": meeting.series,
            "other": meeting.series.report
            if person.pk == meeting.series.manager_id
            else meeting.series.manager,
            "link": absolute_url(reverse("meetings:meeting", args=[meeting.pk])),
        }
        sent += send(
            "meeting_changed", person.email, context, attachments=[_attachment(content, method)]
        )
    return sent


def meeting_reminder(*, meeting: Meeting) -> int:
    """The day before: when, with whom, and the agenda's titles (never a note)."""
    agenda = list(AgendaEntry.objects.filter(meeting=meeting).order_by("position", "id"))
    sent = 0
    for person in _recipients(meeting.series):
        context = {
            "to": person,
            "meeting": meeting,
            "local_start": timezone.localtime(meeting.start, meeting.start.tzinfo),
            "other": meeting.series.report
            if person.pk == meeting.series.manager_id
            else meeting.series.manager,
            "agenda": agenda,
            "link": absolute_url(reverse("meetings:meeting", args=[meeting.pk])),
        }
        sent += send("meeting_reminder", person.email, context)
    return sent
