"""Who may read, edit and sign expectations documents. Default deny.

- Read: admins and executives read every document; others read the documents that apply to
  them, that they may edit, or (managers) that apply to someone below them.
- Edit and publish: admins for every document; managers for team documents whose team is their
  own team or below it. Executives are read-only.
- Coverage: admins and executives see everyone; managers see the people below them.
"""

from __future__ import annotations

from typing import Any

from charter.expectations.models import Audience, Document
from charter.org.access import person_of, subtree_ids, visible_people
from charter.org.models import Role, Team
from charter.org.selectors import team_subtree_ids


def _managed_team_ids(person: Any) -> set[int]:
    team = Team.objects.filter(pk=person.team_id).first() if person.team_id else None
    return team_subtree_ids(team) if team is not None else set()


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


def can_create_document(user: Any) -> bool:
    me = person_of(user)
    return me is not None and me.role in (Role.ADMIN, Role.MANAGER)


def can_create_document_for(user: Any, audience: str, team: Team | None) -> bool:
    """Admins write for any audience; managers only for their own team or a team below it."""
    me = person_of(user)
    if me is None:
        return False
    if me.role == Role.ADMIN:
        return True
    if me.role == Role.MANAGER and audience == Audience.TEAM and team is not None:
        return team.pk in _managed_team_ids(me)
    return False


def can_edit_document(user: Any, document: Document) -> bool:
    me = person_of(user)
    if me is None or me.org_id != document.org_id:
        return False
    if me.role == Role.ADMIN:
        return True
    if me.role == Role.MANAGER and document.audience == Audience.TEAM:
        return document.audience_team_id in _managed_team_ids(me)
    return False


def can_manage_values(user: Any) -> bool:
    me = person_of(user)
    return me is not None and me.role == Role.ADMIN


def visible_documents(user: Any) -> list[Document]:
    me = person_of(user)
    if me is None:
        return []
    documents = list(Document.objects.filter(org_id=me.org_id).select_related("audience_team"))
    if me.role in (Role.ADMIN, Role.EXECUTIVE):
        return documents
    if me.role == Role.MANAGER:
        from charter.expectations.selectors import audience_people

        # One query per document, however many people the manager has below them.
        managed = _managed_team_ids(me)
        below = visible_people(user).filter(is_active=True).values("pk")
        return [
            d
            for d in documents
            if (d.audience == Audience.TEAM and d.audience_team_id in managed)
            or audience_people(d).filter(pk__in=below).exists()
        ]
    return [d for d in documents if applies_to(d, me)]


def can_view_document(user: Any, document: Document) -> bool:
    return any(d.pk == document.pk for d in visible_documents(user))


def coverage_people_ids(user: Any) -> set[int] | None:
    """Whose signatures `user` may see in coverage reports; None means everyone."""
    me = person_of(user)
    if me is None:
        return set()
    if me.role in (Role.ADMIN, Role.EXECUTIVE):
        return None
    if me.role == Role.MANAGER:
        return subtree_ids(me)
    return {me.pk}


def can_answer(user: Any, question: Any) -> bool:
    """The asker's managers and the document's editors answer questions; executives do not."""
    me = person_of(user)
    if me is None or me.role == Role.EXECUTIVE:
        return False
    if can_edit_document(user, question.document):
        return True
    return me.role == Role.MANAGER and question.asked_by_id in subtree_ids(me) - {me.pk}
