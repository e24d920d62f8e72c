"""The API against its own schema: every operation in `/api/v1/schema/`, called with requests
generated from that schema (valid ones and broken ones), as an admin, a manager and a rep.

Each answer must be one the schema documents for the operation, never a 500, and a JSON body
must validate against the documented schema of that status. The generator is small and seeded,
so a failure names the request that caused it and happens again on the next run.

Each operation's requests run in a savepoint that is rolled back, so a write one operation
makes (a deactivated person, a closed period) does not change what the next one meets.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import random
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from jsonschema import Draft202012Validator
from rest_framework.test import APIClient

from charter.api.tests.conftest import bearer, token_for
from charter.conftest import deal_fact, make_person
from charter.core.models import ImportRun
from charter.core.periods import period_containing
from charter.crm import services as crm_services
from charter.crm.models import Activity, CsatResponse, Deal
from charter.expectations import services as expectation_services
from charter.expectations.models import Change, Document, Expectation, Question
from charter.expectations.tests.conftest import fill_document, first_expectation
from charter.kpis import services as kpi_services
from charter.kpis.models import KpiDefinition, Target
from charter.kpis.selectors.calendar import org_today
from charter.org.models import Person, Role, Team

SEED = 11
SCHEMA_URL = "/api/v1/schema/"
# Requests per operation and persona: two built to be valid, then these broken on purpose.
MUTANTS_PER_OPERATION = 7
HUGE = "x" * 20_000
BAD_IDS = ["abc", "0", "-1", "1.5", "99999999999999999999", "%00"]
BAD_VALUES: list[Any] = [
    "abc",
    -1,
    1.5,
    True,
    None,
    [],
    {},
    HUGE,
    "\x00",
    "2017-02-30",
    99999999999999999999,
]


# -- the world the requests meet --------------------------------------------------------------


def _deal(eid: str, owner: Person, day: dt.date) -> dict[str, Any]:
    return deal_fact(eid, owner, "1200.00", created=day, closed=day) | {"name": f"Deal {eid}"}


@pytest.fixture
def world(org, teams, everyone) -> dict[str, Any]:
    """Something of every kind, in and out of each persona's sight."""
    admin, other_manager = everyone["admin"], everyone["other_manager"]
    values = {
        name.lower(): expectation_services.value_create(
            org=org, actor=admin.user, name=name, description=f"We value {name.lower()}."
        )
        for name in ("Ownership", "Growth")
    }
    rep, other_rep = everyone["rep"], everyone["other_team_rep"]
    quarter = period_containing(org_today(org), "quarter", 1)

    company = expectation_services.document_create(org=org, actor=admin.user, title="How we sell")
    fill_document(company, values, admin.user)
    expectation_services.document_publish(
        document=company, actor=admin.user, summary="First", change=Change.MATERIAL,
        distribute=False,
    )  # fmt: skip
    west = expectation_services.document_create(
        org=org, actor=admin.user, title="West playbook", audience="team",
        audience_team=teams["west_mm"],
    )  # fmt: skip
    fill_document(west, values, admin.user)
    expectation_services.document_publish(
        document=west, actor=admin.user, summary="First", change=Change.MATERIAL,
        distribute=False,
    )  # fmt: skip
    for asker, document in ((rep, company), (other_rep, west)):
        expectation_services.question_ask(
            document=document,
            actor=asker.user,
            expectation_key=str(first_expectation(document).key),
            text="Does email count?",
            visibility="private",
        )

    crm_services.facts_upsert(
        model=Deal,
        org=org,
        source="file",
        rows=[_deal("d-rep", rep, quarter.start), _deal("d-west", other_rep, quarter.start)],
        run=None,
    )
    revenue = KpiDefinition.objects.get(org=org, key="revenue_won")
    for person in (rep, other_rep):
        kpi_services.target_set(
            org=org, kpi=revenue, period=quarter, value=Decimal(1000), actor=admin.user,
            person=person,
        )  # fmt: skip
    ImportRun.objects.create(
        org=org,
        kind="deals",
        filename="deals.csv",
        errors=[{"row": 2, "column": "amount", "value": "x", "reason": "Not a number."}],
    )
    # Someone in another team without a login, for invitations.
    make_person(org, "Nina New", Role.REP, team=teams["west_mm"], manager=other_manager,
                login=False)  # fmt: skip
    return {
        "quarter": quarter,
        "everyone": everyone,
        "company": company,
        "west": west,
        "teams": teams["east_ent"].pk,
    }


