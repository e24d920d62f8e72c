"""Home-page card of feedback: the open requests for the signed-in person's feedback."""

from __future__ import annotations

from typing import Any

from charter.core.registry import home_panel
from charter.feedback.selectors import open_requests_for
from charter.feedback.services.feedback import org_today
from charter.org.access import person_of

SHOWN = 5


@home_panel("feedback.requests", order=9, template="feedback/panels/requests.html")
def requests(user: Any) -> dict[str, Any] | None:
    me = person_of(user)
    if me is None:
        return None
    found = list(open_requests_for(me)[: SHOWN + 1])
    if not found:
        return None
    total = open_requests_for(me).count() if len(found) > SHOWN else len(found)
    return {
        "requests": found[:SHOWN],
        "more": total - min(total, SHOWN),
        "today": org_today(me.org),
    }
