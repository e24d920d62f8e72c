"""A 1:1 agenda from every registered source costs the same number of queries however many KPIs,
signature requests, questions, learning items and certificates the report has.

On 15 May 2027 Rick (under Mona) has a few of each; then many more, and the agenda lists more
items for the same queries.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from charter.conftest import deal_fact
from charter.core.periods import parse_period
from charter.core.registry import agenda_items
from charter.crm import services as crm_services
from charter.crm.models import Deal
from charter.expectations import services as expectations
from charter.expectations.models import Expectation, Value
from charter.kpis import services as kpis
from charter.kpis.models import KpiDefinition
from charter.learning.services.catalogue import training_create
from charter.learning.services.certificates import certificate_add, certification_create
from charter.learning.services.requirements import Ask, requirement_create
from charter.org.models import Organization, Person

D = dt.date
TODAY = D(2027, 5, 15)
Q2 = parse_period("2027-Q2")
# Every source together, each a handful of queries whatever the data.
MOST_QUERIES = 40


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(dt.datetime(2027, 5, 15, 12, tzinfo=dt.UTC), tick=False):
        yield


def add_kpi_targets(org: Organization, rep: Person, keys: list[str]) -> None:
    for key in keys:
        kpi = KpiDefinition.objects.get(org=org, key=key)
        kpis.target_set(org=org, kpi=kpi, period=Q2, value=100, actor=None, person=rep)


def add_documents(org: Organization, admin: Person, rep: Person, titles: list[str]) -> None:
    """Company documents Rick owes a signature on, each with a question of his unanswered."""
    value = Value.objects.filter(org=org).first() or expectations.value_create(
        org=org, actor=admin.user, name="Ownership", description="We do what we said."
    )
    for title in titles:
        document = expectations.document_create(org=org, actor=admin.user, title=title)
        for section in document.sections.filter(provider=""):
            expectations.expectation_add(
                section=section, actor=admin.user, title=f"{section.title} rule",
                text="Follow it.", values=[value],
            )  # fmt: skip
        expectations.document_publish(
            document=document, actor=admin.user, summary="v1", change="material"
        )
        first = Expectation.objects.filter(section__document=document).order_by("id").first()
        assert first is not None
        key = str(first.key)
        expectations.question_ask(
            document=document, actor=rep.user, expectation_key=key,
            text=f"A question on {title}", visibility="public",
        )  # fmt: skip


def add_learning(org: Organization, admin: Person, rep: Person, names: list[str]) -> None:
    """Trainings Rick was asked for by 1 May and certificates of his ending this month."""
    asks = []
    for name in names:
        course = training_create(
            org=org, actor=admin.user, title=f"{name} course", kind="course", expected_hours="1"
        )
        asks.append(Ask(training=course, due_rule="absolute", due_date=D(2027, 5, 1)))
    requirement_create(
        org=org, actor=admin.user, name=f"{names[0]} and more", scope="company",
        effective_from=D(2027, 1, 1), asks=asks,
    )  # fmt: skip
    for name in names:
        badge = certification_create(org=org, actor=admin.user, name=name, validity_months=12)
        certificate_add(person=rep, actor=rep.user, certification=badge, issued_on=D(2026, 6, 1))


def agenda_queries(rep: Person, manager: Person) -> tuple[int, int]:
    """(queries, items) of an agenda built from freshly loaded people, as a page would."""
    report = Person.objects.select_related("org", "user").get(pk=rep.pk)
    lead = Person.objects.select_related("org", "user").get(pk=manager.pk)
    with CaptureQueriesContext(connection) as queries:
        items = agenda_items(report, lead, D(2027, 5, 1), TODAY)
    return len(queries), len(items)


def test_the_agenda_costs_the_same_queries_however_much_there_is_to_say(
    org: Organization, everyone: dict[str, Person], django_assert_max_num_queries: Any
) -> None:
    admin, manager, rep = everyone["admin"], everyone["manager"], everyone["rep"]
    deals = [
        deal_fact(
            f"w{i}",
            rep,
            "30",
            created=D(2027, 1, 2),
            closed=D(2027, 4, 2) + dt.timedelta(days=10 * i),
        )
        for i in range(4)
    ]
    crm_services.facts_upsert(model=Deal, org=org, source="file", rows=deals, run=None)
    add_kpi_targets(org, rep, ["revenue_won"])
    add_documents(org, admin, rep, ["Handbook"])
    add_learning(org, admin, rep, ["Safety"])
    few_queries, few_items = agenda_queries(rep, manager)

    add_kpi_targets(org, rep, ["deals_won", "win_rate", "avg_deal_size"])
    add_documents(org, admin, rep, ["Travel", "Security", "Expenses"])
    add_learning(org, admin, rep, ["Cloud", "Forklift", "First aid"])
    many_queries, many_items = agenda_queries(rep, manager)

    assert many_items >= few_items + 12
    assert many_queries == few_queries
    report = Person.objects.select_related("org", "user").get(pk=rep.pk)
    lead = Person.objects.select_related("org", "user").get(pk=manager.pk)
    with django_assert_max_num_queries(MOST_QUERIES):
        agenda_items(report, lead, D(2027, 5, 1), TODAY)
