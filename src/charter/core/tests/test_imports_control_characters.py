"""Control characters in imported text are refused by row and column and shown as escapes, on
every database (PostgreSQL refuses NUL in text; SQLite stored it)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from charter.core.imports.base import Row, parse_plan
from charter.core.imports.fields import (
    CONTROL_CHARACTER,
    Field,
    control_characters,
    visible_text,
)
from charter.core.models import ImportRun
from charter.core.tests.workbooks import workbook_bytes
from charter.crm.models import Deal
from charter.crm.tests.test_import_deals import run_import
from charter.org.models import Person

DEALS = "id,owner,stage,amount,created,close,account\n"


def deal(eid: str, account: str) -> str:
    return f"{eid},Rick Rep,won,10,2024-01-02,2024-01-05,{account}\n"


def test_a_nul_in_a_cell_refuses_the_import_naming_row_column_and_showing_it(
    everyone: Any, tmp_path: Path
) -> None:
    run = run_import(everyone["admin"].org, "deals", DEALS + deal("D1", "Acme\x00Corp"), tmp_path)

    assert run.status == ImportRun.Status.REJECTED
    [error] = run.errors
    assert (error["row"], error["column"], error["value"]) == (2, "account", "Acme\\x00Corp")
    assert "U+0000 (NUL, shown as \\x00)" in error["reason"]
    assert not CONTROL_CHARACTER.search(json.dumps(run.errors) + run.message)
    assert not Deal.objects.exists()


def test_skipping_invalid_rows_leaves_out_the_rows_with_control_characters(
    everyone: Any, tmp_path: Path
) -> None:
    content = DEALS + deal("D1", "Acme\x07") + deal("D2", "Globex\x7f") + deal("D3", "Initech")

    run = run_import(everyone["admin"].org, "deals", content, tmp_path, skip_invalid=True)

    assert run.status == ImportRun.Status.APPLIED
    assert [(e["row"], "U+0007" in e["reason"] or "U+007F" in e["reason"]) for e in run.errors] == [
        (2, True),
        (3, True),
    ]
    assert list(Deal.objects.values_list("external_id", "account")) == [("D3", "Initech")]


def test_c1_controls_in_a_workbook_are_refused_too(org: Any, tmp_path: Path) -> None:
    data = workbook_bytes([["Name", "Email"], ["Ann\x85Lee", "ann@acme.test"]])

    run = run_import(org, "people", data, tmp_path, filename="people.xlsx")

    assert run.status == ImportRun.Status.REJECTED
    assert [(e["row"], e["column"], e["value"]) for e in run.errors] == [(2, "Name", "Ann\\x85Lee")]
    assert "U+0085" in run.errors[0]["reason"]
    assert not Person.objects.filter(email="ann@acme.test").exists()


def test_a_control_character_in_the_header_is_refused_with_the_column_number(
    org: Any, tmp_path: Path
) -> None:
    run = run_import(org, "people", "Name,E\x1bmail\nAnn,ann@acme.test\n", tmp_path)

    assert run.status == ImportRun.Status.REJECTED
    assert "column 2 of the header ('E\\x1bmail') contains" in run.message
    assert "U+001B (ESC, shown as \\x1b)" in run.message
    assert run.mapping == {}


def test_tabs_and_line_breaks_in_a_cell_are_ordinary_whitespace(
    everyone: Any, tmp_path: Path
) -> None:
    content = DEALS + deal("D1", '"Acme\tNorth\r\nEast"')

    run = run_import(everyone["admin"].org, "deals", content, tmp_path)

    assert run.status == ImportRun.Status.APPLIED, run.message
    assert Deal.objects.get().account == "Acme North East"


@pytest.mark.parametrize(
    ("text", "visible", "described"),
    [
        ("a\x00b", "a\\x00b", "the control character U+0000 (NUL, shown as \\x00)"),
        ("\x07\x01", "\\x07\\x01", "the control characters U+0001 (shown as \\x01), U+0007"),
        ("tab\tok\n", "tab\tok\n", ""),
    ],
)
def test_control_characters_are_described_and_shown_as_escapes(
    text: str, visible: str, described: str
) -> None:
    assert visible_text(text) == visible
    assert control_characters(text).startswith(described)
    assert bool(control_characters(text)) == bool(described)


def test_only_the_cell_holding_a_control_character_is_refused_and_the_rest_are_parsed() -> None:
    plan = parse_plan(
        [Field("name", "Name"), Field("note", "Note", required=True), Field("team", "Team")]
    )
    row = Row(
        number=7,
        raw={"name": "  Ada   Lovelace ", "note": "bad\x00cell", "team": ""},
        columns={"note": "Notes"},
    )

    row.parse(plan)

    assert row.values == {"name": "Ada Lovelace", "note": None, "team": None}
    assert [(i.row, i.column, i.value) for i in row.issues] == [(7, "Notes", "bad\\x00cell")]
    assert "U+0000" in row.issues[0].reason


def test_a_row_without_control_characters_parses_every_cell() -> None:
    plan = parse_plan([Field("name", "Name"), Field("note", "Note", required=True)])
    row = Row(number=3, raw={"name": "Grace\tHopper", "note": ""}, columns={})

    row.parse(plan)

    assert row.values == {"name": "Grace Hopper", "note": None}
    assert [i.reason for i in row.issues] == ["Note is required"]
