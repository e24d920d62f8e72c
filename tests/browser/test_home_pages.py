"""Home pages in a real browser: a manager lands on home, sees which rep is behind pace and by
how much, and reminds an overdue signer in one click without leaving the page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from urllib.parse import urlparse

import pytest
import time_machine
from django.utils import timezone

from charter.conftest import make_person
from charter.core.periods import period_containing
from charter.crm import services as crm_services
from charter.crm.models import Deal
from charter.expectations import services as expectations_services
from charter.expectations.models import Change, ReminderSent, SignatureRequest
from charter.kpis import services as kpi_services
from charter.kpis.models import KpiDefinition
from charter.kpis.selectors.calendar import org_today
from charter.org.models import Role
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser
expect = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed; run `make install`"
).expect


@pytest.fixture
def tom(org: Any, teams: Any, manager: Any, rep: Any) -> Any:
    """Tom has a revenue target of 900,000 this quarter and has won 10: far behind pace."""
    tom = make_person(org, "Tom Third", Role.REP, team=teams["east_ent"], manager=manager)
    period = period_containing(org_today(org), "quarter", org.fiscal_year_start_month)
    crm_services.facts_upsert(
        model=Deal,
        org=org,
        source="file",
        rows=[
            {
                "external_id": "t1",
                "owner_id": tom.pk,
                "owner_raw": tom.full_name,
                "owner_key": tom.full_name.lower(),
                "stage": "won",
                "raw_stage": "won",
                "amount": Decimal("10"),
                "currency": "USD",
                "amount_reporting": Decimal("10"),
                "created_date": period.start,
                "close_date": period.start,
            }
        ],
        run=None,
    )
    kpi_services.target_set(
        org=org,
        kpi=KpiDefinition.objects.get(org=org, key="revenue_won"),
        period=period,
        value="900000",
        actor=manager.user,
        person=tom,
    )
    return tom


@pytest.fixture
def overdue(org: Any, admin: Any, rep: Any, tom: Any) -> SignatureRequest:
    """A company document published a month ago: Rick has not signed it, so he is overdue."""
    value = expectations_services.value_create(org=org, actor=admin.user, name="Ownership")
    document = expectations_services.document_create(org=org, actor=admin.user, title="How we sell")
    for section in document.sections.filter(provider=""):
        expectations_services.expectation_add(
            section=section, actor=admin.user, title=section.title, text="Do it.", values=[value]
        )
    with time_machine.travel(timezone.now() - dt.timedelta(days=30)):
        version = expectations_services.document_publish(
            document=document, actor=admin.user, summary="v1", change=Change.MATERIAL
        )
    request = SignatureRequest.objects.get(person=rep, version=version)
    assert request.due_date < timezone.localdate()
    return request


def test_manager_sees_a_rep_behind_pace_and_reminds_an_overdue_signer(
    page: Any, manager: Any, tom: Any, overdue: SignatureRequest
) -> None:
    sign_in(page, manager.email)
    expect(page.get_by_role("heading", level=2, name="Your team in")).to_be_visible()
    behind = page.locator("table.behind-pace tr", has_text="Tom Third")
    expect(behind).to_contain_text("Revenue won")
    expect(behind).to_contain_text("expected by today")
    expect(page.get_by_text("No targets are set for you")).to_have_count(0)
    # The team card, with its table and chart, spans the row of two-column home cards.
    team = page.locator("section", has=page.locator("#team-pace-h")).bounding_box()
    signatures = page.locator("section", has=page.locator("#exp-team-h")).bounding_box()
    assert team is not None
    assert signatures is not None
    assert team["width"] > 1.8 * signatures["width"]

    owed = page.locator(f"li[data-request='{overdue.pk}']")
    expect(owed).to_contain_text("Rick Rep")
    expect(owed).to_contain_text("overdue")
    owed.get_by_role("button", name="Remind Rick Rep to sign How we sell").click()
    expect(owed.get_by_role("status")).to_have_text("Reminded Rick Rep to sign How we sell.")
    # Reminded in place: still on the home page, and the reminder is on record.
    assert urlparse(page.url).path == "/"
    assert ReminderSent.objects.filter(request=overdue, kind__startswith="manual-").count() == 1
