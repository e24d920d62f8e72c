"""Compliance reads only the completions that can change an item: those of the trainings asked
and those inside the longest hours period asked; the figures stay the same."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from charter.learning.models import Completion, Source, Status
from charter.learning.selectors import _approved, _counted, compliance_of, rules_on
from charter.learning.services.catalogue import training_create
from charter.learning.services.requirements import Ask, requirement_create

DAY = dt.date(2026, 5, 20)


def _completion(org, person, training, day, hours="2"):
    return Completion.objects.create(
        org=org, person=person, training=training, completed_on=day, hours=Decimal(hours),
        source=Source.IMPORT, status=Status.APPROVED,
    )  # fmt: skip


@pytest.fixture
def setup(org, admin, rep, company_training):
    other = training_create(org=org, actor=admin.user, title="Elsewhere", kind="reading",
                            expected_hours="1")  # fmt: skip
    requirement_create(
        org=org, actor=admin.user, name="Quarterly", scope="company",
        effective_from=dt.date(2026, 1, 1), hours=Decimal("4"), hours_period="quarter",
        asks=[Ask(training=company_training, due_rule="absolute", due_date=dt.date(2026, 6, 1))],
    )  # fmt: skip
    asked_long_ago = _completion(org, rep, company_training, dt.date(2024, 2, 3))
    unasked_long_ago = _completion(org, rep, other, dt.date(2025, 1, 10))
    unasked_this_quarter = _completion(org, rep, other, dt.date(2026, 4, 15), hours="3")
    return asked_long_ago, unasked_long_ago, unasked_this_quarter


def test_only_completions_that_can_change_an_item_are_read(org, rep, setup):
    asked_long_ago, _unasked_long_ago, unasked_this_quarter = setup
    rules = rules_on(org.pk, DAY)
    read = _approved([rep.pk], DAY, _counted(rules, DAY, org.fiscal_year_start_month))
    days = sorted(day for _training, day, _hours in read[rep.pk])
    assert days == [asked_long_ago.completed_on, unasked_this_quarter.completed_on]
    items = {i.label: i for i in compliance_of([rep], DAY, rules)[rep.pk]}
    assert items["Negotiation basics"].state == "done"
    assert items["4 hours a quarter (2026-Q2)"].hours_done == Decimal("3")


def test_nothing_is_read_when_nothing_asks_for_completions(org, rep, setup):
    Completion.objects.all().delete()
    rules = rules_on(org.pk, DAY)
    assert _counted(rules.__class__(entries=[], parents=rules.parents), DAY, 1) is None
