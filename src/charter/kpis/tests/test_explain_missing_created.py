"""Deals imported without a created date count for every KPI but those that need one (average
sales cycle, pipeline created), and the explain page says how many each leaves out."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from charter.conftest import client_for
from charter.crm.models import Deal
from charter.kpis.explain import Subject, explain
from charter.kpis.selectors.calendar import period_of
from charter.kpis.tests.test_explain import deal, eids, upsert
from charter.org.models import Organization, Person

D = dt.date


@pytest.fixture
def undated(org: Organization, rep: Person, rep2: Person) -> Organization:
    """Rick won d1 (3 Apr → 20 Apr 2017, 17 days), won d2 on 10 May with no created date and
    has d3 open with neither date; Rita's d4 has no created date either."""
    rows = [
        deal("d1", rep, "won", "1000", D(2017, 4, 3), D(2017, 4, 20)),
        deal("d2", rep, "won", "500", D(2017, 1, 1), D(2017, 5, 10)),
        deal("d3", rep, "open", "300", D(2017, 1, 1), None),
        deal("d4", rep2, "won", "900", D(2017, 1, 1), D(2017, 5, 11)),
    ]
    for row in rows[1:]:
        row["created_date"] = None
    upsert(org, Deal, rows)
    return org


@pytest.mark.django_db
def test_cycle_days_leave_out_won_deals_without_a_created_date_and_say_how_many(
    undated: Organization, rep: Person
) -> None:
    x = explain(Subject.of_person(rep), period_of(undated, "2017-Q2"), "avg_cycle_days")

    days = x.records_of("won_cycle_days_sum")
    assert days is not None
    assert eids(days.rows) == ["d1"]
    assert days.total == 17
    assert days.total == days.live  # the records still add up to the rollups' sum
    assert days.lacking == 1
    assert days.lacking_note.startswith("1 record has no created date")
    # The average divides by the won deals with a cycle: d1 alone, not d1 and d2.
    assert x.substituted == "17 / 1"
    assert x.result.actual == 17
    cycles = x.records_of("won_cycle_count")
    assert cycles is not None
    assert eids(cycles.rows) == ["d1"]
    assert cycles.lacking == 1
    assert x.records_of("deals_won_count") is None


@pytest.mark.django_db
def test_pipeline_created_says_how_many_deals_no_period_counts(
    undated: Organization, rep: Person
) -> None:
    x = explain(Subject.of_person(rep), period_of(undated, "2017-Q2"), "pipeline_created")

    [amount] = x.records
    assert eids(amount.rows) == ["d1"]
    assert amount.lacking == 2  # d2 and d3; Rita's d4 is not Rick's
    assert "2 records have no created date" in amount.lacking_note
    assert "no period counts them here" in amount.lacking_note


@pytest.mark.django_db
def test_explain_page_shows_the_note(undated: Organization, rep: Person) -> None:
    page = client_for(rep).get(
        f"/kpis/people/{rep.pk}/explain/avg_cycle_days/", {"period": "2017-Q2"}
    )

    assert page.status_code == 200
    assert "1 record has no created date (the imported file did not give it)" in (
        page.content.decode()
    )


@pytest.mark.django_db
def test_api_says_how_many_records_lack_the_field(undated: Organization, rep: Person) -> None:
    response = client_for(rep).get(
        "/api/v1/kpis/explain/",
        {"subject": f"person:{rep.pk}", "period": "2017-Q2", "kpi": "avg_cycle_days"},
    )

    assert response.status_code == 200
    records = response.json()["records"]
    assert records["won_cycle_days_sum"]["lacking"] == 1
    assert records["won_cycle_count"]["lacking_note"].startswith("1 record has no created date")


@pytest.mark.django_db
def test_team_and_org_count_every_members_deals_lacking_it(
    undated: Organization, teams: Any
) -> None:
    period = period_of(undated, "2017-Q2")

    org = explain(Subject.of_org(undated), period, "avg_cycle_days")
    team = explain(Subject.of_team(teams["east_ent"]), period, "pipeline_created")

    days = org.records_of("won_cycle_days_sum")
    assert days is not None
    assert days.lacking == 2  # Rick's d2 and Rita's d4
    assert team.records[0].lacking == 3
