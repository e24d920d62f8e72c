"""Jobs `charter tick` runs for expectations: new audience members, reminders, escalations."""

from __future__ import annotations

from charter.core.registry import periodic
from charter.expectations import services


@periodic("expectations.audience_sync")
def audience_sync() -> str:
    counts = services.audience_sync()
    return f"{counts['requested']} requested, {counts['withdrawn']} withdrawn"


@periodic("expectations.reminders")
def reminders() -> str:
    sent = services.send_due_reminders()
    return ", ".join(f"{n} {kind}" for kind, n in sent.items())
