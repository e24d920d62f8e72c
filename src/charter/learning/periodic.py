"""Jobs `charter tick` runs for learning: certificate expiry alerts, and clearing evidence files
that no record names (an upload whose transaction rolled back)."""

from __future__ import annotations

from charter.core.registry import periodic
from charter.learning.services.certificates import send_expiry_alerts
from charter.learning.services.evidence import sweep_orphans


@periodic("learning.certificate_alerts")
def certificate_alerts() -> str:
    sent = send_expiry_alerts()
    return ", ".join(f"{n} {stage}" for stage, n in sent.items())


@periodic("learning.evidence_orphans")
def evidence_orphans() -> str:
    return f"{sweep_orphans()} removed"
