"""The training catalogue: who reads which training, who adds and changes them, bad input."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from charter.conftest import client_for
from charter.core.models import AuditEvent
from charter.expectations.services import value_create
from charter.learning.models import Training
from charter.learning.services.catalogue import normalise_tags, training_create, training_update


def _form(**overrides):
    return {"title": "Objection handling", "kind": "e_learning", "expected_hours": "2.5",
            "team": "", "code": "", "provider": "Acme Academy", "link": "", "description": "",
            "tags": "Objections, sales", **overrides}  # fmt: skip


def test_tags_are_normalised_once_each():
    assert normalise_tags(" Sales, sales ,Cold-Calling,,<b>x</b>") == ",sales,cold-calling,bxb,"
    assert normalise_tags("") == ""


def test_company_training_is_read_by_everyone_team_training_by_its_team(
    everyone, company_training, team_training
):
    expected = {
        "rep": True, "rep2": True, "manager": True, "admin": True, "executive": True,
        "other_manager": False, "other_team_rep": False,
    }  # fmt: skip
    for name, person in everyone.items():
        client = client_for(person)
        page = client.get("/learning/trainings/").content.decode()
        assert "Negotiation basics" in page, name
        assert ("Enterprise discovery" in page) is expected[name], name
        status = client.get(f"/learning/trainings/{team_training.pk}/").status_code
        assert status == (200 if expected[name] else 404), name


def test_a_training_for_a_parent_team_reaches_its_subteams(org, teams, admin, rep):
    training_create(
        org=org, actor=admin.user, title="East onboarding", kind="course", expected_hours=3,
        team=teams["east"],
    )  # fmt: skip
    assert "East onboarding" in client_for(rep).get("/learning/trainings/").content.decode()


def test_manager_adds_a_training_for_their_team(manager, teams):
    response = client_for(manager).post(
        "/learning/trainings/new/", _form(team=teams["east_ent"].pk)
    )
    training = Training.objects.get(title="Objection handling")
    assert response.status_code == 302
    assert training.team == teams["east_ent"]
    assert training.tag_list == ["objections", "sales"]
    assert AuditEvent.objects.filter(action="learning.training.created").count() == 1


def test_manager_cannot_add_a_company_training_or_one_for_another_team(manager, teams):
    client = client_for(manager)
    for team in ("", teams["west_mm"].pk):
        response = client.post("/learning/trainings/new/", _form(team=team))
        assert response.status_code == 200
        assert not Training.objects.exists()


def test_rep_and_executive_cannot_add_trainings(rep, executive):
    for person in (rep, executive):
        response = client_for(person).post("/learning/trainings/new/", _form())
        assert response.status_code == 403
    assert not Training.objects.exists()


def test_other_manager_cannot_edit_another_teams_training(other_manager, team_training):
    response = client_for(other_manager).post(
        f"/learning/trainings/{team_training.pk}/edit/", {"retire": "1"}
    )
    assert response.status_code == 404
    team_training.refresh_from_db()
    assert team_training.is_active


def test_manager_retires_and_restores_their_teams_training(manager, rep, team_training):
    client = client_for(manager)
    client.post(f"/learning/trainings/{team_training.pk}/edit/", {"retire": "1"})
    team_training.refresh_from_db()
    assert not team_training.is_active
    listing = client_for(rep).get("/learning/trainings/").content.decode()
    assert "Enterprise discovery" not in listing
    retired = client_for(rep).get("/learning/trainings/?retired=1").content.decode()
    assert "Enterprise discovery" in retired
    client.post(f"/learning/trainings/{team_training.pk}/edit/", {"restore": "1"})
    team_training.refresh_from_db()
    assert team_training.is_active


def test_admin_edits_and_links_values(admin, org, company_training):
    value = value_create(org=org, actor=admin.user, name="Curiosity")
    response = client_for(admin).post(
        f"/learning/trainings/{company_training.pk}/edit/",
        _form(title="Negotiation 101", values=[value.pk], code="NEG-101"),
    )
    assert response.status_code == 302
    company_training.refresh_from_db()
    assert company_training.title == "Negotiation 101"
    assert list(company_training.values.all()) == [value]
    event = AuditEvent.objects.get(action="learning.training.updated")
    assert event.before is not None
    assert event.after is not None
    assert event.before["title"] == "Negotiation basics"
    assert event.after["values"] == [value.pk]


def test_description_is_sanitised(admin, company_training):
    training_update(
        training=company_training,
        actor=admin.user,
        description="**Bold** <script>alert(1)</script> [x](javascript:alert(1))",
    )
    page = client_for(admin).get(f"/learning/trainings/{company_training.pk}/").content.decode()
    assert "<strong>Bold</strong>" in page
    assert "<script>alert(1)" not in page
    assert 'href="javascript' not in page


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": " "}, "title"),
        ({"title": "negotiation BASICS"}, "title"),
        ({"code": "neg-101"}, "code"),
        ({"kind": "webinar"}, "kind"),
        ({"expected_hours": "0"}, "expected_hours"),
        ({"expected_hours": "-1"}, "expected_hours"),
        ({"expected_hours": "5000"}, "expected_hours"),
        ({"link": "javascript:alert(1)"}, "link"),
    ],
)
def test_bad_training_names_its_field(org, admin, company_training, fields, field):
    base = {"title": "Another", "kind": "course", "expected_hours": "1"}
    with pytest.raises(ValidationError) as caught:
        training_create(org=org, actor=admin.user, **(base | fields))
    assert field in caught.value.message_dict
    assert Training.objects.count() == 1


def test_a_team_of_another_organization_is_refused(org, admin, globex):
    with pytest.raises(ValidationError) as caught:
        training_create(
            org=org, actor=admin.user, title="X", kind="course", expected_hours=1,
            team=globex["manager"].team,
        )  # fmt: skip
    assert "team" in caught.value.message_dict


def test_another_organizations_admin_cannot_see_or_edit(globex, company_training):
    client = client_for(globex["admin"])
    assert "Negotiation basics" not in client.get("/learning/trainings/").content.decode()
    assert client.get(f"/learning/trainings/{company_training.pk}/edit/").status_code == 404


def test_filters_by_kind_tag_and_query(rep, company_training, team_training):
    client = client_for(rep)
    by_tag = client.get("/learning/trainings/?tag=sales").content.decode()
    assert "Enterprise discovery" not in by_tag
    by_kind = client.get("/learning/trainings/?kind=shadowing").content.decode()
    assert "Enterprise discovery" in by_kind
    assert "Negotiation basics" not in by_kind
    by_code = client.get("/learning/trainings/?q=neg-101").content.decode()
    assert "Negotiation basics" in by_code
    assert "Enterprise discovery" not in by_code


def test_the_catalogue_page_reads_a_search_with_a_nul_byte_as_no_search(rep, company_training):
    # PostgreSQL refuses NUL in text: the page must not fail on a hand-made address.
    response = client_for(rep).get("/learning/trainings/", {"q": "x\x00", "tag": "\x00"})
    assert response.status_code == 200
    assert company_training.title in response.content.decode()
