"""Who may see and do what with people and teams. Every list and page is built from these.

Default deny: a user with no person record, an inactive person, or an unknown role sees nothing.
rep → self; manager → themselves and everyone below them in the reporting tree;
admin → everyone, read and write; executive → everyone, read-only.
Who is listed (name, title, team, manager) is wider than whose records open: a rep and a manager
also find their own team's members and the managers above them (`directory_people`).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Q, QuerySet

from charter.org.models import Person, Role, Team

_SUBTREE_MEMO = "_charter_subtree_ids"


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


def _reporting_subtree(person: Person) -> frozenset[int]:
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
    return frozenset(seen)


def subtree_ids(person: Person) -> set[int]:
    """Ids of `person` and everyone who reports to them, directly or not.

    Read once per person instance: the signed-in person is loaded afresh for every request, so
    the tree is read at most once a request however many rules ask, and never outlives it."""
    memo: frozenset[int] | None = getattr(person, _SUBTREE_MEMO, None)
    if memo is None:
        memo = _reporting_subtree(person)
        setattr(person, _SUBTREE_MEMO, memo)
    return set(memo)


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


def _manager_chain_ids(person: Person) -> set[int]:
    """Ids of the people above `person` in the reporting line, nearest first (one query)."""
    managers = dict(Person.objects.filter(org_id=person.org_id).values_list("id", "manager_id"))
    chain: set[int] = set()
    above = person.manager_id
    while above is not None and above not in chain:  # a cycle can never loop forever
        chain.add(above)
        above = managers.get(above)
    return chain


def directory_people(user: Any) -> QuerySet[Person]:
    """The people `user` finds in the directory, the org chart, the team pages and the home
    page's counts: their name, title, team and manager, not their records. Everyone whose
    record they may read (`visible_people`), and besides, for a rep or a manager, the members of
    their own team and the managers above them, so that a rep sees who they work with and for
    (each of those pages shows the same people; only `visible_people` open)."""
    me = person_of(user)
    if me is None:
        return Person.objects.none()
    if can_read_all(user):
        return Person.objects.filter(org_id=me.org_id)
    if me.role not in (Role.MANAGER, Role.REP):
        return Person.objects.none()
    known = Q(pk__in=visible_people(user).values("pk")) | Q(pk__in=_manager_chain_ids(me))
    if me.team_id is not None:
        known |= Q(team_id=me.team_id)
    return Person.objects.filter(known, org_id=me.org_id)


def visible_teams(user: Any) -> QuerySet[Team]:
    """Teams `user` may open: all for admins and executives, else the teams of visible people
    and the teams above them (so a manager can walk up to their region)."""
    me = person_of(user)
    if me is None:
        return Team.objects.none()
    if can_read_all(user):
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
    """Read a person's record, scorecard and the records behind it."""
    return visible_people(user).filter(pk=person.pk).exists()


def can_view_history(user: Any, person: Person) -> bool:
    """Changes to a person's org record. Admins and executives read the whole org; a manager
    reads their subtree; a rep reads their own record (their home page lists its changes)."""
    me = person_of(user)
    if me is None:
        return False
    if me.org_id != person.org_id:
        return False
    if can_read_all(user):
        return True
    if me.pk == person.pk:
        return True
    if me.role == Role.MANAGER:
        return person.pk in subtree_ids(me)
    return False


def can_manage_org(user: Any) -> bool:
    """Administer the organization: the org chart, imports, CRM aliases, the KPI library,
    closing periods, company values, unmatched CRM facts, the audit log. Admins only: this is
    the one name for "is an admin"."""
    me = person_of(user)
    if me is None:
        return False
    return me.role == Role.ADMIN


def can_invite(user: Any, person: Person) -> bool:
    """Send a sign-in invitation: admins for anyone, managers for people below them."""
    me = person_of(user)
    if me is None:
        return False
    if me.org_id != person.org_id:
        return False
    if me.role == Role.ADMIN:
        return True
    if me.role == Role.MANAGER:
        return person.pk != me.pk and person.pk in subtree_ids(me)
    return False


def can_invite_someone(user: Any) -> bool:
    """Whether `can_invite` can be true for anyone at all: admins and managers."""
    me = person_of(user)
    if me is None:
        return False
    return me.role in (Role.ADMIN, Role.MANAGER)


def can_read_all(user: Any) -> bool:
    """Org-wide read access: admins and executives."""
    me = person_of(user)
    if me is None:
        return False
    return me.role in (Role.ADMIN, Role.EXECUTIVE)


def can_write(user: Any) -> bool:
    """Executives are read-only everywhere; everyone else may write within their scope."""
    me = person_of(user)
    if me is None:
        return False
    return me.role != Role.EXECUTIVE


def leads_people(user: Any) -> bool:
    """Managers: they see the people below them and answer for them (their reports on the
    home page, their questions, their coverage, their targets)."""
    me = person_of(user)
    if me is None:
        return False
    return me.role == Role.MANAGER


def starts_jobs(user: Any) -> bool:
    """Whoever can set background work going: admins (imports, a new time zone) and managers
    (publishing their team's documents). Reps and executives never start a job, so the jobs
    page, which lists a person's own jobs, would only ever be empty for them."""
    if can_manage_org(user):
        return True
    return leads_people(user)


def reads_org_overview(user: Any) -> bool:
    """Executives: org-wide readers who change nothing get the team-by-team overview."""
    if not can_read_all(user):
        return False
    return not can_write(user)


def managed_team_ids(user: Any) -> set[int]:
    """The teams a manager runs: their own team and every team below it (none for others)."""
    me = person_of(user)
    if me is None:
        return set()
    if me.role != Role.MANAGER:
        return set()
    if me.team_id is None:
        return set()
    # Imported here: the org selectors read through these access functions.
    from charter.org.selectors import subtree_of, team_children

    return subtree_of(team_children(me.org_id), me.team_id)


def people_in_scope_ids(user: Any) -> set[int] | None:
    """Whose rows `user` may see in reports over people (signature coverage, open signature
    requests): None means everyone in their organization; a manager their subtree; a rep
    themselves; nobody for anyone else."""
    me = person_of(user)
    if me is None:
        return set()
    if can_read_all(user):
        return None
    if me.role == Role.MANAGER:
        return subtree_ids(me)
    if me.role == Role.REP:
        return {me.pk}
    return set()


def one_on_one_reader(report: Person, manager: Person) -> Any | None:
    """The login through which `manager` reads `report`'s records for a 1:1 between them, or
    None when they are no such pair: `manager` must be able to sign in, and `report` be active,
    in the same organization and below them in the reporting line. Agenda sources read as this
    user through their app's access rules, so an agenda shows only what the manager may see."""
    user = manager.user if manager.user_id is not None else None
    me = person_of(user)
    if me is None or me.pk != manager.pk:
        return None
    if not report.is_active or report.org_id != me.org_id:
        return None
    if report.pk == me.pk:
        return None
    if report.pk not in subtree_ids(me):
        return None
    return user


def admins_of(org_id: int) -> QuerySet[Person]:
    """The active admins of an organization (who is told when nobody else is)."""
    return Person.objects.filter(org_id=org_id, role=Role.ADMIN, is_active=True)
