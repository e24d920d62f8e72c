"""The fact endpoints (/api/v1/deals/, activities/, csat/): the same scope and filters as the
pages, readable output, refusals, and query counts that do not grow with the rows."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from charter.api.tests.conftest import api_for  # noqa: F401
from charter.crm.tests.test_browse import facts, make_activity, make_csat, make_deal  # noqa: F401

DEALS = "/api/v1/deals/"
ACTIVITIES = "/api/v1/activities/"
CSAT = "/api/v1/csat/"


def _names(response: Any) -> set[str]:
    assert response.status_code == 200, response.content
    return {
        r.get("name") or r.get("subject") or r.get("account") for r in response.json()["results"]
    }


def test_scope_follows_the_access_rules(facts, everyone, api_for):  # noqa: F811
    assert _names(api_for(everyone["rep"]).get(DEALS)) == {"D1", "D2", "D3"}
    assert _names(api_for(everyone["manager"]).get(DEALS)) == {"D1", "D2", "D3", "D4", "D5"}
    assert _names(api_for(everyone["other_manager"]).get(DEALS)) == {"D6"}
    assert "D7" not in _names(api_for(everyone["executive"]).get(DEALS))
    assert "D7" in _names(api_for(everyone["admin"]).get(DEALS))


def test_filters_match_the_pages(facts, everyone, teams, api_for):  # noqa: F811
    client = api_for(everyone["admin"])
    assert _names(client.get(DEALS, {"person": everyone["rep2"].pk})) == {"D4"}
    assert _names(client.get(DEALS, {"team": teams["west"].pk})) == {"D6"}
    assert _names(client.get(DEALS, {"from": "2025-01-01", "to": "2025-01-31"})) == {
        "D1",
        "D4",
        "D6",
        "D7",
    }
    assert _names(client.get(DEALS, {"stage": "lost"})) == {"D2"}
    assert _names(client.get(DEALS, {"q": "acme"})) == {"D1", "D4"}
    assert _names(client.get(DEALS, {"unmatched": "true"})) == {"D7"}
    assert _names(client.get(ACTIVITIES, {"kind": "demo"})) == {"A3 demo"}
    assert _names(client.get(CSAT, {"q": "gamma"})) == {"Gamma"}
    ordered = client.get(DEALS, {"ordering": "-amount"}).json()["results"]
    assert [r["name"] for r in ordered] == ["D6", "D4", "D1", "D5", "D2", "D7", "D3"]


def test_activity_dates_are_the_organizations_days(facts, everyone, api_for):  # noqa: F811
    # A3 happened at 00:30 UTC on 1 February: 31 January in New York, as on the pages.
    client = api_for(everyone["admin"])
    jan31 = {"from": "2025-01-31", "to": "2025-01-31"}
    assert _names(client.get(ACTIVITIES, jan31)) == {"A2 follow-up"}
    org = everyone["admin"].org
    org.time_zone = "America/New_York"
    org.save(update_fields=["time_zone"])
    assert _names(client.get(ACTIVITIES, jan31)) == {"A2 follow-up", "A3 demo"}


def test_output_fields(facts, everyone, api_for):  # noqa: F811
    client = api_for(everyone["admin"])
    d1 = client.get(f"{DEALS}{facts['deals']['D1'].pk}/").json()
    assert d1["owner_name"] == "Rick Rep"
    assert d1["team_name"] == "East Enterprise"
    assert d1["stage"] == "won"
    assert d1["amount_reporting"] == "1000.00"
    assert d1["close_date"] == "2025-01-15"
    d7 = client.get(f"{DEALS}{facts['deals']['D7'].pk}/").json()
    assert d7["owner"] is None
    assert d7["owner_raw"] == "J. Okafor"
    assert d7["team_name"] is None
    a3 = client.get(f"{ACTIVITIES}{facts['activities']['A3'].pk}/").json()
    assert a3["kind"] == "demo"
    assert a3["duration_minutes"] == 60
    s1 = client.get(f"{CSAT}{facts['csat']['S1'].pk}/").json()
    assert s1["score"] == "4.00"
    assert s1["scale"] == 5


def test_bad_filters_are_refused(facts, everyone, teams, api_for):  # noqa: F811
    client = api_for(everyone["admin"])
    assert "stage" in client.get(DEALS, {"stage": "maybe"}).json()
    assert "from" in client.get(DEALS, {"from": "yesterday"}).json()
    assert "ordering" in client.get(DEALS, {"ordering": "password"}).json()
    assert "kind" in client.get(ACTIVITIES, {"kind": "telepathy"}).json()
    assert client.get(CSAT, {"period": "someday"}).status_code == 400


def test_someone_out_of_reach_is_an_unknown_filter(facts, everyone, teams, api_for):  # noqa: F811
    client = api_for(everyone["rep"])
    response = client.get(DEALS, {"person": everyone["other_team_rep"].pk})
    assert response.status_code == 400
    assert "person" in response.json()
    response = client.get(DEALS, {"team": teams["west_mm"].pk})
    assert response.status_code == 400
    assert "team" in response.json()


def test_only_admins_may_ask_for_unmatched_facts(facts, everyone, api_for):  # noqa: F811
    response = api_for(everyone["executive"]).get(DEALS, {"unmatched": "true"})
    assert response.status_code == 400
    assert "unmatched" in response.json()


def test_a_fact_out_of_reach_reads_as_missing(facts, everyone, api_for):  # noqa: F811
    rep = api_for(everyone["rep"])
    assert rep.get(f"{DEALS}{facts['deals']['D6'].pk}/").status_code == 404
    assert rep.get(f"{DEALS}{facts['deals']['D1'].pk}/").status_code == 200
    executive = api_for(everyone["executive"])
    assert executive.get(f"{ACTIVITIES}{facts['activities']['A5'].pk}/").status_code == 404
    assert executive.get(f"{CSAT}{facts['csat']['S4'].pk}/").status_code == 404


def test_anonymous_is_refused_and_writes_are_not_allowed(facts, everyone, api_for):  # noqa: F811
    for url in (DEALS, ACTIVITIES, CSAT, f"{DEALS}{facts['deals']['D1'].pk}/"):
        assert api_for(None).get(url).status_code == 401
    admin = api_for(everyone["admin"])
    assert admin.post(DEALS, {"name": "x"}).status_code == 405
    assert admin.delete(f"{DEALS}{facts['deals']['D1'].pk}/").status_code == 405


@pytest.mark.parametrize("who", ["admin", "manager"])
def test_list_query_count_does_not_grow_with_rows(
    org,
    everyone,
    who,
    api_for,  # noqa: F811
    django_assert_max_num_queries,
):
    client = api_for(everyone[who])
    owners = [everyone["rep"], everyone["rep2"], everyone["manager"]]

    def add(numbers: range) -> None:
        for n in numbers:
            make_deal(org, owners[n % 3], f"Q{n}")
            make_activity(org, owners[n % 3], f"Q{n}")
            make_csat(org, owners[n % 3], f"Q{n}")

    add(range(3))
    small = {}
    for url in (DEALS, ACTIVITIES, CSAT):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, {"from": "2025-01-01"}).status_code == 200
        small[url] = len(ctx.captured_queries)
    add(range(3, 30))
    for url, queries in small.items():
        with django_assert_max_num_queries(queries):
            response = client.get(url, {"from": "2025-01-01"})
        assert len(response.json()["results"]) == 30
