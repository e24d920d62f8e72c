"""The learning items of a 1:1 agenda, on 20 May 2026.

"East onboarding" asks everyone in East for "Negotiation basics" by 1 May 2026 (Rick has not
taken it: 19 days overdue) and 4 hours a month (due at the month's end: not overdue yet).
Rick's certificates: "Safety licence" issued 1 May 2025 for 12 months ended 30 April 2026
(20 days ago); "Cloud badge" issued 1 June 2025 ends 31 May 2026, in 11 days, within its
60-day window; "Forklift" issued 1 January 2026 is valid until the end of 2026.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from charter.core.registry import agenda_items
from charter.learning.agenda import learning_agenda
from charter.learning.models import Training
from charter.learning.services.certificates import certificate_add, certification_create
from charter.learning.services.requirements import Ask, requirement_create
from charter.org.models import Person

D = dt.date
TODAY = D(2026, 5, 20)


@pytest.fixture(autouse=True)
def _today() -> Any:
    with time_machine.travel(dt.datetime(2026, 5, 20, 12, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def world(org: Any, teams: Any, everyone: dict[str, Person], company_training: Training) -> Any:
    admin, rep = everyone["admin"], everyone["rep"]
    requirement_create(
        org=org, actor=admin.user, name="East onboarding", scope="team", team=teams["east"],
        effective_from=D(2026, 1, 1), hours=Decimal("4"), hours_period="month",
        asks=[Ask(training=company_training, due_rule="absolute", due_date=D(2026, 5, 1))],
    )  # fmt: skip
    made = {}
    for name, issued in (
        ("Safety licence", D(2025, 5, 1)),
        ("Cloud badge", D(2025, 6, 1)),
        ("Forklift", D(2026, 1, 1)),
    ):
        made[name] = certification_create(org=org, actor=admin.user, name=name, validity_months=12)
        certificate_add(person=rep, actor=rep.user, certification=made[name], issued_on=issued)
    return {**everyone, "training": company_training, "certifications": made}


def test_the_manager_sees_overdue_learning_and_certificates_ending(world: Any) -> None:
    rep, manager = world["rep"], world["manager"]
    made = world["certifications"]
    items = learning_agenda(rep, manager, None, TODAY)
    assert [(i.key, i.title, i.detail, i.url, i.weight) for i in items] == [
        (
            f"learning-overdue:training:{world['training'].pk}",
            "Overdue learning: Negotiation basics",
            "Asked by East onboarding; due 1 May 2026, 19 days ago.",
            f"/learning/people/{rep.pk}/#asked",
            30,
        ),
        (
            f"certificate:{made['Safety licence'].pk}",
            "Certificate expired: Safety licence",
            "Ended 30 Apr 2026, 20 days ago (issued 1 May 2025).",
            "/learning/certificates/",
            30,
        ),
        (
            f"certificate:{made['Cloud badge'].pk}",
            "Certificate expiring: Cloud badge",
            "Ends 31 May 2026, in 11 days (issued 1 Jun 2025).",
            "/learning/certificates/",
            20,
        ),
    ]
    assert {i.source for i in items} == {"learning"}


def test_open_items_stay_whatever_the_day_of_the_last_one_on_one(world: Any) -> None:
    rep, manager = world["rep"], world["manager"]
    first = learning_agenda(rep, manager, None, TODAY)
    assert learning_agenda(rep, manager, TODAY - dt.timedelta(days=7), TODAY) == first


def test_a_renewed_certificate_leaves_the_agenda_and_the_others_keep_their_keys(
    world: Any,
) -> None:
    rep, manager = world["rep"], world["manager"]
    before = [i.key for i in learning_agenda(rep, manager, None, TODAY)]
    certificate_add(
        person=rep, actor=rep.user, certification=world["certifications"]["Safety licence"],
        issued_on=D(2026, 5, 18),
    )  # fmt: skip
    after = [i.key for i in learning_agenda(rep, manager, None, TODAY)]
    assert after == [before[0], before[2]]


def test_the_registry_lists_the_learning_items(world: Any) -> None:
    found = agenda_items(world["rep"], world["manager"], None, TODAY)
    assert [i.title for i in found if i.source == "learning"][-1] == (
        "Certificate expiring: Cloud badge"
    )


def test_the_links_open_for_the_manager(client: Any, world: Any) -> None:
    client.force_login(world["manager"].user)
    for item in learning_agenda(world["rep"], world["manager"], None, TODAY):
        page = client.get(item.url.split("#")[0])
        assert page.status_code == 200
        assert "Rick Rep" in page.content.decode()


def test_nobody_outside_the_reporting_line_gets_these_items(world: Any) -> None:
    rep = world["rep"]
    assert learning_agenda(rep, world["other_manager"], None, TODAY) == []
    assert learning_agenda(rep, world["admin"], None, TODAY) == []
    assert learning_agenda(world["manager"], rep, None, TODAY) == []
