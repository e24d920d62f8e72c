"""Reads of expectations: audiences, current versions, requests, coverage and questions."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from charter.accounts.models import LoginEmailChange
from charter.expectations.access import (
    can_answer_questions,
    coverage_people_ids,
    question_asker_ids,
    visible_documents,
)
from charter.expectations.models import (
    Audience,
    Document,
    DocumentVersion,
    Question,
    Signature,
    SignatureRequest,
)
from charter.org.access import can_read_all, person_of, subtree_ids
from charter.org.models import Person, Role
from charter.org.selectors import team_subtree_ids


def audience_people(document: Document) -> QuerySet[Person]:
    """Active people the document applies to today."""
    people = Person.objects.filter(org_id=document.org_id, is_active=True)
    if document.audience == Audience.COMPANY:
        return people
    if document.audience == Audience.ROLE:
        return people.filter(role=document.audience_role)
    if document.audience == Audience.TEAM and document.audience_team is not None:
        return people.filter(team_id__in=team_subtree_ids(document.audience_team))
    return people.none()


def audience_description(document: Document) -> str:
    if document.audience == Audience.TEAM and document.audience_team is not None:
        return f"the {document.audience_team.name} team and its subteams"
    if document.audience == Audience.ROLE:
        label = dict(Role.choices).get(document.audience_role, document.audience_role)
        return f"everyone with the role {label}"
    return "everyone in the company"


def current_version(document: Document) -> DocumentVersion | None:
    return document.versions.order_by("-number").first()


def versions(document: Document) -> QuerySet[DocumentVersion]:
    return document.versions.select_related("published_by").order_by("-number")


def open_requests(person: Person) -> QuerySet[SignatureRequest]:
    """What this person still has to sign, soonest due first."""
    return (
        SignatureRequest.objects.filter(
            person=person, signed_at__isnull=True, superseded_at__isnull=True
        )
        .select_related("version", "version__document")
        .order_by("due_date", "id")
    )


def request_for(person: Person, version: DocumentVersion) -> SignatureRequest | None:
    return (
        SignatureRequest.objects.filter(person=person, version=version)
        .select_related("signature")
        .first()
    )


def last_signed_version(person: Person, document: Document) -> DocumentVersion | None:
    request = (
        SignatureRequest.objects.filter(
            person=person, version__document=document, signed_at__isnull=False
        )
        .select_related("version")
        .order_by("-version__number")
        .first()
    )
    return request.version if request else None


def signed_after_email_change(signatures: Iterable[Signature]) -> dict[int, LoginEmailChange]:
    """Signature id → the change that gave the signing login the address it signed with, for
    the signatures whose address someone other than the signer had set.

    Whoever sets a login's email can have its reset links sent to them and sign in its name:
    such a signature may not be the person's own act, and a reader of the record should see
    why. Only signatures that record their login (chain format 2) can be checked."""
    checked = [s for s in signatures if s.user_id is not None]
    if not checked:
        return {}
    changes: dict[int, list[LoginEmailChange]] = defaultdict(list)
    for change in (
        LoginEmailChange.objects.filter(user_id__in={s.user_id for s in checked})
        .select_related("changed_by")
        .order_by("changed_at", "id")
    ):
        changes[change.user_id].append(change)
    found: dict[int, LoginEmailChange] = {}
    for signature in checked:
        # Signing times are kept to the second: a change within the same second counts as
        # before it, so the doubt goes to the reader rather than away.
        before = [
            c
            for c in changes.get(signature.user_id, [])  # type: ignore[arg-type]
            if c.changed_at.replace(microsecond=0) <= signature.signed_at
        ]
        if before and before[-1].changed_by_id != signature.user_id:
            found[signature.pk] = before[-1]
    return found


@dataclass
class CoverageRow:
    person: Person
    state: str
    request: SignatureRequest | None
    signed_version: int | None = None
    # Set when the signature's login had its address set by someone else before signing.
    email_changed: LoginEmailChange | None = None


@dataclass
class Coverage:
    version: DocumentVersion
    rows: list[CoverageRow]
    totals: Counter[str] = field(default_factory=Counter)
    by_team: dict[str, Counter[str]] = field(default_factory=dict)

    @property
    def signed_percent(self) -> int:
        total = sum(self.totals.values())
        return round(self.totals["signed"] * 100 / total) if total else 0


def coverage(user: Any, version: DocumentVersion, *, today: dt.date | None = None) -> Coverage:
    """Who signed this version, who is pending or overdue, and who never got a request yet,
    limited to the people `user` may see."""
    today = today or timezone.localdate()
    allowed = coverage_people_ids(user)
    requests = SignatureRequest.objects.filter(version=version).select_related(
        "person", "person__team", "signature"
    )
    if allowed is not None:
        requests = requests.filter(person_id__in=allowed)
    by_person = {r.person_id: r for r in requests}
    audience = audience_people(version.document).select_related("team")
    if allowed is not None:
        audience = audience.filter(pk__in=allowed)
    people = {p.pk: p for p in audience}
    for asked in by_person.values():
        people.setdefault(asked.person_id, asked.person)
    # For people who have not signed this version, say which older version they did sign.
    older: dict[int, int] = {}
    for pid, number in SignatureRequest.objects.filter(
        version__document_id=version.document_id,
        version__number__lt=version.number,
        signed_at__isnull=False,
        person_id__in=list(people),
    ).values_list("person_id", "version__number"):
        older[pid] = max(number, older.get(pid, 0))
    doubtful = signed_after_email_change(
        r.signature for r in by_person.values() if r.signed_at is not None
    )
    rows: list[CoverageRow] = []
    totals: Counter[str] = Counter()
    by_team: dict[str, Counter[str]] = defaultdict(Counter)
    for pid, person in sorted(people.items(), key=lambda kv: kv[1].full_name):
        request = by_person.get(pid)
        state = request.state(today) if request else "not requested"
        if state == "superseded":
            continue
        latest_signed = version.number if state == "signed" else older.get(pid)
        changed = doubtful.get(request.signature.pk) if state == "signed" and request else None
        rows.append(CoverageRow(person, state, request, latest_signed, changed))
        totals[state] += 1
        by_team[person.team.name if person.team else "No team"][state] += 1
    return Coverage(
        version=version, rows=rows, totals=totals, by_team=dict(sorted(by_team.items()))
    )


def visible_questions(user: Any, document: Document) -> QuerySet[Question]:
    """Public questions for everyone who can read the document; private ones for the asker,
    the people above the asker and admins."""
    me = person_of(user)
    if me is None:
        return Question.objects.none()
    questions = Question.objects.filter(document=document).select_related("asked_by")
    if can_read_all(user):
        return questions.prefetch_related("answers__author")
    below = subtree_ids(me)
    return questions.filter(
        Q(visibility=Question.Visibility.PUBLIC) | Q(asked_by_id__in=below)
    ).prefetch_related("answers__author")


def unanswered_questions_for_manager(user: Any) -> QuerySet[Question]:
    """Questions without an answer, asked by people below `user` (or anyone, for admins)."""
    me = person_of(user)
    if me is None or not can_answer_questions(user):
        return Question.objects.none()
    questions = Question.objects.filter(
        answers__isnull=True, document__org_id=me.org_id
    ).select_related("document", "asked_by")
    askers = question_asker_ids(user)
    if askers is not None:
        questions = questions.filter(asked_by_id__in=askers)
    return questions.order_by("created_at")


# The questions page's filter: which questions of the inbox it lists.
QUESTION_FILTERS = {"unanswered": "Unanswered", "answered": "Answered", "all": "All"}


def inbox_questions(user: Any, *, show: str) -> QuerySet[Question]:
    """The questions of `user`'s inbox (asked by people below them, or anyone for admins):
    `unanswered` oldest first (the longest waiting on top), `answered` and `all` newest first,
    each with its answers."""
    me = person_of(user)
    if me is None or not can_answer_questions(user) or show not in QUESTION_FILTERS:
        return Question.objects.none()
    questions = Question.objects.filter(document__org_id=me.org_id).select_related(
        "document", "asked_by"
    )
    askers = question_asker_ids(user)
    if askers is not None:
        questions = questions.filter(asked_by_id__in=askers)
    if show == "unanswered":
        return questions.filter(answers__isnull=True).order_by("created_at")
    if show == "answered":
        questions = questions.filter(answers__isnull=False).distinct()
    return questions.prefetch_related("answers__author").order_by("-created_at", "-id")


def documents_for(user: Any) -> list[tuple[Document, DocumentVersion | None]]:
    docs = visible_documents(user)
    latest = {
        v.document_id: v
        for v in DocumentVersion.objects.filter(document__in=docs).order_by("document_id", "number")
    }
    return [(d, latest.get(d.pk)) for d in docs]


def open_requests_below(user: Any) -> QuerySet[SignatureRequest]:
    """Signatures still owed by the active people `user` answers for (not their own), soonest
    due first: what a manager's or admin's home page offers to remind."""
    me = person_of(user)
    if me is None:
        return SignatureRequest.objects.none()
    owed = (
        SignatureRequest.objects.filter(
            signed_at__isnull=True,
            superseded_at__isnull=True,
            person__is_active=True,
            person__org_id=me.org_id,
        )
        .exclude(person=me)
        .select_related("person", "version__document")
        .order_by("due_date", "person__full_name", "id")
    )
    below = coverage_people_ids(user)
    if below is not None:
        owed = owed.filter(person_id__in=below)
    return owed


@dataclass(frozen=True)
class DocumentCoverage:
    """How far the people in a reader's scope are with signing one document's current version."""

    document: Document
    version: DocumentVersion
    asked: int
    signed: int
    overdue: int

    @property
    def signed_percent(self) -> int:
        return round(self.signed * 100 / self.asked) if self.asked else 0


def coverage_by_document(user: Any, *, today: dt.date | None = None) -> list[DocumentCoverage]:
    """Each visible document's current version with its signed, overdue and asked counts among
    the people `user` may see in coverage reports: one counting query for all documents."""
    allowed = coverage_people_ids(user)
    if allowed is not None and not allowed:
        return []
    today = today or timezone.localdate()
    latest = {version.pk: (doc, version) for doc, version in documents_for(user) if version}
    if not latest:
        return []
    requests = SignatureRequest.objects.filter(
        version_id__in=list(latest), superseded_at__isnull=True, person__is_active=True
    )
    if allowed is not None:
        requests = requests.filter(person_id__in=allowed)
    counts = {
        row["version_id"]: row
        for row in requests.values("version_id").annotate(
            asked=Count("pk"),
            signed=Count("pk", filter=Q(signed_at__isnull=False)),
            overdue=Count("pk", filter=Q(signed_at__isnull=True, due_date__lt=today)),
        )
    }
    out = []
    for doc, version in latest.values():
        row = counts.get(version.pk)
        if row is None:
            continue
        out.append(
            DocumentCoverage(
                document=doc,
                version=version,
                asked=row["asked"],
                signed=row["signed"],
                overdue=row["overdue"],
            )
        )
    return sorted(out, key=lambda c: (c.signed_percent, c.document.title.lower()))
