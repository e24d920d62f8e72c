"""A person's learning record as a printable, tagged PDF: their approved hours per fiscal period,
every completion, their certificates with their state, and where they stand on each
requirement today. The caller checked `can_print_record`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string

from charter.core.downloads import download_name
from charter.core.pdf import tagged_pdf
from charter.core.periods import period_containing
from charter.learning.models import Completion, Status
from charter.learning.selectors import (
    certificate_rows,
    org_today,
    person_compliance,
    record,
)
from charter.org.models import Person


@dataclass(frozen=True)
class PeriodHours:
    label: str
    hours: Decimal
    completions: int


def hours_by_period(
    completions: list[Completion], kind: str, start_month: int
) -> list[PeriodHours]:
    """Approved hours per fiscal `kind` ("quarter" or "year"), newest first; periods without
    an approved completion are left out."""
    totals: dict[Any, list[Any]] = {}
    for completion in completions:
        if completion.status != Status.APPROVED:
            continue
        period = period_containing(completion.completed_on, kind, start_month)
        entry = totals.setdefault(period, [Decimal(), 0])
        entry[0] += completion.hours
        entry[1] += 1
    return [
        PeriodHours(label=p.label, hours=h, completions=n)
        for p, (h, n) in sorted(totals.items(), key=lambda kv: kv[0].start, reverse=True)
    ]


def record_context(user: Any, person: Person, day: dt.date | None = None) -> dict[str, Any]:
    today = day or org_today(person.org)
    completions = list(record(person))
    start_month = person.org.fiscal_year_start_month
    return {
        "person": person,
        "day": today,
        "completions": completions,
        "years": hours_by_period(completions, "year", start_month),
        "quarters": hours_by_period(completions, "quarter", start_month),
        "certificates": certificate_rows(user, day=today, people=[person.pk]),
        "items": person_compliance(person, today),
    }


def record_pdf(user: Any, person: Person) -> bytes:
    from weasyprint import HTML

    html = render_to_string("learning/pdf/record.html", record_context(user, person))
    return tagged_pdf(HTML(string=html, base_url=None))


def record_filename(person: Person, day: dt.date) -> str:
    return download_name(person.full_name, "learning record", day.isoformat(), extension="pdf")
