"""Who an unmatched CRM owner probably is: the pure suggestion and search functions, and the
owners page's searchable picker that shows them first."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from charter.conftest import client_for, make_person
from charter.crm.owners import (
    Candidate,
    picker_choices,
    search_people,
    suggest_people,
    suggestion_score,
)
from charter.crm.tests.test_import_deals import run_import

TYRONE = Candidate(1, "Tyrone Jackson", "tyrone@acme.test")
MARY = Candidate(2, "Mary Jackson", "mary.j@acme.test")
TOM = Candidate(3, "Tom Smith", "tom.smith@acme.test")
ZOE = Candidate(4, "Zoë Brandt", "")
PEOPLE = [MARY, TOM, TYRONE, ZOE]


def test_an_email_with_initial_and_surname_suggests_that_person_first() -> None:
    assert suggest_people("t.jackson@acme.com", PEOPLE) == [TYRONE, MARY]


def test_glued_logins_reversed_names_and_accents_are_recognised() -> None:
    assert suggest_people("tjackson", PEOPLE) == [TYRONE]
    assert suggest_people("jackson, tyrone", PEOPLE)[0] == TYRONE
    assert suggest_people("zoe.brandt@old-crm.com", PEOPLE) == [ZOE]
    assert suggest_people("smith tom", PEOPLE) == [TOM]


def test_the_local_part_of_a_persons_own_email_is_the_strongest_hint() -> None:
    assert suggestion_score("mary.j@other-domain.com", MARY) == 10
    assert suggest_people("mary.j@other-domain.com", PEOPLE)[0] == MARY


def test_initials_alone_or_strangers_suggest_nobody() -> None:
    assert suggestion_score("t.j@acme.com", TYRONE) == 0
    assert suggest_people("005XYZ", PEOPLE) == []
    assert suggest_people("zed stranger", PEOPLE) == []
    assert suggest_people("", PEOPLE) == []


def test_at_most_the_limit_is_suggested() -> None:
    many = [Candidate(i, f"Person{i} Jackson") for i in range(10)]
    assert len(suggest_people("jackson", many)) == 3
    assert len(suggest_people("jackson", many, limit=5)) == 5


def test_search_matches_every_word_in_name_or_email_ignoring_case_and_accents() -> None:
    assert search_people("jack", PEOPLE) == [MARY, TYRONE]
    assert search_people("ZOE", PEOPLE) == [ZOE]
    assert search_people("tom acme", PEOPLE) == [TOM]
    assert search_people("nobody", PEOPLE) == []


def test_picker_puts_suggestions_apart_and_narrows_both_by_the_search() -> None:
    suggested, others = picker_choices("t.jackson@acme.com", PEOPLE)
    assert (suggested, others) == ([TYRONE, MARY], [TOM, ZOE])

    suggested, others = picker_choices("t.jackson@acme.com", PEOPLE, query="tyr")
    assert (suggested, others) == ([TYRONE], [])


DEALS = (
    "id,owner,stage,amount,created,close\nD1,t.jackson@oldcrm.com,won,10,2024-01-01,2024-01-15\n"
)


def test_owners_page_preselects_the_suggestion_and_searches_server_side(
    everyone: Any, org: Any, tmp_path: Path
) -> None:
    tyrone = make_person(org, "Tyrone Jackson", "rep")
    run_import(org, "deals", DEALS, tmp_path)
    client = client_for(everyone["admin"])

    page = client.get("/crm/owners/").content.decode()
    found = client.get(
        "/crm/owners/",
        {"key": "t.jackson@oldcrm.com", "q": "rick"},
        headers={"HX-Request": "true"},
    ).content.decode()

    suggested = re.search(r'<optgroup label="Suggested">(.*?)</optgroup>', page, re.S)
    assert suggested is not None
    assert f'<option value="{tyrone.pk}" selected>Tyrone Jackson' in suggested.group(1)
    assert 'name="q"' in page
    assert "Rick Rep" in found
    assert "Tyrone Jackson" not in found
    assert "<html" not in found


def test_only_admins_get_the_picker(everyone: Any) -> None:
    response = client_for(everyone["manager"]).get(
        "/crm/owners/", {"key": "x", "q": "a"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 403
