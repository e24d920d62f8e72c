"""Who may read, edit and sign expectations documents. Default deny; built on `org.access`.

- Read: admins and executives read every document; others read the documents that apply to
  them, that they may edit, or (managers) that apply to someone below them.
- Create: admins for any audience; managers for their own team or a team below it.
- Edit and publish: admins for every document; managers for team documents whose team is their
  own team or below it. Executives are read-only.
- Coverage: managers, admins and executives; admins and executives see everyone, managers the
  people below them.
- Questions: the asker's managers and the document's editors answer; admins see every open one.
- Reminders by hand: admins for anyone, managers for the people below them; never oneself, and
  executives (read-only) not at all.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from charter.expectations.models import Audience, Document, Question
from charter.org.access import (
    admins_of,
    can_manage_org,
    can_read_all,
    leads_people,
    managed_team_ids,
    people_in_scope_ids,
    person_of,
    subtree_ids,
    visible_people,
    visible_teams,
)
from charter.org.models import Person, Role, Team
from charter.org.selectors import team_subtree_ids


def applies_to(document: Document, person: Any) -> bool:
    if not person.is_active or person.org_id != document.org_id:
        return False
    if document.audience == Audience.COMPANY:
        return True
    if document.audience == Audience.ROLE:
        return bool(person.role == document.audience_role)
    team = document.audience_team
    if document.audience == Audience.TEAM and team is not None and person.team_id:
        return person.team_id in team_subtree_ids(team)
    return False


def document_audiences(user: Any) -> list[str]:
    """The audiences `user` may write documents for: all for admins, a team for managers."""
    if can_manage_org(user):
        return [str(a) for a in Audience.values]
    if leads_people(user):
        return [str(Audience.TEAM)]
    return []


def creatable_document_teams(user: Any) -> QuerySet[Team]:
    """The teams `user` may write a team document for."""
    teams = visible_teams(user)
    if can_manage_org(user):
        return teams
    return teams.filter(pk__in=managed_team_ids(user))


def can_create_document(user: Any) -> bool:
    return bool(document_audiences(user))


def can_create_document_for(user: Any, audience: str, team: Team | None) -> bool:
    """Admins write for any audience; managers only for their own team or a team below it."""
    if audience not in document_audiences(user):
        return False
    if can_manage_org(user):
        return True
    if team is None:
        return False
    return team.pk in managed_team_ids(user)


def can_edit_document(user: Any, document: Document) -> bool:
    me = person_of(user)
    if me is None or me.org_id != document.org_id:
        return False
    if can_manage_org(user):
        return True
    if document.audience != Audience.TEAM:
        return False
    return document.audience_team_id in managed_team_ids(user)


def visible_documents(user: Any) -> list[Document]:
    me = person_of(user)
    if me is None:
        return []
    documents = list(Document.objects.filter(org_id=me.org_id).select_related("audience_team"))
    if can_read_all(user):
        return documents
    if leads_people(user):
        from charter.expectations.selectors import audience_people

        # One query per document, however many people the manager has below them.
        managed = managed_team_ids(user)
        below = visible_people(user).filter(is_active=True).values("pk")
        return [
            d
            for d in documents
            if (d.audience == Audience.TEAM and d.audience_team_id in managed)
            or audience_people(d).filter(pk__in=below).exists()
        ]
    if me.role == Role.REP:
        return [d for d in documents if applies_to(d, me)]
    return []


def can_view_document(user: Any, document: Document) -> bool:
    return any(d.pk == document.pk for d in visible_documents(user))


def can_view_coverage(user: Any) -> bool:
    """Signature coverage reports: managers, admins and executives (a rep has only their own
    signature, on their own pages)."""
    if can_read_all(user):
        return True
    return leads_people(user)


def coverage_people_ids(user: Any) -> set[int] | None:
    """Whose signatures `user` may see in coverage reports; None means everyone in their
    organization."""
    if not can_view_coverage(user):
        return set()
    return people_in_scope_ids(user)


def can_remind_signer(user: Any, signer: Person) -> bool:
    """Send `signer` a reminder of a signature they owe, now, from the home or coverage page."""
    me = person_of(user)
    if me is None:
        return False
    if signer.org_id != me.org_id:
        return False
    if signer.pk == me.pk:
        return False
    if can_manage_org(user):
        return True
    if not leads_people(user):
        return False
    return signer.pk in subtree_ids(me)


def can_answer_questions(user: Any) -> bool:
    """Who has a questions inbox: managers (for the people below them) and admins."""
    if can_manage_org(user):
        return True
    return leads_people(user)


def question_asker_ids(user: Any) -> set[int] | None:
    """Whose questions wait in `user`'s inbox: None means everyone in their organization
    (admins); a manager the people below them; nobody for anyone else."""
    me = person_of(user)
    if me is None:
        return set()
    if can_manage_org(user):
        return None
    if leads_people(user):
        return subtree_ids(me) - {me.pk}
    return set()


def can_answer(user: Any, question: Any) -> bool:
    """The asker's managers and the document's editors answer questions; executives do not."""
    me = person_of(user)
    if me is None:
        return False
    if me.org_id != question.document.org_id:
        return False
    if can_edit_document(user, question.document):
        return True
    if not leads_people(user):
        return False
    return question.asked_by_id in subtree_ids(me) - {me.pk}


def question_recipients(question: Question) -> list[Person]:
    """Who is told of a new question: the asker's managers up the reporting line (an executive
    above them is not asked), or the organization's admins when there is no such manager.
    Only people who may read the question are told."""
    recipients: dict[int, Person] = {}
    node = question.asked_by.manager
    while node is not None and node.pk not in recipients:
        if node.is_active and node.email and node.role == Role.MANAGER:
            recipients[node.pk] = node
        node = node.manager
    if not recipients:
        for admin in admins_of(question.document.org_id).exclude(email=""):
            recipients[admin.pk] = admin
    return [
        person
        for person in recipients.values()
        if person.role == Role.ADMIN or question.asked_by_id in subtree_ids(person)
    ]
