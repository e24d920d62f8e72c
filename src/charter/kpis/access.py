"""Who may see and change what in the KPI pillar. Default deny; built on `org.access`.

- A person's scorecard and the records behind it: whoever may see the person
  (`org.access.can_view_person`: rep → self, manager → their subtree, admin and executive →
  everyone).
- A team's scorecard (aggregates only): admins and executives; managers for the teams they can
  open; a rep for their own team, and the teams above it only where the organization's setting
  says so (`Organization.rep_team_totals`: a region's totals include sibling teams). The records
  behind a team number are only listed to those who may see every member.
- People side by side (the org scorecard, a team's member rows, the targets grid, a leaderboard
  for managers): managers, admins, executives.
- Targets: admins for anyone; a manager for the people below them (not themselves) and for
  the teams they run. Executives are read-only.
- The KPI library, scorecard settings and closing periods: admins (`org.access.can_manage_org`).
"""

from __future__ import annotations

from typing import Any

from charter.org.access import (
    can_manage_org,
    can_read_all,
    leads_people,
    managed_team_ids,
    person_of,
    subtree_ids,
    visible_teams,
)
from charter.org.models import Person, RepTeamTotals, Role, Team
from charter.org.selectors import team_ancestors, team_subtree_ids


def can_view_team_scorecard(user: Any, team: Team) -> bool:
    me = person_of(user)
    if me is None:
        return False
    if team.org_id != me.org_id:
        return False
    if can_read_all(user):
        return True
    if leads_people(user):
        return visible_teams(user).filter(pk=team.pk).exists()
    if me.role != Role.REP:
        return False
    if me.team_id is None:
        return False
    if team.pk == me.team_id:
        return True
    if me.org.rep_team_totals != RepTeamTotals.TEAMS_ABOVE:
        return False
    own = Team.objects.get(pk=me.team_id)
    return team.pk in {t.pk for t in team_ancestors(own)}


def can_view_team_records(user: Any, team: Team) -> bool:
    """List the facts behind a team figure: only when every member is visible to `user`."""
    me = person_of(user)
    if me is None:
        return False
    if team.org_id != me.org_id:
        return False
    if can_read_all(user):
        return True
    if not leads_people(user):
        return False
    members = set(
        Person.objects.filter(team_id__in=team_subtree_ids(team)).values_list("pk", flat=True)
    )
    return members <= subtree_ids(me)


def can_compare_people(user: Any) -> bool:
    """See people's figures side by side: the org scorecard, a team's member rows, the targets
    grid, a leaderboard shown to managers. Managers, admins and executives; a rep sees their
    own figures and their team's as a whole."""
    if can_read_all(user):
        return True
    return leads_people(user)


def can_list_org_records(user: Any) -> bool:
    """List the facts behind an organization figure: those who see everyone's."""
    return can_read_all(user)


def can_set_person_target(user: Any, person: Person) -> bool:
    me = person_of(user)
    if me is None:
        return False
    if person.org_id != me.org_id:
        return False
    if can_manage_org(user):
        return True
    if not leads_people(user):
        return False
    return person.pk != me.pk and person.pk in subtree_ids(me)


def can_set_team_target(user: Any, team: Team) -> bool:
    me = person_of(user)
    if me is None:
        return False
    if team.org_id != me.org_id:
        return False
    if can_manage_org(user):
        return True
    return team.pk in managed_team_ids(user)


def can_see_leaderboard(user: Any, visibility: str) -> bool:
    """The organization's setting says who sees leaderboards: nobody, managers and above, or
    everyone."""
    if person_of(user) is None:
        return False
    if visibility == "off":
        return False
    if visibility == "everyone":
        return True
    return can_compare_people(user)
