"""Learning as KPI metrics: approved training hours and completions feed the KPI rollup as
they are approved, imported and changed; the built-in KPI `training_hours` shows on scorecards,
takes targets (a team's is its members' added up) and explains itself down to the completions.

Hand-computed over the fiscal quarter FY2027-Q1 of a February fiscal year (1 February to 30
April 2026):

  Rick  A  10 Mar  3.5 h  approved            counts
        B   2 Apr  2 h    waiting             not yet (counts once approved: +2)
        C  15 Feb  1.5 h  sent back           never
        D  31 Jan  4 h    approved            the quarter before
        E   1 May  1 h    approved            the quarter after
        F  30 Apr  1.25 h imported            counts (the quarter's last day)
  Rita  G   1 Feb  2.25 h approved            counts (the quarter's first day)
        H   1 Mar  3 h    waiting             not counted

  Rick 3.5 + 1.25 = 4.75 h (2 completions); Rita 2.25 h (1); their team 7 h (3).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from charter.conftest import client_for
from charter.core.periods import parse_period
from charter.kpis import rollups
from charter.kpis import services as kpi_services
from charter.kpis.explain import Subject, explain
from charter.kpis.models import ContributedMetrics, KpiDefinition
from charter.kpis.selectors.scorecards import (
    org_scorecard,
    person_scorecards,
    team_scorecard,
    team_scorecards,
)
from charter.kpis.selectors.sums import metric_sums_by_person
from charter.learning.models import Completion, Status
from charter.learning.services.completions import (
    completion_report,
    completion_review,
    completions_import,
)
from charter.learning.services.requirements import Ask, requirement_create
from charter.org.versions import data_version

LABEL = "2027-Q1"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 5, 20, 12, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def quarter(org: Any) -> Any:
    org.fiscal_year_start_month = 2
    org.save(update_fields=["fiscal_year_start_month"])
    period = parse_period(LABEL, 2)
    assert (period.start, period.end) == (dt.date(2026, 2, 1), dt.date(2026, 4, 30))
    return period


def _approved(person: Any, training: Any, day: dt.date, hours: str) -> Completion:
    done = completion_report(
        person=person, actor=person.user, training=training, completed_on=day, hours=hours
    )
    return completion_review(completion=done, actor=person.manager.user, approve=True)


def _import(org: Any, admin: Any, person: Any, training: Any, day: dt.date, hours: str) -> None:
    row = {"person": person.pk, "training": training.pk, "completed_on": day,
           "hours": Decimal(hours), "score": None}  # fmt: skip
    completions_import(org=org, actor=admin.user, rows=[row])


@pytest.fixture
def record(org, quarter, admin, rep, rep2, company_training, team_training) -> dict[str, Any]:
    t, u = company_training, team_training
    a = _approved(rep, t, dt.date(2026, 3, 10), "3.5")
    b = completion_report(
        person=rep, actor=rep.user, training=u, completed_on=dt.date(2026, 4, 2), hours="2"
    )
    c = completion_report(
        person=rep, actor=rep.user, training=u, completed_on=dt.date(2026, 2, 15), hours="1.5"
    )
    completion_review(completion=c, actor=rep.manager.user, approve=False, review_note="1 h")
    _approved(rep, t, dt.date(2026, 1, 31), "4")
    _approved(rep, t, dt.date(2026, 5, 1), "1")
    _import(org, admin, rep, u, dt.date(2026, 4, 30), "1.25")
    f = Completion.objects.get(person=rep, completed_on=dt.date(2026, 4, 30))
    g = _approved(rep2, t, dt.date(2026, 2, 1), "2.25")
    h = completion_report(
        person=rep2, actor=rep2.user, training=u, completed_on=dt.date(2026, 3, 1), hours="3"
    )
    return {"a": a, "b": b, "c": c, "f": f, "g": g, "h": h}


def _hours(person: Any, period: Any) -> Decimal:
    return metric_sums_by_person([person.pk], period)[person.pk]["training_hours"]


def _card(org: Any, period: Any, person: Any) -> Any:
    return person_scorecards(org, period, [person])[0].result("training_hours")


@pytest.mark.django_db
def test_only_approved_hours_count_on_their_day(org, quarter, rep, rep2, teams, record):
    sums = metric_sums_by_person([rep.pk, rep2.pk], quarter)
    assert sums[rep.pk]["training_hours"] == Decimal("4.75")
    assert sums[rep.pk]["training_completions"] == 2
    assert sums[rep2.pk]["training_hours"] == Decimal("2.25")
    assert sums[rep2.pk]["training_completions"] == 1
    team = team_scorecard(org, quarter, teams["east_ent"]).result("training_hours")
    assert team is not None
    assert team.actual == Decimal(7)
    assert _card(org, quarter, rep).actual == Decimal("4.75")


@pytest.mark.django_db
def test_an_approval_moves_the_scorecard_and_raises_the_data_version(org, quarter, rep, record):
    assert _card(org, quarter, rep).actual == Decimal("4.75")
    before = data_version(org.pk)
    completion_review(completion=record["b"], actor=rep.manager.user, approve=True)
    assert data_version(org.pk) > before
    assert _card(org, quarter, rep).actual == Decimal("6.75")


@pytest.mark.django_db
def test_sending_back_and_reporting_change_no_figure(org, quarter, rep, record):
    completion_review(completion=record["b"], actor=rep.manager.user, approve=False,
                      review_note="The LMS shows 1 hour")  # fmt: skip
    assert _hours(rep, quarter) == Decimal("4.75")


@pytest.mark.django_db
def test_an_import_that_changes_hours_moves_the_figure_by_the_difference(
    org, quarter, admin, rep, team_training, record
):
    _import(org, admin, rep, team_training, dt.date(2026, 4, 30), "2")
    assert _hours(rep, quarter) == Decimal("5.5")
    # The sent-back one imported from the LMS: approved as it comes, so it counts now.
    _import(org, admin, rep, team_training, dt.date(2026, 2, 15), "1.5")
    assert _hours(rep, quarter) == Decimal("7")
    before = data_version(org.pk)
    _import(org, admin, rep, team_training, dt.date(2026, 2, 15), "1.5")  # the same again
    assert data_version(org.pk) == before
    assert _hours(rep, quarter) == Decimal("7")


@pytest.mark.django_db
def test_the_incremental_rollup_is_what_a_rebuild_computes(org, quarter, rep, rep2, record):
    assert rollups.check(org=org).ok
    stored = sorted(ContributedMetrics.objects.values_list("person_id", "day", "metric", "value"))
    Completion.objects.filter(pk=record["a"].pk).update(hours=Decimal("5"))  # behind its back
    result = rollups.check(org=org)
    assert [(d.table, d.metric, d.stored, d.expected) for d in result.differences] == [
        ("contributed", "training_hours", 350, 500)
    ]
    rollups.rebuild(org=org)
    assert rollups.check(org=org).ok
    assert _hours(rep, quarter) == Decimal("6.25")
    Completion.objects.filter(pk=record["a"].pk).update(hours=Decimal("3.5"))
    rollups.rebuild_people(org=org, person_ids=[rep.pk])
    assert (
        sorted(ContributedMetrics.objects.values_list("person_id", "day", "metric", "value"))
        == stored
    )


@pytest.mark.django_db
def test_training_hours_is_a_builtin_that_takes_targets_and_weights(
    org, quarter, admin, rep, rep2, teams, record
):
    kpi = KpiDefinition.objects.get(org=org, key="training_hours")
    assert kpi.builtin
    for person, value in ((rep, "6"), (rep2, "4")):
        kpi_services.target_set(
            org=org, kpi=kpi, period=quarter, value=value, actor=admin.user, person=person
        )
    mine = _card(org, quarter, rep)
    assert (mine.target, mine.actual) == (Decimal(6), Decimal("4.75"))
    # Additive: the team's target is its members' added up (issue 18).
    team = team_scorecard(org, quarter, teams["east_ent"]).result("training_hours")
    assert team is not None
    assert (team.target, team.actual) == (Decimal(10), Decimal(7))
    kpi_services.kpi_revise(
        definition=kpi, actor=admin.user, effective_from=dt.date(2000, 1, 1),
        reason="Learning counts", weight=Decimal(10),
    )  # fmt: skip
    assert _card(org, quarter, rep).spec.weight == Decimal(10)


@pytest.mark.django_db
def test_explain_lists_the_completions_counted(org, quarter, rep, record):
    x = explain(Subject.of_person(rep), quarter, "training_hours")
    assert x.formula == "training_hours"
    [hours] = x.records
    assert [c.pk for c in hours.rows] == [record["a"].pk, record["f"].pk]
    assert (hours.count, hours.total, hours.live) == (2, Decimal("4.75"), Decimal("4.75"))
    assert [hours.value_of(c) for c in hours.rows] == [Decimal("3.5"), Decimal("1.25")]


@pytest.mark.django_db
def test_explain_page_and_api_drill_down_to_the_completions(org, quarter, manager, rep, record):
    page = client_for(manager).get(
        f"/kpis/people/{rep.pk}/explain/training_hours/", {"period": LABEL}
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert "Negotiation basics" in text
    assert "Enterprise discovery" in text
    assert "2026-03-10" in text
    assert "2026-04-30" in text
    assert "2026-04-02" not in text  # waiting
    assert "matches the figure" in text
    api = client_for(manager).get(
        "/api/v1/kpis/explain/", {"subject": f"person:{rep.pk}", "period": LABEL,
                                  "kpi": "training_hours"},
    )  # fmt: skip
    assert api.status_code == 200
    data = api.json()
    assert data["actual"] == "4.7500"
    rows = data["records"]["training_hours"]["results"]
    assert [(r["id"], r["counts_on"], r["adds"], r["training"]) for r in rows] == [
        (record["a"].pk, "2026-03-10", "3.5000", "Negotiation basics"),
        (record["f"].pk, "2026-04-30", "1.2500", "Enterprise discovery"),
    ]
    assert rows[0]["person"] == {"id": rep.pk, "name": "Rick Rep"}
    csv = client_for(manager).get(
        f"/kpis/people/{rep.pk}/explain/training_hours/records.csv",
        {"period": LABEL, "metric": "training_hours"},
    )
    assert csv.status_code == 200
    lines = b"".join(csv.streaming_content).decode()  # type: ignore[attr-defined]
    assert "Negotiation basics" in lines
    assert "3.5" in lines


@pytest.mark.django_db
def test_another_rep_cannot_explain_rick_s_training_hours(
    org, quarter, rep, other_team_rep, record
):
    page = client_for(other_team_rep).get(
        f"/kpis/people/{rep.pk}/explain/training_hours/", {"period": LABEL}
    )
    assert page.status_code == 404
    assert Completion.objects.filter(status=Status.APPROVED).count() == 5


# -- learning compliance: share of the items due met, per period ----------------------------
#
# "Keep learning" asks everyone for 4 hours a quarter and Negotiation basics by 31 March 2026.
# On the quarter's last day (30 April):
#   Rick   Negotiation done (10 Mar), 4.75 h of 4           due 2, met 2
#   Rita   Negotiation done (1 Feb), 2.25 h of 4            due 2, met 1
#   Mona, Eve, Ada (no completions)                          due 2, met 0 each
# Rita 1/2 = 50%, East Enterprise (Rick, Rita and their manager Mona) 3/6 = 50%, the
# organization 3/10 = 30%. Approving Rita's waiting 3 hours (1 Mar) makes her 5.25 h: 2/2,
# the team 4/6.


@pytest.fixture
def compliance(org, admin, company_training, record) -> KpiDefinition:
    requirement_create(
        org=org, actor=admin.user, name="Keep learning", scope="company",
        effective_from=dt.date(2026, 1, 1), hours=Decimal(4), hours_period="quarter",
        asks=[Ask(training=company_training, due_rule="absolute", due_date=dt.date(2026, 3, 31))],
    )  # fmt: skip
    kpi = KpiDefinition.objects.get(org=org, key="learning_compliance")
    kpi_services.kpi_revise(
        definition=kpi, actor=admin.user, effective_from=dt.date(2000, 1, 1),
        reason="We follow learning now", active=True, weight=Decimal(5),
    )  # fmt: skip
    return kpi


def _share(card: Any) -> Decimal | None:
    result = card.result("learning_compliance")
    assert result is not None
    return result.actual


@pytest.mark.django_db
def test_compliance_is_off_until_an_admin_turns_it_on(org, quarter, rep, record):
    kpi = KpiDefinition.objects.get(org=org, key="learning_compliance")
    assert kpi.builtin
    assert _card(org, quarter, rep) is not None
    assert person_scorecards(org, quarter, [rep])[0].result("learning_compliance") is None


@pytest.mark.django_db
def test_compliance_is_met_items_over_due_items_for_person_team_and_org(
    org, quarter, rep, rep2, teams, compliance
):
    rita = person_scorecards(org, quarter, [rep, rep2])
    assert [_share(card) for card in rita] == [Decimal(100), Decimal(50)]
    assert _share(team_scorecard(org, quarter, teams["east_ent"])) == Decimal(50)
    assert _share(org_scorecard(org, quarter)) == Decimal(30)
    [team_card] = team_scorecards(org, quarter, [teams["east_ent"]])
    assert _share(team_card) == Decimal(50)
    assert rita[1].result("learning_compliance").spec.weight == Decimal(5)  # type: ignore[union-attr]


@pytest.mark.django_db
def test_an_approval_moves_compliance(org, quarter, rep2, teams, compliance, record):
    completion_review(completion=record["h"], actor=rep2.manager.user, approve=True)
    assert _share(person_scorecards(org, quarter, [rep2])[0]) == Decimal(100)
    team = _share(team_scorecard(org, quarter, teams["east_ent"]))
    assert team is not None
    assert round(team, 2) == Decimal("66.67")


@pytest.mark.django_db
def test_explain_lists_the_items_counted(org, quarter, manager, rep2, compliance):
    x = explain(Subject.of_person(rep2), quarter, "learning_compliance")
    assert x.substituted == "1 / 2"
    due, met = x.records_of("learning_items_due"), x.records_of("learning_items_met")
    assert due is not None
    assert met is not None
    assert [(r.due, r.label, r.state) for r in due.rows] == [
        (dt.date(2026, 3, 31), "Negotiation basics", "Done"),
        (dt.date(2026, 4, 30), "4 hours a quarter (2027-Q1)", "Not done"),
    ]
    assert (due.count, due.total, met.count, met.total) == (2, 2, 1, 1)
    page = client_for(manager).get(
        f"/kpis/people/{rep2.pk}/explain/learning_compliance/", {"period": LABEL}
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert "4 hours a quarter (2027-Q1)" in text
    assert "Not done" in text
    api = client_for(manager).get(
        "/api/v1/kpis/explain/",
        {"subject": f"person:{rep2.pk}", "period": LABEL, "kpi": "learning_compliance"},
    )
    csv = client_for(manager).get(
        f"/kpis/people/{rep2.pk}/explain/learning_compliance/records.csv",
        {"period": LABEL, "metric": "learning_items_due"},
    )
    body = b"".join(csv.streaming_content).decode()  # type: ignore[attr-defined]
    assert "Keep learning,4 hours a quarter (2027-Q1),Not done" in body
    rows = api.json()["records"]["learning_items_due"]["results"]
    assert [(r["item"], r["state"], r["counts_on"]) for r in rows] == [
        ("Negotiation basics", "Done", "2026-03-31"),
        ("4 hours a quarter (2027-Q1)", "Not done", "2026-04-30"),
    ]


@pytest.mark.django_db
def test_the_scorecard_pages_show_both_learning_kpis(org, quarter, manager, rep2, compliance):
    page = client_for(manager).get(f"/kpis/people/{rep2.pk}/", {"period": LABEL})
    assert page.status_code == 200
    text = page.content.decode()
    assert "Training hours" in text
    assert "Learning compliance" in text
    assert f"/kpis/people/{rep2.pk}/explain/learning_compliance/" in text
    team = client_for(manager).get(f"/kpis/teams/{rep2.team_id}/", {"period": LABEL})
    assert team.status_code == 200
    assert "Learning compliance" in team.content.decode()


@pytest.mark.django_db
def test_compliance_costs_the_same_queries_however_many_people(
    org, quarter, admin, executive, manager, rep, rep2, compliance
):
    def queries(people: list[Any]) -> int:
        with CaptureQueriesContext(connection) as captured:
            person_scorecards(org, quarter, people)
        return len(captured)

    # The people, the requirement versions, their trainings, the teams, the completions.
    assert queries([rep]) == queries([rep, rep2, manager, executive, admin])
