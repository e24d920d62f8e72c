"""What this app adds to other apps' pages (`core.registry.page_section`): how often each value
was recognised, on the values page, and a person's badges, on their page."""

from __future__ import annotations

from typing import Any

from charter.core.registry import page_section
from charter.feedback import selectors
from charter.kpis.selectors.calendar import period_of
from charter.org.access import person_of


@page_section(
    "expectations.values", "feedback.recognition", order=10,
    template="feedback/sections/values.html",
)  # fmt: skip
def values_recognition(user: Any, _obj: Any) -> dict[str, Any] | None:
    me = person_of(user)
    if me is None:
        return None
    period = period_of(me.org, None)
    return {
        "period": period,
        "counts": selectors.value_counts(user, period),
        "leaderboard": selectors.leaderboard_visible(user),
    }


@page_section("org.person", "feedback.badges", order=10, template="feedback/sections/person.html")
def person_badges(user: Any, person: Any) -> dict[str, Any] | None:
    return {"person": person, "awards": selectors.awards_of(user, person)}
