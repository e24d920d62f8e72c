"""The learning importers: `charter import completions FILE` (also the upload page) and
`charter import certifications FILE` (see `CertificateImporter`).

One row is one completion from an LMS export: the person (email or full name), the training
(title or code), the day it was completed, the hours and optionally a score. Imported
completions are approved as they come (the LMS is the record); importing the same file again
leaves every row unchanged. The rules of a reported completion apply (no future day, more than
0 and at most 24 hours a day, counting what the person already has that day), and a row may
only name someone the importing person may read.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.urls import reverse

from charter.core.imports import (
    CleanRow,
    Counts,
    Field,
    FieldInvalid,
    Importer,
    Issue,
    Row,
    date,
    text,
)
from charter.core.imports.fields import cell_text
from charter.core.models import ImportRun
from charter.core.registry import register_importer
from charter.learning.certificates import expiry_of
from charter.learning.models import Certification, Completion, Status, Training
from charter.learning.selectors import org_today
from charter.learning.services.certificates import certificates_import
from charter.learning.services.completions import (
    HOURS_IN_A_DAY,
    completion_problems,
    completions_import,
    hours_text,
)
from charter.org.access import visible_people
from charter.org.models import Person

IMPORT_KIND = "completions"
CERTIFICATES_KIND = "certifications"
_HUNDREDTH = Decimal("0.01")


def _number(cell: Any, what: str) -> Decimal:
    if isinstance(cell, bool):
        raise FieldInvalid("is not a number")
    raw = cell if isinstance(cell, int | float | Decimal) else cell_text(cell).strip()
    try:
        value = Decimal(str(raw).replace(" ", ""))
    except InvalidOperation:
        raise FieldInvalid(f"is not a number (write {what})") from None
    if not value.is_finite() or abs(value) >= 1000:
        raise FieldInvalid("is not a sensible number")
    return value.quantize(_HUNDREDTH)


def parse_hours(cell: Any) -> Decimal:
    return _number(cell, "1.5")


def parse_score(cell: Any) -> Decimal:
    return _number(cell, "a score from 0 to 100, e.g. 85")


def _name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


class _PersonRows(Importer[dict[str, Any] | None]):
    """What both learning importers share: finding the person a row names, within reach."""

    def prepare(self) -> None:
        org = self.org
        self.today = org_today(org)
        # An operator (no actor) reaches the whole organization; a person, whom they may read.
        reach = (
            Person.objects.filter(org=org)
            if self.actor is None
            else visible_people(self.actor).filter(org=org)
        )
        self.reach = set(reach.values_list("pk", flat=True))
        self.by_email: dict[str, Person] = {}
        self.by_name: dict[str, list[Person]] = defaultdict(list)
        for person in Person.objects.filter(org=org).select_related("org"):
            if person.email:
                self.by_email[person.email.lower()] = person
            self.by_name[_name_key(person.full_name)].append(person)

    def _person(self, row: Row) -> Person | None:
        wanted: str | None = row["person"]
        if not wanted:
            return None
        if "@" in wanted:
            found = self.by_email.get(wanted.lower())
            if found is None:
                row.error("person", f"nobody in Charter has the email {wanted.lower()}")
                return None
        else:
            named = [p for p in self.by_name.get(_name_key(wanted), []) if p.is_active]
            if len(named) != 1:
                row.error(
                    "person",
                    f"nobody active in Charter is called {wanted!r}"
                    if not named
                    else f"{len(named)} people in Charter are called {wanted!r}; use their email",
                )
                return None
            found = named[0]
        if not found.is_active:
            row.error("person", f"{found.full_name} is deactivated in Charter")
            return None
        if found.pk not in self.reach:
            row.error("person", f"{found.full_name} is not among the people you may import for")
            return None
        return found


@register_importer
class CompletionImporter(_PersonRows):
    name = IMPORT_KIND
    label = "completions"
    fields = (
        Field(
            "person",
            "Person",
            required=True,
            aliases=("Email", "Learner", "Learner email", "User", "Name", "Employee"),
            parse=text(max_length=254),
            help="The person's email or full name.",
        ),
        Field(
            "training",
            "Training",
            required=True,
            aliases=("Course", "Course title", "Course code", "Code", "Title", "Training code"),
            parse=text(max_length=200),
            help="The training's title or code as in the catalogue.",
        ),
        Field(
            "completed_on",
            "Completed",
            required=True,
            aliases=("Completed on", "Completion date", "Date", "Completed date", "Finished"),
            parse=date(),
            help="The day it was completed; not in the future.",
        ),
        Field(
            "hours",
            "Hours",
            required=True,
            aliases=("Duration", "Duration hours", "Time spent", "Credit hours"),
            parse=parse_hours,
            help="More than 0 and at most 24 (with the person's other hours that day).",
        ),
        Field(
            "score",
            "Score",
            aliases=("Result", "Grade", "Percent", "Score %"),
            parse=parse_score,
            help="Optional, from 0 to 100.",
        ),
    )

    def prepare(self) -> None:
        super().prepare()
        self.trainings: dict[str, Training] = {}
        self.codes: dict[str, Training] = {}
        for training in Training.objects.filter(org=self.org):
            self.trainings[_name_key(training.title)] = training
            if training.code:
                self.codes[training.code.casefold()] = training
        self.people: dict[int, Person] = {}
        self.seen: dict[tuple[int, int, dt.date], list[int]] = defaultdict(list)

    def clean(self, row: Row) -> dict[str, Any] | None:
        person = self._person(row)
        training = self._training(row)
        completed_on: dt.date | None = row["completed_on"]
        hours: Decimal | None = row["hours"]
        score: Decimal | None = row["score"]
        if row.issues or person is None or training is None:
            return None
        if completed_on is None or hours is None:
            return None
        # The day's total is checked over the whole file in `check`.
        problems = completion_problems(
            completed_on=completed_on, hours=hours, score=score, today=self.today
        )
        for field, message in problems:
            row.error(field, message)
        if problems:
            return None
        self.people[person.pk] = person
        self.seen[(person.pk, training.pk, completed_on)].append(row.number)
        return {
            "person": person.pk, "training": training.pk, "completed_on": completed_on,
            "hours": hours, "score": score,
        }  # fmt: skip

    def _training(self, row: Row) -> Training | None:
        wanted: str | None = row["training"]
        if not wanted:
            return None
        found = self.codes.get(wanted.strip().casefold()) or self.trainings.get(_name_key(wanted))
        if found is None:
            row.error("training", f"there is no training titled or coded {wanted!r}")
            return None
        if not found.is_active:
            row.error("training", f"“{found.title}” is retired")
            return None
        return found

    def check(self, rows: Iterable[CleanRow[dict[str, Any] | None]]) -> Iterable[Issue]:
        issues: list[Issue] = []
        for numbers in self.seen.values():
            if len(numbers) > 1:
                for n in numbers:
                    others = ", ".join(str(m) for m in numbers if m != n)
                    issues.append(
                        self.issue(
                            n,
                            "training",
                            "",
                            f"the same person, training and day is also on row {others}",
                        )
                    )
        chosen = [r for r in rows if r.data is not None]
        if not chosen:
            return issues
        # A day holds 24 hours: what the file gives a person that day, plus what they already
        # have that the file does not replace.
        days = {r.data["completed_on"] for r in chosen if r.data}
        keys = set(self.seen)
        kept: dict[tuple[int, dt.date], Decimal] = defaultdict(Decimal)
        for c in (
            Completion.objects.filter(person_id__in=self.people, completed_on__in=days)
            .exclude(status=Status.RETURNED)
            .only("person_id", "training_id", "completed_on", "hours")
        ):
            if (c.person_id, c.training_id, c.completed_on) not in keys:
                kept[(c.person_id, c.completed_on)] += c.hours
        in_file: dict[tuple[int, dt.date], list[tuple[int, dict[str, Any]]]] = defaultdict(list)
        for r in chosen:
            assert r.data is not None
            in_file[(r.data["person"], r.data["completed_on"])].append((r.number, r.data))
        for (person_id, day), day_rows in in_file.items():
            total = kept[(person_id, day)] + sum((data["hours"] for _, data in day_rows), Decimal())
            if total <= HOURS_IN_A_DAY:
                continue
            name = self.people[person_id].full_name
            for number, data in day_rows:
                issues.append(
                    self.issue(
                        number,
                        "hours",
                        data["hours"],
                        f"{name} would have {hours_text(total)} hours on {day.isoformat()} "
                        "(this file and their record together); a day holds at most 24",
                    )
                )
        return issues

    def apply(self, rows: Iterable[CleanRow[dict[str, Any] | None]]) -> Counts:
        chosen = [r.data for r in rows if r.data is not None]
        created, updated, unchanged = completions_import(
            org=self.org, actor=self.actor, rows=chosen, run=self.run
        )
        return Counts(created=created, updated=updated, unchanged=unchanged)

    @classmethod
    def result_url(cls, run: ImportRun) -> str:
        return reverse("learning:import_run", args=[run.pk])


@register_importer
class CertificateImporter(_PersonRows):
    """`charter import certifications FILE`: one certificate per row (person, certification by
    name, issue date, optionally its end and credential id); the end defaults to the
    certification's validity. The same row again changes nothing."""

    name = CERTIFICATES_KIND
    label = "certificates"
    fields = (
        CompletionImporter.fields[0],
        Field(
            "certification",
            "Certification",
            required=True,
            aliases=("Certificate", "Name of certification", "Badge"),
            parse=text(max_length=200),
            help="The certification's name as listed in Charter.",
        ),
        Field(
            "issued_on",
            "Issued",
            required=True,
            aliases=("Issued on", "Issue date", "Date issued", "Awarded"),
            parse=date(),
            help="The day it was issued; not in the future.",
        ),
        Field(
            "expires_on",
            "Expires",
            aliases=("Expires on", "Expiry", "Expiry date", "Valid until"),
            parse=date(),
            help="Its last valid day; by default the certification's validity from the issue.",
        ),
        Field(
            "credential_id",
            "Credential id",
            aliases=("Credential", "Certificate id", "Id"),
            parse=text(max_length=120),
            help="Optional.",
        ),
    )

    def prepare(self) -> None:
        super().prepare()
        self.certifications = {
            _name_key(c.name): c for c in Certification.objects.filter(org=self.org)
        }

    def clean(self, row: Row) -> dict[str, Any] | None:
        person = self._person(row)
        wanted: str | None = row["certification"]
        certification = self.certifications.get(_name_key(wanted)) if wanted else None
        if wanted and certification is None:
            row.error("certification", f"there is no certification called {wanted!r}")
        issued: dt.date | None = row["issued_on"]
        if issued is not None and issued > self.today:
            row.error("issued_on", f"{issued.isoformat()} is in the future (today is {self.today})")
        if row.issues or person is None or certification is None or issued is None:
            return None
        expires: dt.date = row["expires_on"] or expiry_of(issued, certification.validity_months)
        if expires < issued:
            row.error("expires_on", "a certificate cannot end before it was issued")
            return None
        return {
            "person": person.pk, "certification": certification.pk, "issued_on": issued,
            "expires_on": expires, "credential_id": row["credential_id"] or "",
        }  # fmt: skip

    def apply(self, rows: Iterable[CleanRow[dict[str, Any] | None]]) -> Counts:
        chosen = [r.data for r in rows if r.data is not None]
        created, updated, unchanged = certificates_import(
            org=self.org, actor=self.actor, rows=chosen, run=self.run
        )
        return Counts(created=created, updated=updated, unchanged=unchanged)

    @classmethod
    def result_url(cls, run: ImportRun) -> str:
        return reverse("learning:certificates_import:import_run", args=[run.pk])
