"""The demo CRM builder: the same seed and day give the same history, and the history looks like
a sales floor (win rate, deal sizes by team, activity pace, CSAT range, one unmatched owner)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Count, Sum

from charter.core.demo import DemoContext
from charter.crm.demo import UNMATCHED_OWNER, build_crm
from charter.crm.models import Activity, CsatResponse, Deal
from charter.org.models import Organization, Person

TODAY = dt.date(2025, 6, 30)


def _context(org: Organization, people: dict[str, Person]) -> DemoContext:
    ctx = DemoContext(today=TODAY, rng=random.Random(7), log=lambda _line: None)
    ctx.org = org
    ctx.people = people
    return ctx


@pytest.fixture
def sellers(org: Organization, everyone: dict[str, Person]) -> dict[str, Person]:
    # hire_date of the personas is 2022-03-01: both demo years are covered.
    return {
        "rep.east_enterprise.1": everyone["rep"],
        "rep.west_midmarket.1": everyone["other_team_rep"],
        "manager.east_enterprise": everyone["manager"],
        "admin": everyone["admin"],
    }


def _summary() -> dict[str, Any]:
    return {
        "deals": Deal.objects.aggregate(n=Count("pk"), amount=Sum("amount_reporting")),
        "stages": dict(Deal.objects.values_list("stage").annotate(Count("pk")).order_by()),
        "activities": Activity.objects.aggregate(n=Count("pk"), minutes=Sum("duration_minutes")),
        "csat": CsatResponse.objects.aggregate(n=Count("pk"), score=Sum("score")),
        "ids": sorted(Deal.objects.values_list("external_id", flat=True))[:5],
    }


def test_two_runs_build_the_same_history(org, sellers):
    build_crm(_context(org, sellers))
    first = _summary()
    assert first["deals"]["n"] > 100
    for model in (CsatResponse, Activity, Deal):
        model.objects.all().delete()
    build_crm(_context(org, sellers))
    assert _summary() == first


def test_history_looks_like_a_sales_floor(org, sellers, everyone):
    build_crm(_context(org, sellers))
    rep, other = everyone["rep"], everyone["other_team_rep"]
    for person in (rep, other):
        deals = Deal.objects.filter(owner=person)
        won = deals.filter(stage="won").count()
        closed = deals.exclude(stage="open").count()
        assert 0.12 <= won / closed <= 0.45
        assert not deals.filter(close_date__lt=TODAY, stage="open").exists()
        assert not deals.filter(close_date__gt=TODAY).exclude(stage="open").exists()
        for deal in deals:
            assert deal.close_date is not None
            assert deal.created_date is not None
            assert 7 <= (deal.close_date - deal.created_date).days <= 120
            assert deal.external_id.startswith("006")
            assert len(deal.external_id) == 15
    # Enterprise deals are bigger than mid-market ones.
    average: dict[int, Decimal] = {}
    for person in (rep, other):
        totals = Deal.objects.filter(owner=person).aggregate(
            s=Sum("amount_reporting"), n=Count("pk")
        )
        average[person.pk] = totals["s"] / totals["n"]
    assert average[rep.pk] > 2 * average[other.pk]
    # 8-15 activities per rep per working week, a bit fewer in summer.
    per_week = Activity.objects.filter(owner=rep).count() / (730 / 7)
    assert 6 <= per_week <= 16
    assert Activity.objects.filter(owner=rep, external_id__startswith="00T").count() > 0
    scores = set(CsatResponse.objects.values_list("score", flat=True))
    assert scores <= {Decimal(n) for n in range(1, 6)}
    assert not CsatResponse.objects.exclude(source="survey").exists()
    # Admins sell nothing; managers a little.
    assert not Deal.objects.filter(owner=everyone["admin"]).exists()
    assert 0 < Deal.objects.filter(owner=everyone["manager"]).count() < 100


def test_one_unmatched_owner_is_left_to_resolve(org, sellers):
    build_crm(_context(org, sellers))
    unmatched = Deal.objects.filter(owner__isnull=True)
    assert set(unmatched.values_list("owner_raw", flat=True)) == {UNMATCHED_OWNER}
    assert set(unmatched.values_list("owner_key", flat=True)) == {"j. okafor"}
    assert 25 <= unmatched.count() <= 60
    assert Activity.objects.filter(owner__isnull=True, owner_raw=UNMATCHED_OWNER).exists()
    assert Deal.objects.filter(owner__isnull=False).exclude(owner_raw="").count() == (
        Deal.objects.filter(owner__isnull=False).count()
    )
