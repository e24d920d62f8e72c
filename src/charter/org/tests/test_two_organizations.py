"""Two organizations in one database: the web pages and the API put what a person creates in
that person's organization (never the first one in the table), and neither shows the other's."""

from __future__ import annotations

import pytest

from charter.api.tests.conftest import bearer, token_for
from charter.conftest import client_for
from charter.org.models import Person, Team


def test_web_and_api_create_people_and_teams_in_the_signed_in_persons_organization(
    everyone, globex
):
    # Acme is the first organization in the table; Globex's admin must write into Globex.
    globex_org = globex["admin"].org
    assert everyone["admin"].org.pk < globex_org.pk
    web = client_for(globex["admin"])
    assert (
        web.post("/org/people/new/", {"full_name": "Web Newhire", "role": "rep"}).status_code == 302
    )
    assert web.post("/org/teams/new/", {"name": "Web Team"}).status_code == 302
    api = bearer(token_for(globex["admin"]))
    assert (
        api.post("/api/v1/people/", {"full_name": "Api Newhire"}, format="json").status_code == 201
    )
    assert api.post("/api/v1/teams/", {"name": "Api Team"}, format="json").status_code == 201
    people = Person.objects.filter(full_name__in=["Web Newhire", "Api Newhire"])
    teams = Team.objects.filter(name__in=["Web Team", "Api Team"])
    assert sorted(people.values_list("org_id", flat=True)) == [globex_org.pk, globex_org.pk]
    assert sorted(teams.values_list("org_id", flat=True)) == [globex_org.pk, globex_org.pk]


def test_web_and_api_list_only_the_signed_in_persons_organization(everyone, globex):
    for person in (globex["admin"], globex["executive"], everyone["admin"]):
        org_id = person.org_id
        page = client_for(person).get("/org/people/")
        listed = {p.org_id for p in page.context["page"]}
        api = bearer(token_for(person)).get("/api/v1/people/").json()["results"]
        from_api = set(
            Person.objects.filter(pk__in=[p["id"] for p in api]).values_list("org_id", flat=True)
        )
        assert listed == from_api == {org_id}
        teams = bearer(token_for(person)).get("/api/v1/teams/").json()["results"]
        assert {t["id"] for t in teams} == set(
            Team.objects.filter(org_id=org_id).values_list("pk", flat=True)
        )


def test_a_command_refuses_to_guess_the_organization_when_there_are_several(everyone, globex):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=r"several organizations \(Acme Demo Co, Globex\)"):
        call_command(
            "createadmin",
            "--email=new.admin@acme.test",
            "--name=New Admin",
            "--password=a-long-enough-password-1",
            "--no-input",
        )
    assert not Person.objects.filter(email="new.admin@acme.test").exists()
