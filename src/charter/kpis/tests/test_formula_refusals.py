"""Formulas that could never mean anything (no metric, a divisor that is always zero, nesting
past the limit) are refused wherever a KPI is written: the service, the library page and its
live check, and the API, each with the parser's message and nothing stored. A long flat formula
within the length limit goes through every one of them and computes."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from charter.conftest import client_for
from charter.core.models import AuditEvent
from charter.kpis import services
from charter.kpis.formula import MAX_DEPTH, MAX_LENGTH
from charter.kpis.models import KpiDefinition, KpiVersion
from charter.kpis.tests.test_cli import TODAY, make_sales, scorecard_json
from charter.org.models import Organization, Person

DEFINITIONS = "/api/v1/kpis/definitions/"
NEW_KPI = "/kpis/library/new-kpi/"
CHECK = "/kpis/library/check-formula/"

# Each refused formula, and what its message must say.
MEANINGLESS = [
    ("5", "The formula uses no metric:"),
    ("(2 + 3) * 4", "The formula uses no metric:"),
    ("1/0", "The formula divides by 0:"),
    ("activities_call_count / 0.0", "The formula divides by 0.0:"),
    ("activities_call_count / (2-2)", "The formula divides by 2 - 2, which is always 0"),
    (
        "1+(" * (MAX_DEPTH + 1) + "activities_call_count" + ")" * (MAX_DEPTH + 1),
        f"The formula is nested too deeply: at most {MAX_DEPTH} levels",
    ),
]

# 16 + 58 x 8 + 18 = 498 characters: 116 operators of one level, then the count of wins.
LONG = "deals_won_amount" + " / 2 * 2" * 58 + " + deals_won_count"


def api(person: Person) -> APIClient:
    client = APIClient()
    client.force_authenticate(person.user)
    return client


def form_data(formula: str) -> dict[str, str]:
    return {
        "key": "odd_kpi",
        "name": "Odd KPI",
        "formula": formula,
        "unit": "count",
        "direction": "higher",
        "decimals": "0",
        "threshold_ahead": "1.1",
        "threshold_on_track": "0.95",
        "threshold_at_risk": "0.8",
        "weight": "0",
        "score_cap": "1.5",
        "active": "on",
        "effective_from": "2017-04-01",
    }


def stored(org: Organization) -> tuple[int, int, int]:
    return (
        KpiDefinition.objects.filter(org=org).count(),
        KpiVersion.objects.filter(definition__org=org).count(),
        AuditEvent.objects.count(),
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("formula", "says"), MEANINGLESS)
def test_the_services_refuse_a_meaningless_formula_and_store_nothing(
    admin: Person, org: Organization, formula: str, says: str
) -> None:
    before = stored(org)
    with pytest.raises(ValidationError) as created:
        services.kpi_create(
            org=org,
            key="odd_kpi",
            actor=admin.user,
            effective_from=dt.date(2017, 4, 1),
            name="Odd KPI",
            formula=formula,
            unit="count",
        )
    assert created.value.message_dict["formula"][0].startswith(says)
    with pytest.raises(ValidationError) as revised:
        services.kpi_revise(
            definition=KpiDefinition.objects.get(org=org, key="win_rate"),
            actor=admin.user,
            effective_from=dt.date(2017, 7, 1),
            reason="Try this",
            formula=formula,
        )
    assert revised.value.message_dict["formula"][0].startswith(says)
    assert stored(org) == before


@pytest.mark.django_db
@pytest.mark.parametrize(("formula", "says"), MEANINGLESS)
def test_the_library_page_shows_why_a_meaningless_formula_is_refused(
    admin: Person, org: Organization, formula: str, says: str
) -> None:
    client = client_for(admin)
    before = stored(org)
    refused = client.post(NEW_KPI, form_data(formula))
    assert refused.status_code == 200
    assert refused.context["form"].errors["formula"][0].startswith(says)
    assert says in refused.content.decode()
    # The check as it is typed says the same.
    live = client.get(CHECK, {"formula": formula}, HTTP_HX_REQUEST="true").content.decode()
    assert says in live
    assert "Valid" not in live
    revise = client.get("/kpis/library/win_rate/revise/").context["form"]
    data = {name: revise[name].value() for name in revise.fields}
    data.update(formula=formula, effective_from="2017-07-01", reason="Try this", active="on")
    refused = client.post("/kpis/library/win_rate/revise/", data)
    assert refused.context["form"].errors["formula"][0].startswith(says)
    assert stored(org) == before


@pytest.mark.django_db
@pytest.mark.parametrize(("formula", "says"), MEANINGLESS)
def test_the_api_refuses_a_meaningless_formula_with_its_message(
    admin: Person, org: Organization, formula: str, says: str
) -> None:
    before = stored(org)
    created = api(admin).post(
        DEFINITIONS,
        {**form_data(formula), "active": True, "score_cap": "1.5"},
        format="json",
    )
    assert created.status_code == 400
    assert created.json()["formula"][0].startswith(says)
    revised = api(admin).post(
        f"{DEFINITIONS}win_rate/revise/",
        {"formula": formula, "effective_from": "2017-07-01", "reason": "Try this"},
        format="json",
    )
    assert revised.status_code == 400
    assert revised.json()["formula"][0].startswith(says)
    assert stored(org) == before


@pytest.mark.django_db
@time_machine.travel(TODAY, tick=False)
def test_a_long_flat_formula_is_accepted_everywhere_and_computes(
    org: Organization, rep: Person, rep2: Person, admin: Person
) -> None:
    assert len(LONG) <= MAX_LENGTH
    make_sales(org, rep, rep2, admin)
    client = client_for(admin)
    live = client.get(CHECK, {"formula": LONG}, HTTP_HX_REQUEST="true").content.decode()
    assert "Valid: uses <code>deals_won_amount</code>, <code>deals_won_count</code>" in live
    assert client.post(NEW_KPI, {**form_data(LONG), "key": "from_page"}).status_code == 302
    from_api = api(admin).post(
        DEFINITIONS, {**form_data(LONG), "key": "from_api", "active": True}, format="json"
    )
    assert from_api.status_code == 201
    assert from_api.json()["current"]["formula"] == LONG
    # Rick won 12,000 and 8,000 in 2017-Q2, two deals: 20,000 halved and doubled 58 times, + 2.
    row = scorecard_json("--person", "Rick Rep", "--period", "2017-Q2")[0]
    assert row["kpis"]["from_page"]["actual"] == row["kpis"]["from_api"]["actual"] == 20002
    explained = client_for(rep).get(
        "/api/v1/kpis/explain/",
        {"subject": f"person:{rep.pk}", "period": "2017-Q2", "kpi": "from_api"},
    )
    assert explained.status_code == 200
    assert explained.json()["substituted"] == "20000" + " / 2 * 2" * 58 + " + 2"
    page = client_for(rep).get(f"/kpis/people/{rep.pk}/explain/from_page/?period=2017-Q2")
    assert page.status_code == 200
    assert "20000" + " / 2 * 2" * 58 + " + 2" in page.content.decode()
