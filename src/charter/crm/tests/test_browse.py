"""The deal, activity and CSAT pages: who sees which facts, what each filter leaves, totals,
sorting, htmx fragments and constant query counts.

The facts below are small enough to check by hand (amounts in USD):

| deal | owner            | stage | amount | close      | account   |
|------|------------------|-------|--------|------------|-----------|
| D1   | rep (Rick)       | won   | 1000   | 2025-01-15 | Acme Corp |
| D2   | rep              | lost  | 500    | 2025-02-10 | Beta LLC  |
| D3   | rep              | open  | 200    | 2025-04-05 | Delta     |
| D4   | rep2 (Rita)      | won   | 3000   | 2025-01-20 | Acme Corp |
| D5   | manager (Mona)   | won   | 700    | 2025-03-01 | Epsilon   |
| D6   | other_team_rep   | won   | 9000   | 2025-01-10 | Gamma     |
| D7   | nobody: J. Okafor| won   | 400    | 2025-01-05 | Zeta      |
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from itertools import count
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from charter.conftest import client_for
from charter.crm.models import Activity, CsatResponse, Deal
from charter.crm.selectors import Period, period_dates
from charter.org.models import Organization, Person

DEALS = "/crm/deals/"
ACTIVITIES = "/crm/activities/"
CSAT = "/crm/csat/"

_ids = count(1)


def make_deal(
    org: Organization,
    owner: Person | None,
    name: str,
    *,
    stage: str = "won",
    amount: str = "100",
    close: dt.date = dt.date(2025, 1, 15),
    account: str = "",
    owner_raw: str = "",
) -> Deal:
    return Deal.objects.create(
        org=org,
        source="salesforce",
        external_id=f"006{next(_ids):012d}",
        owner=owner,
        owner_raw=owner_raw or (owner.full_name if owner else ""),
        owner_key=(owner_raw or (owner.full_name if owner else "")).lower(),
        name=name,
        stage=stage,
        amount=Decimal(amount),
        currency="USD",
        amount_reporting=Decimal(amount),
        created_date=close - dt.timedelta(days=30),
        close_date=close,
        account=account,
    )


def make_activity(
    org: Organization,
    owner: Person | None,
    subject: str,
    *,
    kind: str = "call",
    at: dt.datetime = dt.datetime(2025, 1, 15, 10, 0, tzinfo=dt.UTC),
    minutes: int | None = 30,
    owner_raw: str = "",
) -> Activity:
    return Activity.objects.create(
        org=org,
        source="salesforce",
        external_id=f"00T{next(_ids):012d}",
        owner=owner,
        owner_raw=owner_raw or (owner.full_name if owner else ""),
        kind=kind,
        occurred_at=at,
        duration_minutes=minutes,
        subject=subject,
    )


def make_csat(
    org: Organization,
    owner: Person | None,
    account: str,
    *,
    score: str = "4",
    day: dt.date = dt.date(2025, 1, 20),
    owner_raw: str = "",
) -> CsatResponse:
    return CsatResponse.objects.create(
        org=org,
        source="survey",
        external_id=f"S{next(_ids):08d}",
        owner=owner,
        owner_raw=owner_raw or (owner.full_name if owner else ""),
        score=Decimal(score),
        scale=5,
        date=day,
        account=account,
    )


@pytest.fixture
def facts(org: Organization, everyone: dict[str, Person]) -> dict[str, Any]:
    e = everyone
    deals = {
        "D1": make_deal(org, e["rep"], "D1", amount="1000", account="Acme Corp"),
        "D2": make_deal(
            org,
            e["rep"],
            "D2",
            stage="lost",
            amount="500",
            close=dt.date(2025, 2, 10),
            account="Beta LLC",
        ),
        "D3": make_deal(
            org,
            e["rep"],
            "D3",
            stage="open",
            amount="200",
            close=dt.date(2025, 4, 5),
            account="Delta",
        ),
        "D4": make_deal(
            org, e["rep2"], "D4", amount="3000", close=dt.date(2025, 1, 20), account="Acme Corp"
        ),
        "D5": make_deal(
            org, e["manager"], "D5", amount="700", close=dt.date(2025, 3, 1), account="Epsilon"
        ),
        "D6": make_deal(
            org,
            e["other_team_rep"],
            "D6",
            amount="9000",
            close=dt.date(2025, 1, 10),
            account="Gamma",
        ),
        "D7": make_deal(
            org,
            None,
            "D7",
            amount="400",
            close=dt.date(2025, 1, 5),
            account="Zeta",
            owner_raw="J. Okafor",
        ),
    }
    activities = {
        "A1": make_activity(org, e["rep"], "A1 intro call"),
        "A2": make_activity(
            org,
            e["rep"],
            "A2 follow-up",
            kind="email",
            minutes=None,
            at=dt.datetime(2025, 1, 31, 23, 30, tzinfo=dt.UTC),
        ),
        "A3": make_activity(
            org,
            e["rep2"],
            "A3 demo",
            kind="demo",
            minutes=60,
            at=dt.datetime(2025, 2, 1, 0, 30, tzinfo=dt.UTC),
        ),
        "A4": make_activity(org, e["other_team_rep"], "A4 call", minutes=15),
        "A5": make_activity(org, None, "A5 call", owner_raw="J. Okafor"),
    }
    csat = {
        "S1": make_csat(org, e["rep"], "Acme Corp", score="4"),
        "S2": make_csat(org, e["rep2"], "Acme Corp", score="5", day=dt.date(2025, 2, 3)),
        "S3": make_csat(org, e["other_team_rep"], "Gamma", score="2"),
        "S4": make_csat(org, None, "Zeta", score="3", owner_raw="J. Okafor"),
    }
    return {"deals": deals, "activities": activities, "csat": csat}


def _shown(response: Any) -> set[str]:
    """Names of the facts on the page (deal names, activity subjects' first word, accounts)."""
    assert response.status_code == 200, response.content[:300]
    return {
        getattr(fact, "name", None) or getattr(fact, "subject", "").split(" ")[0] or fact.account
        for fact in response.context["page"]
    }


def _deals(viewer: Person, **params: Any) -> set[str]:
    return _shown(client_for(viewer).get(DEALS, params))


# --- access ---------------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(facts):
    for url in (DEALS, ACTIVITIES, CSAT):
        response = client_for(None).get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_a_login_without_a_person_is_refused(facts, django_user_model):
    user = django_user_model.objects.create_user("nobody@acme.test", "x")
    client = client_for(None)
    client.force_login(user)
    assert client.get(DEALS).status_code == 403


def test_rep_sees_only_their_own_deals(facts, everyone):
    assert _deals(everyone["rep"]) == {"D1", "D2", "D3"}


def test_manager_sees_their_subtree_and_no_other_team(facts, everyone):
    assert _deals(everyone["manager"]) == {"D1", "D2", "D3", "D4", "D5"}


def test_other_manager_cannot_see_managers_team_deals(facts, everyone):
    assert _deals(everyone["other_manager"]) == {"D6"}


def test_executive_sees_everyone_but_not_unmatched_owners(facts, everyone):
    assert _deals(everyone["executive"]) == {"D1", "D2", "D3", "D4", "D5", "D6"}


def test_admin_sees_everything_including_unmatched_owners(facts, everyone):
    assert _deals(everyone["admin"]) == {"D1", "D2", "D3", "D4", "D5", "D6", "D7"}
    assert _deals(everyone["admin"], unmatched="on") == {"D7"}


def test_unmatched_filter_is_not_offered_to_or_obeyed_for_non_admins(facts, everyone):
    response = client_for(everyone["executive"]).get(DEALS, {"unmatched": "on"})
    assert "unmatched" not in response.context["form"].fields
    assert _shown(response) == {"D1", "D2", "D3", "D4", "D5", "D6"}


def test_rep_cannot_filter_their_way_to_someone_else(facts, everyone):
    # A person outside the rep's scope is not a valid choice, so the filter is ignored.
    rows = _deals(everyone["rep"], person=everyone["other_team_rep"].pk)
    assert rows == {"D1", "D2", "D3"}


def test_activities_and_csat_follow_the_same_rules(facts, everyone):
    rep, other, admin = everyone["rep"], everyone["other_manager"], everyone["admin"]
    assert _shown(client_for(rep).get(ACTIVITIES)) == {"A1", "A2"}
    assert _shown(client_for(other).get(ACTIVITIES)) == {"A4"}
    assert _shown(client_for(admin).get(ACTIVITIES)) == {"A1", "A2", "A3", "A4", "A5"}
    csat_of = {c.pk: c.external_id for c in CsatResponse.objects.all()}
    shown = client_for(everyone["manager"]).get(CSAT).context["page"]
    assert {csat_of[c.pk] for c in shown} == {
        facts["csat"]["S1"].external_id,
        facts["csat"]["S2"].external_id,
    }


# --- filters --------------------------------------------------------------------------------


def test_filter_by_person(facts, everyone):
    assert _deals(everyone["admin"], person=everyone["rep2"].pk) == {"D4"}
    assert _deals(everyone["manager"], person=everyone["rep"].pk) == {"D1", "D2", "D3"}


def test_filter_by_team_includes_teams_below(facts, everyone, teams):
    assert _deals(everyone["admin"], team=teams["east"].pk) == {"D1", "D2", "D3", "D4", "D5"}
    assert _deals(everyone["admin"], team=teams["west_mm"].pk) == {"D6"}


def test_filter_by_dates_is_inclusive_on_the_close_date(facts, everyone):
    january = {"date_from": "2025-01-01", "date_to": "2025-01-31"}
    assert _deals(everyone["admin"], **january) == {"D1", "D4", "D6", "D7"}
    assert _deals(everyone["admin"], date_from="2025-01-20", date_to="2025-03-01") == {
        "D2",
        "D4",
        "D5",
    }


def test_filter_by_stage_and_account_words(facts, everyone):
    assert _deals(everyone["admin"], stage="won") == {"D1", "D4", "D5", "D6", "D7"}
    assert _deals(everyone["admin"], stage="lost") == {"D2"}
    assert _deals(everyone["admin"], q="acme") == {"D1", "D4"}
    assert _deals(everyone["admin"], q="acme corp", stage="won", person=everyone["rep"].pk) == {
        "D1"
    }


def test_filter_activities_by_kind_and_local_day(facts, everyone, settings):
    admin = everyone["admin"]
    assert _shown(client_for(admin).get(ACTIVITIES, {"kind": "email"})) == {"A2"}
    jan31 = {"date_from": "2025-01-31", "date_to": "2025-01-31"}
    assert _shown(client_for(admin).get(ACTIVITIES, jan31)) == {"A2"}
    # The server's time zone does not decide whose day it is ...
    settings.TIME_ZONE = "America/New_York"
    timezone.deactivate()
    assert _shown(client_for(admin).get(ACTIVITIES, jan31)) == {"A2"}
    # ... the organization's does: in New York, A3 (00:30 UTC on 1 February) happened on the
    # evening of 31 January.
    settings.TIME_ZONE = "UTC"
    timezone.deactivate()
    admin.org.time_zone = "America/New_York"
    admin.org.save(update_fields=["time_zone"])
    assert _shown(client_for(admin).get(ACTIVITIES, jan31)) == {"A2", "A3"}


def test_quick_period_last_quarter(facts, everyone):
    with time_machine.travel(dt.datetime(2025, 4, 10, 12, tzinfo=dt.UTC), tick=False):
        assert _deals(everyone["admin"], period="last_quarter") == {
            "D1",
            "D2",
            "D4",
            "D5",
            "D6",
            "D7",
        }
        assert _deals(everyone["admin"], period="this_month") == {"D3"}


@pytest.mark.parametrize(
    ("period", "today", "start_month", "expected"),
    [
        (Period.THIS_MONTH, dt.date(2024, 2, 10), 1, (dt.date(2024, 2, 1), dt.date(2024, 2, 29))),
        (Period.THIS_QUARTER, dt.date(2025, 5, 3), 1, (dt.date(2025, 4, 1), dt.date(2025, 6, 30))),
        (
            Period.LAST_QUARTER,
            dt.date(2025, 2, 3),
            1,
            (dt.date(2024, 10, 1), dt.date(2024, 12, 31)),
        ),
        (Period.THIS_YEAR, dt.date(2025, 8, 1), 1, (dt.date(2025, 1, 1), dt.date(2025, 12, 31))),
        # A fiscal year starting in February: Q1 is Feb-Apr, the year ends in January.
        (
            Period.THIS_QUARTER,
            dt.date(2025, 1, 15),
            2,
            (dt.date(2024, 11, 1), dt.date(2025, 1, 31)),
        ),
        (Period.LAST_QUARTER, dt.date(2025, 2, 1), 2, (dt.date(2024, 11, 1), dt.date(2025, 1, 31))),
        (Period.THIS_YEAR, dt.date(2025, 1, 15), 2, (dt.date(2024, 2, 1), dt.date(2025, 1, 31))),
    ],
)
def test_period_dates(period, today, start_month, expected):
    assert period_dates(period, today=today, fiscal_year_start_month=start_month) == expected


def test_unknown_period_is_refused():
    with pytest.raises(ValueError, match="this_month"):
        period_dates("someday", today=dt.date(2025, 1, 1))


# --- totals, sorting, htmx ------------------------------------------------------------------


def test_totals_cover_the_whole_filtered_list_not_one_page(facts, everyone):
    response = client_for(everyone["manager"]).get(DEALS)
    totals = response.context["totals"]
    assert totals["count"] == 5
    assert totals["amount"] == Decimal("5400")
    assert totals["won"] == 3
    assert totals["won_amount"] == Decimal("4700")
    # Lost deals are counted apart from won and open, never summed into one amount.
    assert totals["won"] + totals["lost"] + totals["open"] == 5
    assert totals["won_amount"] + totals["lost_amount"] + totals["open_amount"] == Decimal("5400")
    assert "4,700.00 USD" in response.content.decode()
    activity_totals = client_for(everyone["rep"]).get(ACTIVITIES).context["totals"]
    assert activity_totals == {"count": 2, "minutes": 30}
    csat_totals = client_for(everyone["admin"]).get(CSAT).context["totals"]
    assert csat_totals["count"] == 4
    assert csat_totals["average"] == pytest.approx(3.5)


def test_sorting_by_amount_both_ways(facts, everyone):
    client = client_for(everyone["manager"])
    up = [d.name for d in client.get(DEALS, {"sort": "amount"}).context["page"]]
    assert up == ["D3", "D2", "D5", "D1", "D4"]
    down = [d.name for d in client.get(DEALS, {"sort": "-amount"}).context["page"]]
    assert down == list(reversed(up))
    # An unknown sort key falls back to the latest close date first.
    default = [d.name for d in client.get(DEALS, {"sort": "password"}).context["page"]]
    assert default == ["D3", "D5", "D2", "D4", "D1"]


def test_htmx_gets_only_the_rows(facts, everyone):
    client = client_for(everyone["rep"])
    full = client.get(DEALS).content.decode()
    fragment = client.get(DEALS, {"stage": "won"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" in full
    assert 'id="fact-rows"' in full
    assert "<html" not in fragment
    assert "Acme Corp" in fragment
    assert "Beta LLC" not in fragment


def test_unmatched_owner_shows_the_crm_name(facts, everyone):
    html = client_for(everyone["admin"]).get(DEALS, {"unmatched": "on"}).content.decode()
    assert "J. Okafor" in html
    assert "unmatched" in html


def test_pages_paginate(org, everyone):
    for n in range(55):
        make_deal(org, everyone["rep"], f"P{n}", amount="10")
    client = client_for(everyone["rep"])
    first = client.get(DEALS)
    assert len(first.context["page"]) == 50
    assert first.context["totals"]["count"] == 55
    assert len(client.get(DEALS, {"page": 2}).context["page"]) == 5


# --- query counts ---------------------------------------------------------------------------


def _queries(client: Any, url: str, params: dict[str, Any] | None = None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params or {}).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("who", ["admin", "manager"])
def test_query_count_does_not_grow_with_rows(org, everyone, who, django_assert_max_num_queries):
    client = client_for(everyone[who])
    owners = [everyone["rep"], everyone["rep2"], everyone["manager"]]
    for n in range(3):
        make_deal(org, owners[n % 3], f"Q{n}")
        make_activity(org, owners[n % 3], f"Q{n}")
        make_csat(org, owners[n % 3], f"Q{n}")
    params = {"date_from": "2025-01-01", "date_to": "2025-12-31", "q": "Q"}
    small = {url: _queries(client, url, params) for url in (DEALS, ACTIVITIES, CSAT)}
    for n in range(3, 30):
        make_deal(org, owners[n % 3], f"Q{n}")
        make_activity(org, owners[n % 3], f"Q{n}")
        make_csat(org, owners[n % 3], f"Q{n}")
    for url, queries in small.items():
        with django_assert_max_num_queries(queries):
            response = client.get(url, params)
        assert len(response.context["page"]) == 30
