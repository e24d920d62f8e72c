"""Owner matching by email, CRM id alias and name; the unmatched owners page and its resolution."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from charter.conftest import client_for
from charter.core.models import AuditEvent
from charter.crm.models import Activity, CsatResponse, Deal
from charter.crm.owners import OwnerMatcher, unmatched_owners
from charter.crm.tests.test_import_deals import counts, run_import
from charter.org.models import OwnerAlias, Person

URL = "/crm/owners/"
DEALS = (
    "id,owner,stage,amount,created,close\n"
    "D1,rick.rep@acme.test,won,10,2024-01-01,2024-01-15\n"
    "D2,005XYZ,won,10,2024-01-01,2024-01-15\n"
    "D3,  rita   REP ,won,10,2024-01-01,2024-01-15\n"
    "D4,Zed Stranger,open,,2024-01-01,\n"
    "D5,zed stranger,open,,2024-01-01,\n"
)
ACTIVITIES = "id,owner,kind,date\nA1,Zed Stranger,call,2024-01-01\n"


def test_owners_match_by_email_crm_id_alias_and_normalised_name(
    everyone: Any, org: Any, tmp_path: Path
) -> None:
    OwnerAlias.objects.create(org=org, person=everyone["manager"], kind="crm_id", value="005xyz")

    run = run_import(org, "deals", DEALS, tmp_path)

    assert counts(run) == (5, 0, 0, 0)
    owner = dict(Deal.objects.values_list("external_id", "owner"))
    assert owner["D1"] == everyone["rep"].pk
    assert owner["D2"] == everyone["manager"].pk
    assert owner["D3"] == everyone["rep2"].pk
    assert owner["D4"] is None
    assert owner["D5"] is None
    assert Deal.objects.get(external_id="D5").owner_key == "zed stranger"


def test_two_people_with_one_name_match_neither(everyone: Any, org: Any) -> None:
    Person.objects.create(org=org, full_name="Rick Rep", email="other.rick@acme.test")

    assert OwnerMatcher(org).match("Rick Rep") == (None, "rick rep")
    assert OwnerMatcher(org).match("RICK.REP@acme.test")[0] == everyone["rep"].pk


def test_unmatched_owners_are_listed_with_counts_per_kind(
    everyone: Any, org: Any, tmp_path: Path
) -> None:
    run_import(org, "deals", DEALS, tmp_path)
    run_import(org, "activities", ACTIVITIES, tmp_path)

    found = unmatched_owners(org=org)

    assert [(o.key, o.counts) for o in found] == [
        ("zed stranger", {"deals": 2, "activities": 1}),
        ("005xyz", {"deals": 1}),
    ]
    page = client_for(everyone["admin"]).get(URL)
    assert page.status_code == 200
    assert "Zed Stranger" in page.content.decode()
    assert "Attribute 3 records" in page.content.decode()


def test_mapping_an_owner_to_a_person_attributes_every_record_and_later_imports(
    everyone: Any, org: Any, tmp_path: Path
) -> None:
    run_import(org, "deals", DEALS, tmp_path)
    run_import(org, "activities", ACTIVITIES, tmp_path)
    rep2 = everyone["rep2"]

    response = client_for(everyone["admin"]).post(
        URL, {"key": "zed stranger", "kind": "name", "person": rep2.pk}
    )

    assert response.status_code == 302
    assert set(
        Deal.objects.filter(external_id__in=["D4", "D5"]).values_list("owner", flat=True)
    ) == {rep2.pk}
    assert Activity.objects.get().owner == rep2
    assert OwnerAlias.objects.filter(person=rep2, kind="name", value="zed stranger").exists()
    event = AuditEvent.objects.get(action="crm.owner.resolved")
    assert event.after is not None
    assert event.after["deals"] == 2
    assert event.after["activities"] == 1
    run_import(org, "csat", "id,owner,score,date\nC1,Zed  Stranger,5,2024-01-01\n", tmp_path)
    assert CsatResponse.objects.get().owner == rep2
    again = run_import(org, "deals", DEALS, tmp_path)
    assert counts(again) == (0, 0, 5, 0)
    assert [o.key for o in unmatched_owners(org=org)] == ["005xyz"]


def test_an_owner_can_become_a_new_person(everyone: Any, org: Any, tmp_path: Path) -> None:
    run_import(org, "deals", DEALS, tmp_path)

    client_for(everyone["admin"]).post(
        URL,
        {
            "key": "zed stranger",
            "kind": "name",
            "person": "",
            "full_name": "Zed Stranger",
            "email": "zed@acme.test",
        },
    )

    zed = Person.objects.get(email="zed@acme.test")
    assert Deal.objects.filter(owner=zed).count() == 2
    assert AuditEvent.objects.filter(action="org.person.created").exists()


def test_resolving_needs_a_person_or_a_name(everyone: Any, org: Any, tmp_path: Path) -> None:
    run_import(org, "deals", DEALS, tmp_path)

    response = client_for(everyone["admin"]).post(URL, {"key": "zed stranger", "kind": "name"})

    assert response.status_code == 200
    assert "Choose a person" in response.content.decode()
    assert not OwnerAlias.objects.exists()


def test_anonymous_people_are_sent_to_sign_in(db: Any) -> None:
    response = client_for(None).get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", ["rep", "manager", "other_manager", "executive"])
def test_only_admins_may_see_or_resolve_owners(
    everyone: Any, org: Any, tmp_path: Path, role: str
) -> None:
    run_import(org, "deals", DEALS, tmp_path)
    client = client_for(everyone[role])

    assert client.get(URL).status_code == 403
    response = client.post(
        URL, {"key": "zed stranger", "kind": "name", "person": everyone["rep"].pk}
    )

    assert response.status_code == 403
    assert not OwnerAlias.objects.exists()
    assert Deal.objects.filter(owner_key="zed stranger", owner__isnull=True).count() == 2


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="reads SQLite's query plan (PostgreSQL's depends on size)"
)
@pytest.mark.parametrize("model", [Deal, Activity, CsatResponse])
def test_unmatched_owner_lookups_search_an_index(model: Any, org: Any) -> None:
    """Owner keys are indexed only on rows nobody owns (an import of matched rows writes none
    of them), and the lookups by owner key are all for such rows: they must still search an
    index (that one, or the owner's own, where unowned rows sit together) rather than scan
    every fact."""
    table = model._meta.db_table
    queries = [
        model.objects.filter(org=org, owner__isnull=True, owner_key="zed stranger"),
        model.objects.filter(org=org, owner__isnull=True).exclude(owner_key=""),
    ]
    for query in queries:
        sql, params = query.values("owner_key").query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
        assert f"SEARCH {table} USING" in plan, plan
        assert f"SCAN {table}" not in plan, plan
