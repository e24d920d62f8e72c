"""Home-page cards of the 1:1s: the next one and overdue action items for everyone in a
series; for a manager, the direct reports who have no series (new, or who just changed
manager: their old series ended and this card offers a new one)."""

from __future__ import annotations

from typing import Any

from charter.core.registry import home_panel
from charter.meetings import selectors
from charter.meetings.services.series import local_today
from charter.org.access import can_write, person_of


@home_panel("meetings.mine", order=6, template="meetings/panels/mine.html")
def mine(user: Any) -> dict[str, Any] | None:
    me = person_of(user)
    if me is None:
        return None
    today = local_today(me.org.time_zone or "UTC")
    upcoming = selectors.upcoming_meetings(user, limit=1)
    overdue = selectors.overdue_actions(user, today)
    if not upcoming and not overdue:
        return None
    return {
        "next": upcoming[0] if upcoming else None,
        "overdue": overdue[:5],
        "more": max(0, len(overdue) - 5),
    }


@home_panel("meetings.offer", order=6, template="meetings/panels/offer.html")
def offer(user: Any) -> dict[str, Any] | None:
    if not can_write(user):
        return None
    people = selectors.reports_without_series(user)
    if not people:
        return None
    return {"people": people}
