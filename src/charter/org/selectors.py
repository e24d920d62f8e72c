"""Reads of the org chart, always through the access functions, and the audit log's rows about
people and teams told in words (`describe`, `recent_changes`, `person_history`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.management.base import CommandError
from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.urls import reverse

from charter.core.models import AuditEvent
from charter.org.access import (
    can_invite_someone,
    can_manage_org,
    can_read_all,
    can_view_history,
    directory_people,
    person_of,
    visible_people,
    visible_teams,
)
from charter.org.models import Invitation, Organization, Person, Role, Team


class LoginState:
    """Where a person stands with signing in; the values are the directory's `login` filter."""

    NONE = "none"
    INVITED = "invited"
    ACTIVE = "active"
    CLOSED = "closed"

    choices = [
        (NONE, "No login yet"),
        (INVITED, "Invited, not accepted"),
        (ACTIVE, "Can sign in"),
        (CLOSED, "Login closed"),
    ]
    values = [value for value, _ in choices]

    # The same states as conditions on a person, for filters and counts.
    conditions = {
        NONE: Q(user__isnull=True),
        CLOSED: Q(user__isnull=False, user__is_active=False),
        INVITED: Q(user__is_active=True, user__password__startswith=UNUSABLE_PASSWORD_PREFIX),
        ACTIVE: Q(user__is_active=True) & ~Q(user__password__startswith=UNUSABLE_PASSWORD_PREFIX),
    }


class SeveralOrganizations(CommandError):
    """A command-line run cannot tell which organization it is for."""


def current_org() -> Organization | None:
    """The organization a command-line run acts on: the only one in the database (None before
    there is one). Pages and the API never ask this; they act in the signed-in person's
    organization. A database with several organizations refuses to guess: a command error,
    because only commands call this."""
    orgs = list(Organization.objects.order_by("pk")[:2])
    if len(orgs) > 1:
        names = ", ".join(Organization.objects.order_by("name").values_list("name", flat=True))
        raise SeveralOrganizations(
            f"This database holds several organizations ({names}); this command works on a "
            "database with one."
        )
    return orgs[0] if orgs else None


def with_login_state(people: QuerySet[Person]) -> QuerySet[Person]:
    """Annotate `login_state` and `last_invited_at` in the same query as the people."""
    last_invite = (
        Invitation.objects.filter(person=OuterRef("pk"))
        .order_by("-created_at")
        .values("created_at")
    )
    return people.annotate(
        last_invited_at=Subquery(last_invite[:1]),
        login_state=Case(
            When(user__isnull=True, then=Value(LoginState.NONE)),
            When(user__is_active=False, then=Value(LoginState.CLOSED)),
            # An invited login has no usable password until the link is used.
            When(
                user__password__startswith=UNUSABLE_PASSWORD_PREFIX, then=Value(LoginState.INVITED)
            ),
            default=Value(LoginState.ACTIVE),
            output_field=CharField(),
        ),
    )


def openable(user: Any, people: QuerySet[Person]) -> QuerySet[Person]:
    """`people`, each with `may_open`: whether `user` may open their record (a rep finds their
    teammates listed, but opens only their own)."""
    return people.annotate(
        may_open=Case(
            When(pk__in=visible_people(user).values("pk"), then=Value(True)),
            default=Value(False),
        )
    )


def people_directory(
    user: Any,
    *,
    query: str = "",
    team: Team | None = None,
    role: str = "",
    include_inactive: bool = False,
    login: str = "",
) -> QuerySet[Person]:
    people = with_login_state(
        openable(user, directory_people(user)).select_related("team", "manager", "user")
    )
    if not include_inactive:
        people = people.filter(is_active=True)
    if query:
        for word in query.split():
            people = people.filter(
                Q(full_name__icontains=word) | Q(email__icontains=word) | Q(title__icontains=word)
            )
    if team is not None:
        people = people.filter(team_id__in=team_subtree_ids(team))
    if role:
        people = people.filter(role=role)
    if login in LoginState.values:
        people = people.filter(LoginState.conditions[login])
    return people.order_by("full_name", "id")


TeamChildren = dict[int | None, list[int]]  # parent team id (None: top level) -> child ids


def team_children(org_id: int) -> TeamChildren:
    """The team tree of an organization as parent -> children ids (one query)."""
    children: TeamChildren = {}
    for tid, parent in (
        Team.objects.filter(org_id=org_id).order_by("pk").values_list("id", "parent_id")
    ):
        children.setdefault(parent, []).append(tid)
    return children


def subtree_of(children: TeamChildren, root: int) -> set[int]:
    """Ids of `root` and every team below it in `children` (a cycle can never loop forever)."""
    ids = {root}
    stack = [root]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in ids:
                ids.add(child)
                stack.append(child)
    return ids


def team_subtree_ids(team: Team) -> set[int]:
    """Ids of `team` and every team below it."""
    return subtree_of(team_children(team.org_id), team.pk)


