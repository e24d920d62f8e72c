"""What feedback brings to a 1:1 (`core.registry.agenda_source`): the feedback the report
received since the last 1:1 that their manager may read (never a private one)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from charter.core.registry import AgendaItem, agenda_source
from charter.feedback.models import Kind
from charter.feedback.selectors import recent_received_for_manager

SHOWN = 5


@agenda_source("feedback.received", order=50)
def received(report: Any, manager: Any, since: dt.date | None, today: dt.date) -> list[AgendaItem]:
    found = recent_received_for_manager(report, manager, since, today)
    url = reverse("feedback:received", args=[report.pk])
    items = []
    for feedback in found[:SHOWN]:
        values = ", ".join(v.name for v in feedback.values.all())
        kind = "Praise" if feedback.kind == Kind.PRAISE else "Constructive feedback"
        items.append(
            AgendaItem(
                source="feedback.received",
                key=f"feedback:{feedback.pk}",
                title=f"{kind} from {feedback.giver.full_name} ({values})",
                detail=feedback.text[:300],
                url=url,
                # Constructive feedback is worth talking through first.
                weight=2 if feedback.kind == Kind.CONSTRUCTIVE else 1,
            )
        )
    if len(found) > SHOWN:
        items.append(
            AgendaItem(
                source="feedback.received",
                key=f"feedback-more:{report.pk}",
                title=f"{len(found) - SHOWN} more feedback received since the last 1:1",
                url=url,
            )
        )
    return items
