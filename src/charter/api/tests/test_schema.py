"""The OpenAPI schema and the docs page: valid, warning-free, served without a CDN."""

from __future__ import annotations

import re

import yaml
from django.core.management import call_command
from drf_spectacular.validation import validate_schema

from charter.conftest import client_for

SCHEMA = "/api/v1/schema/"
DOCS = "/api/v1/docs/"


def test_schema_is_valid_openapi_json(api_for, rep):
    response = api_for(rep).get(SCHEMA, {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    validate_schema(schema)
    assert schema["openapi"].startswith("3.")
    for path in (
        "/api/v1/me/",
        "/api/v1/people/",
        "/api/v1/people/{id}/",
        "/api/v1/people/{id}/invite/",
        "/api/v1/people/{id}/deactivate/",
        "/api/v1/teams/",
        "/api/v1/teams/{id}/",
    ):
        assert path in schema["paths"], path
    assert "put" not in schema["paths"]["/api/v1/people/{id}/"]
    assert schema["components"]["securitySchemes"]["tokenAuth"]["scheme"] == "bearer"


def test_schema_is_valid_openapi_yaml_for_a_signed_in_person(rep):
    response = client_for(rep).get(SCHEMA)
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    validate_schema(schema)
    assert "/api/v1/people/" in schema["paths"]


def test_anonymous_cannot_fetch_the_schema(db, api_for):
    assert api_for(None).get(SCHEMA).status_code == 401


def test_schema_generates_without_warnings(tmp_path):
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    assert "openapi: 3" in out.read_text()


def test_docs_page_renders_for_a_signed_in_person_with_local_assets_only(rep):
    response = client_for(rep).get(DOCS)
    assert response.status_code == 200
    page = response.content.decode()
    assert '<div id="swagger-ui">' in page
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert assets
    # Everything from the static files, but the start-up script, which the page serves itself.
    assert all(url.startswith("/static/") or url == f"{DOCS}?script=" for url in assets), assets
    script = client_for(rep).get(DOCS, {"script": ""})
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert SCHEMA in script.content.decode()
    assert "<script>" not in page
    assert "https://" not in page
    assert "cdn" not in page.lower()


def test_anonymous_is_sent_to_sign_in_from_the_docs_page(db):
    response = client_for(None).get(DOCS)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
