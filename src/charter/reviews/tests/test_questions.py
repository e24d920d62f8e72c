"""Questions expanded per person at launch, published versions kept, an already closed period's
snapshot used as it is."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from charter.core.models import AuditEvent
from charter.core.periods import parse_period
from charter.kpis import services as kpi_services
from charter.kpis.models import PeriodClose
from charter.reviews.models import Review
from charter.reviews.services.cycles import cycle_advance

pytestmark = pytest.mark.django_db


def test_key_expectations_of_the_persons_own_document_become_ratings(
    org: Any, teams: Any, admin: Any, manager: Any, rep: Any, other_team_rep: Any, cycle: Any
) -> None:
    from charter.expectations import services as ex
    from charter.expectations.models import Change, Value

    value = Value.objects.get(org=org, name="Ownership")
    document = ex.document_create(org=org, actor=manager.user, title="East rules",
                                  audience="team", audience_team=teams["east_ent"])  # fmt: skip
    first, *others = document.sections.filter(provider="").order_by("order")
    ex.expectation_add(section=first, actor=manager.user, title="Ten discovery calls a week",
                       text="Calls.", values=[value], is_key=True)  # fmt: skip
    for each in others:
        ex.expectation_add(section=each, actor=manager.user, title=each.title, text="Do it.",
                           values=[value])  # fmt: skip
    ex.section_delete(section=document.sections.get(provider="learning"), actor=manager.user)
    ex.document_publish(document=document, actor=manager.user, summary="v1",
                        change=Change.MATERIAL, distribute=False)  # fmt: skip
    cycle_advance(cycle=cycle, actor=admin.user)
    texts = [i["text"] for i in Review.objects.get(cycle=cycle, person=rep).items
             if i["kind"] == "expectations"]  # fmt: skip
    assert texts == ["How well was this expectation met? Ten discovery calls a week"]


def test_an_already_closed_period_is_not_closed_again(
    org: Any, admin: Any, rep: Any, cycle: Any
) -> None:
    kpi_services.period_close(org=org, period=parse_period("2017-Q2"), actor=admin.user)
    cycle_advance(cycle=cycle, actor=admin.user)
    cycle_advance(cycle=cycle, actor=admin.user)
    assert PeriodClose.objects.filter(label="2017-Q2").count() == 1
    assert AuditEvent.objects.filter(action="kpis.period.closed").count() == 1
    review = Review.objects.get(cycle=cycle, person=rep)
    assert review.kpis is not None
    assert review.kpis["frozen"] is True


def test_a_period_not_ended_cannot_open_the_manager_review(
    org: Any, admin: Any, version: Any, rep: Any
) -> None:
    from django.core.exceptions import ValidationError

    from charter.reviews.services.cycles import cycle_create

    today = dt.datetime.now(dt.UTC).date()
    running = cycle_create(
        org=org, actor=admin.user, name="Now", period=f"FY{today.year + 1}",
        template_version=version, self_due=today, manager_due=today + dt.timedelta(days=1),
        sharing_due=today + dt.timedelta(days=2),
    )  # fmt: skip
    cycle_advance(cycle=running, actor=admin.user)
    with pytest.raises(ValidationError) as caught:
        cycle_advance(cycle=running, actor=admin.user)
    assert "has not ended yet" in caught.value.message_dict["phase"][0]
    running.refresh_from_db()
    assert running.phase == "self"
    assert not Review.objects.filter(cycle=running, kpis__isnull=False).exists()
