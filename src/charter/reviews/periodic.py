"""Jobs `charter tick` runs for reviews: reminders of the current phase's due day."""

from __future__ import annotations

from charter.core.registry import periodic
from charter.reviews.reminders import send_due_reminders


@periodic("reviews.phase_reminders")
def phase_reminders() -> str:
    return f"{send_due_reminders()} reminded"