def team_ancestors(team: Team) -> list[Team]:
    """The teams above `team`, outermost first (for the breadcrumb)."""
    by_id = {t.pk: t for t in Team.objects.filter(org_id=team.org_id)}
    chain: list[Team] = []
    parent_id = team.parent_id
    while parent_id is not None and parent_id in by_id and len(chain) < len(by_id):
        parent = by_id[parent_id]
        chain.append(parent)
        parent_id = parent.parent_id
    return list(reversed(chain))


@dataclass
class TeamNode:
    team: Team
    children: list[TeamNode] = field(default_factory=list)
    headcount: int = 0

    @property
    def total(self) -> int:
        """Headcount of the team and everything below it."""
        return self.headcount + sum(child.total for child in self.children)


def team_tree(user: Any) -> list[TeamNode]:
    """The visible teams as a forest, each with the number of visible active people in it."""
    teams = list(visible_teams(user).order_by("name"))
    counts: dict[int, int] = {}
    for team_id in directory_people(user).filter(is_active=True).values_list("team_id", flat=True):
        if team_id is not None:
            counts[team_id] = counts.get(team_id, 0) + 1
    nodes = {t.pk: TeamNode(team=t, headcount=counts.get(t.pk, 0)) for t in teams}
    roots: list[TeamNode] = []
    for node in nodes.values():
        parent = nodes.get(node.team.parent_id) if node.team.parent_id else None
        (parent.children if parent else roots).append(node)
    return roots


def flatten_tree(roots: list[TeamNode]) -> list[tuple[int, TeamNode]]:
    """(depth, node) in display order, for tables and indented option lists."""
    out: list[tuple[int, TeamNode]] = []

    def walk(nodes: list[TeamNode], depth: int) -> None:
        for node in nodes:
            out.append((depth, node))
            walk(node.children, depth + 1)

    walk(roots, 0)
    return out


@dataclass
class ChartNode:
    person: Person
    reports: list[ChartNode] = field(default_factory=list)

    @property
    def size(self) -> int:
        """Everyone below this person."""
        return sum(1 + child.size for child in self.reports)


def org_chart(user: Any) -> list[ChartNode]:
    """The active people of the directory as a reporting forest; someone whose manager is not
    listed is a root."""
    people = list(
        openable(user, directory_people(user).filter(is_active=True))
        .select_related("team")
        .order_by("full_name")
    )
    nodes = {p.pk: ChartNode(person=p) for p in people}
    roots: list[ChartNode] = []
    for node in nodes.values():
        parent = nodes.get(node.person.manager_id) if node.person.manager_id else None
        (parent.reports if parent else roots).append(node)
    return roots


def direct_reports(person: Person) -> QuerySet[Person]:
    return person.reports.filter(is_active=True).select_related("team").order_by("full_name")


def visible_direct_reports(user: Any, person: Person) -> QuerySet[Person]:
    """The active people reporting to `person` that `user` may see, with their login state."""
    return with_login_state(
        visible_people(user).filter(manager=person, is_active=True).select_related("team", "user")
    ).order_by("full_name", "id")


def people_to_invite(user: Any, *, limit: int = 10) -> list[Person]:
    """Active people `user` may invite who cannot sign in yet (never invited, or still pending)."""
    me = person_of(user)
    if me is None or not can_invite_someone(user):
        return []
    people = with_login_state(visible_people(user).filter(is_active=True).exclude(pk=me.pk))
    people = people.filter(
        LoginState.conditions[LoginState.NONE] | LoginState.conditions[LoginState.INVITED]
    )
    # Never-invited people first: they are the ones nobody has acted on yet.
    people = people.order_by(F("user_id").asc(nulls_first=True), "full_name")
    return list(people.select_related("team")[:limit])


def org_counts(user: Any) -> dict[str, int]:
    """Headline numbers over the people `user` finds in the directory, in one query."""
    people = directory_people(user).filter(is_active=True)
    counts = people.aggregate(
        people=Count("pk"),
        reps=Count("pk", filter=Q(role=Role.REP)),
        managers=Count("pk", filter=Q(role=Role.MANAGER)),
        without_login=Count("pk", filter=LoginState.conditions[LoginState.NONE]),
        invited=Count("pk", filter=LoginState.conditions[LoginState.INVITED]),
    )
    counts["teams"] = visible_teams(user).count()
    return counts


def home_summary(user: Any) -> dict[str, Any]:
    """What every home page shows: me, my manager, my team, and the people I can see."""
    me = person_of(user)
    if me is None:
        return {}
    can_open_manager = (
        me.manager_id is not None and visible_people(user).filter(pk=me.manager_id).exists()
    )
    return {
        "me": me,
        "manager": me.manager,
        "can_open_manager": can_open_manager,
        "team": me.team,
        "team_headcount": directory_people(user).filter(team=me.team, is_active=True).count()
        if me.team
        else 0,
        "team_managers": list(
            Person.objects.filter(team=me.team, is_active=True, role=Role.MANAGER).order_by(
                "full_name"
            )
        )
        if me.team
        else [],
        "counts": org_counts(user),
    }


# -- the audit log's rows about people and teams, told in words (home and person pages) ----

# The org-chart events every reader of the org chart may know about (executives see these,
# not the whole audit log, which can hold other apps' events and stays with admins).
ORG_OBJECT_TYPES = ("org.person", "org.team", "org.organization")

