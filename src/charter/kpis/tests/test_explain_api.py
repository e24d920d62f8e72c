"""The explain API: a figure with its records, paged, and who may read it. Expected values are
worked out by hand from the facts in explain_facts.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from charter.conftest import client_for
from charter.crm.models import Activity, Deal
from charter.kpis import services
from charter.kpis.tests.explain_facts import (
    Q2,
    UTC,
    D,
    activity,
    deal,
    q2,
    upsert,
)
from charter.kpis.tests.explain_facts import facts as facts  # the fixture
from charter.org.models import Organization, Person

# --- the API --------------------------------------------------------------------------------

API = "/api/v1/kpis/explain/"


def _api(person: Person | None, **params: Any) -> Any:
    return client_for(person).get(API, params)


@pytest.mark.django_db
def test_api_explains_a_person_figure_with_its_records(facts: Organization, rep: Person) -> None:
    response = _api(rep, subject=f"person:{rep.pk}", period=Q2, kpi="win_rate")
    assert response.status_code == 200
    data = response.json()
    assert data["kpi"]["key"] == "win_rate"
    assert data["period"] == {
        "label": Q2,
        "kind": "quarter",
        "start": "2017-04-01",
        "end": "2017-06-30",
    }
    assert data["subject"] == {"kind": "person", "id": rep.pk, "name": "Rick Rep"}
    assert data["formula"] == "deals_won_count / (deals_won_count + deals_lost_count)"
    assert data["substituted"] == "2 / (2 + 1)"
    assert data["metrics"] == {"deals_won_count": "2", "deals_lost_count": "1"}
    assert data["actual"] == "66.6667"
    assert data["target"] is None
    assert data["closed"] is False
    won = data["records"]["deals_won_count"]
    assert (won["count"], won["total"], won["next"]) == (2, "2", None)
    assert [r["external_id"] for r in won["results"]] == ["d1", "d2"]
    assert [r["counts_on"] for r in won["results"]] == ["2017-04-20", "2017-06-10"]
    assert [r["adds"] for r in won["results"]] == ["1", "1"]
    assert [r["external_id"] for r in data["records"]["deals_lost_count"]["results"]] == ["d3"]


@pytest.mark.django_db
def test_api_pages_through_one_metric(org: Organization, rep: Person) -> None:
    start = dt.datetime(2017, 5, 1, 14, 0, tzinfo=UTC)
    upsert(
        org,
        Activity,
        [activity(f"c{i:02d}", rep, "call", start + dt.timedelta(hours=i)) for i in range(60)],
    )
    first = _api(rep, subject=f"person:{rep.pk}", period=Q2, kpi="activities_calls").json()
    calls = first["records"]["activities_call_count"]
    assert (calls["count"], calls["total"], len(calls["results"])) == (60, "60", 50)
    assert "metric=activities_call_count" in calls["next"]
    assert "page=2" in calls["next"]
    second = client_for(rep).get(calls["next"]).json()
    rest = second["records"]["activities_call_count"]
    assert [r["external_id"] for r in rest["results"]] == [f"c{i}" for i in range(50, 60)]
    assert rest["next"] is None
    assert rest["previous"] is not None


@pytest.mark.django_db
def test_api_team_records_are_null_for_a_rep(facts: Organization, rep: Person, teams: Any) -> None:
    data = _api(rep, subject=f"team:{teams['east_ent'].pk}", period=Q2, kpi="win_rate").json()
    assert data["substituted"] == "3 / (3 + 2)"
    assert data["actual"] == "60"
    assert data["records"] is None
    assert data["records_note"]


@pytest.mark.django_db
def test_api_restated_figure_of_a_closed_period(
    facts: Organization, rep: Person, admin: Person
) -> None:
    services.period_close(org=facts, period=q2(facts), actor=admin.user)
    upsert(facts, Deal, [deal("late", rep, "won", "250", D(2017, 6, 2), D(2017, 6, 28))])
    data = _api(admin, subject=f"person:{rep.pk}", period=Q2, kpi="revenue_won").json()
    assert (data["closed"], data["actual"]) == (True, "1500")
    assert data["restated"]["actual"] == "1750"
    assert data["records"]["deals_won_amount"]["total"] == "1750"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("viewer", "subject", "expected"),
    [
        (None, "org", 401),
        ("rep", "org", 403),
        ("manager", "org", 200),
        ("admin", "org", 200),
        ("rep", "person:rep2", 404),
        ("other_manager", "person:rep", 404),
        ("manager", "person:rep", 200),
        ("other_manager", "team:east_ent", 404),
        ("executive", "team:east_ent", 200),
        ("rep", "nobody", 400),
    ],
)
def test_api_access(
    facts: Organization,
    everyone: dict[str, Person],
    teams: Any,
    viewer: str | None,
    subject: str,
    expected: int,
) -> None:
    kind, _, name = subject.partition(":")
    if kind == "person":
        subject = f"person:{everyone[name].pk}"
    elif kind == "team":
        subject = f"team:{teams[name].pk}"
    person = everyone[viewer] if viewer else None
    response = _api(person, subject=subject, period=Q2, kpi="revenue_won")
    assert response.status_code == expected


@pytest.mark.django_db
def test_api_refuses_unknown_kpi_period_and_metric(facts: Organization, rep: Person) -> None:
    me = f"person:{rep.pk}"
    assert _api(rep, subject=me, period=Q2, kpi="nope").status_code == 404
    assert _api(rep, subject=me, period="Q9", kpi="win_rate").status_code == 400
    wrong_metric = _api(rep, subject=me, period=Q2, kpi="win_rate", metric="csat_count")
    assert wrong_metric.status_code == 404
    org_rows = _api(rep, subject="org", period=Q2, kpi="win_rate")
    assert org_rows.status_code == 403
