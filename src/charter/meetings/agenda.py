"""What 1:1s say about themselves on the agenda: the pair's open action items."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from charter.core.registry import AgendaItem, agenda_source
from charter.meetings.models import ActionItem


@agenda_source("meetings.actions", order=90)
def open_action_items(
    report: Any, manager: Any, since: dt.date | None, today: dt.date
) -> list[AgendaItem]:
    items = ActionItem.objects.filter(
        series__manager=manager, series__report=report, done_at__isnull=True
    ).select_related("owner")
    found = []
    for item in items:
        overdue = item.due_on is not None and item.due_on < today
        due = f", due {item.due_on:%d %b %Y}" if item.due_on else ""
        found.append(
            AgendaItem(
                source="meetings",
                key=f"action:{item.pk}",
                title=f"Action item{' (overdue)' if overdue else ''}: {item.title}",
                detail=f"Owner: {item.owner.full_name}{due}",
                url=reverse("meetings:meeting", args=[item.meeting_id]),
                weight=2 if overdue else 1,
            )
        )
    return found
