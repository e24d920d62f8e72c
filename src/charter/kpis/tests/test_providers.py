"""Expectations documents read the live KPIs: the "kpis" section and the "kpi" measure kind."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from charter.expectations import content, render
from charter.expectations import services as doc_services
from charter.expectations.models import Change, Document
from charter.expectations.registry import measure_choices, measure_label
from charter.kpis import services
from charter.kpis.models import KpiDefinition
from charter.kpis.providers import formula_in_words, kpi_label
from charter.kpis.registry import all_builtins
from charter.kpis.selectors.calendar import period_of
from charter.org.models import Organization, Person, Team

# 14 May 2025: the current quarter is 2025-Q2 (1 April to 30 June, 91 days).
NOW = dt.datetime(2025, 5, 14, 12, 0, tzinfo=dt.UTC)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _may_2025() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


WEIGHTED_ORDER = [
    "The overall score",
    "Revenue won",  # 40
    "Win rate",  # 15
    "Deals won",  # 10, then library order among equals
    "Pipeline created",
    "Meetings",
    "Average sales cycle",  # 5
    "Calls",
    "Customer satisfaction",
]


def kpi(org: Organization, key: str) -> KpiDefinition:
    return KpiDefinition.objects.get(org=org, key=key)


def set_target(org: Organization, key: str, value: str, actor: Any, **subject: Any) -> None:
    period = period_of(org, "2025-Q2")
    services.target_set(
        org=org, kpi=kpi(org, key), period=period, value=value, actor=actor, **subject
    )


def kpi_section(document: Document) -> dict[str, Any]:
    built = content.build(document)
    return next(s for s in built["sections"] if s["provider"] == "kpis")


def items(document: Document) -> dict[str, str]:
    return {item["title"]: item["text"] for item in kpi_section(document)["expectations"]}


def with_kpis(document: Document, actor: Any) -> Document:
    doc_services.section_add(
        document=document, actor=actor, title="How success is measured", provider="kpis"
    )
    return document


def test_new_documents_get_the_live_kpi_section_after_the_written_one(org, admin):
    document = doc_services.document_create(org=org, actor=admin.user, title="Charter")
    sections = list(document.sections.order_by("order").values_list("title", "provider"))
    written = sections.index(("How success is measured", ""))
    assert sections[written + 1] == ("Our KPIs and targets", "kpis")


def test_a_team_document_shows_each_weighted_kpi_and_the_teams_target(
    org: Organization, teams: dict[str, Team], manager: Person, rep: Person
) -> None:
    set_target(org, "revenue_won", "500000", manager.user, team=teams["east_ent"])
    set_target(org, "win_rate", "27.5", manager.user, team=teams["east_ent"])
    document = with_kpis(
        doc_services.document_create(
            org=org,
            actor=manager.user,
            title="East Enterprise rules",
            audience="team",
            audience_team=teams["east_ent"],
            from_template=False,
        ),
        manager.user,
    )

    shown = items(document)

    assert list(shown) == WEIGHTED_ORDER
    revenue = shown["Revenue won"]
    assert "Value of the deals won in the period" in revenue
    assert "**Computed as:** revenue won, as an amount in USD; higher is better" in revenue
    assert "**Weight in the overall score:** 40 of 100 (40%)" in revenue
    assert "ahead from 110% of target" in revenue
    assert "on track from 95%, at risk from 80%" in revenue
    assert "**Target:** $500,000 for East Enterprise in 2025-Q2" in revenue
    assert "deals won ÷ (deals won + deals lost), as a percentage" in shown["Win rate"]
    assert "**Target:** 27.5% for East Enterprise in 2025-Q2" in shown["Win rate"]
    assert "lower is better" in shown["Average sales cycle"]
    assert "none set for East Enterprise in 2025-Q2 yet" in shown["Deals won"]


def test_a_team_without_its_own_target_shows_its_members_targets_added(
    org: Organization, teams: dict[str, Team], manager: Person, rep: Person, rep2: Person
) -> None:
    set_target(org, "revenue_won", "120000", manager.user, person=rep)
    set_target(org, "revenue_won", "80000", manager.user, person=rep2)
    document = with_kpis(
        doc_services.document_create(
            org=org,
            actor=manager.user,
            title="East rules",
            audience="team",
            audience_team=teams["east"],
            from_template=False,
        ),
        manager.user,
    )
    assert "**Target:** $200,000 for East in 2025-Q2" in items(document)["Revenue won"]


def test_changing_a_target_or_a_weight_changes_what_the_draft_shows(
    org: Organization, admin: Person, manager: Person, rep: Person, rep2: Person
) -> None:
    set_target(org, "revenue_won", "120000", manager.user, person=rep)
    set_target(org, "revenue_won", "80000", manager.user, person=rep2)
    document = with_kpis(
        doc_services.document_create(
            org=org, actor=admin.user, title="How we sell", from_template=False
        ),
        admin.user,
    )
    assert (
        "**Target:** set per person, per quarter; in 2025-Q2 from $80,000 to $120,000 "
        "(2 people, $200,000 in all)"
    ) in items(document)["Revenue won"]

    # Rick's target goes up from 1 May: 30 days at 120,000 and 61 at 150,000 of 91.
    services.target_set(
        org=org,
        kpi=kpi(org, "revenue_won"),
        period=period_of(org, "2025-Q2"),
        value="150000",
        actor=manager.user,
        person=rep,
        effective_from=dt.date(2025, 5, 1),
        reason="Took over the Acme accounts",
    )
    assert "from $80,000 to $140,110 (2 people, $220,110 in all)" in items(document)["Revenue won"]

    services.kpi_revise(
        definition=kpi(org, "win_rate"),
        actor=admin.user,
        effective_from=dt.date(2025, 4, 1),
        reason="Win rate is coached, no longer scored",
        weight=Decimal(0),
    )
    shown = items(document)
    assert "Win rate" not in shown
    assert "**Weight in the overall score:** 40 of 85 (47%)" in shown["Revenue won"]


def test_without_any_weighted_kpi_every_active_kpi_is_shown(org, admin):
    for definition in KpiDefinition.objects.filter(org=org):
        version = definition.versions.order_by("-number").first()
        if version is not None and version.weight > 0:
            services.kpi_revise(
                definition=definition,
                actor=admin.user,
                effective_from=dt.date(2025, 1, 1),
                reason="Scores are paused",
                weight=Decimal(0),
            )
    document = with_kpis(
        doc_services.document_create(org=org, actor=admin.user, title="X", from_template=False),
        admin.user,
    )
    shown = items(document)
    assert (
        len(shown) == 1 + len([b for b in all_builtins() if b.active]) == 1 + 12
    )  # with learning's training hours
    assert "not part of the overall score" in shown["Emails"]


def test_the_kpi_measure_kind_lists_active_kpis_and_resolves_them_live(
    org: Organization, admin: Person
) -> None:
    choices = dict(measure_choices(org))
    assert choices["kpi:win_rate"] == "KPI: Win rate"
    active = [b for b in all_builtins() if b.active]
    assert len([ref for ref in choices if ref.startswith("kpi:")]) == len(active) == 12
    assert measure_label(org, "", "kpi:win_rate") == (
        "KPI: Win rate (deals won ÷ (deals won + deals lost); target set per quarter)"
    )
    assert measure_label(org, "Per quarter", "kpi:revenue_won") == (
        "KPI: Revenue won (target set per quarter) — Per quarter"
    )

    services.kpi_revise(
        definition=kpi(org, "win_rate"),
        actor=admin.user,
        effective_from=dt.date(2025, 4, 1),
        reason="Clearer name",
        name="Close rate",
    )
    assert measure_label(org, "", "kpi:win_rate").startswith("KPI: Close rate (")

    services.kpi_revise(
        definition=kpi(org, "deals_lost"),
        actor=admin.user,
        effective_from=dt.date(2025, 4, 1),
        reason="Not used",
        active=False,
    )
    assert "kpi:deals_lost" not in dict(measure_choices(org))
    retired = "Deals lost (target set per quarter; no longer used)"
    assert kpi_label(org, "deals_lost") == retired
    assert kpi_label(org, "no_such_kpi") is None
    assert measure_label(org, "", "kpi:no_such_kpi") == "kpi:no_such_kpi (unknown)"


def test_another_orgs_kpi_does_not_resolve(org: Organization) -> None:
    other = Organization.objects.create(name="Other Co")
    services.kpi_create(
        org=other,
        key="calls_per_win",
        actor=None,
        effective_from=dt.date(2025, 1, 1),
        name="Calls per win",
        formula="activities_call_count / deals_won_count",
        unit="count",
    )
    assert kpi_label(other, "calls_per_win") is not None
    assert kpi_label(org, "calls_per_win") is None


def test_formulas_read_in_words() -> None:
    assert formula_in_words("deals_won_amount / deals_won_count") == "revenue won ÷ deals won"
    assert formula_in_words("2 * activities_call_count + activities_meeting_count") == (
        "2 × calls + meetings"  # noqa: RUF001
    )


def test_a_published_document_carries_the_kpis_into_html_email_and_pdf(
    org: Organization,
    admin: Person,
    manager: Person,
    rep: Person,
    everyone: dict[str, Person],
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    set_target(org, "revenue_won", "120000", manager.user, person=rep)
    ownership = doc_services.value_create(org=org, actor=admin.user, name="Ownership")
    document = doc_services.document_create(org=org, actor=admin.user, title="How we sell")
    for section in document.sections.filter(provider=""):
        doc_services.expectation_add(
            section=section,
            actor=admin.user,
            title=f"{section.title}: the basics",
            text="Everyone does this.",
            values=[ownership],
            measure_ref="kpi:win_rate" if section.title == "How success is measured" else "",
        )
    with django_capture_on_commit_callbacks(execute=True):
        version = doc_services.document_publish(
            document=document, actor=admin.user, summary="First", change=Change.MATERIAL
        )

    section = next(s for s in version.content["sections"] if s["provider"] == "kpis")
    assert [item["title"] for item in section["expectations"]] == WEIGHTED_ORDER
    linked = "How it is measured: KPI: Win rate (deals won ÷ (deals won + deals lost)"
    html = mailoutbox[0].alternatives[0][0]
    for page in (version.rendered_html, html):
        assert "Our KPIs and targets" in page
        assert "from $120,000 to $120,000" not in page
        assert "$120,000 for everyone (1 person, $120,000 in all)" in page
        assert linked in page
    assert render.document_pdf(version).startswith(b"%PDF")
