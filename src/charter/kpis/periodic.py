"""Jobs `charter tick` runs for the KPI pillar: closing the periods that are due."""

from __future__ import annotations

import logging

from charter.core.registry import periodic
from charter.kpis import closing
from charter.kpis.models import ScorecardSettings

logger = logging.getLogger(__name__)


@periodic("kpis.close_periods")
def close_periods() -> str:
    """Close every due period of every organization that turned auto-close on (see
    `kpis.closing`)."""
    closed: list[str] = []
    waiting = 0
    failed: list[str] = []
    chosen = ScorecardSettings.objects.filter(auto_close_after_days__isnull=False)
    for found in chosen.select_related("org").order_by("org_id"):
        after_days = found.auto_close_after_days
        assert after_days is not None  # filtered above
        try:
            report = closing.close_due(org=found.org, after_days=after_days)
        except Exception:
            # One organization's failure must not keep the others' periods open; the tick
            # still reports the job as failed below.
            logger.exception("auto-close failed for organization %s", found.org_id)
            failed.append(found.org.name)
            continue
        closed += report.closed
        waiting += report.waiting
    summary = f"{len(closed)} period{'s' if len(closed) != 1 else ''} closed"
    if closed:
        summary += f" ({', '.join(closed)})"
    if waiting:
        summary += f"; {waiting} more due, closing next tick"
    if failed:
        raise RuntimeError(f"{summary}; could not close periods of {', '.join(failed)}")
    return summary
