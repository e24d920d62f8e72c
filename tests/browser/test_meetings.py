"""A 1:1 in a browser: the manager opens the next meeting, finds the agenda built from the
data, writes a shared and a private note and an action item; the rep reads the shared note and
not the private one, and finds the action item carried to the following meeting."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import expect

from charter.core import registry
from charter.core.registry import AgendaItem
from charter.meetings.services.series import local_today, series_create
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def pair(manager: Any, rep: Any) -> Any:
    # The agenda's data for this test: a KPI behind pace, as the KPI pillar's source says it.
    registry.agenda_sources["test.kpis"] = registry.AgendaSource(
        name="test.kpis",
        order=0,
        func=lambda report, mgr, since, today: [
            AgendaItem("kpis", "kpi:revenue", "Revenue won 40% behind pace", url="/kpis/")
        ],
    )
    cadence = {"frequency": "weekly", "weekday": local_today("UTC").weekday(),
               "week_of_month": None, "local_time": dt.time(23, 0), "duration_minutes": 30,
               "time_zone": "UTC"}  # fmt: skip
    series = series_create(manager=manager, report=rep, actor=manager.user,
                           starts_on=local_today("UTC") + dt.timedelta(days=1),
                           cadence=cadence)  # fmt: skip
    yield series
    del registry.agenda_sources["test.kpis"]


def test_a_manager_prepares_a_1on1_and_the_rep_reads_what_is_shared(
    page: Any, pair: Any, manager: Any, rep: Any
) -> None:
    first, second = pair.meetings.order_by("start")[:2]
    sign_in(page, manager.email)
    page.goto(f"/meetings/{first.pk}/")
    expect(page.get_by_role("link", name="Revenue won 40% behind pace")).to_be_visible()
    page.locator("#id_note-body").fill("We agreed on a recovery plan.")
    page.get_by_role("button", name="Save note").click()
    expect(page.get_by_text("Note saved.")).to_be_visible()
    page.locator("#id_note-body").fill("Watch for burnout.")
    page.get_by_label("Private: only I will ever read it").check()
    page.get_by_role("button", name="Save note").click()
    expect(page.get_by_text("Watch for burnout.")).to_be_visible()
    page.locator("#id_action-title").fill("Send the recovery plan")
    page.get_by_role("button", name="Add action item").click()
    expect(page.get_by_text("Action item added.")).to_be_visible()

    page.context.clear_cookies()
    sign_in(page, rep.email)
    page.goto(f"/meetings/{first.pk}/")
    expect(page.get_by_text("We agreed on a recovery plan.")).to_be_visible()
    expect(page.get_by_text("Watch for burnout.")).to_have_count(0)
    page.goto(f"/meetings/{second.pk}/")
    expect(page.get_by_role("cell", name="Send the recovery plan (from")).to_be_visible()
