"""Who may see and change what in the KPI pillar. Default deny; built on `org.access`.

- A person's scorecard and the records behind it: whoever may see the person (rep → self,
  manager → their subtree, admin and executive → everyone).
- A team's scorecard (aggregates only): admins and executives; managers for the teams they can
  open; a rep for their own team and the teams above it ("team-level aggregates"). The records
  behind a team number are only listed to those who may see every member.
- The org scorecard: managers, admins, executives.
- Targets: admins for anyone; a manager for the people below them (not themselves) and for
  their own team and the teams under it. Executives are read-only.
- The KPI library and closing periods: admins.
"""

from __future__ import annotations

from typing import Any

from charter.org.access import (
    can_manage_org,
    can_read_all,
    person_of,
    subtree_ids,
    visible_people,
    visible_teams,
)
from charter.org.models import Person, Role, Team
from charter.org.selectors import team_ancestors, team_subtree_ids


def can_view_person_scorecard(user: Any, person: Person) -> bool:
    return visible_people(user).filter(pk=person.pk).exists()


def can_view_team_scorecard(user: Any, team: Team) -> bool:
    me = person_of(user)
    if me is None or team.org_id != me.org_id:
        return False
    if me.role in (Role.ADMIN, Role.EXECUTIVE):
        return True
    if me.role == Role.MANAGER:
        return visible_teams(user).filter(pk=team.pk).exists()
    if me.role == Role.REP and me.team_id is not None:
        own = Team.objects.get(pk=me.team_id)
        return team.pk in {own.pk, *(t.pk for t in team_ancestors(own))}
    return False


def can_view_team_records(user: Any, team: Team) -> bool:
    """List the facts behind a team figure: only when every member is visible to `user`."""
    me = person_of(user)
    if me is None or team.org_id != me.org_id:
        return False
    if me.role in (Role.ADMIN, Role.EXECUTIVE):
        return True
    if me.role != Role.MANAGER:
        return False
    members = set(
        Person.objects.filter(team_id__in=team_subtree_ids(team)).values_list("pk", flat=True)
    )
    return members <= subtree_ids(me)


def can_view_org_scorecard(user: Any) -> bool:
    me = person_of(user)
    return me is not None and me.role in (Role.MANAGER, Role.ADMIN, Role.EXECUTIVE)


def can_set_person_target(user: Any, person: Person) -> bool:
    me = person_of(user)
    if me is None or person.org_id != me.org_id:
        return False
    if me.role == Role.ADMIN:
        return True
    if me.role == Role.MANAGER:
        return person.pk != me.pk and person.pk in subtree_ids(me)
    return False


def can_set_team_target(user: Any, team: Team) -> bool:
    me = person_of(user)
    if me is None or team.org_id != me.org_id:
        return False
    if me.role == Role.ADMIN:
        return True
    if me.role == Role.MANAGER and me.team_id is not None:
        return team.pk in team_subtree_ids(Team.objects.get(pk=me.team_id))
    return False


def can_manage_kpis(user: Any) -> bool:
    """Edit the KPI library, close periods, change scorecard settings: admins."""
    return can_manage_org(user)


def can_see_leaderboard(user: Any, visibility: str) -> bool:
    me = person_of(user)
    if me is None or visibility == "off":
        return False
    if visibility == "everyone":
        return True
    return me.role in (Role.MANAGER, Role.ADMIN, Role.EXECUTIVE) or can_read_all(user)
