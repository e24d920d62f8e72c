"""Feedback as KPI metrics: each feedback counts one `feedback_given` for its giver and one
`feedback_received` for its recipient on the day given, whatever its visibility; the built-in
KPI `feedback_given` (off until turned on) explains itself down to the feedback, showing only
its kind — never its text or the other person.

Hand-computed over FY2026-Q2 (April to June 2026; today is 20 May):
  Rita → Rick  private praise        20 May   given 1 Rita, received 1 Rick
  Rita → Mona  managers constructive 20 May   given 1 Rita, received 1 Mona
  Rick → Rita  public praise         20 May   given 1 Rick, received 1 Rita
  Rita → Rick  public praise         10 Mar   the quarter before (FY2026-Q1)
  Rita 2 given · Rick 1 given, 1 received · their team East Enterprise 3 given.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from charter.conftest import client_for
from charter.core.periods import parse_period
from charter.kpis import rollups
from charter.kpis import services as kpi_services
from charter.kpis.explain import Subject, explain
from charter.kpis.models import KpiDefinition
from charter.kpis.selectors.scorecards import team_scorecard
from charter.kpis.selectors.sums import metric_sums_by_person

QUARTER = parse_period("2026-Q2", 1)


@pytest.fixture
def record(org, everyone, give):
    rick, rita, mona = everyone["rep"], everyone["rep2"], everyone["manager"]
    with time_machine.travel(dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC), tick=False):
        early = give(rita, rick, "public")
    return {
        "early": early,
        "a": give(rita, rick, "private", text="Secret thanks"),
        "b": give(rita, mona, "managers", kind="constructive"),
        "c": give(rick, rita, "public"),
    }


def _turn_on(org, admin):
    kpi_services.kpi_library_ensure(org=org)
    definition = KpiDefinition.objects.get(org=org, key="feedback_given")
    kpi_services.kpi_revise(definition=definition, actor=admin.user, active=True,
                            effective_from=dt.date(2026, 1, 1), reason="Count it")  # fmt: skip


@pytest.mark.django_db
def test_each_feedback_counts_once_for_each_side_on_its_day(everyone, record):
    rick, rita, mona = everyone["rep"], everyone["rep2"], everyone["manager"]
    sums = metric_sums_by_person([rick.pk, rita.pk, mona.pk], QUARTER)
    assert (sums[rita.pk]["feedback_given"], sums[rita.pk]["feedback_received"]) == (2, 1)
    assert (sums[rick.pk]["feedback_given"], sums[rick.pk]["feedback_received"]) == (1, 1)
    assert (sums[mona.pk]["feedback_given"], sums[mona.pk]["feedback_received"]) == (0, 1)


@pytest.mark.django_db
def test_the_incremental_rollup_is_what_a_rebuild_computes(org, record):
    assert rollups.check(org=org).ok
    rollups.rebuild(org=org)
    assert rollups.check(org=org).ok


@pytest.mark.django_db
def test_feedback_given_is_a_builtin_off_until_turned_on(org, everyone, teams, record):
    kpi_services.kpi_library_ensure(org=org)
    assert team_scorecard(org, QUARTER, teams["east_ent"]).result("feedback_given") is None
    _turn_on(org, everyone["admin"])
    result = team_scorecard(org, QUARTER, teams["east_ent"]).result("feedback_given")
    assert result is not None
    assert result.actual == 3


@pytest.mark.django_db
def test_explain_lists_the_feedback_by_kind_only(org, everyone, record):
    _turn_on(org, everyone["admin"])
    x = explain(Subject.of_person(everyone["rep2"]), QUARTER, "feedback_given")
    [given] = x.records
    assert sorted(f.pk for f in given.rows) == sorted([record["a"].pk, record["b"].pk])
    assert given.total == 2
    page = client_for(everyone["manager"]).get(
        f"/kpis/people/{everyone['rep2'].pk}/explain/feedback_given/", {"period": "2026-Q2"}
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert "constructive" in text
    assert "Secret thanks" not in text
    assert "Rick Rep" not in text
