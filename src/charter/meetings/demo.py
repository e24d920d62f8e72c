"""The demo company's 1:1s: a weekly series for every manager and each of their direct
reports, six months of past meetings (mostly held, some skipped, the latest sometimes not yet
marked), shared and private notes, action items (done, open, overdue), and the coming eight
weeks, the next meeting of each pair with its agenda built from the data.

Written in bulk (a few inserts per table) rather than through the services, which would send
each person an invitation: the demo's history is set down as it would stand, not replayed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from charter.core.demo import DemoContext
from charter.core.registry import demo_builder
from charter.meetings import recurrence
from charter.meetings.models import ActionItem, Cadence, Meeting, Note, Series, Status
from charter.meetings.services.agenda import agenda_build
from charter.meetings.services.series import generate, rule_of
from charter.org.models import Person

WEEKS_BACK = 26
TOPICS = [
    ("Pipeline for the quarter: which deals move this month", "Update the two largest close plans"),
    ("Discovery calls: what went well, what to try", "Book a call review with a peer"),
    ("Forecast accuracy last month", "Re-check the commit list before Friday"),
    ("Territory planning and the accounts to focus on", "Send the top-10 account list"),
    ("Career goals and the next six months", "Draft a development goal"),
    ("Customer escalation follow-up", "Write up the escalation timeline"),
]  # fmt: skip


@demo_builder("meetings", order=60)
def build(ctx: DemoContext) -> None:
    org = ctx.org
    zone = org.time_zone or "UTC"
    now = timezone.now()
    start_day = ctx.today - dt.timedelta(weeks=WEEKS_BACK)
    pairs = list(
        Person.objects.filter(
            org=org, is_active=True, manager__isnull=False, manager__is_active=True
        )
        .select_related("manager__user")
        .order_by("pk")
    )
    series = Series.objects.bulk_create(
        [Series(org=org, manager=p.manager, report=p) for p in pairs]
    )
    cadences = Cadence.objects.bulk_create(
        [
            Cadence(
                series=s,
                effective_from=start_day,
                frequency="weekly",
                weekday=ctx.rng.choice([0, 1, 2, 3]),
                local_time=dt.time(ctx.rng.choice([9, 10, 11, 14, 15]), ctx.rng.choice([0, 30])),
                duration_minutes=30,
                time_zone=zone,
            )
            for s in series
        ]
    )
    meetings: list[Meeting] = []
    for s, cadence in zip(series, cadences, strict=True):
        rule = rule_of(cadence)
        days = recurrence.days_between(rule, start_day, ctx.today + dt.timedelta(days=1))
        for index, day in enumerate(days):
            start, end = recurrence.starts_at(rule, day)
            if start >= now:
                continue
            status = Status.HELD
            roll = ctx.rng.random()
            if roll < 0.1:
                status = Status.SKIPPED
            elif index == len(days) - 1 and roll < 0.4:
                status = Status.SCHEDULED  # last week's, not marked held yet
            meetings.append(
                Meeting(
                    series=s,
                    cadence=cadence,
                    slot=start,
                    start=start,
                    end=end,
                    status=status,
                    skip_reason="Travelling" if status == Status.SKIPPED else "",
                    held_by=s.manager.user if status == Status.HELD else None,
                    held_at=end if status == Status.HELD else None,
                )
            )
    Meeting.objects.bulk_create(meetings)
    _notes_and_actions(ctx, [m for m in meetings if m.status == Status.HELD])
    for s in series:
        generate(s)
    coming = 0
    for s in series:
        following = (
            s.meetings.filter(status=Status.SCHEDULED, start__gt=now).order_by("start").first()
        )
        if following is not None:
            agenda_build(meeting=following)
            coming += 1
    ctx.log(f"  {len(series)} 1:1 series, {len(meetings)} past meetings, {coming} agendas")


def _notes_and_actions(ctx: DemoContext, held: list[Meeting]) -> None:
    notes: list[Note] = []
    actions: list[ActionItem] = []
    for meeting in held:
        series: Any = meeting.series
        topic, action = ctx.rng.choice(TOPICS)
        notes.append(
            Note(
                meeting=meeting,
                author=series.manager,
                body=f"{topic}. Agreed next steps together.",
                created_at=meeting.end,
            )
        )
        if ctx.rng.random() < 0.3:
            notes.append(
                Note(
                    meeting=meeting,
                    author=series.manager,
                    private=True,
                    body=f"Coaching thought for {series.report.first_name}: "
                    f"ask more about {topic.lower()}.",
                    created_at=meeting.end,
                )
            )
        if ctx.rng.random() < 0.5:
            due = meeting.start.date() + dt.timedelta(days=ctx.rng.choice([3, 7, 14]))
            # Older items are mostly done; the latest few weeks leave some open and overdue.
            done = due < ctx.today - dt.timedelta(days=21) and ctx.rng.random() < 0.9
            actions.append(
                ActionItem(
                    series=series,
                    meeting=meeting,
                    owner=ctx.rng.choice([series.report, series.manager]),
                    title=action,
                    due_on=due,
                    done_at=meeting.end + dt.timedelta(days=5) if done else None,
                    created_at=meeting.end,
                )
            )
    Note.objects.bulk_create(notes)
    ActionItem.objects.bulk_create(actions)
