"""The day each person joined their current team, for due rules "within days of joining the team".

The org app keeps only a person's current team, no membership table; but every change of team
goes through `org.services.person_update` (the org chart pages, the people import, the API),
which writes an `org.person.updated` audit row holding the new team, with its time. So the day
someone joined their team is the day of the latest such row that put them in it, on the
organization's calendar. The team a person was created with is not a move: they have been in it
since they were hired, as far as Charter knows, so with no move on record the hire date stands
in (and with no hire date either, the day is unknown).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from charter.core.models import AuditEvent
from charter.core.periods import local_day
from charter.org.models import Person

MOVED = "org.person.updated"


def team_join_days(people: Iterable[Person]) -> dict[int, dt.date | None]:
    """Person id → the day they joined their current team (None: unknown or no team). One query
    for all of them."""
    people = list(people)
    current = {p.pk: p.team_id for p in people if p.team_id is not None}
    moved: dict[int, dt.date] = {}
    if current:
        rows = (
            AuditEvent.objects.filter(
                action=MOVED,
                object_type="org.person",
                object_id__in=[str(pk) for pk in current],
                after__has_key="team",
            )
            .order_by("at", "id")
            .values_list("object_id", "at", "after")
        )
        # One organization's people: its calendar says which day a move happened on.
        zone = people[0].org.time_zone or "UTC"
        for object_id, at, after in rows:
            pk = int(object_id)
            if (after or {}).get("team") == current[pk]:
                moved[pk] = local_day(at, zone)
            else:
                # Moved away later (then back, if a later row says so): not this stay's start.
                moved.pop(pk, None)
    return {p.pk: None if p.team_id is None else moved.get(p.pk, p.hire_date) for p in people}
