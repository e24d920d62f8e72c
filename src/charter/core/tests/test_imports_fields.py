"""Field parsers and column mapping: pure functions, no database."""

from __future__ import annotations

import datetime as dt

import pytest

from charter.core.imports.fields import (
    Field,
    FieldInvalid,
    cell_text,
    choice,
    email,
    normalise_header,
    parse_date,
    text,
)
from charter.core.imports.mapping import MappingError, match_columns, resolve_mapping


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2024-03-31", dt.date(2024, 3, 31)),
        ("2024-03-31T09:30:00Z", dt.date(2024, 3, 31)),
        ("2024-3-1 00:00", dt.date(2024, 3, 1)),
        ("2024/03/31", dt.date(2024, 3, 31)),
        ("31.03.2024", dt.date(2024, 3, 31)),
        ("31/03/2024", dt.date(2024, 3, 31)),
        ("03/31/2024", dt.date(2024, 3, 31)),
        ("04/04/2024", dt.date(2024, 4, 4)),
        ("3 Mar 2024", dt.date(2024, 3, 3)),
        ("March 3, 2024", dt.date(2024, 3, 3)),
        ("03-Mar-2024", dt.date(2024, 3, 3)),
        (dt.datetime(2024, 3, 31, 15, 0), dt.date(2024, 3, 31)),
        (dt.date(2024, 3, 31), dt.date(2024, 3, 31)),
        (45382, dt.date(2024, 3, 31)),
    ],
)
def test_dates_in_common_formats_and_excel_cells_parse(cell: object, expected: dt.date) -> None:
    assert parse_date(cell) == expected


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("soon", "is not a date"),
        ("2024-02-30", "is not a real date"),
        # Ten characters with dashes where YYYY-MM-DD has them, but not a calendar date (an ISO
        # week date is one the standard library's reader would take in another shape).
        ("2024-W1-01", "is not a date"),
        ("0001-01-01", "is in the year 1"),
        ("2024-00-10", "is not a real date"),
        ("03/04/2024", "is ambiguous: it could be 3 April 2024 or 4 March 2024"),
        (True, "is not a date"),
        (-5, "is not a date"),
    ],
)
def test_bad_dates_say_why(cell: object, reason: str) -> None:
    with pytest.raises(FieldInvalid, match=reason):
        parse_date(cell)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        # The date as written, not moved by the zone: 23:30 UTC on 31 March stays 31 March.
        ("2024-03-31T23:30:00.000Z", dt.date(2024, 3, 31)),
        ("2024-02-29T00:00:00.000Z", dt.date(2024, 2, 29)),
        ("2023-02-29T09:30:00.000Z", "is not a real date"),
        ("2024-03-31T24:30:00.000Z", "has a time that does not exist"),
        ("2024-03-31T09:60:00.000Z", "has a time that does not exist"),
        ("2024-03-31T09:30:61.000Z", "has a time that does not exist"),
        ("1899-12-31T09:30:00.000Z", "is in the year 1899"),
    ],
)
def test_salesforce_timestamps_read_as_the_date_written(cell: str, expected: object) -> None:
    if isinstance(expected, dt.date):
        assert parse_date(cell) == expected
    else:
        with pytest.raises(FieldInvalid, match=str(expected)):
            parse_date(cell)


def test_day_first_settles_ambiguous_dates() -> None:
    assert parse_date("03/04/2024", day_first=True) == dt.date(2024, 4, 3)
    assert parse_date("03/04/2024", day_first=False) == dt.date(2024, 3, 4)


def test_text_tidies_whitespace_and_enforces_length() -> None:
    assert text()("  Ada \n  Lovelace ") == "Ada Lovelace"
    assert text()(12.0) == "12"
    with pytest.raises(FieldInvalid, match="is 5 characters long; at most 4"):
        text(max_length=4)("abcde")


def test_email_is_lowercased_and_checked() -> None:
    assert email()(" Ada@Example.TEST ") == "ada@example.test"
    with pytest.raises(FieldInvalid, match="not a valid email"):
        email()("ada@")


def test_choice_matches_ignoring_case_and_spaces() -> None:
    parse = choice({"Sales rep": "rep", "manager": "manager"}, accepted="rep or manager")

    assert parse("SALES REP") == "rep"
    assert parse("sales_rep") == "rep"
    with pytest.raises(FieldInvalid, match="is not one of rep or manager"):
        parse("boss")


def test_cells_read_as_a_spreadsheet_shows_them() -> None:
    assert cell_text(None) == ""
    assert cell_text(3.0) == "3"
    assert cell_text(2.5) == "2.5"
    assert cell_text(True) == "TRUE"
    assert cell_text(dt.datetime(2024, 1, 2)) == "2024-01-02"
    assert cell_text(dt.datetime(2024, 1, 2, 3, 4)) == "2024-01-02 03:04:00"


FIELDS = (
    Field("name", "Name", required=True, aliases=("Full name",)),
    Field("email", "Email", aliases=("E-mail",)),
    Field("title", "Title"),
)


def test_headers_match_fields_ignoring_case_spaces_and_dashes() -> None:
    assert normalise_header(" Full_Name ") == normalise_header("full name") == "fullname"

    column_map = resolve_mapping(FIELDS, ("FULL NAME", "e-mail", "Notes"))

    assert column_map.names() == {"name": "FULL NAME", "email": "e-mail"}
    assert column_map.ignored() == ["Notes"]


def test_an_explicit_mapping_wins_and_an_empty_one_leaves_a_field_out() -> None:
    column_map = resolve_mapping(
        FIELDS, ("Name", "Email", "Nick"), {"name": "nick", "email": "", "title": "Name"}
    )

    assert column_map.names() == {"name": "Nick", "title": "Name"}


def test_mapping_problems_list_what_is_expected_and_found() -> None:
    column_map, problems = match_columns(
        FIELDS, ("Who", "Mail"), {"email": "Mailbox", "nickname": "Who"}
    )

    assert column_map.names() == {}
    assert problems == [
        "there is no field called 'nickname'; the fields are email, name, title",
        "the field 'email' is mapped to 'Mailbox', which is not a column",
        "no column for the required field 'name': expected a column called 'Name' or "
        "'Full name', or map another column to it",
    ]
    with pytest.raises(MappingError) as exc:
        resolve_mapping(FIELDS, ("Who", "Mail"))
    assert "Fields: name (required), email, title." in str(exc.value)
    assert "Columns in the file: 'Who', 'Mail'." in str(exc.value)
