"""1:1s for the KPI engine (`kpis.registry`): `one_on_ones_held`, the 1:1s marked held in a
period, counted for the report (the person whose 1:1 it is), on the day it started in the
series' time zone. A team's figure is then the 1:1s its people had, never a meeting twice
(counting it for the manager too would count it twice in their team).

Computed for the period from the meetings (a per-period metric) rather than stored in the
rollup: a meeting becomes held, or stops being held, long after its day, and the meetings are
few. Registered from `MeetingsConfig.ready`: the KPI engine never imports meetings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.db.models import Q

from charter.kpis.library import Builtin
from charter.kpis.metrics import COUNT, Metric
from charter.kpis.registry import Amount, Contributor
from charter.meetings.models import Meeting, Status

if TYPE_CHECKING:
    from charter.core.periods import Period
    from charter.org.models import Organization, Person

HELD = "one_on_ones_held"

METRICS = (
    Metric(
        HELD,
        "1:1s held",
        COUNT,
        1,
        Meeting,
        "day",
        Q(status=Status.HELD),
        "",
        "1:1s marked held by either person, counted for the report on the day they started.",
        owner="person",
        shows=(("manager", "Manager"), ("when", "Started"), ("held_by", "Marked held by")),
        per_period=True,
    ),
)

BUILTINS = (
    Builtin(
        HELD,
        "1:1s held",
        HELD,
        "count",
        description="1:1s with their manager marked held in the period. Off until an admin "
        "turns it on: it is computed from the meetings for each scorecard.",
        active=False,
    ),
)


@dataclass(frozen=True)
class HeldRecord:
    """One held 1:1 behind the figure, and what it adds (1)."""

    person: Person
    day: dt.date
    manager: str
    when: str
    held_by: str
    value: Decimal
    pk: None = None  # the explain rows are built here, not stored


def _held(
    org: Organization, person_ids: Sequence[int], period: Period, today: dt.date
) -> list[tuple[Meeting, dt.date]]:
    last = min(period.end, today)
    if last < period.start:
        return []
    # A day's margin each side: the day is read in the series' own zone below.
    meetings = (
        Meeting.objects.filter(
            series__org=org,
            series__report_id__in=list(person_ids),
            status=Status.HELD,
            start__date__gte=period.start - dt.timedelta(days=1),
            start__date__lte=last + dt.timedelta(days=1),
        )
        .select_related("series__report", "series__manager", "cadence", "held_by")
        .order_by("start")
    )
    found = []
    for meeting in meetings:
        day = meeting.start.astimezone(ZoneInfo(meeting.cadence.time_zone)).date()
        if period.start <= day <= last:
            found.append((meeting, day))
    return found


def held_values(
    org: Organization, person_ids: Sequence[int], period: Period, today: dt.date
) -> dict[int, dict[str, int]]:
    out: dict[int, dict[str, int]] = {pid: {HELD: 0} for pid in person_ids}
    for meeting, _day in _held(org, person_ids, period, today):
        out[meeting.series.report_id][HELD] += 1
    return out


def held_records(
    org: Organization, person_ids: Sequence[int], period: Period, today: dt.date, key: str
) -> list[HeldRecord]:
    """The meetings behind the figure, for the explain pages."""
    return [
        HeldRecord(
            person=meeting.series.report,
            day=day,
            manager=meeting.series.manager.full_name,
            when=meeting.start.astimezone(ZoneInfo(meeting.cadence.time_zone)).strftime(
                "%Y-%m-%d %H:%M %Z"
            ),
            held_by=meeting.held_by.get_full_name() if meeting.held_by else "",
            value=Decimal(1),
        )
        for meeting, day in _held(org, person_ids, period, today)
    ]


def amounts(org: Organization, person_ids: Sequence[int]) -> Iterable[Amount]:
    """Nothing is stored: the figure is computed per period."""
    return ()


CONTRIBUTOR = Contributor(
    "meetings",
    metrics=METRICS,
    amounts=amounts,
    builtins=BUILTINS,
    period_values=held_values,
    period_records=held_records,
)
