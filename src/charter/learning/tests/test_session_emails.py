"""Session emails end to end through a real SMTP server, with their invitations read back by
the icalendar library (METHOD, UID, SEQUENCE); the notification preference; and the person's
sessions in their private calendar feed."""

from __future__ import annotations

import datetime as dt
import re
from email import message_from_bytes, policy
from email.message import EmailMessage

from django.utils import timezone
from icalendar import Calendar

from charter.accounts.services import calendar_feed_create, notification_prefs_update
from charter.conftest import client_for
from charter.learning.services import sessions as services


def _session(training, actor, facilitator, capacity=1):
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=4)
    return services.session_create(
        actor=actor.user, training=training, starts_at=start, ends_at=start + dt.timedelta(hours=2),
        time_zone="America/New_York", video_link="https://meet.example.test/neg",
        capacity=capacity, facilitator=facilitator,
    )  # fmt: skip


def _messages(inbox) -> list[EmailMessage]:
    found = []
    for _from, _tos, raw in inbox.messages:
        message = message_from_bytes(raw, policy=policy.default)
        assert isinstance(message, EmailMessage)
        found.append(message)
    return found


def _invitation(message: EmailMessage) -> Calendar:
    parts = [a for a in message.iter_attachments() if a.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    payload = parts[0].get_payload(decode=True)
    assert isinstance(payload, bytes)
    return Calendar.from_ical(payload)


def test_enrolment_promotion_and_cancellation_emails_carry_the_invitation(
    smtp_server, company_training, admin, manager, rep, rep2, django_capture_on_commit_callbacks
):
    session = _session(company_training, admin, manager)
    # Each write commits on its own, as each request does, and its emails leave then.
    with django_capture_on_commit_callbacks(execute=True):
        held = services.enrol(session=session, person=rep, actor=rep.user)
    with django_capture_on_commit_callbacks(execute=True):
        services.enrol(session=session, person=rep2, actor=rep2.user)
    with django_capture_on_commit_callbacks(execute=True):
        services.enrolment_cancel(enrolment=held, actor=rep.user)

    enrolled, waitlisted, cancelled, promoted = _messages(smtp_server)
    assert enrolled["To"] == rep.email
    assert "You are enrolled: Negotiation basics" in str(enrolled["Subject"])
    text = enrolled.get_body(preferencelist=("plain",))
    assert text is not None
    assert f"/learning/sessions/{session.pk}/" in text.get_content()
    invite = _invitation(enrolled)
    event = invite.walk("VEVENT")[0]
    assert str(invite["method"]) == "REQUEST"
    uid = str(event["uid"])
    assert uid.startswith(f"learning-enrolment-{held.pk}@")
    assert str(event["sequence"]) == "0"
    assert event.decoded("dtstart") == session.starts_at
    assert str(event["dtstart"].params["TZID"]) == "America/New_York"

    assert waitlisted["To"] == rep2.email
    assert not [a for a in waitlisted.iter_attachments() if a.get_content_type() == "text/calendar"]

    cancel = _invitation(cancelled)
    assert str(cancel["method"]) == "CANCEL"
    assert str(cancel.walk("VEVENT")[0]["uid"]) == uid
    assert str(cancel.walk("VEVENT")[0]["sequence"]) == "1"
    assert str(cancel.walk("VEVENT")[0]["status"]) == "CANCELLED"

    assert promoted["To"] == rep2.email
    assert "A place opened for you" in str(promoted["Subject"])
    assert str(_invitation(promoted)["method"]) == "REQUEST"


def test_a_change_sends_the_same_uid_with_a_higher_sequence_and_a_cancel_ends_it(
    smtp_server, company_training, admin, manager, rep, django_capture_on_commit_callbacks
):
    session = _session(company_training, admin, manager)
    with django_capture_on_commit_callbacks(execute=True):
        services.enrol(session=session, person=rep, actor=rep.user)
    with django_capture_on_commit_callbacks(execute=True):
        services.session_update(session=session, actor=admin.user, location="Room 4")
    with django_capture_on_commit_callbacks(execute=True):
        services.session_cancel(session=session, actor=admin.user)

    events = [_invitation(m) for m in _messages(smtp_server)]
    assert [str(c["method"]) for c in events] == ["REQUEST", "REQUEST", "CANCEL"]
    vevents = [c.walk("VEVENT")[0] for c in events]
    assert len({str(e["uid"]) for e in vevents}) == 1
    assert [str(e["sequence"]) for e in vevents] == ["0", "1", "2"]
    assert str(vevents[1]["location"]) == "Room 4"


def test_reminders_off_means_no_session_email(
    smtp_server, company_training, admin, manager, rep, django_capture_on_commit_callbacks
):
    notification_prefs_update(user=rep.user, actor=rep.user, reminders=False)
    session = _session(company_training, admin, manager)
    with django_capture_on_commit_callbacks(execute=True):
        services.enrol(session=session, person=rep, actor=rep.user)
    assert smtp_server.messages == []


def test_the_calendar_feed_lists_the_sessions_with_a_place_under_the_invitation_uid(
    company_training, admin, manager, rep, rep2
):
    session = _session(company_training, admin, manager)
    held = services.enrol(session=session, person=rep, actor=rep.user)
    services.enrol(session=session, person=rep2, actor=rep2.user)  # waiting: not in her feed
    _feed, raw = calendar_feed_create(user=rep.user, actor=rep.user)
    _feed, raw2 = calendar_feed_create(user=rep2.user, actor=rep2.user)

    body = client_for(None).get(f"/accounts/calendar/{raw}.ics").content
    uids = [str(e["uid"]) for e in Calendar.from_ical(body).walk("VEVENT")]
    assert any(re.fullmatch(rf"learning-enrolment-{held.pk}@.+", uid) for uid in uids)

    waiting = client_for(None).get(f"/accounts/calendar/{raw2}.ics").content
    assert not [
        e for e in Calendar.from_ical(waiting).walk("VEVENT") if "enrolment" in str(e["uid"])
    ]
