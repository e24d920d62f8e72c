"""The catalogue API: the same rules as the pages."""

from __future__ import annotations

from charter.conftest import client_for
from charter.learning.models import Training


def test_rep_lists_what_applies_to_them(rep, other_team_rep, company_training, team_training):
    titles = {t["title"] for t in client_for(rep).get("/api/v1/learning/trainings/").json()}
    assert titles == {"Negotiation basics", "Enterprise discovery"}
    other = client_for(other_team_rep).get("/api/v1/learning/trainings/").json()
    assert [t["title"] for t in other] == ["Negotiation basics"]


def test_description_html_is_sanitised(admin, company_training):
    client = client_for(admin)
    client.patch(
        f"/api/v1/learning/trainings/{company_training.pk}/",
        {"description": "<img src=x onerror=alert(1)> *hi*"},
        content_type="application/json",
    )
    body = client.get(f"/api/v1/learning/trainings/{company_training.pk}/").json()
    assert "<em>hi</em>" in body["description_html"]
    assert "<img" not in body["description_html"]


def test_manager_creates_for_their_team_not_for_the_company(manager, teams):
    client = client_for(manager)
    body = {"title": "Api course", "kind": "course", "expected_hours": "3", "tags": ["A", "a"]}
    assert client.post("/api/v1/learning/trainings/", body, "application/json").status_code == 403
    created = client.post(
        "/api/v1/learning/trainings/", {**body, "team": teams["east_ent"].pk}, "application/json"
    )
    assert created.status_code == 201
    assert created.json()["tags"] == ["a"]
    assert Training.objects.get().team == teams["east_ent"]


def test_bad_hours_are_a_400_naming_the_field(admin):
    response = client_for(admin).post(
        "/api/v1/learning/trainings/",
        {"title": "X", "kind": "course", "expected_hours": "0"},
        "application/json",
    )
    assert response.status_code == 400
    assert "expected_hours" in response.json()
    assert not Training.objects.exists()


def test_unknown_field_is_refused(admin):
    response = client_for(admin).post(
        "/api/v1/learning/trainings/",
        {"title": "X", "kind": "course", "expected_hours": "1", "hourz": 2},
        "application/json",
    )
    assert response.status_code == 400


def test_executive_reads_but_cannot_retire(executive, company_training):
    client = client_for(executive)
    assert client.get(f"/api/v1/learning/trainings/{company_training.pk}/").status_code == 200
    response = client.patch(
        f"/api/v1/learning/trainings/{company_training.pk}/",
        {"is_active": False},
        content_type="application/json",
    )
    assert response.status_code == 403
    company_training.refresh_from_db()
    assert company_training.is_active


def test_the_list_refuses_bad_filters_by_name(rep, company_training):
    client = client_for(rep)
    # A NUL byte reaches no database (PostgreSQL refuses it in text): a 400 naming the filter.
    for name in ("q", "tag"):
        response = client.get("/api/v1/learning/trainings/", {name: "a\x00b"})
        assert response.status_code == 400
        assert name in response.json()
    assert client.get("/api/v1/learning/trainings/", {"kind": "juggling"}).status_code == 400
    assert client.get("/api/v1/learning/trainings/", {"retired": "true"}).status_code == 200
