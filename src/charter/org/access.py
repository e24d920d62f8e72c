"""Who may see and do what with people and teams. Every list and page is built from these.

Default deny: a user with no person record, an inactive person, or an unknown role sees nothing.
rep → self; manager → themselves and everyone below them in the reporting tree;
admin → everyone, read and write; executive → everyone, read-only.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import QuerySet

from charter.org.models import Person, Role, Team


def person_of(user: Any) -> Person | None:
    """The active person behind a signed-in user, or None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if not user.is_active:
        return None
    person: Person | None = getattr(user, "person", None)
    if person is None or not person.is_active:
        return None
    return person


def subtree_ids(person: Person) -> set[int]:
    """Ids of `person` and everyone who reports to them, directly or not."""
    children: dict[int, list[int]] = defaultdict(list)
    for pid, manager_id in Person.objects.filter(org_id=person.org_id).values_list(
        "id", "manager_id"
    ):
        if manager_id is not None:
            children[manager_id].append(pid)
    seen = {person.pk}
    stack = [person.pk]
    while stack:
        for child in children[stack.pop()]:
            if child not in seen:  # a cycle can never loop forever
                seen.add(child)
                stack.append(child)
    return seen


def visible_people(user: Any) -> QuerySet[Person]:
    """The people whose records `user` may read."""
    me = person_of(user)
    if me is None:
        return Person.objects.none()
    if me.role in (Role.ADMIN, Role.EXECUTIVE):
        return Person.objects.filter(org_id=me.org_id)
    if me.role == Role.MANAGER:
        return Person.objects.filter(pk__in=subtree_ids(me))
    if me.role == Role.REP:
        return Person.objects.filter(pk=me.pk)
    return Person.objects.none()


def visible_teams(user: Any) -> QuerySet[Team]:
    """Teams `user` may open: all for admins and executives, else the teams of visible people
    and the teams above them (so a manager can walk up to their region)."""
    me = person_of(user)
    if me is None:
        return Team.objects.none()
    if me.role in (Role.ADMIN, Role.EXECUTIVE):
        return Team.objects.filter(org_id=me.org_id)
    team_ids = set(
        visible_people(user).exclude(team__isnull=True).values_list("team_id", flat=True)
    )
    if not team_ids:
        return Team.objects.none()
    parents = dict(Team.objects.filter(org_id=me.org_id).values_list("id", "parent_id"))
    for tid in list(team_ids):
        parent = parents.get(tid)
        while parent is not None and parent not in team_ids:
            team_ids.add(parent)
            parent = parents.get(parent)
    return Team.objects.filter(pk__in=team_ids)


def can_view_person(user: Any, person: Person) -> bool:
    return visible_people(user).filter(pk=person.pk).exists()


def can_view_history(user: Any, person: Person) -> bool:
    """Changes to a person's org record. Admins and executives read the whole org; a manager
    reads their subtree; a rep reads their own record (their home page lists its changes)."""
    me = person_of(user)
    if me is None:
        return False
    if me.role in (Role.ADMIN, Role.EXECUTIVE):
        return True
    if me.pk == person.pk:
        return True
    if me.role == Role.MANAGER:
        return person.pk in subtree_ids(me)
    return False


def can_manage_org(user: Any) -> bool:
    """Edit the org chart: teams, people, roles, imports, CRM aliases. Admins only."""
    me = person_of(user)
    return me is not None and me.role == Role.ADMIN


def can_invite(user: Any, person: Person) -> bool:
    """Send a sign-in invitation: admins for anyone, managers for people below them."""
    me = person_of(user)
    if me is None:
        return False
    if me.role == Role.ADMIN:
        return True
    if me.role == Role.MANAGER:
        return person.pk != me.pk and person.pk in subtree_ids(me)
    return False


def can_read_all(user: Any) -> bool:
    """Org-wide read access: admins and executives."""
    me = person_of(user)
    return me is not None and me.role in (Role.ADMIN, Role.EXECUTIVE)


def can_write(user: Any) -> bool:
    """Executives are read-only everywhere; everyone else may write within their scope."""
    me = person_of(user)
    return me is not None and me.role != Role.EXECUTIVE
