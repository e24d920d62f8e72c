"""Periods close on their own: `charter tick` closes every month, quarter and fiscal year that
ended at least the organization's grace period ago (in its time zone), from where its history
starts, through the same service as the CLI, once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from charter.conftest import client_for
from charter.core import scheduler
from charter.core.models import AuditEvent
from charter.core.periods import parse_period
from charter.kpis import closing, services
from charter.kpis.models import KpiDefinition, PeriodClose, ScorecardSettings, ScorecardSnapshot
from charter.kpis.tests.test_rollups import deal, upsert
from charter.org.models import Organization, Person

D = dt.date
UTC = dt.UTC


def at(year: int, month: int, day: int, hour: int, minute: int) -> Any:
    return time_machine.travel(dt.datetime(year, month, day, hour, minute, tzinfo=UTC), tick=False)


def tick() -> str:
    """Run `charter tick` once; the summary of the KPI job."""
    report = scheduler.run_tick()
    outcome = next(o for o in report.outcomes if o.name == "kpis.close_periods")
    assert outcome.ok, outcome.summary
    return outcome.summary


def closed_labels(org: Organization) -> list[str]:
    return sorted(PeriodClose.objects.filter(org=org).values_list("label", flat=True))


def set_target(org: Organization, person: Person, label: str, admin: Person) -> None:
    services.target_set(
        org=org,
        kpi=KpiDefinition.objects.get(org=org, key="revenue_won"),
        period=parse_period(label, org.fiscal_year_start_month),
        value=1000,
        actor=admin.user,
        person=person,
    )


def auto_close(org: Organization, admin: Person, days: int) -> None:
    services.scorecard_settings_update(
        org=org, actor=admin.user, auto_close=True, auto_close_after_days=days
    )


# -- which periods are due (plain dates) ---------------------------------------------------


def test_a_period_is_due_the_grace_days_after_the_day_after_it_ends():
    june = parse_period("2025-06")
    assert not closing.is_due(june, D(2025, 6, 30), 0)  # its last day: not ended
    assert closing.is_due(june, D(2025, 7, 1), 0)
    assert not closing.is_due(june, D(2025, 7, 3), 3)
    assert closing.is_due(june, D(2025, 7, 4), 3)


def test_due_periods_follow_the_fiscal_calendar_from_the_start_of_history():
    # Fiscal years start in April: FY2025 is April 2024 to March 2025, 2025-Q4 is January to
    # March 2025, 2026-Q1 is April to June 2025. History starts 15 January 2025; on 2 July with
    # 3 days' grace May (ended 31 May) is due and June (due from 4 July) is not. 2025-Q3
    # (October to December 2024) and December 2024 ended before the history began.
    due = closing.due_periods(
        history_start=D(2025, 1, 15),
        today=D(2025, 7, 2),
        after_days=3,
        start_month=4,
        closed={"2025-02"},
    )
    assert [p.label for p in due] == [
        "2025-01",
        "2025-03",
        "2025-Q4",
        "FY2025",
        "2025-04",
        "2025-05",
    ]
    assert (
        closing.due_periods(
            history_start=None, today=D(2025, 7, 2), after_days=0, start_month=1, closed=()
        )
        == []
    )


# -- the tick ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_tick_closes_exactly_the_due_periods_once(org, everyone):
    org.fiscal_year_start_month = 4
    org.save(update_fields=["fiscal_year_start_month"])
    admin, rep = everyone["admin"], everyone["rep"]
    set_target(org, rep, "2025-01", admin)  # the org's history starts 1 January 2025
    auto_close(org, admin, 3)

    with at(2025, 7, 2, 12, 0):
        summary = tick()
        # Oldest first; a month before the quarter and the year that end with it.
        assert summary == (
            "7 periods closed (2025-01, 2025-02, 2025-03, 2025-Q4, FY2025, 2025-04, 2025-05)"
        )
        assert closed_labels(org) == sorted(
            ["2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-Q4", "FY2025"]
        )
        events = AuditEvent.objects.filter(action="kpis.period.closed")
        assert events.count() == 7
        assert all(event.actor is None for event in events)
        afters = [event.after or {} for event in events]
        assert {after["period"] for after in afters} == set(closed_labels(org))
        assert all(after["automatic"] is True for after in afters)
        assert all(after["days_after_end"] == 3 for after in afters)
        # Frozen like any close: every person, the four teams and the org.
        people = Person.objects.filter(org=org).count()
        fy = PeriodClose.objects.get(org=org, label="FY2025")
        assert ScorecardSnapshot.objects.filter(close=fy).count() == people + 4 + 1
        assert fy.closed_by is None

        # A second tick the same day finds nothing left to do.
        assert tick() == "0 periods closed"
        assert AuditEvent.objects.filter(action="kpis.period.closed").count() == 7

    with at(2025, 7, 4, 12, 0):
        # June and 2026-Q1 (April to June 2025) are 3 days past their end.
        assert tick() == "2 periods closed (2025-06, 2026-Q1)"


@pytest.mark.django_db
def test_nothing_closes_when_auto_close_is_off(org, everyone):
    set_target(org, everyone["rep"], "2025-01", everyone["admin"])
    with at(2025, 7, 2, 12, 0):
        assert tick() == "0 periods closed"
        services.scorecard_settings_update(
            org=org, actor=everyone["admin"].user, leaderboard_visibility="everyone"
        )
        assert tick() == "0 periods closed"
        auto_close(org, everyone["admin"], 0)
        services.scorecard_settings_update(org=org, actor=everyone["admin"].user, auto_close=False)
        assert ScorecardSettings.objects.get(org=org).auto_close_after_days is None
        assert tick() == "0 periods closed"
    assert closed_labels(org) == []


@pytest.mark.django_db
def test_the_day_after_the_end_counts_in_the_orgs_time_zone(org, everyone):
    org.time_zone = "America/Los_Angeles"
    org.save(update_fields=["time_zone"])
    set_target(org, everyone["rep"], "2025-06", everyone["admin"])
    auto_close(org, everyone["admin"], 0)
    # 1 July 03:00 UTC is still 30 June, 20:00 in Los Angeles: June has not ended there.
    with at(2025, 7, 1, 3, 0):
        assert tick() == "0 periods closed"
    # 1 July 08:00 UTC is 01:00 on 1 July in Los Angeles.
    with at(2025, 7, 1, 8, 0):
        assert tick() == "2 periods closed (2025-06, 2025-Q2)"


@pytest.mark.django_db
def test_history_starts_at_the_first_data_or_the_first_target(org, everyone):
    rep, admin = everyone["rep"], everyone["admin"]
    assert closing.history_start(org) is None
    set_target(org, rep, "2025-Q3", admin)
    assert closing.history_start(org) == D(2025, 7, 1)
    # A deal opened in January 2025 (and won in February) is earlier history than the target:
    # its pipeline counts in January.
    upsert(org, [deal("d1", rep, "won", "500", D(2025, 1, 20), D(2025, 2, 14))])
    assert closing.history_start(org) == D(2025, 1, 1)


@pytest.mark.django_db
def test_an_org_without_history_closes_nothing(org, everyone):
    auto_close(org, everyone["admin"], 0)
    with at(2025, 7, 2, 12, 0):
        assert tick() == "0 periods closed"
    assert closed_labels(org) == []


@pytest.mark.django_db
def test_a_period_closed_by_hand_stays_as_it_was(org, everyone):
    admin = everyone["admin"]
    set_target(org, everyone["rep"], "2025-05", admin)
    with at(2025, 7, 2, 12, 0):
        services.period_close(org=org, period=parse_period("2025-05"), actor=admin.user)
        auto_close(org, admin, 0)
        assert tick() == "2 periods closed (2025-06, 2025-Q2)"
    by_hand = PeriodClose.objects.get(org=org, label="2025-05")
    assert by_hand.closed_by == admin.user


@pytest.mark.django_db
def test_a_long_backlog_closes_a_batch_per_tick(org, everyone, monkeypatch):
    monkeypatch.setattr(closing, "MAX_CLOSES_PER_TICK", 3)
    set_target(org, everyone["rep"], "2025-01", everyone["admin"])
    auto_close(org, everyone["admin"], 0)
    # On 2 May: January to April and 2025-Q1 are due.
    with at(2025, 5, 2, 12, 0):
        assert (
            tick() == "3 periods closed (2025-01, 2025-02, 2025-03); 2 more due, closing next tick"
        )
        assert tick() == "2 periods closed (2025-Q1, 2025-04)"
        assert tick() == "0 periods closed"


# -- the setting ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_admin_turns_auto_close_on_and_off_on_the_settings_page(org, everyone):
    client = client_for(everyone["admin"])
    page = client.get("/kpis/settings/").content.decode()
    assert "Close periods automatically" in page
    assert 'name="auto_close_after_days" value="7"' in page  # suggested, not yet on
    response = client.post(
        "/kpis/settings/",
        {"leaderboard_visibility": "managers", "auto_close": "on", "auto_close_after_days": "5"},
    )
    assert response.status_code == 302
    assert ScorecardSettings.objects.get(org=org).auto_close_after_days == 5
    event = AuditEvent.objects.get(action="kpis.settings.updated")
    assert event.before == {"auto_close_after_days": None}
    assert event.after == {"auto_close_after_days": 5}
    periods = client.get("/kpis/periods/").content.decode()
    assert "closes automatically 5 days after it ends (in UTC)" in periods

    response = client.post("/kpis/settings/", {"leaderboard_visibility": "managers"})
    assert response.status_code == 302
    assert ScorecardSettings.objects.get(org=org).auto_close_after_days is None
    assert "data-auto-close" not in client.get("/kpis/periods/").content.decode()


@pytest.mark.django_db
def test_auto_close_needs_a_number_of_days_in_range(org, everyone):
    client = client_for(everyone["admin"])
    for days, message in (
        ("", "Say how many days after a period ends it closes."),
        ("91", "less than or equal to 90"),
        ("-1", "greater than or equal to 0"),
    ):
        response = client.post(
            "/kpis/settings/",
            {
                "leaderboard_visibility": "managers",
                "auto_close": "on",
                "auto_close_after_days": days,
            },
        )
        assert response.status_code == 200, days
        assert message in response.content.decode(), days
    assert not ScorecardSettings.objects.filter(org=org, auto_close_after_days__isnull=False)


@pytest.mark.django_db
def test_only_admins_change_auto_close(org, everyone):
    for who in ("rep", "manager", "executive"):
        response = client_for(everyone[who]).post(
            "/kpis/settings/",
            {
                "leaderboard_visibility": "managers",
                "auto_close": "on",
                "auto_close_after_days": "5",
            },
        )
        assert response.status_code == 403, who
    assert not ScorecardSettings.objects.filter(org=org, auto_close_after_days__isnull=False)
    assert not AuditEvent.objects.filter(action="kpis.settings.updated").exists()
