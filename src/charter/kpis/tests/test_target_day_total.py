"""The day total kept on each target (what org-wide scorecards read instead of ten thousand
revisions) always says what the revisions say, and the migration fills it for old targets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from importlib import import_module
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from charter.core.periods import parse_period
from charter.kpis import services
from charter.kpis.models import KpiDefinition, Target
from charter.kpis.scoring import Revision, day_total, from_day_total, prorate
from charter.kpis.selectors.subjects import PERSON, TEAM
from charter.kpis.selectors.targets import org_targets, target_revisions
from charter.org.models import Organization, Person, Team

Q2 = parse_period("2017-Q2", 1)  # 1 April to 30 June 2017: 91 days


def _set(org: Organization, key: str, value: str, **extra: Any) -> Any:
    kpi = KpiDefinition.objects.get(org=org, key=key)
    return services.target_set(org=org, kpi=kpi, period=Q2, value=value, actor=None, **extra)


def _from_revisions(org: Organization) -> dict[Any, dict[str, Decimal]]:
    found = target_revisions(org, Q2, everyone=True, details=False)
    out: dict[Any, dict[str, Decimal]] = {}
    for (kind, subject_id, key), revisions in found.items():
        value = prorate(revisions, Q2)
        assert value is not None
        out.setdefault((kind, subject_id), {})[key] = value
    return out


@pytest.mark.django_db
def test_every_change_keeps_the_day_total_equal_to_prorating_the_revisions(
    org: Organization, rep: Person, rep2: Person, teams: dict[str, Team]
) -> None:
    _set(org, "revenue_won", "90000", person=rep)
    # 90,000 for April and May (61 days), 120,000 for June (30): 9,090,000 / 91 a day.
    _set(org, "revenue_won", "120000", person=rep, effective_from=dt.date(2017, 6, 1), reason="Up")
    _set(org, "deals_won", "12.5", person=rep2)
    _set(org, "deals_won", "10", person=rep2, effective_from=dt.date(2017, 5, 16), reason="Down")
    # A change dated before an earlier one made later still applies only from its own date on.
    _set(org, "deals_won", "11", person=rep2, effective_from=dt.date(2017, 5, 1), reason="Again")
    _set(org, "revenue_won", "500000", team=teams["east"])

    read = org_targets(org, Q2).values
    assert read == _from_revisions(org)
    assert read[(PERSON, rep.pk)]["revenue_won"] == Decimal(9_090_000) / 91
    assert read[(TEAM, teams["east"].pk)]["revenue_won"] == Decimal(500000)
    stored = Target.objects.get(person=rep, kpi__key="revenue_won").day_total
    # In ten-thousandths: 90,000 x 61 + 120,000 x 30 = 9,090,000.
    assert stored == 9_090_000 * 10_000


def test_the_day_total_prorates_exactly_as_the_revisions_do() -> None:
    cases = [
        [Revision(Decimal("99890.1099"), dt.date(2017, 4, 1))],
        [Revision(Decimal("1"), dt.date(2017, 4, 1)), Revision(Decimal("2"), dt.date(2017, 4, 2))],
        [
            Revision(Decimal("0.0001"), dt.date(2017, 4, 10)),
            Revision(Decimal("3.3333"), dt.date(2017, 6, 30)),
            Revision(Decimal("7"), dt.date(2017, 5, 1)),
        ],
    ]
    for revisions in cases:
        total = day_total(revisions, Q2)
        assert total is not None
        assert from_day_total(total, Q2) == prorate(revisions, Q2)
    assert day_total([], Q2) is None


@pytest.mark.django_db
def test_a_target_too_large_for_the_day_total_is_refused_by_name(
    org: Organization, rep: Person
) -> None:
    with pytest.raises(ValidationError) as refused:
        _set(org, "revenue_won", "1000000000000", person=rep)
    assert "under 1,000,000,000,000" in str(refused.value)
    assert not Target.objects.filter(person=rep).exists()


@pytest.mark.django_db
def test_the_migration_fills_the_day_total_of_targets_made_before_it(
    org: Organization, rep: Person
) -> None:
    _set(org, "revenue_won", "90000", person=rep)
    _set(org, "revenue_won", "120000", person=rep, effective_from=dt.date(2017, 6, 1), reason="Up")
    Target.objects.update(day_total=None)
    assert org_targets(org, Q2).values == {}

    migration = import_module("charter.kpis.migrations.0004_target_day_total")
    migration.fill_day_totals(apps, None)

    assert org_targets(org, Q2).values == _from_revisions(org)
