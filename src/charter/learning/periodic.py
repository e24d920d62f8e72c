"""Jobs `charter tick` runs for learning: certificate expiry alerts."""

from __future__ import annotations

from charter.core.registry import periodic
from charter.learning.services.certificates import send_expiry_alerts


@periodic("learning.certificate_alerts")
def certificate_alerts() -> str:
    sent = send_expiry_alerts()
    return ", ".join(f"{n} {stage}" for stage, n in sent.items())