def _pools(world: dict[str, Any]) -> dict[str, list[Any]]:
    """Real values for ids and keys, whoever may see them: the generator mixes them freely.
    Ordered, so the seeded choices are the same on every database."""
    people = list(Person.objects.order_by("pk").values_list("pk", flat=True))
    return {
        "people": people,
        "teams": list(Team.objects.order_by("pk").values_list("pk", flat=True)),
        "documents": list(Document.objects.order_by("pk").values_list("pk", flat=True)),
        "expectations": list(Expectation.objects.order_by("pk").values_list("pk", flat=True)),
        "expectation_keys": [
            str(k) for k in Expectation.objects.order_by("pk").values_list("key", flat=True)
        ],
        "questions": list(Question.objects.order_by("pk").values_list("pk", flat=True)),
        "targets": list(Target.objects.order_by("pk").values_list("pk", flat=True)),
        "kpis": list(KpiDefinition.objects.order_by("pk").values_list("key", flat=True)),
        "imports": list(ImportRun.objects.order_by("pk").values_list("pk", flat=True)),
        "deals": list(Deal.objects.order_by("pk").values_list("pk", flat=True)),
        "activities": list(Activity.objects.order_by("pk").values_list("pk", flat=True)) or [1],
        "csat": list(CsatResponse.objects.order_by("pk").values_list("pk", flat=True)) or [1],
        "periods": [world["quarter"].label, "2017-Q2", "FY2018", "2017-05"],
        "numbers": [1, 2],
        "names": [p.full_name for p in world["everyone"].values()],
        "values": ["Ownership", "Growth"],
        "subjects": ["org", *(f"person:{pk}" for pk in people), f"team:{world['teams']}"],
        "pages": [1, 1, 2],
    }


# Which pool a path parameter or a field draws from, by the collection it belongs to or its name.
_PATH_POOLS = {
    "people": "people",
    "teams": "teams",
    "documents": "documents",
    "expectations": "expectations",
    "questions": "questions",
    "targets": "targets",
    "definitions": "kpis",
    "periods": "periods",
    "imports": "imports",
    "deals": "deals",
    "activities": "activities",
    "csat": "csat",
}
_FIELD_POOLS = {
    "person": "people",
    "manager": "people",
    "owner": "people",
    "team": "teams",
    "parent": "teams",
    "audience_team": "teams",
    "document": "documents",
    "section": "expectations",
    "kpi": "kpis",
    "period": "periods",
    "version": "numbers",
    "number": "numbers",
    "a": "numbers",
    "b": "numbers",
    "expectation_key": "expectation_keys",
    "typed_name": "names",
    "values": "values",
    "subject": "subjects",
    "page": "pages",
}


# -- OpenAPI 3.0 to JSON Schema ---------------------------------------------------------------


def _json_schema(node: Any) -> Any:
    """OpenAPI's `nullable` as JSON Schema's null type; everything else is already JSON Schema."""
    if isinstance(node, list):
        return [_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _json_schema(v) for k, v in node.items() if k not in ("nullable", "example")}
    if node.get("nullable"):
        return {"anyOf": [out, {"type": "null"}]}
    return out


class Schema:
    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.components = _json_schema(document["components"])

    def resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            node = self.document["components"]["schemas"][name]
        return node

    def validator(self, node: dict[str, Any]) -> Draft202012Validator:
        return Draft202012Validator({**_json_schema(node), "components": self.components})

    def operations(self) -> Iterator[tuple[str, str, dict[str, Any]]]:
        for path, item in sorted(self.document["paths"].items()):
            for method, operation in sorted(item.items()):
                if method in ("get", "post", "put", "patch", "delete"):
                    yield method, path, operation


# -- the generator ----------------------------------------------------------------------------


