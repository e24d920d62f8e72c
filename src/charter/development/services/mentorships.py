"""Mentor offers and requests, pairing, a mentorship's status, and its meeting log."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from charter.core import audit
from charter.development.dates import org_today
from charter.development.models import (
    Cadence,
    Meeting,
    MentorOffer,
    MentorRequest,
    Mentorship,
    MentorshipStatus,
    RequestStatus,
)
from charter.org.models import Organization, Person

_FIELDS = ["mentor", "mentee", "goals", "starts_on", "ends_on", "cadence", "status", "end_reason"]
_TOPIC = re.compile(r"[^a-z0-9 _+#.-]+")
# Which status may follow which: a proposed pairing is confirmed or called off; an active one
# is completed or ended early. Completed and ended-early mentorships stay as they are.
NEXT = {
    MentorshipStatus.PROPOSED: {MentorshipStatus.ACTIVE, MentorshipStatus.ENDED_EARLY},
    MentorshipStatus.ACTIVE: {MentorshipStatus.COMPLETED, MentorshipStatus.ENDED_EARLY},
}


def normalise_topics(topics: str | list[str]) -> str:
    """Topics as stored: lower-case, trimmed, unique, in the order given, between commas."""
    items = topics.split(",") if isinstance(topics, str) else list(topics)
    seen: list[str] = []
    for item in items:
        topic = " ".join(_TOPIC.sub("", str(item).lower()).split())[:60]
        if topic and topic not in seen:
            seen.append(topic)
    return f",{','.join(seen)}," if seen else ""


# --- offers --------------------------------------------------------------------------------------


def offer_save(
    *, person: Person, actor: Any, topics: str | list[str], note: str = ""
) -> MentorOffer:
    """List `person` as a mentor on `topics`, or change the topics of their active offer."""
    stored = normalise_topics(topics)
    if not stored:
        raise ValidationError({"topics": "Name at least one topic you would mentor on."})
    if len(stored) > 400:
        raise ValidationError({"topics": "Fewer topics, please: they must fit in 400 characters."})
    with transaction.atomic():
        offer = (
            MentorOffer.objects.select_for_update().filter(person=person, is_active=True).first()
        )
        if offer is None:
            offer = MentorOffer.objects.create(
                org_id=person.org_id, person=person, topics=stored, note=note.strip()
            )
            audit.record(
                actor=actor,
                action="development.offer.created",
                obj=offer,
                after={"topics": offer.topic_list, "note": offer.note},
            )
            return offer
        before = {"topics": offer.topic_list, "note": offer.note}
        offer.topics, offer.note = stored, note.strip()
        offer.save(update_fields=["topics", "note"])
        audit.record(
            actor=actor,
            action="development.offer.updated",
            obj=offer,
            before=before,
            after={"topics": offer.topic_list, "note": offer.note},
        )
    return offer


def offer_withdraw(*, offer: MentorOffer, actor: Any) -> MentorOffer:
    """Take an offer off the list; pending requests to it are declined with it."""
    if not offer.is_active:
        raise ValidationError("This offer was already withdrawn.")
    with transaction.atomic():
        now = timezone.now()
        offer.is_active, offer.withdrawn_at = False, now
        offer.save(update_fields=["is_active", "withdrawn_at"])
        offer.requests.filter(status=RequestStatus.PENDING).update(
            status=RequestStatus.DECLINED, answer_note="The mentor withdrew the offer.",
            answered_at=now,
        )  # fmt: skip
        audit.record(actor=actor, action="development.offer.withdrawn", obj=offer)
    return offer


# --- requests ----------------------------------------------------------------------------------


def request_create(
    *, offer: MentorOffer, mentee: Person, actor: Any, goals: str, message: str = ""
) -> MentorRequest:
    errors: dict[str, str] = {}
    if not goals.strip():
        errors["goals"] = "Say what you would like to work on."
    if offer.person_id == mentee.pk:
        errors["offer"] = "You cannot ask yourself to be your mentor."
    elif not offer.is_active:
        errors["offer"] = "This mentor is no longer listed."
    elif offer.org_id != mentee.org_id:
        errors["offer"] = "This mentor is not in your organization."
    elif MentorRequest.objects.filter(
        offer=offer, mentee=mentee, status=RequestStatus.PENDING
    ).exists():
        errors["offer"] = "You already asked this mentor; wait for their answer."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        request = MentorRequest.objects.create(
            org_id=offer.org_id, offer=offer, mentee=mentee, goals=goals.strip(),
            message=message.strip(),
        )  # fmt: skip
        audit.record(
            actor=actor,
            action="development.request.created",
            obj=request,
            after={"offer": offer.pk, "mentee": mentee.pk, "goals": request.goals},
        )
    return request


def request_answer(
    *,
    request: MentorRequest,
    actor: Any,
    accept: bool,
    note: str = "",
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    cadence: str = Cadence.MONTHLY,
) -> MentorRequest:
    """The mentor's answer. Accepting starts an active mentorship on the mentee's goals."""
    if request.status != RequestStatus.PENDING:
        raise ValidationError("This request was already answered.")
    with transaction.atomic():
        if accept:
            if starts_on is None or ends_on is None:
                raise ValidationError(
                    {
                        name: "Give the day the mentorship starts and the day it ends."
                        for name, day in (("starts_on", starts_on), ("ends_on", ends_on))
                        if day is None
                    }
                )
            request.mentorship = mentorship_create(
                org=request.offer.person.org, actor=actor, mentor=request.offer.person,
                mentee=request.mentee, goals=request.goals, starts_on=starts_on,
                ends_on=ends_on, cadence=cadence, status=MentorshipStatus.ACTIVE,
            )  # fmt: skip
        request.status = RequestStatus.ACCEPTED if accept else RequestStatus.DECLINED
        request.answer_note, request.answered_at = note.strip(), timezone.now()
        request.save(update_fields=["status", "answer_note", "answered_at", "mentorship"])
        audit.record(
            actor=actor,
            action=f"development.request.{request.status}",
            obj=request,
            after={"status": request.status, "note": request.answer_note},
        )
    return request


# --- mentorships -------------------------------------------------------------------------------


def _check(org: Organization, fields: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    mentor: Person | None = fields.get("mentor")
    mentee: Person | None = fields.get("mentee")
    if mentor is None:
        errors["mentor"] = "Choose a mentor."
    elif mentor.org_id != org.pk:
        errors["mentor"] = "The mentor is outside the organization."
    elif not mentor.is_active:
        errors["mentor"] = f"{mentor.full_name} is no longer active."
    if mentee is None:
        errors["mentee"] = "Choose a mentee."
    elif mentee.org_id != org.pk:
        errors["mentee"] = "The mentee is outside the organization."
    elif not mentee.is_active:
        errors["mentee"] = f"{mentee.full_name} is no longer active."
    elif mentor is not None and mentor.pk == mentee.pk:
        errors["mentee"] = "A person cannot mentor themselves: choose someone else."
    if not (fields.get("goals") or "").strip():
        errors["goals"] = "Say what the mentorship is for."
    starts_on, ends_on = fields.get("starts_on"), fields.get("ends_on")
    if starts_on is None:
        errors["starts_on"] = "Give the day it starts."
    if ends_on is None:
        errors["ends_on"] = "Give the day it ends."
    elif starts_on is not None and ends_on < starts_on:
        errors["ends_on"] = f"The end ({ends_on}) is before the start ({starts_on})."
    if fields.get("cadence") not in Cadence.values:
        errors["cadence"] = f"Choose one of: {', '.join(Cadence.values)}."
    if errors:
        raise ValidationError(errors)


def mentorship_create(
    *,
    org: Organization,
    actor: Any,
    mentor: Person,
    mentee: Person,
    goals: str,
    starts_on: dt.date,
    ends_on: dt.date,
    cadence: str = Cadence.MONTHLY,
    status: str = MentorshipStatus.PROPOSED,
) -> Mentorship:
    """Pair two people. A manager's or admin's pairing is proposed until the mentor confirms
    it; an accepted request starts active."""
    fields = {
        "mentor": mentor, "mentee": mentee, "goals": (goals or "").strip(),
        "starts_on": starts_on, "ends_on": ends_on, "cadence": cadence,
    }  # fmt: skip
    _check(org, fields)
    if status not in (MentorshipStatus.PROPOSED, MentorshipStatus.ACTIVE):
        raise ValidationError({"status": "A mentorship starts proposed or active."})
    with transaction.atomic():
        mentorship = Mentorship.objects.create(org=org, created_by=actor, status=status, **fields)
        audit.record(
            actor=actor,
            action="development.mentorship.created",
            obj=mentorship,
            after=audit.snapshot(mentorship, _FIELDS),
        )
    return mentorship


def mentorship_set_status(
    *, mentorship: Mentorship, actor: Any, status: str, reason: str = ""
) -> Mentorship:
    """Confirm, complete or end a mentorship early (which needs a reason)."""
    allowed = NEXT.get(MentorshipStatus(mentorship.status), set())
    if status not in allowed:
        raise ValidationError(
            {"status": f"A {mentorship.get_status_display().lower()} mentorship cannot become "
             f"{status.replace('_', ' ')}."}
        )  # fmt: skip
    if status == MentorshipStatus.ENDED_EARLY and not reason.strip():
        raise ValidationError({"reason": "Say why the mentorship ends early."})
    with transaction.atomic():
        before = audit.snapshot(mentorship, ["status", "end_reason"])
        mentorship.status = status
        mentorship.end_reason = reason.strip() if status == MentorshipStatus.ENDED_EARLY else ""
        mentorship.save(update_fields=["status", "end_reason", "updated_at"])
        audit.record(
            actor=actor,
            action="development.mentorship.status_changed",
            obj=mentorship,
            before=before,
            after=audit.snapshot(mentorship, ["status", "end_reason"]),
        )
    return mentorship


def meeting_log(*, mentorship: Mentorship, actor: Any, met_on: dt.date, notes: str) -> Meeting:
    """One of the pair logs a meeting: not before the mentorship started, not in the future."""
    errors: dict[str, str] = {}
    today = org_today(mentorship.org)
    if mentorship.status != MentorshipStatus.ACTIVE:
        raise ValidationError("Meetings are logged while the mentorship is active.")
    if met_on < mentorship.starts_on:
        errors["met_on"] = f"The mentorship started on {mentorship.starts_on}."
    elif met_on > today:
        errors["met_on"] = f"{met_on} is in the future (today is {today})."
    if not notes.strip():
        errors["notes"] = "Write a few notes about the meeting."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        meeting = Meeting.objects.create(
            mentorship=mentorship, met_on=met_on, notes=notes.strip(), author=actor
        )
        # The notes are private to the pair and the mentee's managers: the audit row says a
        # meeting was logged, not what was said.
        audit.record(
            actor=actor,
            action="development.meeting.logged",
            obj=mentorship,
            after={"meeting": meeting.pk, "met_on": met_on},
        )
    return meeting
