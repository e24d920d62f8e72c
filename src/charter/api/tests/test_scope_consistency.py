"""The API answers alike whatever it is asked to hide: an object out of the caller's sight is a
404 on a write as on a read, and a related id out of sight is refused exactly like one that
does not exist. The schema says what the API does: which inputs refuse unknown fields, and the
error answers of every operation."""

from __future__ import annotations

import re
from typing import Any

import pytest

from charter.api.tests.conftest import bearer, token_for
from charter.expectations.models import Document
from charter.kpis.models import Target
from charter.org.models import Person, Team

MISSING = 999_999


def _people_state() -> list[tuple[Any, ...]]:
    return list(Person.objects.order_by("pk").values_list("pk", "title", "is_active", "team_id"))


@pytest.mark.parametrize(
    ("persona", "method", "path", "body"),
    [
        ("manager", "patch", "/api/v1/people/{other_team_rep}/", {"title": "Boss"}),
        ("rep", "patch", "/api/v1/people/{rep2}/", {"title": "Boss"}),
        ("manager", "post", "/api/v1/people/{other_team_rep}/deactivate/", {}),
        ("rep", "post", "/api/v1/people/{other_team_rep}/deactivate/", {}),
        ("manager", "patch", "/api/v1/teams/{west_mm}/", {"name": "Mine now"}),
    ],
)
def test_a_write_to_an_object_out_of_sight_is_not_found_like_a_read(
    everyone, teams, persona, method, path, body
):
    ids = {name: person.pk for name, person in everyone.items()} | {"west_mm": teams["west_mm"].pk}
    url = path.format(**ids)
    client = bearer(token_for(everyone[persona]))
    before = (_people_state(), list(Team.objects.values_list("pk", "name")))

    read = client.get(url.replace("deactivate/", ""))
    write = getattr(client, method)(url, body, format="json")
    (hidden_name,) = re.findall(r"\{(\w+)\}", path)
    missing_url = path.format(**{**ids, hidden_name: MISSING})
    missing = getattr(client, method)(missing_url, body, format="json")

    assert read.status_code == 404
    assert (write.status_code, write.json()) == (404, read.json())
    assert (missing.status_code, missing.json()) == (404, read.json())
    assert (_people_state(), list(Team.objects.values_list("pk", "name"))) == before


def test_a_write_in_sight_but_not_allowed_is_still_forbidden(everyone):
    client = bearer(token_for(everyone["manager"]))
    response = client.patch(f"/api/v1/people/{everyone['rep'].pk}/", {"title": "Boss"},
                            format="json")  # fmt: skip
    assert response.status_code == 403
    assert Person.objects.get(pk=everyone["rep"].pk).title == ""


def _document_for(client: Any, team_id: int) -> Any:
    body = {"title": "Playbook", "audience": "team", "audience_team": team_id}
    return client.post("/api/v1/documents/", body, format="json")


def test_a_team_out_of_sight_is_refused_like_a_team_that_does_not_exist(everyone, teams):
    client = bearer(token_for(everyone["manager"]))

    hidden = _document_for(client, teams["west_mm"].pk)
    missing = _document_for(client, MISSING)

    assert hidden.status_code == missing.status_code == 400
    assert hidden.json()["audience_team"][0].replace(str(teams["west_mm"].pk), "N") == (
        missing.json()["audience_team"][0].replace(str(MISSING), "N")
    )
    assert not Document.objects.exists()
    assert _document_for(client, teams["east_ent"].pk).status_code == 201


def test_a_target_for_someone_out_of_sight_is_refused_like_for_nobody(everyone):
    client = bearer(token_for(everyone["manager"]))
    body = {"kpi": "revenue_won", "period": "2017-Q2", "value": "10"}

    hidden = client.post("/api/v1/kpis/targets/", {**body, "person": everyone["other_team_rep"].pk},
                         format="json")  # fmt: skip
    missing = client.post("/api/v1/kpis/targets/", {**body, "person": MISSING}, format="json")

    assert (hidden.status_code, hidden.json()) == (missing.status_code, missing.json())
    assert hidden.status_code == 404
    assert not Target.objects.exists()


@pytest.mark.parametrize("path", ["/api/v1/teams/abc/", "/api/v1/no-such-thing/", "/api/v1/x"])
def test_an_address_the_api_does_not_have_answers_json(everyone, path):
    response = bearer(token_for(everyone["rep"])).get(path, follow=True)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_a_web_address_that_does_not_exist_is_still_a_page(everyone):
    response = bearer(token_for(everyone["rep"])).get("/org/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def _schema(everyone: Any) -> dict[str, Any]:
    return bearer(token_for(everyone["rep"])).get("/api/v1/schema/", {"format": "json"}).json()


def test_the_schema_says_which_inputs_refuse_unknown_fields(everyone):
    schemas = _schema(everyone)["components"]["schemas"]
    for strict in ("PersonCreateInput", "PatchedPersonUpdateInput", "TeamCreateInput",
                   "TargetInput"):  # fmt: skip
        assert schemas[strict]["additionalProperties"] is False, strict
    # Outputs and inputs that ignore unknown fields say nothing of the kind.
    assert "additionalProperties" not in schemas["PersonOutput"]
    assert "additionalProperties" not in schemas["AnswerInput"]


def test_the_refusal_of_an_unknown_field_matches_the_schema(everyone):
    client = bearer(token_for(everyone["admin"]))
    response = client.post("/api/v1/teams/", {"name": "X", "colour": "red"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"colour": ["Unknown field."]}
    assert not Team.objects.filter(name="X").exists()


def test_every_operation_documents_its_error_answers(everyone):
    schema = _schema(everyone)
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            for code in ("401", "403", "429"):
                assert code in responses, (method, path, code)
            if method != "get":
                assert "400" in responses, (method, path)
            if "{" in path:
                assert "404" in responses, (method, path)
            error = responses["403"]["content"]["application/json"]["schema"]["$ref"]
            assert error == "#/components/schemas/Error"
    assert schema["components"]["schemas"]["Error"]["required"] == ["detail"]
    patch = schema["paths"]["/api/v1/expectations/{expectation_id}/"]["patch"]["responses"]
    assert "409" in patch
