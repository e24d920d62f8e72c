"""Reads of the org chart, always through the access functions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from charter.org.access import person_of, visible_people, visible_teams
from charter.org.models import Organization, Person, Team


def current_org() -> Organization | None:
    """The organization of this installation (Charter hosts one today)."""
    return Organization.objects.order_by("pk").first()


def people_directory(
    user: Any,
    *,
    query: str = "",
    team: Team | None = None,
    role: str = "",
    include_inactive: bool = False,
) -> QuerySet[Person]:
    people = visible_people(user).select_related("team", "manager", "user")
    if not include_inactive:
        people = people.filter(is_active=True)
    if query:
        words = query.split()
        for word in words:
            people = people.filter(
                Q(full_name__icontains=word) | Q(email__icontains=word) | Q(title__icontains=word)
            )
    if team is not None:
        people = people.filter(team_id__in=team_subtree_ids(team))
    if role:
        people = people.filter(role=role)
    return people.order_by("full_name", "id")


def team_subtree_ids(team: Team) -> set[int]:
    pairs = list(Team.objects.filter(org_id=team.org_id).values_list("id", "parent_id"))
    ids = {team.pk}
    grew = True
    while grew:
        grew = False
        for tid, parent in pairs:
            if parent in ids and tid not in ids:
                ids.add(tid)
                grew = True
    return ids


@dataclass
class TeamNode:
    team: Team
    children: list[TeamNode] = field(default_factory=list)
    headcount: int = 0


def team_tree(user: Any) -> list[TeamNode]:
    """The visible teams as a forest, each with the number of visible active people in it."""
    teams = list(visible_teams(user).order_by("name"))
    counts: dict[int, int] = {}
    for team_id in visible_people(user).filter(is_active=True).values_list("team_id", flat=True):
        if team_id is not None:
            counts[team_id] = counts.get(team_id, 0) + 1
    nodes = {t.pk: TeamNode(team=t, headcount=counts.get(t.pk, 0)) for t in teams}
    roots: list[TeamNode] = []
    for node in nodes.values():
        parent = nodes.get(node.team.parent_id) if node.team.parent_id else None
        (parent.children if parent else roots).append(node)
    return roots


@dataclass
class ChartNode:
    person: Person
    reports: list[ChartNode] = field(default_factory=list)


def org_chart(user: Any) -> list[ChartNode]:
    """Visible active people as a reporting forest; someone whose manager is hidden is a root."""
    people = list(
        visible_people(user).filter(is_active=True).select_related("team").order_by("full_name")
    )
    nodes = {p.pk: ChartNode(person=p) for p in people}
    roots: list[ChartNode] = []
    for node in nodes.values():
        parent = nodes.get(node.person.manager_id) if node.person.manager_id else None
        (parent.reports if parent else roots).append(node)
    return roots


def direct_reports(person: Person) -> QuerySet[Person]:
    return person.reports.filter(is_active=True).select_related("team").order_by("full_name")


def home_summary(user: Any) -> dict[str, Any]:
    """What the home page shows: me, my manager, my team, and my people when I manage some."""
    me = person_of(user)
    if me is None:
        return {}
    reports = list(direct_reports(me))
    people = visible_people(user).filter(is_active=True)
    return {
        "me": me,
        "manager": me.manager,
        "team": me.team,
        "team_headcount": Person.objects.filter(team=me.team, is_active=True).count()
        if me.team
        else 0,
        "reports": reports,
        "visible_count": people.count(),
        "without_login": people.filter(user__isnull=True).count(),
        "team_count": visible_teams(user).count(),
    }