# Verbs that fit any object, by the action's last part ("created" for a person or a KPI).
VERBS = {
    "created": "added",
    "added": "added",
    "updated": "changed",
    "deactivated": "deactivated",
    "reactivated": "reactivated",
    "invited": "invited",
    "published": "published",
    "signed": "signed",
    "set": "set",
    "imported": "imported",
}

# Verbs that only fit one kind of object, by its last two parts: admins read the whole audit
# log on their home page, where a target set ("kpis.target.set") or an expectation added must
# not read as a password set or a CRM alias added.
OBJECT_VERBS = {
    "invitation.accepted": "joined Charter as",
    "owner_alias.added": "added a CRM alias to",
    "owner_alias.removed": "removed a CRM alias from",
    "password.set": "set the password of",
    "password.reset_requested": "asked for a password reset for",
    "signature.requested": "asked for a signature from",
    "signature.reminded": "sent a signature reminder to",
    "signature.escalated": "told the manager about the missing signature of",
    "signature.withdrawn": "withdrew the signature request of",
    "person.login_created": "gave a login to",
    "certificate.alerted": "sent an expiry alert for",
    "expectation.added": "added an expectation to",
    "section.added": "added a section to",
}


def _verb(action: str) -> str:
    """A readable verb for an action code, even one these tables do not know yet."""
    parts = action.split(".")
    known = OBJECT_VERBS.get(".".join(parts[-2:])) or VERBS.get(parts[-1])
    if known:
        return known
    return " ".join(p.replace("_", " ") for p in parts[1:]) + ":"


FIELD_LABELS = {
    "full_name": "name",
    "hire_date": "hire date",
    "start_date": "start date",
    "leave_date": "leave date",
    "is_active": "active",
}


@dataclass
class ChangeLine:
    """One audit event told in words for a home or person page."""

    event: AuditEvent
    verb: str
    url: str
    changes: list[tuple[str, str, str]]


def _show(value: Any, names: dict[str, dict[int, str]], field: str) -> str:
    if value is None or value == "":
        return "—"
    if field in names and isinstance(value, int):
        return names[field].get(value, f"#{value}")
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def describe(events: list[AuditEvent], *, user: Any) -> list[ChangeLine]:
    """Turn events into sentences, naming teams and managers instead of showing their ids."""
    team_ids: set[int] = set()
    person_ids: set[int] = set()
    for event in events:
        for changed, old, new in event.changes:
            bucket = team_ids if changed in ("team", "parent") else person_ids
            if changed in ("team", "parent", "manager"):
                bucket.update(v for v in (old, new) if isinstance(v, int))
    team_names = dict(Team.objects.filter(pk__in=team_ids).values_list("pk", "name"))
    person_names = dict(Person.objects.filter(pk__in=person_ids).values_list("pk", "full_name"))
    names = {"team": team_names, "parent": team_names, "manager": person_names}
    event_person_ids = {
        int(e.object_id) for e in events if e.object_type == "org.person" and e.object_id.isdigit()
    }
    visible_ids = {
        str(pk)
        for pk in visible_people(user).filter(pk__in=event_person_ids).values_list("pk", flat=True)
    }
    lines = []
    for event in events:
        url = ""
        if event.object_type == "org.person" and event.object_id in visible_ids:
            url = reverse("org:person", args=[int(event.object_id)])
        elif event.object_type == "org.team" and can_read_all(user):
            url = reverse("org:team", args=[int(event.object_id)])
        verb = _verb(event.action)
        if event.action.endswith(".created"):
            changes = []  # the record itself shows what it was created with
        elif ".owner_alias." in event.action:
            alias = event.after or event.before or {}
            label = f"{alias.get('kind', '')}: {alias.get('value', '')}"
            changes = [("alias", "—", label) if event.after else ("alias", label, "—")]
        else:
            changes = [
                (FIELD_LABELS.get(f, f), _show(old, names, f), _show(new, names, f))
                for f, old, new in event.changes
            ]
        lines.append(ChangeLine(event=event, verb=verb, url=url, changes=changes))
    return lines


def recent_changes(user: Any, *, limit: int = 8) -> list[AuditEvent]:
    """What changed lately that this user may know about: admins see the whole audit log,
    executives the org chart's changes, others the changes to the people they may see."""
    me = person_of(user)
    if me is None:
        return []
    events = AuditEvent.objects.filter(org_id=me.org_id)
    if can_manage_org(user):
        pass
    elif can_read_all(user):
        events = events.filter(object_type__in=ORG_OBJECT_TYPES)
    else:
        ids = [str(pk) for pk in visible_people(user).values_list("pk", flat=True)]
        events = events.filter(object_type="org.person", object_id__in=ids)
    return list(events[:limit])


def person_history(user: Any, person: Person, *, limit: int = 10) -> list[AuditEvent]:
    """The latest changes to `person`'s org record, for those allowed to read them."""
    if not can_view_history(user, person):
        return []
    events = AuditEvent.objects.filter(object_type="org.person", object_id=str(person.pk))
    return list(events[:limit])
