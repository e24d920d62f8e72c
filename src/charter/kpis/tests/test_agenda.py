"""The KPI items of a 1:1 agenda, with figures worked out by hand.

Today is 15 May 2017, day 45 of the 91 days of 2017-Q2. Rick (rep, under Mona) has won $2,000
on 10 April and $1,000 on 12 May, and lost a deal on 5 May. His Q2 targets:
- revenue won $10,000: $3,000 now, 30%; expected by today 10,000 x 45/91 = $4,945.05, so he is
  $1,945 behind pace (pace 3,000 / 4,945.05 = 61%, heading for 3,000 x 91/45 = $6,066.67, 61%);
- deals won 4: 2 now (50%), 1 on 1 May (25%): up 25 points; on track (2 x 91/45 / 4 = 101%);
- win rate 50%: 2 of 3 = 66.7% now (133.3%), 1 of 1 = 100% on 1 May (200%): down 66.7 points;
- average deal size $1,000: $1,500 now (150%), $2,000 on 1 May (200%): down 50 points.
Revenue moved 10 points since 1 May (20% → 30%), the fourth largest move: not listed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from charter.conftest import deal_fact, make_person
from charter.core.periods import parse_period
from charter.core.registry import AgendaItem, agenda_items
from charter.crm import services as crm_services
from charter.crm.models import CsatResponse, Deal
from charter.kpis import services
from charter.kpis.agenda import kpi_agenda
from charter.kpis.models import KpiDefinition
from charter.kpis.tests.explain_facts import csat
from charter.org.models import Organization, Person, Role

D = dt.date
TODAY = D(2017, 5, 15)
Q2 = parse_period("2017-Q2")


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(dt.datetime(2017, 5, 15, 12, 0, tzinfo=dt.UTC), tick=False):
        yield


def target(org: Organization, person: Person, key: str, value: Any) -> None:
    kpi = KpiDefinition.objects.get(org=org, key=key)
    services.target_set(org=org, kpi=kpi, period=Q2, value=value, actor=None, person=person)


@pytest.fixture
def rick(org: Organization, everyone: dict[str, Person]) -> Person:
    rep = everyone["rep"]
    rows = [
        deal_fact("w1", rep, "2000", created=D(2017, 1, 2), closed=D(2017, 4, 10)),
        deal_fact("w2", rep, "1000", created=D(2017, 1, 2), closed=D(2017, 5, 12)),
        deal_fact("l1", rep, "700", created=D(2017, 1, 2), closed=D(2017, 5, 5), stage="lost"),
    ]
    crm_services.facts_upsert(model=Deal, org=org, source="file", rows=rows, run=None)
    for key, value in (
        ("revenue_won", 10000),
        ("deals_won", 4),
        ("win_rate", 50),
        ("avg_deal_size", 1000),
    ):
        target(org, rep, key, value)
    return rep


def url(person: Person, key: str) -> str:
    return f"/kpis/people/{person.pk}/explain/{key}/?period=2017-Q2"


BEHIND_REVENUE = (
    "kpi-behind:revenue_won:2017-Q2",
    "Revenue won: $1,945 behind pace",
    "$3,000 of $4,945 expected by today; pace 61%, heading for 61% of the 2017-Q2 target.",
    40,
)


def rows(items: list[AgendaItem]) -> list[tuple[str, str, str, int]]:
    return [(i.key, i.title, i.detail, i.weight) for i in items]


def test_a_manager_sees_the_kpi_behind_pace_and_the_three_biggest_moves_since_the_last_one(
    manager: Person, rick: Person
) -> None:
    items = kpi_agenda(rick, manager, D(2017, 5, 1), TODAY)
    assert rows(items) == [
        BEHIND_REVENUE,
        (
            "kpi-moved:win_rate:2017-Q2",
            "Win rate down 66.7 pts since 1 May 2017",
            "Attainment 200.0% on 1 May 2017, 133.3% now: 100.0% then, 66.7% now, "
            "against a 2017-Q2 target of 50.0%.",
            20,
        ),
        (
            "kpi-moved:avg_deal_size:2017-Q2",
            "Average deal size down 50.0 pts since 1 May 2017",
            "Attainment 200.0% on 1 May 2017, 150.0% now: $2,000 then, $1,500 now, "
            "against a 2017-Q2 target of $1,000.",
            20,
        ),
        (
            "kpi-moved:deals_won:2017-Q2",
            "Deals won up 25.0 pts since 1 May 2017",
            "Attainment 25.0% on 1 May 2017, 50.0% now: 1 then, 2 now, "
            "against a 2017-Q2 target of 4.",
            20,
        ),
    ]
    assert {i.source for i in items} == {"kpis"}
    assert [i.url for i in items] == [
        url(rick, "revenue_won"),
        url(rick, "win_rate"),
        url(rick, "avg_deal_size"),
        url(rick, "deals_won"),
    ]


def test_the_explain_link_opens_for_the_manager(client: Any, manager: Person, rick: Person) -> None:
    assert manager.user is not None
    client.force_login(manager.user)
    item = kpi_agenda(rick, manager, D(2017, 5, 1), TODAY)[0]
    page = client.get(item.url)
    assert page.status_code == 200
    assert "Revenue won" in page.content.decode()


def test_a_first_one_on_one_looks_back_thirty_days(manager: Person, rick: Person) -> None:
    # 15 April: the same facts as on 1 May (the loss and the second win came later).
    moved = [i for i in kpi_agenda(rick, manager, None, TODAY) if i.key.startswith("kpi-moved")]
    assert [i.title for i in moved] == [
        "Win rate down 66.7 pts since 15 Apr 2017",
        "Average deal size down 50.0 pts since 15 Apr 2017",
        "Deals won up 25.0 pts since 15 Apr 2017",
    ]


def test_a_last_one_on_one_in_the_previous_quarter_measures_the_quarter_so_far(
    manager: Person, rick: Person
) -> None:
    # Nothing was won in Q2 before it began: ratios had no value then and are not compared.
    moved = [i for i in kpi_agenda(rick, manager, D(2017, 3, 20), TODAY) if "moved" in i.key]
    assert [(i.title, i.detail) for i in moved] == [
        (
            "Deals won up 50.0 pts since 20 Mar 2017",
            "Attainment 0.0% on 20 Mar 2017, 50.0% now: 0 then, 2 now, "
            "against a 2017-Q2 target of 4.",
        ),
        (
            "Revenue won up 30.0 pts since 20 Mar 2017",
            "Attainment 0.0% on 20 Mar 2017, 30.0% now: $0 then, $3,000 now, "
            "against a 2017-Q2 target of $10,000.",
        ),
    ]


def test_a_one_on_one_held_today_has_moved_nothing_since(manager: Person, rick: Person) -> None:
    assert rows(kpi_agenda(rick, manager, TODAY, TODAY)) == [BEHIND_REVENUE]


def test_keys_stay_the_same_when_the_agenda_is_built_again_with_new_figures(
    org: Organization, manager: Person, rick: Person
) -> None:
    before = kpi_agenda(rick, manager, D(2017, 5, 1), TODAY)
    more = [deal_fact("w3", rick, "500", created=D(2017, 1, 2), closed=D(2017, 5, 14))]
    crm_services.facts_upsert(model=Deal, org=org, source="file", rows=more, run=None)
    after = kpi_agenda(rick, manager, D(2017, 5, 1), TODAY)
    # Another win reorders the moves (average deal size now moved most) under the same keys.
    assert sorted(i.key for i in after) == sorted(i.key for i in before)
    assert after[0].title == "Revenue won: $1,445 behind pace"
    assert after[1].key == "kpi-moved:avg_deal_size:2017-Q2"


def test_nobody_outside_the_reporting_line_gets_an_agenda(
    org: Organization, everyone: dict[str, Person], rick: Person, globex: dict[str, Person]
) -> None:
    manager, other = everyone["manager"], everyone["other_manager"]
    assert kpi_agenda(rick, other, None, TODAY) == []
    assert kpi_agenda(manager, rick, None, TODAY) == []
    assert kpi_agenda(rick, rick, None, TODAY) == []
    # Someone outside the reporting line, whatever their role, holds no 1:1 with Rick.
    assert kpi_agenda(rick, everyone["admin"], None, TODAY) == []
    assert kpi_agenda(rick, globex["manager"], None, TODAY) == []
    assert kpi_agenda(globex["rep"], manager, None, TODAY) == []
    # Eve, above Mona in the reporting line, may hold one too, and reads all of Rick's figures.
    assert rows(kpi_agenda(rick, everyone["executive"], TODAY, TODAY)) == [BEHIND_REVENUE]


def test_a_manager_who_cannot_sign_in_reads_nothing(
    org: Organization, teams: Any, everyone: dict[str, Person]
) -> None:
    offline = make_person(org, "Nora Nologin", Role.MANAGER, team=teams["east"], login=False)
    report = make_person(org, "Rob Report", Role.REP, team=teams["east"], manager=offline)
    target(org, report, "revenue_won", 10000)
    assert kpi_agenda(report, offline, None, TODAY) == []


def test_an_inactive_report_has_no_agenda(manager: Person, rick: Person) -> None:
    rick.is_active = False
    rick.save(update_fields=["is_active"])
    assert kpi_agenda(rick, manager, None, TODAY) == []


def test_the_registry_lists_the_kpi_items(manager: Person, rick: Person) -> None:
    found = [i for i in agenda_items(rick, manager, D(2017, 5, 1), TODAY) if i.source == "kpis"]
    assert [i.key for i in found][:1] == ["kpi-behind:revenue_won:2017-Q2"]
    assert len(found) == 4


def test_a_score_out_of_five_is_short_by_points(
    org: Organization, manager: Person, rep2: Person
) -> None:
    # Rita's one answer scored 3 of 5 against a target of 4.30: 1.30 points short (70%).
    answer = csat("c1", rep2, "3", 5, D(2017, 5, 2))
    crm_services.facts_upsert(model=CsatResponse, org=org, source="file", rows=[answer], run=None)
    target(org, rep2, "csat_avg", "4.3")
    assert rows(kpi_agenda(rep2, manager, TODAY, TODAY)) == [
        (
            "kpi-behind:csat_avg:2017-Q2",
            "Customer satisfaction: 1.30 points short of target",
            "3.00 / 5 of 4.30 / 5 target; pace 70%, heading for 70% of the 2017-Q2 target.",
            40,
        )
    ]
