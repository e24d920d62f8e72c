"""Reminders of a cycle's current phase: once its due day is near, each person who still owes
something in that phase hears about it once (per cycle, phase and person)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import IntegrityError, transaction

from charter.kpis.selectors.calendar import org_today
from charter.reviews.models import Cycle, Phase, ReminderSent, Response, Review

# How many days before a phase is due its reminders go (and every tick after, for those not yet
# reminded, such as a late joiner).
LEAD_DAYS = 3


def owing(cycle: Cycle) -> dict[int, int]:
    """{person id: how many reviews they still owe} in the cycle's current phase."""
    counts: dict[int, int] = defaultdict(int)
    if cycle.phase in (Phase.SELF, Phase.MANAGER):
        kind = Response.Kind.SELF if cycle.phase == Phase.SELF else Response.Kind.MANAGER
        for author in Response.objects.filter(
            review__cycle=cycle, kind=kind, submitted_at__isnull=True
        ).values_list("author_id", flat=True):
            counts[author] += 1
    elif cycle.phase == Phase.SHARING:
        reviews = Review.objects.filter(cycle=cycle)
        for manager in reviews.filter(shared_at__isnull=True, manager__isnull=False).values_list(
            "manager_id", flat=True
        ):
            counts[manager] += 1
        for person in reviews.filter(
            shared_at__isnull=False, acknowledged_at__isnull=True
        ).values_list("person_id", flat=True):
            counts[person] += 1
    return dict(counts)


def send_due_reminders() -> int:
    """Queue the reminders due now; returns how many people are reminded."""
    from charter.reviews import tasks

    sent = 0
    running = Cycle.objects.filter(phase__in=[Phase.SELF, Phase.MANAGER, Phase.SHARING])
    for cycle in running.select_related("org"):
        due = cycle.due_of(cycle.phase)
        assert isinstance(due, dt.date)
        if org_today(cycle.org) < due - dt.timedelta(days=LEAD_DAYS):
            continue
        for person_id, count in owing(cycle).items():
            try:
                with transaction.atomic():
                    ReminderSent.objects.create(cycle=cycle, phase=cycle.phase, person_id=person_id)
            except IntegrityError:
                continue  # reminded already in this phase
            transaction.on_commit(
                lambda c=cycle.pk, p=person_id, n=count: tasks.send_reminder.enqueue(  # type: ignore[misc]
                    cycle_id=c, person_id=p, count=n
                )
            )
            sent += 1
    return sent
