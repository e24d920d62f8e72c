from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from charter.org.access import (
    can_manage_org,
    can_read_all,
    leads_people,
    person_of,
    starts_jobs,
)


def charter(request: HttpRequest) -> dict[str, Any]:
    """The signed-in person, for the navigation in every page, and what the org rules let them
    do, so templates ask the rules (`may_manage_org`) instead of comparing roles."""
    user = getattr(request, "user", None)
    return {
        "me": person_of(user),
        "may_manage_org": can_manage_org(user),
        "may_read_all": can_read_all(user),
        "may_lead_people": leads_people(user),
        "may_start_jobs": starts_jobs(user),
    }