class Generator:
    def __init__(self, schema: Schema, pools: dict[str, list[Any]], rng: random.Random) -> None:
        self.schema, self.pools, self.rng = schema, pools, rng

    def pick(self, pool: str) -> Any:
        return self.rng.choice(self.pools[pool])

    def value(self, node: dict[str, Any], name: str = "") -> Any:
        node = self.schema.resolve(node)
        if "oneOf" in node or "anyOf" in node:
            choices = node.get("oneOf") or node.get("anyOf") or []
            options = [self.schema.resolve(o) for o in choices]
            options = [o for o in options if o.get("enum") != [None]] or options
            return self.value(self.rng.choice(options), name)
        if "allOf" in node:
            return self.value(node["allOf"][0], name)
        if "enum" in node:
            return self.rng.choice([e for e in node["enum"] if e is not None] or [None])
        kind = node.get("type", "string")
        pool = _FIELD_POOLS.get(name)
        if kind == "array":
            if pool:
                return [self.pick(pool)]
            return [self.value(node.get("items", {}), name)]
        if kind == "object":
            return self.body(node)
        if pool:
            picked = self.pick(pool)
            return picked if kind != "string" else str(picked)
        if kind == "integer":
            low, high = node.get("minimum", 1), node.get("maximum", 30)
            return self.rng.randint(int(low), int(min(high, low + 30)))
        if kind == "number":
            return self.rng.choice([1, 2.5, 100])
        if kind == "boolean":
            return self.rng.choice([True, False])
        fmt = node.get("format")
        if fmt == "date":
            return str(timezone.localdate())
        if fmt == "date-time":
            return dt.datetime.now(dt.UTC).isoformat()
        if fmt == "email":
            return f"someone{self.rng.randint(1, 999)}@acme.test"
        if fmt == "decimal":
            return self.rng.choice(["100.00", "0", "2500.5"])
        if fmt == "binary":
            return "file"
        return self.rng.choice(["Pipeline review", "Weekly call notes", "A"])

    def body(self, node: dict[str, Any], *, minimal: bool = False) -> dict[str, Any]:
        """A body with the required fields, and some of the others unless `minimal`."""
        node = self.schema.resolve(node)
        required = set(node.get("required", []))
        out = {}
        for name, prop in node.get("properties", {}).items():
            if self.schema.resolve(prop).get("readOnly"):
                continue
            if name in required or (not minimal and self.rng.random() < 0.6):
                out[name] = self.value(prop, name)
        return out

    def mutate(self, body: dict[str, Any], node: dict[str, Any]) -> Any:
        """`body` broken one way: a field missing, of the wrong type, unknown or huge; or no
        object at all."""
        node = self.schema.resolve(node)
        broken = copy.deepcopy(body)
        fields = list(node.get("properties", {}))
        how = self.rng.choice(["drop", "wrong", "wrong", "unknown", "huge", "shape"])
        if how == "shape" or not fields:
            return self.rng.choice([[], "text", 42, None, [body]])
        name = self.rng.choice(fields)
        if how == "drop":
            broken.pop(name, None)
        elif how == "wrong":
            broken[name] = self.rng.choice(BAD_VALUES)
        elif how == "unknown":
            broken["zz_unknown_field"] = "surprise"
        else:
            broken[name] = HUGE
        return broken

    def path(self, template: str, broken: bool) -> str:
        def fill(match: re.Match[str]) -> str:
            name = match.group(1)
            if broken and self.rng.random() < 0.5:
                return self.rng.choice(BAD_IDS)
            before = template[: match.start()].rstrip("/").rsplit("/", 1)[-1]
            if name == "number":
                return str(self.pick("numbers"))
            return str(self.pick(_PATH_POOLS.get(before, "numbers")))

        return re.sub(r"\{(\w+)\}", fill, template)

    def query(self, operation: dict[str, Any], broken: bool, minimal: bool) -> dict[str, Any]:
        out = {}
        for parameter in operation.get("parameters", []):
            if parameter["in"] != "query":
                continue
            name = parameter["name"]
            if not parameter.get("required") and (minimal or self.rng.random() < 0.5):
                continue
            if broken and self.rng.random() < 0.5:
                out[name] = self.rng.choice(["abc", "-1", HUGE, "99999999999999999999", "\x00"])
            else:
                value = self.value(parameter.get("schema", {}), name)
                out[name] = str(value).lower() if isinstance(value, bool) else value
        return out


# -- the test ---------------------------------------------------------------------------------


def _send(
    client: APIClient, method: str, path: str, query: dict[str, Any], body: Any, media: str | None
) -> Any:
    if query:
        path = f"{path}?{urlencode(query)}"
    if method == "get":
        return client.get(path)
    if media == "multipart/form-data":
        form = {k: v for k, v in (body if isinstance(body, dict) else {}).items() if v is not None}
        if "file" in form:
            form["file"] = SimpleUploadedFile(
                "deals.csv", b"external_id,owner,stage,amount\nD9,Rick Rep,won,10\n"
            )
        form = {k: json.dumps(v) if isinstance(v, dict | list) else v for k, v in form.items()}
        return getattr(client, method)(path, form, format="multipart")
    return getattr(client, method)(path, json.dumps(body), content_type="application/json")


