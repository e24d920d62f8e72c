"""What the expectations app puts on a 1:1's agenda (`core.registry.agenda_source`): the
signatures the report still owes (overdue ones first) and the questions they asked that nobody
has answered yet. Both are read as the manager's home card reads them
(`open_requests_below`, `unanswered_questions_for_manager`), so the manager's access rules
decide what is listed; two queries however many requests or questions.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from charter.core.registry import AgendaItem, agenda_source
from charter.expectations.selectors import open_requests_below, unanswered_questions_for_manager
from charter.org.access import one_on_one_reader
from charter.org.models import Person

SOURCE = "expectations"
WEIGHT_OVERDUE = 35
WEIGHT_QUESTION = 25
WEIGHT_UNSIGNED = 15
QUESTION_CHARS = 140


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def _days(count: int) -> str:
    return f"{count} day{'' if count == 1 else 's'}"


def signature_items(user: object, report: Person, today: dt.date) -> list[AgendaItem]:
    items = []
    for request in open_requests_below(user).filter(person=report):
        version = request.version
        document = version.document
        late = (today - request.due_date).days
        if late > 0:
            title = f"Overdue signature: {document.title}"
            detail = f"Version {version.number} was due {_day(request.due_date)}, "
            detail += f"{_days(late)} ago."
        else:
            title = f"Not signed yet: {document.title}"
            detail = f"Version {version.number} is due {_day(request.due_date)}."
        items.append(
            AgendaItem(
                source=SOURCE,
                key=f"signature:{request.pk}",
                title=title,
                detail=detail,
                # The report signs there; anyone else who opens it is shown the document.
                url=reverse("expectations:sign_version", args=[document.pk, version.number]),
                weight=WEIGHT_OVERDUE if late > 0 else WEIGHT_UNSIGNED,
            )
        )
    return items


def question_items(user: object, report: Person) -> list[AgendaItem]:
    items = []
    for question in unanswered_questions_for_manager(user).filter(asked_by=report):
        asked = timezone.localtime(question.created_at).date()
        text = Truncator(" ".join(question.text.split())).chars(QUESTION_CHARS)
        items.append(
            AgendaItem(
                source=SOURCE,
                key=f"question:{question.pk}",
                title=f"Unanswered question on “{question.expectation_title}”",
                detail=f"Asked {_day(asked)} about {question.document.title}: “{text}”",
                # The expectation on the document page, where its questions and the answer
                # form are.
                url=reverse("expectations:document", args=[question.document_id])
                + f"#e-{question.expectation_key}",
                weight=WEIGHT_QUESTION,
            )
        )
    return items


@agenda_source(SOURCE, order=20)
def expectations_agenda(
    report: Person, manager: Person, since: dt.date | None, today: dt.date
) -> list[AgendaItem]:
    """Signatures owed and questions unanswered, whatever their age: they are open until done,
    so `since` does not narrow them."""
    user = one_on_one_reader(report, manager)
    if user is None:
        return []
    return signature_items(user, report, today) + question_items(user, report)
