"""The KPI API: definitions (read by everyone, written by admins), scorecards in the CLI's shape
within each persona's access, and closing periods. Figures are those worked out by hand in
test_cli.py (2017-Q2 seen on 16 May 2017)."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from rest_framework.test import APIClient

from charter.conftest import client_for
from charter.kpis.models import KpiDefinition, PeriodClose
from charter.kpis.registry import all_builtins
from charter.kpis.tests.test_cli import AFTER_Q2, TODAY, deal, make_sales, upsert
from charter.org.models import Organization, Person

DEFINITIONS = "/api/v1/kpis/definitions/"
SCORECARDS = "/api/v1/kpis/scorecards/"
PERIODS = "/api/v1/kpis/periods/"


@pytest.fixture
def sales(org: Organization, rep: Person, rep2: Person, admin: Person) -> dict[str, Any]:
    return make_sales(org, rep, rep2, admin)


def api(person: Any) -> APIClient:
    client = APIClient()
    if person is not None:
        client.force_authenticate(person.user)
    return client


def cli_json(*args: str) -> list[dict[str, Any]]:
    out = io.StringIO()
    call_command("scorecard", *args, "--format", "json", stdout=out)
    rows: list[dict[str, Any]] = json.loads(out.getvalue())
    return rows


# --- definitions --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_everyone_reads_the_library_with_versions(everyone):
    for person in everyone.values():
        response = api(person).get(DEFINITIONS)
        assert response.status_code == 200, person
    keys = [d["key"] for d in response.json()]
    assert keys[:4] == ["revenue_won", "deals_won", "deals_lost", "win_rate"]
    # The engine's eleven and those the apps contribute (learning's, feedback's, …).
    assert keys[11:] == [b.key for b in all_builtins()[11:]]
    assert {"training_hours", "learning_compliance", "feedback_given"} <= set(keys[11:])
    win_rate = api(everyone["rep"]).get(f"{DEFINITIONS}win_rate/").json()
    assert win_rate["builtin"] is True
    assert (
        win_rate["current"]["formula"] == "deals_won_count / (deals_won_count + deals_lost_count)"
    )
    assert win_rate["current"]["weight"] == "15.00"
    assert [v["number"] for v in win_rate["versions"]] == [1]
    assert api(None).get(DEFINITIONS).status_code == 401
    assert api(everyone["rep"]).get(f"{DEFINITIONS}no_such_kpi/").status_code == 404


CUSTOM = {
    "key": "calls_per_win",
    "name": "Calls per win",
    "formula": "activities_call_count / deals_won_count",
    "unit": "count",
    "direction": "lower",
    "decimals": 1,
    "weight": "5",
    "effective_from": "2017-04-01",
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["rep", "manager", "executive"])
def test_only_admins_create_kpis(everyone, role):
    response = api(everyone[role]).post(DEFINITIONS, CUSTOM, format="json")
    assert response.status_code == 403
    assert not KpiDefinition.objects.filter(key="calls_per_win").exists()


@pytest.mark.django_db
def test_admin_creates_a_custom_kpi_and_an_unknown_metric_is_refused(admin):
    bad = api(admin).post(DEFINITIONS, {**CUSTOM, "formula": "calls / wins"}, format="json")
    assert bad.status_code == 400
    assert bad.json()["formula"][0].startswith("Unknown metric 'calls'. Known metrics:")
    response = api(admin).post(DEFINITIONS, CUSTOM, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["key"] == "calls_per_win"
    assert body["builtin"] is False
    assert body["versions"][0]["direction"] == "lower"
    assert body["versions"][0]["author"] == admin.email


@pytest.mark.django_db
def test_revise_makes_a_new_version_and_needs_a_reason(admin, executive, manager):
    url = f"{DEFINITIONS}win_rate/revise/"
    change = {"effective_from": "2017-07-01", "weight": "20"}
    assert api(executive).post(url, {**change, "reason": "x"}, format="json").status_code == 403
    assert api(manager).post(url, {**change, "reason": "x"}, format="json").status_code == 403
    missing = api(admin).post(url, change, format="json")
    assert missing.status_code == 400
    assert "reason" in missing.json()
    response = api(admin).post(url, {**change, "reason": "Quality over volume"}, format="json")
    assert response.status_code == 201
    second = response.json()["versions"][1]
    assert (second["number"], second["weight"], second["effective_from"]) == (
        2,
        "20.00",
        "2017-07-01",
    )
    assert second["reason"] == "Quality over volume"
    same = api(admin).post(url, {**change, "reason": "again"}, format="json")
    assert same.status_code == 400  # nothing changed


# --- scorecards ---------------------------------------------------------------------------------


@pytest.mark.django_db
@time_machine.travel(TODAY, tick=False)
def test_person_scorecard_equals_the_cli_json_and_respects_access(sales, everyone):
    rick = everyone["rep"]
    url = f"{SCORECARDS}?period=2017-Q2&person={rick.pk}"
    expected = cli_json("--person", "Rick Rep", "--period", "2017-Q2")
    for role, status in {
        "rep": 200,
        "rep2": 404,
        "other_team_rep": 404,
        "manager": 200,
        "other_manager": 404,
        "admin": 200,
        "executive": 200,
    }.items():
        response = api(everyone[role]).get(url)
        assert response.status_code == status, role
        if status == 200:
            assert response.json() == expected
    assert expected[0]["kpis"]["revenue_won"]["pace"] == 0.7913
    assert api(None).get(url).status_code == 401


@pytest.mark.django_db
@time_machine.travel(TODAY, tick=False)
def test_team_scorecard_shows_the_team_row_and_only_visible_members(sales, everyone, teams):
    url = f"{SCORECARDS}?team={teams['east_ent'].pk}"
    as_manager = api(everyone["manager"]).get(url).json()
    assert [r["person"] for r in as_manager] == ["Mona Manager", "Rick Rep", "Rita Rep", None]
    assert as_manager[-1]["kpis"]["revenue_won"]["target"] == 80000
    # A rep sees the team's aggregate and their own row, not their teammates'.
    as_rep = api(everyone["rep"]).get(url).json()
    assert [r["person"] for r in as_rep] == ["Rick Rep", None]
    assert as_rep[-1] == as_manager[-1]
    # ... but not the region above their team (by default) nor another region.
    assert api(everyone["rep"]).get(f"{SCORECARDS}?team={teams['east'].pk}").status_code == 404
    assert api(everyone["rep"]).get(f"{SCORECARDS}?team={teams['west'].pk}").status_code == 404
    assert api(everyone["other_manager"]).get(url).status_code == 404
    assert api(everyone["other_team_rep"]).get(url).status_code == 404


@pytest.mark.django_db
@time_machine.travel(TODAY, tick=False)
def test_org_scorecard_is_for_managers_admins_and_executives(sales, everyone):
    url = f"{SCORECARDS}?org=1"
    assert api(everyone["rep"]).get(url).status_code == 403
    for role in ("manager", "other_manager", "admin", "executive"):
        rows = api(everyone[role]).get(url).json()
        assert len(rows) == 1
        assert (rows[0]["person"], rows[0]["team"]) == (None, None)
        # Rick's 20,000 and Rita's 10,000.
        assert rows[0]["kpis"]["revenue_won"]["actual"] == 30000


@pytest.mark.django_db
@time_machine.travel(TODAY, tick=False)
def test_without_a_subject_each_persona_gets_the_people_they_may_see(sales, everyone):
    def names(role: str) -> list[str]:
        return [r["person"] for r in api(everyone[role]).get(SCORECARDS).json()]

    assert names("rep") == ["Rick Rep"]
    assert names("manager") == ["Mona Manager", "Rick Rep", "Rita Rep"]
    assert names("other_manager") == ["Olga Other", "Omar Other"]
    assert len(names("admin")) == len(names("executive")) == 7


@pytest.mark.django_db
def test_bad_queries_are_400(admin, rep):
    assert api(admin).get(f"{SCORECARDS}?period=2017-Q9").status_code == 400
    both = api(admin).get(f"{SCORECARDS}?person={rep.pk}&org=1")
    assert both.status_code == 400


@pytest.mark.django_db
def test_closed_period_shows_frozen_figures_and_a_restatement_with_the_page_score(
    sales, everyone, org
):
    rick = everyone["rep"]
    with time_machine.travel(AFTER_Q2, tick=False):
        assert api(everyone["admin"]).post(f"{PERIODS}2017-Q2/close/").status_code == 201
        upsert(org, [deal("late", rick, "won", "5000", dt.date(2017, 6, 1), dt.date(2017, 6, 20))])
        row = api(rick).get(f"{SCORECARDS}?period=2017-Q2&person={rick.pk}").json()[0]
        assert row == cli_json("--person", "Rick Rep", "--period", "2017-Q2")[0]
        page = client_for(rick).get(f"/kpis/people/{rick.pk}/?period=2017-Q2")
    assert row["kpis"]["revenue_won"]["actual"] == 20000
    assert row["restated"]["kpis"]["revenue_won"] == {
        "actual": 25000,
        "target": 50000,
        "attainment": 0.5,
    }
    # Only revenue (weight 40) and win rate (weight 15) have targets. Frozen: 20,000 of 50,000
    # and 2 of 3 = 66.67% of 60%. Today: 25,000 of 50,000 = 0.5 and 3 of 4 = 75% of 60% = 1.25.
    frozen_score = (40 * Decimal("0.4") + 15 * Decimal(2) / 3 * 100 / 60) / 55  # 0.59393…
    assert row["score"] == float(round(frozen_score, 4))
    restated_score = (40 * Decimal("0.5") + 15 * Decimal("1.25")) / 55  # 0.70454…
    assert row["restated"]["score"] == float(round(restated_score, 4)) == 0.7045
    assert row["restated"]["kpis"]["win_rate"] == {"actual": 75, "target": 60, "attainment": 1.25}
    assert page.status_code == 200
    assert "(score now 70%)" in page.content.decode()


@pytest.mark.django_db
def test_a_closed_period_with_nothing_late_has_no_restated_score(sales, everyone):
    rick = everyone["rep"]
    with time_machine.travel(AFTER_Q2, tick=False):
        assert api(everyone["admin"]).post(f"{PERIODS}2017-Q2/close/").status_code == 201
        row = api(rick).get(f"{SCORECARDS}?period=2017-Q2&person={rick.pk}").json()[0]
    assert row["score"] == 0.5939
    assert row["restated"] == {"score": None, "kpis": {}}


# --- periods ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_periods_list_and_close(everyone, org):
    with time_machine.travel(AFTER_Q2, tick=False):
        for role in ("rep", "manager", "executive"):
            response = api(everyone[role]).post(f"{PERIODS}2017-Q2/close/")
            assert response.status_code == 403, role
        assert not PeriodClose.objects.exists()
        open_period = api(everyone["admin"]).post(f"{PERIODS}2017-Q3/close/")
        assert open_period.status_code == 400
        assert "has not ended yet" in open_period.json()["period"][0]
        closed = api(everyone["admin"]).post(f"{PERIODS}2017-Q2/close/")
        assert closed.status_code == 201
        assert closed.json()["closed_by"] == everyone["admin"].email
        again = api(everyone["admin"]).post(f"{PERIODS}2017-Q2/close/")
        assert again.json()["period"] == ["2017-Q2 is already closed."]
        listing = api(everyone["rep"]).get(f"{PERIODS}?count=2").json()
    assert [(p["label"], p["ended"], p["closed"]) for p in listing] == [
        ("2017-Q3", False, False),
        ("2017-Q2", True, True),
    ]
    assert api(everyone["admin"]).post(f"{PERIODS}2017-Q7/close/").status_code == 400


@pytest.mark.django_db
def test_the_schema_lists_the_kpi_endpoints(rep):
    schema = client_for(rep).get("/api/v1/schema/", {"format": "json"}).json()
    for path in (
        "/api/v1/kpis/definitions/",
        "/api/v1/kpis/definitions/{key}/",
        "/api/v1/kpis/definitions/{key}/revise/",
        "/api/v1/kpis/scorecards/",
        "/api/v1/kpis/periods/",
        "/api/v1/kpis/periods/{label}/close/",
    ):
        assert path in schema["paths"], path


@pytest.mark.django_db
@time_machine.travel(TODAY, tick=False)
def test_api_scorecard_says_each_kpis_unit_and_exact_figures(sales, everyone):
    rick = everyone["rep"]
    rows = api(rick).get(f"{SCORECARDS}?period=2017-Q2&person={rick.pk}").json()
    win_rate = rows[0]["kpis"]["win_rate"]
    assert (win_rate["actual"], win_rate["unit"]) == (66.67, "percent")
    assert win_rate["actual_exact"].startswith("66.666666666")
    assert rows[0]["kpis"]["revenue_won"]["unit"] == "money"


@pytest.mark.django_db
def test_the_schema_documents_the_kpi_unit_and_exact_figures(rep):
    schema = client_for(rep).get("/api/v1/schema/", {"format": "json"}).json()
    fields = schema["components"]["schemas"]["ScorecardKpiOutput"]["properties"]
    assert "percent is 0-100" in fields["unit"]["description"]
    assert {"actual_exact", "target_exact"} <= set(fields)


@pytest.mark.django_db
@time_machine.travel(TODAY, tick=False)
def test_scorecards_cost_the_same_queries_for_more_people(sales, everyone, org, teams, admin):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from charter.conftest import make_person
    from charter.org.models import Role

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api(admin).get(SCORECARDS).status_code == 200
        return len(captured)

    few = queries()
    for n in range(5):
        make_person(org, f"Extra Rep{n}", Role.REP, team=teams["west_mm"])
    assert queries() == few
