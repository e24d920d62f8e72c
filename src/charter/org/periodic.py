"""Org-chart upkeep run by `charter tick`."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.utils import timezone

from charter.core.registry import periodic
from charter.org.models import Person
from charter.org.services import person_deactivate

logger = logging.getLogger(__name__)


@periodic("org.close_leavers")
def close_leavers() -> str:
    """Deactivate people whose recorded leave date has passed, closing their login that day
    rather than whenever an admin remembers to."""
    today = timezone.localdate()
    due = Person.objects.filter(is_active=True, leave_date__lte=today).select_related("user")
    closed, kept = 0, []
    for person in due:
        try:
            person_deactivate(person=person, actor=None, leave_date=person.leave_date)
        except ValidationError as exc:
            # Someone still reports to them: an admin must reassign first; say so every tick.
            logger.warning("could not close %s: %s", person, " ".join(exc.messages))
            kept.append(person.full_name)
        else:
            closed += 1
    summary = f"{closed} leaver{'s' if closed != 1 else ''} deactivated"
    if kept:
        summary += f"; still managing people: {', '.join(kept)}"
    return summary
