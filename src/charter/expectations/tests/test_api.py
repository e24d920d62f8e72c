"""The expectations API: the whole flow (write, publish, sign, ask, answer) and who may not."""

import pytest
from rest_framework.test import APIClient

from charter.expectations import services
from charter.expectations.models import Change, DocumentVersion, Signature


def api_for(person):
    client = APIClient()
    if person is not None:
        client.force_authenticate(person.user)
    return client


@pytest.fixture
def published(company_doc, admin):
    return services.document_publish(
        document=company_doc,
        actor=admin.user,
        summary="First version",
        change=Change.MATERIAL,
        distribute=False,
    )


def test_manager_writes_publishes_and_rep_signs_through_the_api(manager, rep, teams, values):
    api = api_for(manager)
    created = api.post(
        "/api/v1/documents/",
        {"title": "East API rules", "audience": "team", "audience_team": teams["east_ent"].pk},
        format="json",
    )
    assert created.status_code == 201, created.content
    doc_id = created.json()["id"]
    draft = api.get(f"/api/v1/documents/{doc_id}/draft/").json()
    for section in draft:
        if section["provider"]:
            continue
        response = api.post(
            f"/api/v1/documents/{doc_id}/expectations/",
            {
                "section": section["id"],
                "title": "Do it",
                "text": "Do it well.",
                "values": ["Ownership"],
            },
            format="json",
        )
        assert response.status_code == 201, response.content
    published = api.post(
        f"/api/v1/documents/{doc_id}/publish/",
        {"summary": "First", "change": "material", "distribute": False},
        format="json",
    )
    assert published.status_code == 201, published.content
    assert published.json()["number"] == 1
    mine = api_for(rep).get("/api/v1/signatures/mine/").json()
    assert [r["state"] for r in mine if r["document"] == doc_id] == ["pending"]
    signed = api_for(rep).post(
        f"/api/v1/documents/{doc_id}/sign/",
        {"version": 1, "typed_name": "Rick Rep"},
        format="json",
    )
    assert signed.status_code == 201, signed.content
    assert signed.json()["state"] == "signed"
    assert Signature.objects.filter(person=rep).count() == 1


def test_publishing_with_problems_is_a_400_and_nothing_is_published(org, admin, values):
    document = services.document_create(org=org, actor=admin.user, title="Empty")
    response = api_for(admin).post(
        f"/api/v1/documents/{document.pk}/publish/",
        {"summary": "x", "change": "material"},
        format="json",
    )
    assert response.status_code == 400
    assert "is empty" in str(response.json())
    assert not DocumentVersion.objects.exists()


def test_signing_an_outdated_version_names_the_current_one(published, rep, admin, values):
    from charter.expectations.tests.conftest import first_expectation

    exp = first_expectation(published.document)
    services.expectation_update(
        expectation=exp,
        actor=admin.user,
        expected_revision=exp.revision,
        title="T",
        text="New",
        values=[values["growth"]],
    )
    services.document_publish(
        document=published.document,
        actor=admin.user,
        summary="v2",
        change=Change.MATERIAL,
        distribute=False,
    )
    response = api_for(rep).post(
        f"/api/v1/documents/{published.document_id}/sign/",
        {"version": 1, "typed_name": "Rick Rep"},
        format="json",
    )
    assert response.status_code == 400
    assert "versions/2/" in response.json()["current_version_url"]
    assert not Signature.objects.exists()


def test_versions_are_read_only(published, admin):
    url = f"/api/v1/documents/{published.document_id}/versions/1/"
    assert api_for(admin).get(url).json()["content_hash"] == published.content_hash
    assert api_for(admin).put(url, {"summary": "x"}, format="json").status_code == 405
    assert api_for(admin).delete(url).status_code == 405


def test_diff_endpoint(published, admin, values):
    from charter.expectations.tests.conftest import edit_first_expectation

    edit_first_expectation(published.document, admin.user, values, "Completely new words")
    services.document_publish(
        document=published.document,
        actor=admin.user,
        summary="v2",
        change=Change.EDITORIAL,
        distribute=False,
    )
    body = api_for(admin).get(f"/api/v1/documents/{published.document_id}/diff/?a=1&b=2").json()
    assert body["counts"] == {"added": 0, "changed": 1, "removed": 0}


def test_rep_cannot_write_and_executive_is_read_only(published, rep, executive, values):
    assert api_for(rep).post("/api/v1/documents/", {"title": "x"}, format="json").status_code == 403
    assert (
        api_for(executive).post("/api/v1/values/", {"name": "x"}, format="json").status_code == 403
    )
    assert api_for(executive).get("/api/v1/documents/").status_code == 200


def test_manager_cannot_create_a_document_for_another_team(manager, teams):
    response = api_for(manager).post(
        "/api/v1/documents/",
        {"title": "Not mine", "audience": "team", "audience_team": teams["west_mm"].pk},
        format="json",
    )
    # A team out of sight is refused as if it did not exist (see api/tests/test_scope_consistency).
    assert response.status_code == 400
    assert "audience_team" in response.json()
    from charter.expectations.models import Document

    assert not Document.objects.filter(title="Not mine").exists()


def test_conflicting_edit_answers_409_with_both_versions(company_doc, admin):
    from charter.expectations.tests.conftest import first_expectation

    exp = first_expectation(company_doc)
    url = f"/api/v1/expectations/{exp.pk}/"
    body = {"title": "T", "text": "First", "values": ["Ownership"], "revision": exp.revision}
    assert api_for(admin).patch(url, body, format="json").status_code == 200
    response = api_for(admin).patch(url, {**body, "text": "Second"}, format="json")
    assert response.status_code == 409
    assert response.json()["current"]["text"] == "First"
    assert response.json()["yours"]["text"] == "Second"


def test_questions_and_answers(published, rep, rep2, manager):
    from charter.expectations.tests.conftest import first_expectation

    key = str(first_expectation(published.document).key)
    asked = api_for(rep).post(
        f"/api/v1/documents/{published.document_id}/questions/",
        {"expectation_key": key, "text": "Private one?", "visibility": "private"},
        format="json",
    )
    assert asked.status_code == 201
    qid = asked.json()["id"]
    assert api_for(rep2).get(f"/api/v1/documents/{published.document_id}/questions/").json() == []
    assert (
        api_for(rep2)
        .post(f"/api/v1/questions/{qid}/answer/", {"text": "x"}, format="json")
        .status_code
        == 404
    )
    answered = api_for(manager).post(
        f"/api/v1/questions/{qid}/answer/", {"text": "Yes."}, format="json"
    )
    assert answered.status_code == 201
    assert answered.json()["answers"][0]["text"] == "Yes."


def test_team_coverage_is_limited_to_my_people(published, manager, rep):
    rows = api_for(manager).get(f"/api/v1/signatures/team/?document={published.document_id}").json()
    names = {r["person_name"] for r in rows}
    assert "Rick Rep" in names
    assert "Olga Other" not in names
    assert (
        api_for(rep).get(f"/api/v1/signatures/team/?document={published.document_id}").status_code
        == 403
    )


def test_anonymous_is_refused(published):
    assert api_for(None).get("/api/v1/documents/").status_code in (401, 403)
