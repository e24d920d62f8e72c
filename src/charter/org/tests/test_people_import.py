"""`charter import people FILE`: the people importer end to end, through the command line."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from charter.core.models import AuditEvent, ImportProfile, ImportRun, Job
from charter.org.models import Organization, Person, Role, Team

FIXTURES = Path(__file__).parent / "fixtures"


def run_import(path: Path | str, *args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import", "people", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def rejected(path: Path | str, *args: str) -> tuple[str, str]:
    out = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("import", "people", str(path), *args, stdout=out, stderr=io.StringIO())
    return out.getvalue(), str(exc.value)


def write(tmp_path: Path, text: str, name: str = "people.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def world() -> tuple[Any, ...]:
    """Everything an import may write, to prove a rejected file wrote nothing."""
    people = list(
        Person.objects.order_by("pk").values_list(
            "full_name", "email", "title", "role", "team_id", "manager_id", "hire_date"
        )
    )
    return people, Team.objects.count(), AuditEvent.objects.count(), ImportProfile.objects.count()


def last_run() -> ImportRun:
    run = ImportRun.objects.order_by("-pk").first()
    assert run is not None
    return run


def errors_of(run: ImportRun) -> list[tuple[int | None, str, str]]:
    return [(e["row"], e["column"], e["reason"]) for e in run.errors]


# -- happy paths ---------------------------------------------------------------------------


def test_people_csv_imports_names_roles_teams_managers_and_dates(org: Organization) -> None:
    out, err = run_import(FIXTURES / "people.csv", "--create-teams")

    hana = Person.objects.get(email="hana.head@acme.test")
    ivan = Person.objects.get(email="ivan.lead@acme.test")
    jade = Person.objects.get(email="jade.rep@acme.test")
    kurt = Person.objects.get(full_name="Kurt Rep")
    lena = Person.objects.get(email="lena.rep@acme.test")
    north = Team.objects.get(name="North")
    assert (hana.role, hana.title, hana.manager, hana.team) == (
        Role.EXECUTIVE,
        "VP Sales",
        None,
        None,
    )
    assert (ivan.role, ivan.manager, ivan.team) == (Role.MANAGER, hana, north)
    assert (jade.role, jade.manager, jade.hire_date) == (Role.REP, ivan, dt.date(2021, 6, 15))
    assert (kurt.email, kurt.manager, kurt.hire_date) == ("", ivan, dt.date(2022, 3, 3))
    assert (lena.role, lena.title, lena.start_date) == (Role.REP, "SDR, inbound", lena.hire_date)
    run = last_run()
    assert run.status == ImportRun.Status.APPLIED
    assert (run.created_count, run.updated_count, run.unchanged_count) == (5, 0, 0)
    assert (run.rows_done, run.rows_total) == (5, 5)
    assert run.mapping["name"] == "Full Name"
    assert run.mapping["hire_date"] == "Hire date"
    assert AuditEvent.objects.filter(action="org.person.created").count() == 5
    assert AuditEvent.objects.filter(action="org.team.created", object_repr="North").count() == 1
    assert AuditEvent.objects.filter(action="core.import_run.applied").count() == 1
    assert run.job is not None
    assert run.job.status == Job.Status.SUCCEEDED
    assert run.job.result_url == f"/org/import/{run.pk}/"
    assert "UTF-8" in out
    assert "Created 5" in out
    assert "5 of 5 rows (100%)" in err
    assert "rows/s" in err


def test_reimporting_the_same_file_reports_everything_unchanged(org: Organization) -> None:
    run_import(FIXTURES / "people.csv", "--create-teams")
    before = world()

    out, _ = run_import(FIXTURES / "people.csv", "--create-teams")

    assert world() == before
    run = last_run()
    assert (run.created_count, run.updated_count, run.unchanged_count) == (0, 0, 5)
    assert "unchanged 5" in out


def test_a_changed_row_updates_only_that_person_and_audits_the_change(
    org: Organization, tmp_path: Path
) -> None:
    run_import(FIXTURES / "people.csv", "--create-teams")
    text = (FIXTURES / "people.csv").read_text().replace("VP Sales", "Chief Revenue Officer")

    run_import(write(tmp_path, text), "--create-teams")

    run = last_run()
    assert (run.created_count, run.updated_count, run.unchanged_count) == (0, 1, 4)
    hana = Person.objects.get(email="hana.head@acme.test")
    assert hana.title == "Chief Revenue Officer"
    event = AuditEvent.objects.get(action="org.person.updated")
    assert event.object_id == str(hana.pk)
    assert event.before == {"title": "VP Sales"}
    assert event.after == {"title": "Chief Revenue Officer"}


def test_blank_cells_leave_existing_values_alone(rep: Person, tmp_path: Path) -> None:
    path = write(tmp_path, "Name,Email,Title,Role,Team\nRick Rep,rick.rep@acme.test,,,\n")

    run_import(path)

    rep.refresh_from_db()
    assert (rep.role, rep.team.name if rep.team else None) == (Role.REP, "East Enterprise")
    assert last_run().unchanged_count == 1


def test_people_are_matched_by_exact_name_when_the_file_has_no_email(
    org: Organization, tmp_path: Path
) -> None:
    nameless = Person.objects.create(org=org, full_name="Nora Noemail")
    path = write(tmp_path, "Name,Title\nNora Noemail,Closer\n")

    run_import(path)

    nameless.refresh_from_db()
    assert nameless.title == "Closer"
    assert Person.objects.filter(full_name="Nora Noemail").count() == 1


def test_a_person_without_email_gets_the_email_of_their_row(
    org: Organization, tmp_path: Path
) -> None:
    nameless = Person.objects.create(org=org, full_name="Nora Noemail")

    run_import(write(tmp_path, "Name,Email\nNora Noemail,nora@acme.test\n"))

    nameless.refresh_from_db()
    assert nameless.email == "nora@acme.test"
    assert Person.objects.count() == 1


def test_managers_already_in_charter_are_matched_by_name_or_email(
    manager: Person, other_manager: Person, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "Name,Email,Manager\n"
        "Sam New,sam@acme.test,mona manager\n"
        "Tia New,tia@acme.test,OMAR.OTHER@acme.test\n",
    )

    run_import(path)

    assert Person.objects.get(email="sam@acme.test").manager == manager
    assert Person.objects.get(email="tia@acme.test").manager == other_manager


def test_a_manager_later_in_the_file_is_created_before_their_reports(
    org: Organization, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "Name,Email,Manager\nRae Report,rae@acme.test,Max Boss\nMax Boss,max@acme.test,\n",
    )

    run_import(path)

    assert Person.objects.get(email="rae@acme.test").manager == Person.objects.get(
        email="max@acme.test"
    )


def test_xlsx_workbooks_import_with_excel_dates(org: Organization, tmp_path: Path) -> None:
    Team.objects.create(org=org, name="South")
    book = openpyxl.Workbook()
    notes = book.active
    assert notes is not None
    notes.title = "Notes"
    notes.append(["not the people"])
    staff = book.create_sheet("Staff")
    staff.append(["Employee name", "Work email", "Job title", "Sales team", "Hired"])
    staff.append(["Vera Excel", "vera@acme.test", "AE", "South", dt.datetime(2021, 9, 1)])
    staff.append(["Walt Excel", "walt@acme.test", 42, "south", dt.date(2020, 1, 31)])
    path = tmp_path / "staff.xlsx"
    book.save(path)

    out, _ = run_import(path, "--sheet", "staff")

    vera = Person.objects.get(email="vera@acme.test")
    walt = Person.objects.get(email="walt@acme.test")
    assert (vera.hire_date, vera.title, vera.team and vera.team.name) == (
        dt.date(2021, 9, 1),
        "AE",
        "South",
    )
    assert (walt.hire_date, walt.title) == (dt.date(2020, 1, 31), "42")
    assert "XLSX workbook, sheet 'Staff'" in out


@pytest.mark.parametrize(
    ("name", "encoding"),
    [
        ("people_utf16le.csv", "UTF-16 LE"),
        ("people_utf16be.csv", "UTF-16 BE"),
        ("people_latin1.csv", "Windows-1252 / Latin-1"),
    ],
)
def test_utf16_and_latin1_files_are_read_in_their_encoding(
    org: Organization, name: str, encoding: str
) -> None:
    out, _ = run_import(FIXTURES / name, "--create-teams")

    marta = Person.objects.get(email="marta@acme.test")
    niklas = Person.objects.get(email="niklas@acme.test")
    assert marta.full_name == "Marta Müller"
    assert niklas.full_name in ("Niklas Øster", "Niklas Oster")
    assert niklas.manager == marta
    assert marta.team
    assert marta.team.name == "Nord"
    assert encoding in out
    assert "semicolon" in out
    assert encoding in last_run().message


# -- bad input: each names the row and column, and nothing is written -----------------------


def test_a_file_with_many_problems_lists_every_one_and_writes_nothing(everyone: Any) -> None:
    before = world()

    out, message = rejected(FIXTURES / "people_bad.csv")

    assert world() == before
    run = last_run()
    assert run.status == ImportRun.Status.REJECTED
    assert run.invalid_count == 6
    found = errors_of(run)
    assert (2, "Name", "Name is required") in found
    assert any(r == 3 and c == "Email" and "also on row 4" in reason for r, c, reason in found)
    assert any(r == 4 and c == "Email" and "also on row 3" in reason for r, c, reason in found)
    assert any(r == 5 and c == "Manager" and "unknown manager" in reason for r, c, reason in found)
    assert any(r == 6 and c == "Team" and "Atlantis" in reason for r, c, reason in found)
    assert any(r == 7 and c == "Hire date" and "not a date" in reason for r, c, reason in found)
    assert "rejected" in message
    assert "nothing was written" in message
    assert "Row  Column" in out
    assert "Zed Nobody" in out
    assert run.job is not None
    assert run.job.status == Job.Status.FAILED


@pytest.mark.parametrize(
    ("text", "row", "column", "reason"),
    [
        ("Name,Email\nAda Ok,ada@acme.test\n  ,blank@acme.test\n", 3, "Name", "Name is required"),
        (
            "Name,Email\nAda One,same@acme.test\nAda Two,Same@Acme.test\n",
            3,
            "Email",
            "same@acme.test is also on row 2",
        ),
        (
            "Name,Email,Manager\nAda Ok,ada@acme.test,ghost@acme.test\n",
            2,
            "Manager",
            "unknown manager 'ghost@acme.test'",
        ),
        (
            "Name,Email,Team\nAda Ok,ada@acme.test,Nowhere\n",
            2,
            "Team",
            "there is no team called 'Nowhere'",
        ),
        (
            "Name,Email,Hire date\nAda Ok,ada@acme.test,31/31/2020\n",
            2,
            "Hire date",
            "Hire date is not a real date",
        ),
        (
            "Name,Email,Hire date\nAda Ok,ada@acme.test,03/04/2021\n",
            2,
            "Hire date",
            "is ambiguous: it could be 3 April 2021 or 4 March 2021",
        ),
        ("Name,Email,Role\nAda Ok,ada@acme.test,boss\n", 2, "Role", "Role is not one of rep"),
        ("Name,Email\nAda Ok,not-an-email\n", 2, "Email", "Email is not a valid email address"),
        (
            "Name,Email,Manager\nAda Ok,ada@acme.test,ada@acme.test\n",
            2,
            "Manager",
            "a person cannot be their own manager",
        ),
    ],
)
def test_each_bad_row_is_named_by_row_and_column(
    org: Organization, tmp_path: Path, text: str, row: int, column: str, reason: str
) -> None:
    before = world()

    rejected(write(tmp_path, text))

    assert world() == before
    assert any(r == row and c == column and reason in why for r, c, why in errors_of(last_run())), (
        errors_of(last_run())
    )


def test_a_reporting_cycle_in_the_file_names_both_rows(org: Organization) -> None:
    before = world()

    rejected(FIXTURES / "people_cycle.csv")

    assert world() == before
    found = errors_of(last_run())
    cycle = [(r, c) for r, c, reason in found if "reporting cycle" in reason]
    assert sorted(cycle) == [(2, "Manager"), (3, "Manager")]
    reason = next(why for r, _c, why in found if r == 2)
    assert "Abe Alpha (row 2)" in reason
    assert "Bea Beta (row 3)" in reason


def test_a_reporting_cycle_through_people_already_in_charter_is_refused(
    manager: Person, rep: Person, tmp_path: Path
) -> None:
    # Rick reports to Mona in Charter; the file makes Mona report to Rick.
    path = write(tmp_path, "Name,Email,Manager\nMona Manager,mona.manager@acme.test,Rick Rep\n")
    before = world()

    rejected(path)

    assert world() == before
    (row, column, reason), *_ = errors_of(last_run())
    assert (row, column) == (2, "Manager")
    assert "reporting cycle" in reason
    assert "Rick Rep (in Charter)" in reason


def test_an_ambiguous_manager_name_is_refused(org: Organization, tmp_path: Path) -> None:
    Person.objects.create(org=org, full_name="Pat Same", email="pat1@acme.test")
    Person.objects.create(org=org, full_name="Pat Same", email="pat2@acme.test")
    path = write(tmp_path, "Name,Email,Manager\nNew Hire,new@acme.test,Pat Same\n")

    rejected(path)

    (row, column, reason), *_ = errors_of(last_run())
    assert (row, column) == (2, "Manager")
    assert "ambiguous" in reason
    assert "pat1@acme.test" in reason
    assert "pat2@acme.test" in reason


def test_a_deactivated_manager_is_refused(manager: Person, tmp_path: Path) -> None:
    Person.objects.filter(pk=manager.pk).update(is_active=False)
    path = write(tmp_path, "Name,Email,Manager\nNew Hire,new@acme.test,Mona Manager\n")

    rejected(path)

    assert "deactivated" in errors_of(last_run())[0][2]
    assert not Person.objects.filter(email="new@acme.test").exists()


@pytest.mark.parametrize(
    ("name", "row", "reason"),
    [
        ("people_empty.csv", None, "the file is empty"),
        ("people_header_only.csv", 1, "no data rows"),
        ("people_cut_quote.csv", 4, "the file ends inside a quoted value"),
        ("people_cut_row.csv", 4, "the file seems cut off"),
    ],
)
def test_empty_header_only_and_cut_files_are_rejected_naming_the_row(
    org: Organization, name: str, row: int | None, reason: str
) -> None:
    before = world()

    _, message = rejected(FIXTURES / name)

    assert world() == before
    run = last_run()
    assert run.status == ImportRun.Status.REJECTED
    assert run.errors[0]["row"] == row
    assert reason in run.errors[0]["reason"]
    assert reason in message
    if row is not None:
        assert f"row {row}" in message


def test_a_missing_required_column_lists_what_is_expected_and_found(
    org: Organization, tmp_path: Path
) -> None:
    _, message = rejected(write(tmp_path, "Who,Email\nAda,ada@acme.test\n"))

    assert "required field 'name'" in message
    assert "'Full name'" in message
    assert "Columns in the file: 'Who', 'Email'" in message
    assert Person.objects.count() == 0


def test_map_overrides_the_column_of_a_field(org: Organization, tmp_path: Path) -> None:
    path = write(tmp_path, "Who,Email,Name\nAda Real,ada@acme.test,nickname\n")

    run_import(path, "--map", "name=Who")

    assert Person.objects.get().full_name == "Ada Real"


def test_map_with_an_unknown_field_or_column_is_explained(
    org: Organization, tmp_path: Path
) -> None:
    path = write(tmp_path, "Name,Email\nAda,ada@acme.test\n")

    _, message = rejected(path, "--map", "nickname=Name", "--map", "email=Mail address")

    assert "there is no field called 'nickname'" in message
    assert "the fields are email, hire_date, manager, name, role, team, title" in message
    assert "'email' is mapped to 'Mail address', which is not a column" in message
    assert "Columns in the file: 'Name', 'Email'" in message


def test_a_malformed_map_argument_is_refused(org: Organization, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="FIELD=COLUMN"):
        run_import(write(tmp_path, "Name\nAda\n"), "--map", "name")


# -- options ---------------------------------------------------------------------------------


def test_dry_run_reports_what_would_happen_and_writes_nothing_but_the_run(
    org: Organization,
) -> None:
    before = world()

    out, _ = run_import(FIXTURES / "people.csv", "--create-teams", "--dry-run")

    assert world() == before
    run = last_run()
    assert run.status == ImportRun.Status.DRY_RUN
    assert run.dry_run
    assert (run.created_count, run.updated_count, run.unchanged_count) == (5, 0, 0)
    assert "would create 5" in out
    assert "Nothing was written" in out


def test_dry_run_of_a_bad_file_exits_non_zero(org: Organization) -> None:
    _, message = rejected(FIXTURES / "people_cycle.csv", "--dry-run")

    assert "would be rejected" in message
    assert last_run().status == ImportRun.Status.DRY_RUN


def test_skip_invalid_applies_the_valid_rows_and_reports_the_rest(
    org: Organization, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "Name,Email,Manager,Hire date\n"
        "Gil Good,gil@acme.test,,2020-01-01\n"
        "Bob Broken,bob@acme.test,,not a date\n"
        "Rue Report,rue@acme.test,bob@acme.test,\n"
        "Ned Next,ned@acme.test,Gil Good,\n",
    )

    out, _ = run_import(path, "--skip-invalid")

    assert set(Person.objects.values_list("email", flat=True)) == {"gil@acme.test", "ned@acme.test"}
    run = last_run()
    assert run.status == ImportRun.Status.APPLIED
    assert (run.created_count, run.invalid_count) == (2, 2)
    found = errors_of(run)
    assert any(r == 3 and c == "Hire date" for r, c, _ in found)
    assert any(r == 4 and "row 3, which has errors and is skipped" in why for r, _, why in found)
    assert "Skipped 2 rows with errors" in out


def test_skip_invalid_skips_both_rows_of_a_cycle_and_their_reports(
    org: Organization, tmp_path: Path
) -> None:
    text = (FIXTURES / "people_cycle.csv").read_text() + "Dee Delta,dee@acme.test,Abe Alpha\n"

    run_import(write(tmp_path, text), "--skip-invalid")

    assert list(Person.objects.values_list("full_name", flat=True)) == ["Cid Gamma"]
    assert last_run().invalid_count == 3


def test_create_teams_creates_each_missing_team_once_through_the_service(
    org: Organization, tmp_path: Path
) -> None:
    path = write(
        tmp_path, "Name,Email,Team\nA One,a1@acme.test,Nordics\nA Two,a2@acme.test,NORDICS\n"
    )

    run_import(path, "--create-teams")

    team = Team.objects.get()
    assert team.name == "Nordics"
    assert set(team.members.values_list("email", flat=True)) == {"a1@acme.test", "a2@acme.test"}
    assert AuditEvent.objects.filter(action="org.team.created").count() == 1


def test_a_saved_profile_round_trips_through_the_command(org: Organization, tmp_path: Path) -> None:
    first = write(tmp_path, "Who,Mail,Boss\nAda Boss,ada@acme.test,\n", "first.csv")
    out, _ = run_import(first, "--map", "name=Who", "--map", "manager=Boss", "--save-profile", "HR")

    profile = ImportProfile.objects.get(kind="people", name="HR")
    assert profile.mapping == {"name": "Who", "email": "Mail", "manager": "Boss"}
    assert "Saved the column mapping as profile 'HR'" in out
    assert AuditEvent.objects.filter(action="core.import_profile.saved").count() == 1

    second = write(tmp_path, "Who,Mail,Boss\nBen Report,ben@acme.test,ada@acme.test\n", "b.csv")
    run_import(second, "--profile", "hr")

    assert Person.objects.get(email="ben@acme.test").manager == Person.objects.get(
        email="ada@acme.test"
    )


def test_an_unknown_profile_lists_the_saved_ones(org: Organization, tmp_path: Path) -> None:
    ImportProfile.objects.create(org=org, kind="people", name="Workday", mapping={})

    with pytest.raises(CommandError, match="saved profiles: 'Workday'"):
        run_import(write(tmp_path, "Name\nAda\n"), "--profile", "nope")


def test_a_dry_run_does_not_save_a_profile(org: Organization) -> None:
    out, _ = run_import(
        FIXTURES / "people.csv", "--create-teams", "--dry-run", "--save-profile", "x"
    )

    assert not ImportProfile.objects.exists()
    assert "not saved" in out


def test_errors_csv_writes_the_whole_report(org: Organization, tmp_path: Path) -> None:
    report = tmp_path / "errors.csv"

    rejected(FIXTURES / "people_cycle.csv", "--errors-csv", str(report))

    lines = report.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "row,column,value,reason"
    assert lines[1].startswith('2,Manager,bea@acme.test,"reporting cycle: Abe Alpha (row 2)')


def test_help_lists_the_importers_fields_and_options() -> None:
    from django.core.management import load_command_class

    command = load_command_class("charter.org", "import")
    text = command.create_parser("charter", "import").format_help()

    assert "people" in text
    assert "--create-teams" in text
    assert "--skip-invalid" in text
    assert "name (required; a column called Name, Full name" in text


def test_checking_rows_costs_no_query_per_row(org: Organization, tmp_path: Path) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def people_file(count: int) -> Path:
        lines = "".join(f"P{i} Person,p{i}@acme.test,Rep,\n" for i in range(count))
        return write(tmp_path, "Name,Email,Title,Manager\n" + lines, f"p{count}.csv")

    small, large = people_file(5), people_file(60)
    run_import(small)
    run_import(large)

    costs = []
    for path in (small, large):
        with CaptureQueriesContext(connection) as queries:
            run_import(path, "--dry-run")
        costs.append(len(queries))

    assert costs[0] == costs[1]
    assert last_run().unchanged_count == 60