def _check(schema: Schema, operation: dict[str, Any], response: Any, described: str) -> list[str]:
    status = str(response.status_code)
    documented = operation["responses"]
    if response.status_code >= 500:
        return [f"{described}: {status}"]
    if status not in documented:
        body = response.content[:300]
        return [f"{described}: {status} is not documented ({sorted(documented)}): {body!r}"]
    content = documented[status].get("content", {}).get("application/json")
    if content is None or not response.content:
        return []
    if not response["Content-Type"].startswith("application/json"):
        return [f"{described}: {status} answered {response['Content-Type']}, not JSON"]
    errors = sorted(
        schema.validator(content["schema"]).iter_errors(response.json()), key=lambda e: e.path
    )
    return [f"{described}: {status} body: {e.message[:200]} at {list(e.path)}" for e in errors[:3]]


def _calls(
    generator: Generator, method: str, template: str, operation: dict[str, Any]
) -> Iterator[tuple[str, dict[str, Any], Any, str | None]]:
    request = operation.get("requestBody", {}).get("content", {})
    media = "application/json" if "application/json" in request else next(iter(request), None)
    node = request[media]["schema"] if media else None
    # The first request has only what is required, the second some of the rest; the others
    # are broken on purpose (body, path or query).
    for attempt in range(2 + MUTANTS_PER_OPERATION):
        minimal, broken = attempt == 0, attempt > 1
        body = generator.body(node, minimal=minimal) if node else None
        if node and broken and generator.rng.random() < 0.7:
            body = generator.mutate(body or {}, node)
        yield (
            generator.path(template, broken),
            generator.query(operation, broken, minimal),
            body,
            media,
        )


@pytest.mark.parametrize("persona", ["admin", "manager", "rep"])
def test_every_operation_answers_as_its_schema_says(world, persona):
    person = world["everyone"][persona]
    client = bearer(token_for(person))
    schema = Schema(client.get(SCHEMA_URL, {"format": "json"}).json())
    generator = Generator(schema, _pools(world), random.Random(f"{SEED}-{persona}"))
    problems: list[str] = []
    for method, template, operation in schema.operations():
        with transaction.atomic():
            for path, query, body, media in _calls(generator, method, template, operation):
                described = f"{persona} {method.upper()} {path} {query or ''} {_short(body)}"
                try:
                    response = _send(client, method, path, query, body, media)
                except Exception as exc:  # the test client re-raises a view's exception
                    problems.append(f"{described}: raised {type(exc).__name__}: {exc}"[:400])
                    continue
                problems += _check(schema, operation, response, described)
            transaction.set_rollback(True)
    assert problems == [], "\n".join(problems)


def _short(body: Any) -> str:
    text = json.dumps(body, default=str)
    return text if len(text) < 160 else text[:150] + "…"


# The world above lives in the current quarter, which cannot be closed yet: a closed period with
# late data, the only answer that carries `restated`, is checked here on its own.
@pytest.mark.django_db
def test_a_restated_scorecard_answers_as_its_schema_says(org, everyone):
    admin, rep = everyone["admin"], everyone["rep"]
    q2 = period_containing(dt.date(2017, 5, 1), "quarter", org.fiscal_year_start_month)
    revenue = KpiDefinition.objects.get(org=org, key="revenue_won")
    with time_machine.travel(dt.datetime(2017, 7, 5, 12, 0, tzinfo=dt.UTC), tick=False):
        crm_services.facts_upsert(
            model=Deal, org=org, source="file", rows=[_deal("d1", rep, q2.start)], run=None
        )
        kpi_services.target_set(
            org=org, kpi=revenue, period=q2, value=Decimal(2400), actor=admin.user, person=rep
        )
        client = bearer(token_for(admin))
        assert client.post(f"/api/v1/kpis/periods/{q2.label}/close/").status_code == 201
        # A second win arrives after the close: 2,400 of 2,400 now, 1,200 frozen.
        crm_services.facts_upsert(
            model=Deal, org=org, source="file", rows=[_deal("d2", rep, q2.end)], run=None
        )
        schema = Schema(client.get(SCHEMA_URL, {"format": "json"}).json())
        path = "/api/v1/kpis/scorecards/"
        response = client.get(path, {"period": q2.label, "person": rep.pk})
    operation = schema.document["paths"][path]["get"]
    assert _check(schema, operation, response, f"GET {path}") == []
    (row,) = response.json()
    assert (row["score"], row["restated"]["score"]) == (0.5, 1)
