"""Badges: awarded automatically from the KPI engine's figures (the first won deal over an
amount; a KPI's attainment in a closed period) exactly once, by managers within their reach,
shown on the person's page and in the feed; and the recognition leaderboard per value behind
the organization's leaderboard setting."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from charter.conftest import client_for, deal_fact
from charter.crm import services as crm_services
from charter.crm.models import Deal
from charter.feedback.models import Award
from charter.feedback.selectors import leaderboard
from charter.feedback.services.badges import award_give, awards_evaluate, badge_create
from charter.kpis import services as kpi_services
from charter.kpis.models import PeriodClose, ScorecardSnapshot
from charter.kpis.selectors.calendar import period_of


@pytest.fixture
def big_fish(org, everyone, values):
    return badge_create(
        org=org, actor=everyone["admin"].user, name="Big fish", icon="trophy",
        value=values["ownership"], criterion="first_deal_over", threshold=Decimal(50_000),
    )  # fmt: skip


@pytest.mark.django_db
def test_the_first_deal_over_the_amount_earns_the_badge_once(org, everyone, big_fish):
    rick, rita = everyone["rep"], everyone["rep2"]
    rows = [
        deal_fact("D1", rick, "40000", created=dt.date(2026, 1, 5), closed=dt.date(2026, 2, 1)),
        deal_fact("D2", rick, "60000", created=dt.date(2026, 1, 5), closed=dt.date(2026, 3, 1)),
        deal_fact("D3", rick, "90000", created=dt.date(2026, 1, 5), closed=dt.date(2026, 4, 1)),
        deal_fact("D4", rita, "80000", created=dt.date(2026, 1, 5), closed=None, stage="open"),
    ]
    crm_services.facts_upsert(model=Deal, org=org, source="file", rows=rows, run=None)
    assert awards_evaluate(org=org) == 1
    assert awards_evaluate(org=org) == 0
    (award,) = Award.objects.all()
    assert (award.person, award.awarded_on, award.awarded_by) == (rick, dt.date(2026, 3, 1), None)
    assert "D2" in award.reason
    mine = client_for(rick).get(f"/org/people/{rick.pk}/").content.decode()
    assert "Big fish" in mine
    assert "awarded automatically" in mine
    assert "Big fish" in client_for(everyone["rep2"]).get("/feedback/").content.decode()


@pytest.mark.django_db
def test_kpi_attainment_in_a_closed_period_earns_one_award_per_period(org, everyone, values):
    kpi_services.kpi_library_ensure(org=org)
    badge = badge_create(
        org=org, actor=everyone["admin"].user, name="On target", icon="target",
        value=values["ownership"], criterion="kpi_attainment", threshold=Decimal(100),
        kpi_key="revenue_won",
    )  # fmt: skip
    for label, start, end, rick, rita in (
        ("2026-Q1", dt.date(2026, 1, 1), dt.date(2026, 3, 31), "1.05", "0.99"),
        ("2025-Q4", dt.date(2025, 10, 1), dt.date(2025, 12, 31), "1.00", None),
    ):
        close = PeriodClose.objects.create(org=org, label=label, kind="quarter", start=start,
                                           end=end)  # fmt: skip
        for person, attainment in ((everyone["rep"], rick), (everyone["rep2"], rita)):
            ScorecardSnapshot.objects.create(
                close=close, subject="person", person=person,
                figures={"kpis": [{"key": "revenue_won", "name": "Revenue won",
                                   "attainment": attainment}]},
            )  # fmt: skip
    assert awards_evaluate(org=org) == 2
    assert awards_evaluate(org=org) == 0
    got = sorted(Award.objects.filter(badge=badge).values_list("person__full_name", "achievement"))
    assert got == [("Rick Rep", "close:2025-Q4"), ("Rick Rep", "close:2026-Q1")]


@pytest.mark.django_db
def test_the_leaderboard_counts_public_praise_and_awards_behind_the_setting(
    org, everyone, values, give
):
    rick, rita, mona = everyone["rep"], everyone["rep2"], everyone["manager"]
    give(rita, rick, "public")
    give(mona, rick, "public")
    give(mona, rita, "public")
    give(mona, rita, "private")  # never on a board shown with names
    give(mona, rita, "managers")
    give(mona, rita, "public", values=[values["candor"]])
    helper = badge_create(org=org, actor=everyone["admin"].user, name="Helper", icon="heart",
                          value=values["ownership"])  # fmt: skip
    award_give(badge=helper, person=rita, actor=mona.user, awarder=mona, reason="Renewals")
    period = period_of(org, None)
    leaders = leaderboard(values["ownership"], period)
    board = [(leader.person.full_name, leader.praise, leader.awards) for leader in leaders]
    assert board == [("Rick Rep", 2, 0), ("Rita Rep", 1, 1)]
    # Managers, admins and executives by default; everyone, or nobody, as the admin sets it.
    assert client_for(rick).get("/feedback/leaderboard/").status_code == 403
    assert client_for(mona).get("/feedback/leaderboard/").status_code == 200
    admin = everyone["admin"]
    kpi_services.scorecard_settings_update(org=org, actor=admin.user,
                                           leaderboard_visibility="everyone")  # fmt: skip
    page = client_for(rick).get("/feedback/leaderboard/", {"value": values["ownership"].pk})
    assert page.status_code == 200
    assert "Rita Rep" in page.content.decode()
    kpi_services.scorecard_settings_update(org=org, actor=admin.user,
                                           leaderboard_visibility="off")  # fmt: skip
    assert client_for(admin).get("/feedback/leaderboard/").status_code == 403


@pytest.mark.django_db
def test_a_bad_period_on_the_leaderboard_is_a_form_error(everyone):
    page = client_for(everyone["admin"]).get("/feedback/leaderboard/", {"period": "2026-Q9\x00"})
    assert page.status_code == 200
    assert page.context["form"].errors["period"]
