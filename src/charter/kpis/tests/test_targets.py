"""Targets: the grid a manager sets them in, the history a rep reads them in, the importer and
the API. Proration is checked against sums done by hand.

The quarter used throughout is 2017-Q2 on a January fiscal calendar: 1 April to 30 June 2017,
30 + 31 + 30 = 91 days. A target of 90,000 set at the start and changed to 120,000 from 1 June
applies 61 days (April and May) at 90,000 and 30 days (June) at 120,000, so the quarter's target
is (90,000 x 61 + 120,000 x 30) / 91 = 9,090,000 / 91 = 99,890.1098901…
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from rest_framework.test import APIClient

from charter.conftest import client_for, deal_fact
from charter.core.models import AuditEvent, ImportRun
from charter.core.periods import parse_period
from charter.crm import services as crm_services
from charter.crm.models import Deal
from charter.kpis import services
from charter.kpis.models import KpiDefinition, Target, TargetRevision
from charter.org.models import Organization, Person

Q2 = parse_period("2017-Q2", 1)
GRID = reverse("kpis:targets")
# 9,090,000 / 91, to more places than any figure is compared at.
PRORATED = Decimal("99890.10989010989")


@pytest.fixture(autouse=True)
def _mid_july_2017() -> Any:
    # Q2 2017 is over: attainment compares the whole quarter's actual with its target.
    with time_machine.travel(dt.datetime(2017, 7, 10, 9, tzinfo=dt.UTC), tick=False):
        yield


def kpi(org: Organization, key: str) -> KpiDefinition:
    return KpiDefinition.objects.get(org=org, key=key)


def revisions(person: Person, key: str, label: str = "2017-Q2") -> list[tuple[Decimal, Any, str]]:
    return list(
        TargetRevision.objects.filter(
            target__person=person, target__kpi__key=key, target__period_label=label
        )
        .order_by("id")
        .values_list("value", "effective_from", "reason")
    )


def set_target(org: Organization, who: Person, key: str, value: str, **extra: Any) -> Any:
    return services.target_set(
        org=org, kpi=kpi(org, key), period=Q2, value=value, actor=None, person=who, **extra
    )


def won(eid: str, owner: Person, amount: str, closed: dt.date) -> dict[str, Any]:
    return deal_fact(eid, owner, amount, created=closed - dt.timedelta(days=20), closed=closed)


def cell(person: Person, key: str) -> str:
    return f"p{person.pk}:{key}"


# -- proration and the history page ----------------------------------------------------------


def test_a_mid_period_change_prorates_the_quarter_by_days(org, rep, manager):
    set_target(org, rep, "revenue_won", "90000")
    set_target(
        org,
        rep,
        "revenue_won",
        "120000",
        effective_from=dt.date(2017, 6, 1),
        reason="Territory grew",
    )
    assert revisions(rep, "revenue_won") == [
        (Decimal("90000"), dt.date(2017, 4, 1), "Target set"),
        (Decimal("120000"), dt.date(2017, 6, 1), "Territory grew"),
    ]
    found = {t["person"]: t for t in _api(manager).get("/api/v1/kpis/targets/").json()["results"]}
    assert Decimal(found[rep.pk]["period_target"]) == PRORATED.quantize(Decimal("0.0001"))
    assert Decimal(found[rep.pk]["value"]) == Decimal("120000")


def test_history_shows_each_revision_with_its_reason_and_attainment_before_and_after(
    org, rep, manager
):
    # 80,000 won in the quarter: against 90,000 that is 88.9%; against the prorated
    # 99,890.11 it is 80,000 / 99,890.11 = 80.1%.
    crm_services.facts_upsert(
        model=Deal,
        org=org,
        source="file",
        rows=[
            won("w1", rep, "50000", dt.date(2017, 4, 20)),
            won("w2", rep, "30000", dt.date(2017, 5, 18)),
        ],
        run=None,
    )
    services.target_set(
        org=org,
        kpi=kpi(org, "revenue_won"),
        period=Q2,
        value="90000",
        actor=manager.user,
        person=rep,
    )
    services.target_set(
        org=org,
        kpi=kpi(org, "revenue_won"),
        period=Q2,
        value="120000",
        actor=manager.user,
        person=rep,
        effective_from=dt.date(2017, 6, 1),
        reason="Took over the Boston accounts",
    )

    response = client_for(rep).get(
        reverse("kpis:target_history", args=[rep.pk]), {"period": "2017-Q2"}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "Took over the Boston accounts" in page
    assert "Target set" in page
    assert "Mona Manager" in page  # the author of both revisions
    assert "2017-06-01" in page
    assert "2017-04-01" in page
    assert "$90,000 → $99,890" in page  # the period target before → after the change
    assert "88.9% → 80.1%" in page  # attainment before → after, same actual of $80,000
    assert "$80,000" in page


def test_a_rep_reads_only_their_own_target_history(org, rep, rep2, manager, other_manager):
    url = reverse("kpis:target_history", args=[rep2.pk])
    assert client_for(rep2).get(url).status_code == 200
    assert client_for(rep).get(url).status_code == 404
    assert client_for(manager).get(url).status_code == 200
    assert client_for(other_manager).get(url).status_code == 404


# -- the grid ----------------------------------------------------------------------------------


def grid_post(who: Person, team: Any, cells: dict[str, str], **extra: str) -> Any:
    data = {"team": team.pk, "period": "2017-Q2", "kpi": ["revenue_won", "win_rate"]}
    return client_for(who).post(GRID, {**data, **cells, **extra})


def test_manager_opens_the_grid_of_their_team_with_their_reps_editable(
    org, teams, manager, rep, rep2, other_team_rep
):
    set_target(org, rep, "revenue_won", "90000")
    response = client_for(manager).get(GRID, {"team": teams["east_ent"].pk, "period": "2017-Q2"})
    assert response.status_code == 200
    form = response.context["form"]
    # Thousands separated, as the scorecard writes the figure.
    assert form[cell(rep, "revenue_won")].initial == "90,000"
    assert 'value="90,000"' in response.content.decode()
    assert cell(rep2, "win_rate") in form.fields
    assert f"t{teams['east_ent'].pk}:revenue_won" in form.fields
    # A manager does not set their own target, and another team's rep is not in the grid.
    assert cell(manager, "revenue_won") not in form.fields
    assert "Mona Manager" in response.content.decode()
    assert cell(other_team_rep, "revenue_won") not in form.fields


def test_manager_sets_first_targets_in_the_grid_percent_in_percent(org, teams, manager, rep):
    response = grid_post(
        manager,
        teams["east_ent"],
        {cell(rep, "revenue_won"): "90000", cell(rep, "win_rate"): "30"},
    )
    assert response.status_code == 302
    assert revisions(rep, "revenue_won") == [(Decimal("90000"), dt.date(2017, 4, 1), "Target set")]
    # 30 means 30%, on the scale the scorecard shows a win rate (27.5 for 27.5%).
    assert revisions(rep, "win_rate") == [(Decimal("30"), dt.date(2017, 4, 1), "Target set")]
    assert AuditEvent.objects.filter(action="kpis.target.set").count() == 2


def test_grid_saves_only_the_cells_that_changed(org, teams, manager, rep, rep2):
    set_target(org, rep, "revenue_won", "90000")
    set_target(org, rep2, "revenue_won", "70000")
    response = grid_post(
        manager,
        teams["east_ent"],
        {
            cell(rep, "revenue_won"): "90000.00",  # the same value, written differently
            cell(rep2, "revenue_won"): "75000",
            cell(rep, "win_rate"): "",
        },
        reason="Pipeline review",
        effective_from="2017-06-01",
    )
    assert response.status_code == 302
    assert len(revisions(rep, "revenue_won")) == 1
    assert revisions(rep, "win_rate") == []
    assert revisions(rep2, "revenue_won")[-1] == (
        Decimal("75000"),
        dt.date(2017, 6, 1),
        "Pipeline review",
    )


def test_a_change_without_a_reason_is_refused_by_name_and_nothing_is_saved(
    org, teams, manager, rep, rep2
):
    set_target(org, rep, "revenue_won", "90000")
    response = grid_post(
        manager,
        teams["east_ent"],
        {cell(rep, "revenue_won"): "120000", cell(rep2, "revenue_won"): "50000"},
    )
    assert response.status_code == 200
    problems = response.context["form"].problems
    assert len(problems) == 1
    assert problems[0].startswith("Rick Rep · Revenue won: Say why the target changes")
    # Rita's first target was valid, but the save is one transaction: it is not written either.
    assert revisions(rep2, "revenue_won") == []
    assert len(revisions(rep, "revenue_won")) == 1


def test_a_row_reason_and_date_override_the_grid_wide_ones(org, teams, manager, rep, rep2):
    set_target(org, rep, "revenue_won", "90000")
    set_target(org, rep2, "revenue_won", "90000")
    response = grid_post(
        manager,
        teams["east_ent"],
        {
            cell(rep, "revenue_won"): "120000",
            cell(rep2, "revenue_won"): "60000",
            f"reason:p{rep2.pk}": "Parental leave in June",
            f"effective_from:p{rep2.pk}": "2017-06-01",
        },
        reason="Quarterly review",
        effective_from="2017-05-01",
    )
    assert response.status_code == 302
    assert revisions(rep, "revenue_won")[-1] == (
        Decimal("120000"),
        dt.date(2017, 5, 1),
        "Quarterly review",
    )
    assert revisions(rep2, "revenue_won")[-1] == (
        Decimal("60000"),
        dt.date(2017, 6, 1),
        "Parental leave in June",
    )


def test_grid_refuses_an_effective_date_after_the_period_and_a_removed_target(
    org, teams, manager, rep, rep2
):
    set_target(org, rep, "revenue_won", "90000")
    response = grid_post(
        manager,
        teams["east_ent"],
        {cell(rep, "revenue_won"): "", cell(rep2, "revenue_won"): "-5"},
        reason="Moving on",
        effective_from="2017-07-02",
    )
    assert response.status_code == 200
    problems = " | ".join(response.context["form"].problems)
    assert "2017-07-02 is after 2017-Q2 ends" in problems
    assert "Rick Rep · Revenue won: A target cannot be removed" in problems
    assert "Rita Rep · Revenue won: Ensure this value is greater than or equal to 0" in problems
    assert Target.objects.filter(person=rep2).count() == 0


def test_a_manager_cannot_set_targets_of_another_teams_rep(org, teams, manager, other_team_rep):
    # The other team's grid is out of reach, and its rep's cell cannot be slipped into a post.
    response = client_for(manager).get(GRID, {"team": teams["west_mm"].pk})
    assert response.status_code == 404
    assert grid_post(manager, teams["west_mm"], {}).status_code == 404
    response = grid_post(manager, teams["east_ent"], {cell(other_team_rep, "revenue_won"): "1"})
    assert response.status_code == 403
    assert Target.objects.count() == 0


def test_executives_read_the_grid_but_cannot_save_it(org, teams, executive, rep):
    set_target(org, rep, "revenue_won", "90000")
    response = client_for(executive).get(GRID, {"team": teams["east_ent"].pk, "period": "2017-Q2"})
    assert response.status_code == 200
    assert response.context["editable"] is False
    assert "$90,000" in response.content.decode()
    assert grid_post(executive, teams["east_ent"], {}).status_code == 403


def test_reps_cannot_open_the_grid(org, teams, rep):
    assert client_for(rep).get(GRID).status_code == 403
    assert grid_post(rep, teams["east_ent"], {cell(rep, "revenue_won"): "1"}).status_code == 403
    assert Target.objects.count() == 0


def test_admin_sets_a_team_target(org, teams, admin):
    team = teams["east_ent"]
    response = grid_post(admin, team, {f"t{team.pk}:revenue_won": "250000"})
    assert response.status_code == 302
    target = Target.objects.get(team=team, kpi__key="revenue_won", period_label="2017-Q2")
    assert [r.value for r in target.revisions.all()] == [Decimal("250000")]


# -- import ------------------------------------------------------------------------------------


def import_targets(path: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("import", "targets", str(path), *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def rejected(path: Path, *args: str) -> ImportRun:
    with pytest.raises(CommandError):
        call_command(
            "import", "targets", str(path), *args, stdout=io.StringIO(), stderr=io.StringIO()
        )
    run = ImportRun.objects.order_by("-pk").first()
    assert run is not None
    return run


def write(tmp_path: Path, text: str, name: str = "targets.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_import_sets_targets_and_the_same_file_again_changes_nothing(
    org, teams, rep, rep2, tmp_path
):
    path = write(
        tmp_path,
        "person,team,kpi,period,value\n"
        "rick.rep@acme.test,,revenue_won,2017-Q2,90000\n"
        "Rita Rep,,win_rate,2017-Q2,27.5%\n"
        ',East Enterprise,revenue_won,2017-Q2,"250,000"\n',
    )
    out = import_targets(path)
    assert "Created 3 · updated 0 · unchanged 0" in out
    assert revisions(rep, "revenue_won") == [(Decimal("90000"), dt.date(2017, 4, 1), "Target set")]
    assert revisions(rep2, "win_rate") == [(Decimal("27.5"), dt.date(2017, 4, 1), "Target set")]
    team_target = Target.objects.get(team=teams["east_ent"])
    assert [r.value for r in team_target.revisions.all()] == [Decimal("250000")]

    again = import_targets(path)
    assert "Created 0 · updated 0 · unchanged 3" in again
    assert TargetRevision.objects.count() == 3


def test_import_changes_a_target_with_a_reason_and_prorates_it(org, rep, tmp_path, manager):
    set_target(org, rep, "revenue_won", "90000")
    path = write(
        tmp_path,
        "Email,KPI,Period,Target,Effective from,Reason\n"
        "rick.rep@acme.test,revenue_won,2017-Q2,120000,2017-06-01,Territory grew\n",
    )
    assert "Created 0 · updated 1 · unchanged 0" in import_targets(path)
    assert revisions(rep, "revenue_won")[-1] == (
        Decimal("120000"),
        dt.date(2017, 6, 1),
        "Territory grew",
    )
    listed = _api(manager).get("/api/v1/kpis/targets/", {"person": rep.pk}).json()["results"]
    assert Decimal(listed[0]["period_target"]) == Decimal("99890.1099")
    assert "unchanged 1" in import_targets(path)


def test_import_names_every_bad_row_and_writes_nothing(org, rep, rep2, tmp_path):
    set_target(org, rep, "revenue_won", "90000")
    path = write(
        tmp_path,
        "person,team,kpi,period,value,effective_from,reason\n"
        "nobody@acme.test,,revenue_won,2017-Q2,1,,\n"  # 2
        ",Atlantis,revenue_won,2017-Q2,1,,\n"  # 3
        "rita.rep@acme.test,,happiness,2017-Q2,1,,\n"  # 4
        "rita.rep@acme.test,,revenue_won,2017-Q5,1,,\n"  # 5
        "rita.rep@acme.test,,deals_won,2017-Q2,lots,,\n"  # 6
        "rita.rep@acme.test,,deals_lost,2017-Q2,-3,,\n"  # 7
        "rita.rep@acme.test,,win_rate,2017-Q2,30,2017-07-01,\n"  # 8
        "rick.rep@acme.test,,revenue_won,2017-Q2,120000,2017-06-01,\n"  # 9
        "rita.rep@acme.test,,csat_avg,2017-Q2,4.5,,\n",  # 10: valid, yet not written
    )
    run = rejected(path)
    found = {(e["row"], e["column"], e["value"]): e["reason"] for e in run.errors}
    assert set(found) == {
        (2, "person", "nobody@acme.test"),
        (3, "team", "Atlantis"),
        (4, "kpi", "happiness"),
        (5, "period", "2017-Q5"),
        (6, "value", "lots"),
        (7, "value", "-3"),
        (8, "effective_from", "2017-07-01"),
        (9, "reason", ""),
    }
    assert "nobody in Charter has the email" in found[(2, "person", "nobody@acme.test")]
    assert "no team called 'Atlantis'" in found[(3, "team", "Atlantis")]
    assert "no KPI with the key 'happiness'" in found[(4, "kpi", "happiness")]
    assert "is not a period label" in found[(5, "period", "2017-Q5")]
    assert "is not a number" in found[(6, "value", "lots")]
    assert "negative" in found[(7, "value", "-3")]
    assert "after 2017-Q2 ends (2017-06-30)" in found[(8, "effective_from", "2017-07-01")]
    assert "a change needs a reason" in found[(9, "reason", "")]
    assert run.status == ImportRun.Status.REJECTED
    assert TargetRevision.objects.count() == 1


def test_import_with_skip_invalid_applies_the_valid_rows(org, rep, rep2, tmp_path):
    path = write(
        tmp_path,
        "person,kpi,period,value\n"
        "rita.rep@acme.test,revenue_won,2017-Q2,50000\n"
        "rita.rep@acme.test,revenue_won,2017-Q2,60000\n"  # the same target twice
        "rick.rep@acme.test,deals_won,2017-Q2,12\n"
        "rick.rep@acme.test,deals_won,FY17,12\n",
    )
    out = import_targets(path, "--skip-invalid")
    assert "Created 1 · updated 0 · unchanged 0" in out
    run = ImportRun.objects.order_by("-pk").first()
    assert run is not None
    assert sorted((e["row"], e["column"]) for e in run.errors) == [
        (2, "kpi"),
        (3, "kpi"),
        (5, "period"),
    ]
    assert revisions(rep, "deals_won") == [(Decimal("12"), dt.date(2017, 4, 1), "Target set")]
    assert revisions(rep2, "revenue_won") == []


def test_import_reads_xlsx(org, rep, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Person", "KPI", "Period", "Value"])
    sheet.append(["Rick Rep", "deals_won", "2017-Q2", 15])
    path = tmp_path / "targets.xlsx"
    book.save(path)
    assert "Created 1" in import_targets(path)
    assert revisions(rep, "deals_won") == [(Decimal("15"), dt.date(2017, 4, 1), "Target set")]


def test_admin_uploads_a_targets_file_and_others_may_not(org, admin, manager, rep, tmp_path):
    upload = reverse("kpis:targets_import")
    assert client_for(manager).get(upload).status_code == 403
    path = write(tmp_path, "person,kpi,period,value\nrick.rep@acme.test,deals_won,2017-Q2,12\n")
    with path.open("rb") as handle:
        response = client_for(admin).post(upload, {"file": handle})
    assert response.status_code == 302
    run = ImportRun.objects.get(kind="targets")
    assert response["Location"] == reverse("kpis:import_run", args=[run.pk])
    preview = client_for(admin).get(response["Location"])
    assert preview.status_code == 200
    assert "Every row passed the checks" in preview.content.decode()


# -- API ---------------------------------------------------------------------------------------


def _api(person: Person) -> APIClient:
    # A real token, as clients send: each request reads the caller afresh (a forced user would
    # be one object across requests, carrying what it memoised from one request to the next).
    from charter.api.tests.conftest import bearer, token_for

    return bearer(token_for(person))


def test_api_lists_only_targets_of_subjects_the_caller_sees(
    org, teams, rep, rep2, other_team_rep, manager, other_manager
):
    set_target(org, rep, "revenue_won", "90000")
    set_target(org, rep2, "revenue_won", "80000")
    set_target(org, other_team_rep, "revenue_won", "70000")
    services.target_set(
        org=org,
        kpi=kpi(org, "deals_won"),
        period=Q2,
        value="40",
        actor=None,
        team=teams["east_ent"],
    )

    def listed(who: Person, **params: Any) -> set[tuple[Any, Any, str]]:
        response = _api(who).get("/api/v1/kpis/targets/", params)
        assert response.status_code == 200, response.content
        return {(t["person"], t["team"], t["kpi"]) for t in response.json()["results"]}

    east = teams["east_ent"].pk
    assert listed(rep) == {(rep.pk, None, "revenue_won"), (None, east, "deals_won")}
    assert listed(manager) == {
        (rep.pk, None, "revenue_won"),
        (rep2.pk, None, "revenue_won"),
        (None, east, "deals_won"),
    }
    assert listed(other_manager) == {(other_team_rep.pk, None, "revenue_won")}
    assert listed(manager, kpi="deals_won") == {(None, east, "deals_won")}
    assert listed(manager, person=rep2.pk, period="2017-Q2") == {(rep2.pk, None, "revenue_won")}
    assert listed(manager, period="2017-Q3") == set()
    assert _api(manager).get("/api/v1/kpis/targets/", {"period": "Q9"}).status_code == 400
    assert (
        _api(manager).get("/api/v1/kpis/targets/", {"person": other_team_rep.pk}).status_code == 400
    )


def test_api_sets_and_changes_a_target_with_the_grids_rules(org, rep, manager):
    api = _api(manager)
    body = {"kpi": "revenue_won", "period": "2017-Q2", "person": rep.pk, "value": "90000"}
    created = api.post("/api/v1/kpis/targets/", body, format="json")
    assert created.status_code == 201, created.content
    assert api.post("/api/v1/kpis/targets/", body, format="json").status_code == 200

    change = {**body, "value": "120000", "effective_from": "2017-06-01"}
    refused = api.post("/api/v1/kpis/targets/", change, format="json")
    assert refused.status_code == 400
    assert "reason" in refused.json()

    changed = api.post(
        "/api/v1/kpis/targets/", {**change, "reason": "Territory grew"}, format="json"
    )
    assert changed.status_code == 201
    assert Decimal(changed.json()["period_target"]) == Decimal("99890.1099")

    target_id = created.json()["id"]
    history = api.get(f"/api/v1/kpis/targets/{target_id}/revisions/").json()
    assert [(h["value"], h["effective_from"], h["reason"], h["author"]) for h in history] == [
        ("90000.0000", "2017-04-01", "Target set", manager.user.email),
        ("120000.0000", "2017-06-01", "Territory grew", manager.user.email),
    ]


def test_api_refuses_targets_out_of_reach(org, rep, rep2, other_team_rep, manager, executive):
    body = {"kpi": "revenue_won", "period": "2017-Q2", "value": "1"}
    post = "/api/v1/kpis/targets/"
    assert (
        _api(manager).post(post, {**body, "person": other_team_rep.pk}, format="json").status_code
        == 404
    )
    assert (
        _api(manager).post(post, {**body, "person": manager.pk}, format="json").status_code == 403
    )
    assert _api(rep).post(post, {**body, "person": rep.pk}, format="json").status_code == 403
    assert _api(rep).post(post, {**body, "person": rep2.pk}, format="json").status_code == 404
    assert _api(executive).post(post, {**body, "person": rep.pk}, format="json").status_code == 403
    both = {**body, "person": rep.pk, "team": rep.team_id}
    assert _api(manager).post(post, both, format="json").status_code == 400
    assert (
        _api(manager)
        .post(post, {**body, "person": rep.pk, "kpi": "nope"}, format="json")
        .status_code
        == 400
    )
    assert Target.objects.count() == 0

    set_target(org, other_team_rep, "revenue_won", "5")
    hidden = Target.objects.get(person=other_team_rep)
    assert _api(manager).get(f"/api/v1/kpis/targets/{hidden.pk}/revisions/").status_code == 404
    assert _api(manager).get(f"/api/v1/kpis/targets/{hidden.pk}/").status_code == 404


def test_a_grid_post_for_a_bad_period_is_refused(org, teams, manager, rep):
    response = grid_post(manager, teams["east_ent"], {cell(rep, "revenue_won"): "1"}, period="Q9")
    assert response.status_code == 400
    assert Target.objects.count() == 0


def test_api_list_queries_do_not_grow_with_the_number_of_targets(org, rep, rep2, manager):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api = _api(manager)
    set_target(org, rep, "revenue_won", "90000")

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get("/api/v1/kpis/targets/").status_code == 200
        return len(captured)

    count()  # a token's first use is recorded; the requests after it are alike
    few = count()
    for key in ("deals_won", "win_rate", "activities_calls"):
        set_target(org, rep2, key, "10")
        set_target(org, rep2, key, "12", effective_from=dt.date(2017, 5, 1), reason="More")
    assert count() == few
