"""1:1s held as a KPI: counted for the report on the day the meeting started, once marked
held; a team adds its people's; explained meeting by meeting."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from charter.conftest import client_for
from charter.core.periods import parse_period
from charter.kpis import services as kpi_services
from charter.kpis.explain import Subject, explain
from charter.kpis.models import KpiDefinition
from charter.kpis.selectors.scorecards import person_scorecards, team_scorecard
from charter.meetings.services import meetings as meeting_services
from charter.meetings.services.series import series_create
from charter.meetings.tests.conftest import weekly

LABEL = "FY2026-Q1"


@pytest.fixture
def held(org, admin, manager, rep, rep2):
    """Rick: 3 weekly 1:1s held in March 2026 and one skipped; Rita: one held."""
    with time_machine.travel(dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC), tick=False) as clock:
        rick = series_create(
            manager=manager, report=rep, actor=manager.user, starts_on=dt.date(2026, 3, 1),
            cadence=weekly(),
        )  # fmt: skip
        rita = series_create(
            manager=manager, report=rep2, actor=manager.user, starts_on=dt.date(2026, 3, 1),
            cadence=weekly(weekday=3),
        )  # fmt: skip
        rick_meetings = list(rick.meetings.order_by("start")[:4])
        meeting_services.meeting_skip(meeting=rick_meetings[3], actor=rep.user)
        clock.move_to(dt.datetime(2026, 3, 31, 12, tzinfo=dt.UTC))
        for meeting in rick_meetings[:3]:
            meeting_services.meeting_mark_held(meeting=meeting, actor=rep.user)
        meeting_services.meeting_mark_held(
            meeting=rita.meetings.order_by("start")[0], actor=manager.user
        )
    kpi = KpiDefinition.objects.get(org=org, key="one_on_ones_held")
    kpi_services.kpi_revise(
        definition=kpi, actor=admin.user, effective_from=dt.date(2000, 1, 1),
        reason="We follow 1:1s", active=True,
    )  # fmt: skip
    return rick_meetings


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 5, 20, 12, tzinfo=dt.UTC), tick=False):
        yield


def test_the_builtin_is_off_until_an_admin_turns_it_on(org, rep):
    kpi = KpiDefinition.objects.get(org=org, key="one_on_ones_held")
    assert kpi.builtin
    period = parse_period(LABEL, org.fiscal_year_start_month)
    assert person_scorecards(org, period, [rep])[0].result("one_on_ones_held") is None


def test_held_meetings_count_for_the_report_and_their_team(org, teams, rep, rep2, held):
    period = parse_period(LABEL, org.fiscal_year_start_month)
    rick, rita = person_scorecards(org, period, [rep, rep2])
    assert _actual(rick) == Decimal(3)
    assert _actual(rita) == Decimal(1)
    assert _actual(team_scorecard(org, period, teams["east_ent"])) == Decimal(4)


def _actual(card: Any) -> Decimal | None:
    result = card.result("one_on_ones_held")
    assert result is not None
    return result.actual


def test_explain_lists_the_meetings_held(org, manager, rep, held):
    period = parse_period(LABEL, org.fiscal_year_start_month)
    x = explain(Subject.of_person(rep), period, "one_on_ones_held")
    rows = x.records_of("one_on_ones_held")
    assert rows is not None
    assert [r.day for r in rows.rows] == [
        dt.date(2026, 3, 3),
        dt.date(2026, 3, 10),
        dt.date(2026, 3, 17),
    ]
    page = client_for(manager).get(
        f"/kpis/people/{rep.pk}/explain/one_on_ones_held/", {"period": LABEL}
    )
    assert page.status_code == 200
    assert "2026-03-17 10:00 CET" in page.content.decode()
