"""The CRM import API's routes and lists: ids are numbers, lists are pages like everywhere."""

from __future__ import annotations

from typing import Any

import pytest

from charter.api.tests.conftest import bearer, token_for
from charter.core.models import ImportRun

API = "/api/v1/crm/imports/"


def _issues(count: int) -> list[dict[str, Any]]:
    return [
        {"row": n + 2, "column": "amount", "value": "x", "reason": "Not a number."}
        for n in range(count)
    ]


@pytest.mark.parametrize("path", ["abc/", "abc/errors/", "1.5/", "-1/", "%00/", "1e3/errors/"])
def test_a_run_id_that_is_not_a_number_is_not_found(everyone: Any, path: str) -> None:
    response = bearer(token_for(everyone["admin"])).get(API + path)
    assert response.status_code == 404


def test_an_unknown_run_id_is_not_found(everyone: Any) -> None:
    client = bearer(token_for(everyone["admin"]))
    assert client.get(f"{API}999999/").status_code == 404
    assert client.get(f"{API}99999999999999999999999/errors/").status_code == 404


def test_the_list_of_imports_is_paginated(everyone: Any) -> None:
    org = everyone["admin"].org
    runs = [ImportRun.objects.create(org=org, kind="deals", filename=f"{n}.csv") for n in range(53)]
    ImportRun.objects.create(org=org, kind="people", filename="hr.csv")  # not a CRM import
    client = bearer(token_for(everyone["admin"]))

    first = client.get(API).json()
    second = client.get(API, {"page": 2}).json()

    assert first["count"] == 53
    assert len(first["results"]) == 50
    assert first["next"].endswith("page=2")
    assert first["previous"] is None
    listed = [r["id"] for r in first["results"] + second["results"]]
    assert listed == [r.pk for r in reversed(runs)]


def test_the_errors_of_an_import_are_paginated(everyone: Any) -> None:
    org = everyone["admin"].org
    run = ImportRun.objects.create(org=org, kind="deals", filename="x.csv", errors=_issues(60))
    client = bearer(token_for(everyone["admin"]))

    first = client.get(f"{API}{run.pk}/errors/").json()
    second = client.get(f"{API}{run.pk}/errors/", {"page": 2}).json()

    assert first["count"] == 60
    assert [e["row"] for e in first["results"] + second["results"]] == list(range(2, 62))
    assert second["next"] is None
