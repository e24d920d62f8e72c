"""`charter scorecard`, `charter periods` and `charter rollups` as an operator runs them, with
every expected figure worked out by hand below.

The world: quarter 2017-Q2 (1 April - 30 June, 91 days), "today" 16 May 2017 (46 days elapsed).
Rick won 12,000 (created 3 Apr, closed 13 Apr: 10 days) and 8,000 (created 20 Mar, closed 2 May:
43 days), lost 3,000 (created 5 Apr) and has 5,000 open (created 10 May). Rita won 10,000
(created 1 Apr, closed 25 Apr). Targets: Rick revenue 50,000 and win rate 60%; Rita revenue
30,000.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
import time_machine
from django.core.management import CommandError, call_command

from charter import cli
from charter.conftest import deal_fact
from charter.crm import services as crm_services
from charter.crm.models import Deal
from charter.kpis import services
from charter.kpis.models import DailyMetrics, KpiDefinition, PeriodClose, ScorecardSnapshot
from charter.kpis.registry import all_builtins
from charter.org.models import Organization, Person, Role

D = dt.date
TODAY = dt.datetime(2017, 5, 16, 12, 0, tzinfo=dt.UTC)
AFTER_Q2 = dt.datetime(2017, 7, 5, 12, 0, tzinfo=dt.UTC)


# Where a target set for 2017-Q2 itself comes from, as the JSON says it (`kpis.cascade`).
SET_IN_Q2: dict[str, Any] = {
    "kind": "set",
    "period": "2017-Q2",
    "kind_of_parts": "",
    "text": "set for 2017-Q2",
    "parts": [],
    "parts_total": None,
    "whole": None,
    "share_rule": None,
    "share": None,
}


def deal(eid: str, owner: Person, stage: str, amount: str, created: dt.date, closed: Any) -> dict:
    return deal_fact(eid, owner, amount, created=created, closed=closed, stage=stage)


def upsert(org: Organization, rows: list[dict]) -> None:
    crm_services.facts_upsert(model=Deal, org=org, source="file", rows=rows, run=None)


def kpi(org: Organization, key: str) -> KpiDefinition:
    return KpiDefinition.objects.get(org=org, key=key)


def q2(org: Organization) -> Any:
    from charter.kpis.selectors.calendar import period_of

    return period_of(org, "2017-Q2")


def make_sales(org: Organization, rep: Person, rep2: Person, admin: Person) -> dict[str, Any]:
    """The deals and targets of the module docstring."""
    upsert(
        org,
        [
            deal("d1", rep, "won", "12000", D(2017, 4, 3), D(2017, 4, 13)),
            deal("d2", rep, "won", "8000", D(2017, 3, 20), D(2017, 5, 2)),
            deal("d3", rep, "lost", "3000", D(2017, 4, 5), D(2017, 4, 20)),
            deal("d4", rep, "open", "5000", D(2017, 5, 10), None),
            deal("d5", rep2, "won", "10000", D(2017, 4, 1), D(2017, 4, 25)),
        ],
    )
    period = q2(org)
    for person, key, value in (
        (rep, "revenue_won", "50000"),
        (rep, "win_rate", "60"),
        (rep2, "revenue_won", "30000"),
    ):
        services.target_set(
            org=org, kpi=kpi(org, key), period=period, value=value, actor=admin.user, person=person
        )
    return {"rep": rep, "rep2": rep2, "admin": admin}


@pytest.fixture
def sales(org: Organization, rep: Person, rep2: Person, admin: Person) -> dict[str, Any]:
    return make_sales(org, rep, rep2, admin)


def run(*args: str, **options: Any) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def scorecard_json(*args: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(run("scorecard", *args, "--format", "json"))
    return rows


# --- figures ----------------------------------------------------------------------------------


@pytest.mark.django_db
@time_machine.travel(TODAY, tick=False)
def test_scorecard_json_of_one_person_matches_the_hand_computed_figures(sales):
    rows = scorecard_json("--person", "RICK.REP@acme.test", "--period", "2017-Q2")
    assert len(rows) == 1
    row = rows[0]
    assert (row["person"], row["team"], row["period"]) == ("Rick Rep", "East Enterprise", "2017-Q2")
    assert "restated" not in row  # an open period has nothing frozen to restate
    revenue = row["kpis"]["revenue_won"]
    # 20,000 of 50,000; by day 46 of 91 the target expects 50,000 x 46/91 = 25,274.73, so pace
    # is 20,000 / 25,274.73 = 0.7913; forecast 20,000 x 91/46 = 39,565.22 = 79% of target,
    # under the 80% at-risk threshold.
    assert revenue == {
        "actual": 20000,
        "target": 50000,
        "attainment": 0.4,
        "pace": 0.7913,
        "forecast": 39565.22,
        "status": "behind",
        "unit": "money",
        "actual_exact": "20000",
        "target_exact": "50000.0000",
        "target_source": SET_IN_Q2,
    }
    # 2 won of 3 closed = 66.67% against 60%: 111.11%, a ratio is its own pace and forecast.
    assert row["kpis"]["win_rate"] == {
        "actual": 66.67,
        "target": 60,
        "attainment": 1.1111,
        "pace": 1.1111,
        "forecast": 66.67,
        "status": "ahead",
        # The unit says 66.67 is percent, not a fraction; the exact figure is 2/3 unrounded.
        "unit": "percent",
        "actual_exact": "66.66666666666666666666666667",
        "target_exact": "60.0000",
        "target_source": SET_IN_Q2,
    }
    # No target: no attainment, pace or status, but a run-rate forecast 2 x 91/46 = 3.96.
    assert row["kpis"]["deals_won"] == {
        "actual": 2,
        "target": None,
        "attainment": None,
        "pace": None,
        "forecast": 3.96,
        "status": None,
        "unit": "count",
        "actual_exact": "2",
        "target_exact": None,
        "target_source": None,
    }
    assert row["kpis"]["avg_cycle_days"]["actual"] == 26.5  # (10 + 43) / 2
    assert row["kpis"]["pipeline_created"]["actual"] == 20000  # d1 + d3 + d4 (d2 is March's)
    assert row["kpis"]["csat_avg"]["actual"] is None  # no answers: no data, not zero
    # Weighted: revenue (weight 40) at 0.4 and win rate (15) at 10/9: (16 + 50/3) / 55 = 98/165.
    assert row["score"] == 0.5939


@pytest.mark.django_db
@time_machine.travel(TODAY, tick=False)
def test_team_scorecard_sums_metrics_and_adds_a_team_row(sales, manager, other_team_rep):
    rows = scorecard_json("--team", "east enterprise")
    # The current quarter is the default period.
    assert {r["period"] for r in rows} == {"2017-Q2"}
    assert [r["person"] for r in rows] == ["Mona Manager", "Rick Rep", "Rita Rep", None]
    team = rows[-1]
    assert team["team"] == "East Enterprise"
    # 30,000 won against the members' 50,000 + 30,000.
    assert team["kpis"]["revenue_won"]["actual"] == 30000
    assert team["kpis"]["revenue_won"]["target"] == 80000
    assert team["kpis"]["revenue_won"]["attainment"] == 0.375
    # 3 won of 4 closed: 75%, not the mean of 66.67% and 100%.
    assert team["kpis"]["win_rate"]["actual"] == 75
    assert team["kpis"]["win_rate"]["target"] is None  # a rate's target is never summed
    assert team["score"] == 0.375


@pytest.mark.django_db
@time_machine.travel(TODAY, tick=False)
def test_default_lists_every_active_person(sales, org, everyone):
    gone = Person.objects.create(org=org, full_name="Gil Gone", role=Role.REP, is_active=False)
    names = [r["person"] for r in scorecard_json()]
    assert names == sorted(p.full_name for p in everyone.values())
    assert gone.full_name not in names


@pytest.mark.django_db
@time_machine.travel(TODAY, tick=False)
def test_csv_has_one_row_per_person_and_kpi(sales):
    lines = run("scorecard", "--person", "Rita Rep", "--format", "csv").splitlines()
    assert lines[0].startswith("period,person,team,kpi,actual,target,attainment,pace")
    revenue = next(line for line in lines if ",revenue_won," in line)
    # 10,000 of 30,000 = 1/3; pace 10,000 / (30,000 x 46/91) = 0.6594; forecast 19,782.61.
    assert revenue == (
        "2017-Q2,Rita Rep,East Enterprise,revenue_won,10000,30000,0.3333,0.6594,19782.61,"
        "behind,0.3333,,"
    )
    # The header, then each built-in KPI (the engine's eleven and learning's training hours).
    assert len(lines) == 1 + len([b for b in all_builtins() if b.active]) == 1 + 12


@pytest.mark.django_db
@time_machine.travel(TODAY, tick=False)
def test_table_is_aligned_and_readable(sales):
    text = run("scorecard", "--person", "rick rep")
    lines = text.splitlines()
    assert lines[0] == "Rick Rep · East Enterprise · 2017-Q2 · score 59.4%"
    revenue = next(line for line in lines if line.startswith("Revenue won"))
    assert revenue.split() == [
        "Revenue",
        "won",
        "$20,000",
        "$50,000",
        "40.0%",
        "79.1%",
        "$39,565",
        "Behind",
    ]
    header = lines[1]
    assert header.index("Target") + len("Target") == revenue.index("$50,000") + len("$50,000")


# --- finding people and teams --------------------------------------------------------------


@pytest.mark.django_db
@time_machine.travel(TODAY, tick=False)
def test_unknown_person_is_an_error_that_suggests_candidates(sales):
    with pytest.raises(CommandError) as error:
        run("scorecard", "--person", "Rik Rep")
    assert "Nobody in the organization has the name or email 'Rik Rep'" in str(error.value)
    assert "Rick Rep <rick.rep@acme.test>" in str(error.value)


@pytest.mark.django_db
def test_ambiguous_person_lists_everyone_it_could_be(org):
    Person.objects.create(org=org, full_name="Sam Smith", email="sam.a@acme.test")
    Person.objects.create(org=org, full_name="Sam Smith", email="sam.b@acme.test")
    with pytest.raises(CommandError) as error:
        run("scorecard", "--person", "sam smith")
    message = str(error.value)
    assert "matches 2 people" in message
    assert "sam.a@acme.test" in message
    assert "sam.b@acme.test" in message
    # The email picks one.
    assert [r["person"] for r in scorecard_json("--person", "sam.b@acme.test")] == ["Sam Smith"]


@pytest.mark.django_db
def test_unknown_team_is_an_error_that_suggests_one(org, teams):
    with pytest.raises(CommandError, match=r"'East Enterprize'\. Did you mean: East"):
        run("scorecard", "--team", "East Enterprize")


@pytest.mark.django_db
def test_bad_period_label_is_an_error(org):
    with pytest.raises(CommandError, match="'2017-Q5' is not a period"):
        run("scorecard", "--period", "2017-Q5")


# --- revising a KPI ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_revision_applies_only_from_its_date(sales, org):
    admin = sales["admin"]
    with time_machine.travel(dt.datetime(2017, 6, 20, 9, tzinfo=dt.UTC), tick=False):
        services.kpi_revise(
            definition=kpi(org, "deals_won"),
            actor=admin.user,
            effective_from=D(2017, 7, 1),
            reason="Count each win twice from Q3",
            formula="deals_won_count * 2",
        )
        services.kpi_revise(
            definition=kpi(org, "win_rate"),
            actor=admin.user,
            effective_from=D(2017, 7, 1),
            reason="Win rate no longer scored",
            weight=0,
        )
    upsert(org, [deal("d9", sales["rep"], "won", "1000", D(2017, 7, 1), D(2017, 7, 3))])
    with time_machine.travel(AFTER_Q2, tick=False):
        q2_row = scorecard_json("--person", "Rick Rep", "--period", "2017-Q2")[0]
        q3_row = scorecard_json("--person", "Rick Rep", "--period", "2017-Q3")[0]
    # Q2 ended before the change: the old formula (2 wins) and the old weight. A finished
    # period's forecast is its actual and pace its attainment.
    assert q2_row["kpis"]["deals_won"]["actual"] == 2
    assert q2_row["kpis"]["revenue_won"]["pace"] == 0.4
    assert q2_row["score"] == 0.5939
    # Q3: one win counted twice; the win rate (100%, no target) has no weight any more, and
    # without targets there is no score.
    assert q3_row["kpis"]["deals_won"]["actual"] == 2
    assert q3_row["kpis"]["win_rate"]["actual"] == 100
    assert q3_row["score"] is None


# --- closing periods ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_closing_freezes_and_late_data_shows_as_a_restatement(sales, org, everyone):
    with time_machine.travel(AFTER_Q2, tick=False):
        out = run("periods", "close", "2017-Q2")
        # 7 people, 4 teams and the org.
        assert "Closed 2017-Q2 (2017-04-01 to 2017-06-30): froze 12 scorecards." in out
        close = PeriodClose.objects.get(org=org, label="2017-Q2")
        assert close.closed_by is None
        assert ScorecardSnapshot.objects.filter(close=close).count() == 12
        before = scorecard_json("--person", "Rick Rep", "--period", "2017-Q2")[0]
        assert before["restated"] == {"score": None, "kpis": {}}
        # A deal won on 20 June arrives after the close.
        upsert(org, [deal("late", sales["rep"], "won", "5000", D(2017, 6, 1), D(2017, 6, 20))])
        after = scorecard_json("--person", "Rick Rep", "--period", "2017-Q2")[0]
    # The frozen figures stand: 20,000 of 50,000, a finished quarter's pace is its attainment.
    assert after["kpis"]["revenue_won"] == {
        "actual": 20000,
        "target": 50000,
        "attainment": 0.4,
        "pace": 0.4,
        "forecast": 20000,
        "status": "behind",
        "unit": "money",
        "actual_exact": "20000",
        "target_exact": "50000",
        "target_source": SET_IN_Q2,
    }
    assert after["score"] == before["score"] == 0.5939
    # What changed is listed beside them: 25,000 won; 3 of 4 closed deals = 75%; 3 wins; and
    # the score they make now: (40 * 25,000/50,000 + 15 * 75/60) / 55.
    assert after["restated"] == {
        "score": 0.7045,
        "kpis": {
            "revenue_won": {"actual": 25000, "target": 50000, "attainment": 0.5},
            "deals_won": {"actual": 3, "target": None, "attainment": None},
            "win_rate": {"actual": 75, "target": 60, "attainment": 1.25},
            "avg_deal_size": {"actual": 8333.33, "target": None, "attainment": None},
            # (10 + 43 + 19) / 3
            "avg_cycle_days": {"actual": 24, "target": None, "attainment": None},
            "pipeline_created": {"actual": 25000, "target": None, "attainment": None},
        },
    }


@pytest.mark.django_db
def test_closing_refuses_a_bad_label_an_open_period_and_a_second_close(sales, org):
    with time_machine.travel(TODAY, tick=False):
        with pytest.raises(CommandError, match="'Q2-2017' is not a period"):
            run("periods", "close", "Q2-2017")
        with pytest.raises(CommandError, match=r"2017-Q2 has not ended yet \(it ends 2017-06-30\)"):
            run("periods", "close", "2017-Q2")
    with time_machine.travel(AFTER_Q2, tick=False):
        run("periods", "close", "2017-Q2")
        with pytest.raises(CommandError, match="2017-Q2 is already closed"):
            run("periods", "close", "2017-Q2")
    assert PeriodClose.objects.filter(org=org).count() == 1


@pytest.mark.django_db
def test_periods_list_shows_state(sales, org):
    with time_machine.travel(AFTER_Q2, tick=False):
        run("periods", "close", "2017-Q2")
        lines = run("periods", "list", "--count", "3").splitlines()
    assert lines[0] == "2017-Q3  2017-07-01 to 2017-09-30  in progress"
    assert lines[1].startswith("2017-Q2  2017-04-01 to 2017-06-30  closed 2017-07-05 ")
    assert lines[2] == "2017-Q1  2017-01-01 to 2017-03-31  ended, open"


# --- rollups ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_rollups_check_says_ok_then_finds_a_tampered_cell_and_rebuild_repairs_it(sales, rep):
    assert run("rollups", "check").startswith("OK: the rollups of 5 people")
    DailyMetrics.objects.filter(person=rep, day=D(2017, 4, 13)).update(deals_won_count=7)
    out = io.StringIO()
    with pytest.raises(CommandError, match="differ from the facts in 1 place;") as error:
        call_command("rollups", "check", stdout=out, stderr=io.StringIO())
    assert error.value.returncode == 1
    listed = out.getvalue()
    assert f"daily person {rep.pk} 2017-04-13 deals_won_count: stored 7, the facts say 1" in listed
    err = io.StringIO()
    call_command("rollups", "rebuild", stdout=io.StringIO(), stderr=err)
    assert "Rebuilt 5 of 5 people (100%)" in err.getvalue()
    assert run("rollups", "check").startswith("OK")


# --- through the `charter` entry point -----------------------------------------------------------


@pytest.mark.django_db
# One `charter` run per test: a management command closes the database connections when it
# ends (on PostgreSQL, the test's own connection).
def test_the_charter_command_prints_a_scorecard(sales, capsys):
    with time_machine.travel(TODAY, tick=False):
        cli.main(["scorecard", "--person", "Rita Rep", "--format", "json"])
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["kpis"]["revenue_won"]["actual"] == 10000


def test_the_charter_command_runs_them_and_exits_non_zero_on_error(sales, capsys):
    with time_machine.travel(TODAY, tick=False), pytest.raises(SystemExit) as exit_:
        cli.main(["periods", "close", "2017-Q2"])
    assert exit_.value.code == 1
    assert "2017-Q2 has not ended yet" in capsys.readouterr().err
    cli.main(["--help"])
    overview = capsys.readouterr().out
    for name in ("scorecard", "periods", "rollups"):
        assert f"  {name} " in overview
