"""What the learning pillar puts on a 1:1's agenda (`core.registry.agenda_source`): the report's
overdue learning (trainings and hours asked by a requirement) and their certificates that have
ended or end within their certification's expiring window. The same reads as the manager's home
card (`compliance_of`, `certificate_rows`), in a constant number of queries.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from charter.core.registry import AgendaItem, agenda_source
from charter.learning.access import can_view_record
from charter.learning.certificates import EXPIRED, VALID
from charter.learning.compliance import OVERDUE, Item
from charter.learning.selectors import CertificateRow, certificate_rows, compliance_of, rules_on
from charter.learning.services.completions import hours_text
from charter.org.access import one_on_one_reader
from charter.org.models import Person

SOURCE = "learning"
WEIGHT_OVERDUE = 30
WEIGHT_EXPIRED = 30
WEIGHT_EXPIRING = 20


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def _days(count: int) -> str:
    return f"{count} day{'' if count == 1 else 's'}"


def _overdue_item(item: Item, report: Person, today: dt.date) -> AgendaItem:
    if item.training_id is not None:
        key = f"learning-overdue:training:{item.training_id}"
    else:
        # Hours asked per period (the label names the period) and anything else a requirement
        # asks: one item per requirement and label.
        key = f"learning-overdue:{item.requirement}:{item.label}"
    detail = f"Asked by {item.requirement}"
    if item.hours_asked is not None and item.hours_done is not None:
        detail += f": {hours_text(item.hours_done)} of {hours_text(item.hours_asked)} hours done"
    if item.due is not None:
        detail += f"; due {_day(item.due)}, {_days((today - item.due).days)} ago"
    return AgendaItem(
        source=SOURCE,
        key=key,
        title=f"Overdue learning: {item.label}",
        detail=detail + ".",
        url=reverse("learning:person_record", args=[report.pk]) + "#asked",
        weight=WEIGHT_OVERDUE,
    )


def _certificate_item(row: CertificateRow, today: dt.date) -> AgendaItem:
    certificate, expired = row.certificate, row.state == EXPIRED
    name, ends = certificate.certification.name, certificate.expires_on
    if expired:
        title = f"Certificate expired: {name}"
        detail = f"Ended {_day(ends)}, {_days((today - ends).days)} ago"
    else:
        title = f"Certificate expiring: {name}"
        detail = f"Ends {_day(ends)}, in {_days((ends - today).days)}"
    return AgendaItem(
        source=SOURCE,
        # One per certification: a renewal replaces the certificate, and the item goes.
        key=f"certificate:{certificate.certification_id}",
        title=title,
        detail=f"{detail} (issued {_day(certificate.issued_on)}).",
        url=reverse("learning:certificates"),
        weight=WEIGHT_EXPIRED if expired else WEIGHT_EXPIRING,
    )


@agenda_source(SOURCE, order=30)
def learning_agenda(
    report: Person, manager: Person, since: dt.date | None, today: dt.date
) -> list[AgendaItem]:
    """Overdue learning and certificates ending or ended on `today`; they stay on the agenda
    until done, so `since` does not narrow them."""
    user: Any = one_on_one_reader(report, manager)
    if user is None or not can_view_record(user, report):
        return []
    items = compliance_of([report], today, rules_on(report.org_id, today))[report.pk]
    out = [_overdue_item(i, report, today) for i in items if i.state == OVERDUE]
    rows = certificate_rows(user, day=today, people=[report.pk])
    out += [_certificate_item(row, today) for row in rows if row.state != VALID]
    return out
