"""Notes and action items of a meeting."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from charter.core import audit
from charter.meetings.models import ActionItem, Meeting, Note
from charter.org.models import Person


def note_add(*, meeting: Meeting, author: Person, actor: Any, body: str, private: bool) -> Note:
    body = body.strip()
    if not body:
        raise ValidationError({"body": "Write the note."})
    with transaction.atomic():
        note = Note.objects.create(meeting=meeting, author=author, body=body, private=private)
        # The audit row says a note exists, never what it says: admins read the audit log.
        audit.record(
            actor=actor,
            action="meetings.note.add",
            obj=meeting,
            after={"note": note.pk, "private": private},
        )
    return note


def action_add(
    *, meeting: Meeting, actor: Any, owner: Person, title: str, due_on: dt.date | None
) -> ActionItem:
    series = meeting.series
    title = title.strip()
    errors = {}
    if not title:
        errors["title"] = "Say what is to be done."
    if owner.pk not in (series.manager_id, series.report_id):
        errors["owner"] = "The owner is one of the two people of this 1:1."
    if due_on is not None and due_on < meeting.start.date():
        errors["due_on"] = "The due date is on or after the meeting."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        item = ActionItem.objects.create(
            series=series,
            meeting=meeting,
            owner=owner,
            title=title[:300],
            due_on=due_on,
            created_by=actor,
        )
        audit.record(
            actor=actor,
            action="meetings.action.add",
            obj=item,
            after={"owner": owner.pk, "due_on": due_on, "title": item.title},
        )
    return item


def action_done(
    *, item: ActionItem, actor: Any, done: bool, meeting: Meeting | None = None
) -> ActionItem:
    with transaction.atomic():
        item.done_at = timezone.now() if done else None
        item.done_in = meeting if done else None
        item.save(update_fields=["done_at", "done_in"])
        audit.record(actor=actor, action="meetings.action.done", obj=item, after={"done": done})
    return item
