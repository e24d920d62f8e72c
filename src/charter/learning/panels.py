"""Home-page cards of the learning pillar: for everyone asked to learn something, what is due
next and their hours against the requirement; for managers, what is overdue in their team and
the certificates about to end; for admins and executives, compliance team by team."""

from __future__ import annotations

from typing import Any

from charter.core.registry import home_panel
from charter.learning.compliance import DONE, NOT_APPLICABLE, OVERDUE, share_met, tally
from charter.learning.selectors import (
    certificate_rows,
    compliance_of,
    org_today,
    person_compliance,
    rules_on,
)
from charter.org.access import can_read_all, leads_people, person_of, visible_people
from charter.org.models import Team
from charter.org.selectors import subtree_of, team_children

SHOWN = 5


@home_panel("learning.mine", order=7, template="learning/panels/mine.html")
def mine(user: Any) -> dict[str, Any] | None:
    me = person_of(user)
    if me is None:
        return None
    items = person_compliance(me, org_today(me.org))
    open_items = [i for i in items if i.state not in (DONE, NOT_APPLICABLE)]
    hours = [i for i in items if i.hours_asked is not None]
    if not open_items and not hours:
        return None
    return {"next": open_items[:SHOWN], "hours": hours, "more": max(0, len(open_items) - SHOWN)}


@home_panel("learning.team", order=8, template="learning/panels/team.html")
def team(user: Any) -> dict[str, Any] | None:
    me = person_of(user)
    if me is None or not leads_people(user):
        return None
    day = org_today(me.org)
    people = list(
        visible_people(user).filter(is_active=True).exclude(pk=me.pk).select_related("org")
    )
    items = compliance_of(people, day, rules_on(me.org_id, day))
    overdue = [(p, i) for p in people for i in items[p.pk] if i.state == OVERDUE]
    certificates = [
        r
        for r in certificate_rows(user, day=day, people=[p.pk for p in people])
        if r.state != "valid"
    ]
    if not overdue and not certificates:
        return None
    return {
        "overdue": overdue[:SHOWN],
        "more_overdue": max(0, len(overdue) - SHOWN),
        "certificates": certificates[:SHOWN],
        # The team page lists everyone behind, past the few shown here.
        "team_id": me.team_id,
    }


@home_panel("learning.org", order=9, template="learning/panels/org.html")
def org(user: Any) -> dict[str, Any] | None:
    """For admins and executives: compliance team by team (each with the teams below it)."""
    me = person_of(user)
    if me is None or not can_read_all(user):
        return None
    day = org_today(me.org)
    rules = rules_on(me.org_id, day)
    if not rules.entries:
        return None
    people = list(visible_people(user).filter(is_active=True).select_related("org"))
    items = compliance_of(people, day, rules)
    children = team_children(me.org_id)
    rows = []
    for team in Team.objects.filter(org_id=me.org_id).order_by("name"):
        ids = subtree_of(children, team.pk)
        mine = [i for p in people if p.team_id in ids for i in items[p.pk]]
        counts = tally(mine)
        rows.append({"team": team, "share": share_met(mine, day), "overdue": counts[OVERDUE]})
    return {"rows": rows, "day": day}
