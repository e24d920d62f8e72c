"""Deals imports: each preset with a hand-checked fixture, mappings, and every bad input."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from charter.core.imports.readers import path_opener
from charter.core.imports.runner import execute_run
from charter.core.imports.services import import_run_create
from charter.core.models import ImportRun
from charter.crm.importers.deals import DealImporter
from charter.crm.models import Deal, ExchangeRate
from charter.org.models import Organization

FIXTURES = Path(__file__).parent / "fixtures"


def run_import(
    org: Organization,
    kind: str,
    content: str | bytes | Path,
    tmp_path: Path,
    *,
    mapping: dict[str, str] | None = None,
    filename: str = "file.csv",
    skip_invalid: bool = False,
    dry_run: bool = False,
    **settings: Any,
) -> ImportRun:
    """Run an import of `content` the way the CLI does, and return its finished run."""
    if isinstance(content, Path):
        path = content
    else:
        path = tmp_path / filename
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    from charter.core.imports.runner import get_importer

    options = get_importer(kind).clean_settings(settings)
    run = import_run_create(
        org=org,
        kind=kind,
        filename=path.name,
        actor=None,
        mapping=mapping,
        options=options,
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        with_job=False,
    )
    return execute_run(run, opener=path_opener(path))


def counts(run: ImportRun) -> tuple[int, int, int, int]:
    return (run.created_count, run.updated_count, run.unchanged_count, run.invalid_count)


def reasons(run: ImportRun) -> str:
    return "\n".join(f"{e['row']}|{e['column']}|{e['value']}|{e['reason']}" for e in run.errors)


@pytest.fixture
def eur(org: Organization) -> ExchangeRate:
    return ExchangeRate.objects.create(
        org=org, currency="EUR", rate=Decimal("1.1"), valid_from=dt.date(2024, 1, 1)
    )


# -- presets --------------------------------------------------------------------------------


def test_salesforce_preset_imports_the_fixture(
    everyone: Any, eur: Any, org: Any, tmp_path: Path
) -> None:
    run = run_import(
        org, "deals", FIXTURES / "salesforce_opportunities.csv", tmp_path, preset="salesforce"
    )

    assert run.status == ImportRun.Status.APPLIED, run.message
    assert counts(run) == (4, 0, 0, 0)
    deals = {d.external_id: d for d in Deal.objects.filter(org=org)}
    assert {d.source for d in deals.values()} == {"salesforce"}
    won = deals["006A1"]
    assert (won.stage, won.raw_stage, won.amount, won.owner) == (
        "won",
        "Closed Won",
        Decimal("1200.50"),
        everyone["rep"].pk and won.owner,
    )
    assert won.owner == everyone["rep"]
    assert won.name == "Acme renewal"
    assert won.account == "Acme"
    assert won.created_date == dt.date(2024, 1, 5)
    assert won.close_date == dt.date(2024, 2, 1)
    assert won.lead_source == "Web"
    assert won.import_run == run
    assert deals["006A2"].stage == "open"
    assert deals["006A3"].stage == "lost"
    assert deals["006A3"].owner == everyone["rep2"]
    foreign = deals["006A4"]
    assert (foreign.currency, foreign.amount, foreign.amount_reporting) == (
        "EUR",
        Decimal("2000.00"),
        Decimal("2200.00"),
    )
    assert foreign.owner is None
    assert foreign.owner_raw == "Unknown Person"
    assert foreign.owner_key == "unknown person"


def test_reimporting_the_same_file_changes_nothing_and_says_so(
    everyone: Any, eur: Any, org: Any, tmp_path: Path
) -> None:
    path = FIXTURES / "salesforce_opportunities.csv"
    run_import(org, "deals", path, tmp_path, preset="salesforce")
    before = list(Deal.objects.order_by("pk").values())

    again = run_import(org, "deals", path, tmp_path, preset="salesforce")

    assert counts(again) == (0, 0, 4, 0)
    assert "unchanged 4" in again.message
    assert list(Deal.objects.order_by("pk").values()) == before


def test_a_changed_row_is_updated_and_the_others_left_alone(
    everyone: Any, eur: Any, org: Any, tmp_path: Path
) -> None:
    path = FIXTURES / "salesforce_opportunities.csv"
    run_import(org, "deals", path, tmp_path, preset="salesforce")
    changed = path.read_text().replace(
        "Negotiation/Review,false,false,5000", "Closed Won,true,true,5500"
    )

    run = run_import(org, "deals", changed, tmp_path, preset="salesforce")

    assert counts(run) == (0, 1, 3, 0)
    deal = Deal.objects.get(external_id="006A2")
    assert (deal.stage, deal.amount, deal.import_run) == ("won", Decimal("5500.00"), run)


def test_hubspot_preset_imports_the_fixture(everyone: Any, org: Any, tmp_path: Path) -> None:
    run = run_import(org, "deals", FIXTURES / "hubspot_deals.csv", tmp_path, preset="hubspot")

    assert counts(run) == (3, 0, 0, 0), reasons(run)
    deals = {d.external_id: d for d in Deal.objects.all()}
    assert [deals[k].stage for k in ("1001", "1002", "1003")] == ["won", "open", "lost"]
    assert deals["1001"].owner == everyone["rep"]
    assert deals["1003"].owner == everyone["rep2"]
    assert deals["1002"].raw_stage == "Contract Sent"
    assert deals["1003"].currency == "USD"
    assert deals["1001"].name == "Big deal"
    assert deals["1001"].account == "Acme"
    assert {d.source for d in deals.values()} == {"hubspot"}


def test_pipedrive_preset_uses_status_and_won_lost_or_expected_dates(
    everyone: Any, org: Any, tmp_path: Path
) -> None:
    run = run_import(org, "deals", FIXTURES / "pipedrive_deals.csv", tmp_path, preset="pipedrive")

    assert counts(run) == (3, 0, 0, 0), reasons(run)
    deals = {d.external_id: d for d in Deal.objects.all()}
    assert (deals["17"].stage, deals["17"].raw_stage) == ("won", "Negotiations Started")
    assert deals["17"].close_date == dt.date(2024, 2, 4)
    assert deals["17"].created_date == dt.date(2024, 1, 3)
    assert (deals["18"].stage, deals["18"].close_date) == ("open", dt.date(2024, 6, 30))
    assert (deals["19"].stage, deals["19"].close_date) == ("lost", dt.date(2024, 1, 20))
    assert deals["19"].owner == everyone["other_team_rep"]


def test_a_preset_can_be_combined_with_map_overrides(
    everyone: Any, org: Any, tmp_path: Path
) -> None:
    run = run_import(
        org,
        "deals",
        FIXTURES / "salesforce_opportunities.csv",
        tmp_path,
        preset="salesforce",
        mapping={"owner": "OwnerId", "currency": ""},
    )

    assert run.mapping["owner"] == "OwnerId"
    assert "currency" not in run.mapping
    assert counts(run) == (4, 0, 0, 0), reasons(run)
    assert set(Deal.objects.values_list("owner_key", flat=True)) == {"005x1", "005x2", "005x9"}


def test_stage_map_says_what_custom_stages_mean(everyone: Any, org: Any, tmp_path: Path) -> None:
    text = (
        "id,owner,stage,amount,created,close date\n"
        "M1,Rick Rep,Engaging,,2024-01-01,\n"
        "M2,Rick Rep,Signed,100,2024-01-01,2024-01-31\n"
    )
    refused = run_import(org, "deals", text, tmp_path)
    assert refused.status == ImportRun.Status.REJECTED
    assert "Stage 'Engaging' is not a stage Charter knows" in reasons(refused)
    assert not Deal.objects.exists()

    run = run_import(org, "deals", text, tmp_path, stage_map=["Engaging=open", "signed=won"])

    assert counts(run) == (2, 0, 0, 0), reasons(run)
    assert dict(Deal.objects.values_list("external_id", "stage")) == {"M1": "open", "M2": "won"}
    assert Deal.objects.get(external_id="M1").amount == 0
    assert {d.source for d in Deal.objects.all()} == {"file"}


def test_cli_imports_with_preset_and_says_unchanged_the_second_time(
    everyone: Any, eur: Any, tmp_path: Path
) -> None:
    path = str(FIXTURES / "salesforce_opportunities.csv")
    out, err = io.StringIO(), io.StringIO()
    call_command("import", "deals", path, "--preset", "salesforce", stdout=out, stderr=err)
    assert "Created 4" in out.getvalue()
    assert "Checked 4 of 4 rows (100%)" in err.getvalue()

    out = io.StringIO()
    call_command(
        "import", "deals", path, "--preset", "salesforce", stdout=out, stderr=io.StringIO()
    )

    assert "unchanged 4" in out.getvalue()
    assert Deal.objects.count() == 4


def test_cli_refuses_a_bad_stage_map_or_date_format(everyone: Any) -> None:
    path = str(FIXTURES / "salesforce_opportunities.csv")
    with pytest.raises(CommandError, match="a stage is open, won or lost"):
        call_command("import", "deals", path, "--stage-map", "Signed=maybe")
    with pytest.raises(CommandError, match="has no day"):
        call_command("import", "deals", path, "--date-format", "%m/%Y")
    with pytest.raises(CommandError, match="no preset called 'zoho'"):
        call_command("import", "deals", path, "--preset", "zoho")
    assert not Deal.objects.exists()


def test_cli_dry_run_writes_nothing(everyone: Any, eur: Any) -> None:
    out = io.StringIO()
    path = str(FIXTURES / "salesforce_opportunities.csv")
    call_command(
        "import",
        "deals",
        path,
        "--preset",
        "salesforce",
        "--dry-run",
        stdout=out,
        stderr=io.StringIO(),
    )
    assert "would create 4" in out.getvalue()
    assert not Deal.objects.exists()


# -- bad input: every case writes nothing ------------------------------------------------------

HEADER = "External ID,Owner,Stage,Amount,Currency,Created date,Close date\n"
GOOD_ROW = "G1,Rick Rep,won,100,,2024-01-01,2024-01-10\n"


def refused(org: Any, content: str | bytes, tmp_path: Path, **kwargs: Any) -> str:
    run = run_import(org, "deals", content, tmp_path, **kwargs)
    assert run.status == ImportRun.Status.REJECTED, run.message
    assert not Deal.objects.exists()
    return reasons(run) + "\n" + run.message


def test_missing_required_columns_list_expected_and_found(
    everyone: Any, org: Any, tmp_path: Path
) -> None:
    said = refused(org, "deal,who,amount\n1,Rick Rep,10\n", tmp_path)

    assert "no column for the required field 'external_id'" in said
    assert "no column for the required field 'stage'" in said
    assert "Columns in the file: 'deal', 'who', 'amount'" in said
    assert "external_id (required), owner (required), stage (required)" in said


def test_a_map_to_an_unknown_column_or_field_is_refused(
    everyone: Any, org: Any, tmp_path: Path
) -> None:
    said = refused(org, HEADER + GOOD_ROW, tmp_path, mapping={"owner": "Rep", "colour": "x"})

    assert "the field 'owner' is mapped to 'Rep', which is not a column" in said
    assert "there is no field called 'colour'" in said


@pytest.mark.parametrize(
    ("amount", "reason"),
    [
        ("abc", "Amount is not a number"),
        ("-5", "Amount is negative"),
        ("12,34,5", "Amount is not a number"),
    ],
)
def test_bad_amounts_are_refused(
    everyone: Any, org: Any, tmp_path: Path, amount: str, reason: str
) -> None:
    said = refused(
        org, HEADER + GOOD_ROW + f'B2,Rick Rep,won,"{amount}",,2024-01-01,2024-01-10\n', tmp_path
    )

    assert f"3|Amount|{amount}|{reason}" in said


def test_dates_that_do_not_parse_are_refused(everyone: Any, org: Any, tmp_path: Path) -> None:
    said = refused(org, HEADER + "B1,Rick Rep,won,1,,yesterday,2024-02-30\n", tmp_path)

    assert "2|Created date|yesterday|Created date is not a date" in said
    assert "2|Close date|2024-02-30|Close date is not a real date" in said


def test_ambiguous_dates_need_a_date_format(everyone: Any, org: Any, tmp_path: Path) -> None:
    text = HEADER + "D1,Rick Rep,won,1,,03/04/2024,05/04/2024\n"
    said = refused(org, text, tmp_path)
    assert "is ambiguous: it could be 3 April 2024 or 4 March 2024" in said
    assert "give the date format" in said

    run = run_import(org, "deals", text, tmp_path, date_format="%d/%m/%Y")

    assert counts(run) == (1, 0, 0, 0)
    deal = Deal.objects.get()
    assert (deal.created_date, deal.close_date) == (dt.date(2024, 4, 3), dt.date(2024, 4, 5))


def test_a_close_date_before_the_created_date_is_refused(
    everyone: Any, org: Any, tmp_path: Path
) -> None:
    said = refused(org, HEADER + "C1,Rick Rep,lost,1,,2024-03-01,2024-02-01\n", tmp_path)

    assert "Close date 2024-02-01 is before the created date 2024-03-01" in said


def test_the_same_external_id_twice_names_both_rows(
    everyone: Any, org: Any, tmp_path: Path
) -> None:
    said = refused(org, HEADER + GOOD_ROW + "X,Rick Rep,won,1,,2024-01-01,\n" + GOOD_ROW, tmp_path)

    assert "2|External ID|G1|the id 'G1' is also on row 4" in said
    assert "4|External ID|G1|the id 'G1' is also on row 2" in said


def test_flags_contradicting_the_stage_name_both_values(
    everyone: Any, org: Any, tmp_path: Path
) -> None:
    text = (
        "Id,Owner,StageName,IsWon,IsClosed,Amount,CreatedDate,CloseDate\n"
        "S1,Rick Rep,Closed Lost,true,true,5,2024-01-01,2024-01-02\n"
        "S2,Rick Rep,Closed Won,true,false,5,2024-01-01,2024-01-02\n"
    )
    said = refused(org, text, tmp_path, preset="salesforce")

    assert "2|IsWon|true|IsWon is 'true' but StageName 'Closed Lost' is lost" in said
    assert "3|IsClosed|false|IsClosed is 'false' but StageName 'Closed Won' is won" in said
    assert "not guessed" in said


def test_a_currency_without_a_rate_is_refused_with_the_date(
    everyone: Any, org: Any, tmp_path: Path
) -> None:
    ExchangeRate.objects.create(
        org=org, currency="EUR", rate=Decimal("1.1"), valid_from=dt.date(2024, 6, 1)
    )

    said = refused(org, HEADER + "E1,Rick Rep,won,100,EUR,2024-01-01,2024-02-01\n", tmp_path)

    assert "there is no EUR to USD exchange rate on or before 2024-02-01" in said


def test_the_latest_rate_on_or_before_the_close_date_is_used(
    everyone: Any, org: Any, tmp_path: Path
) -> None:
    for day, rate in (
        (dt.date(2024, 1, 1), "1.1"),
        (dt.date(2024, 3, 1), "1.2"),
        (dt.date(2024, 9, 1), "2"),
    ):
        ExchangeRate.objects.create(org=org, currency="EUR", rate=Decimal(rate), valid_from=day)

    run_import(org, "deals", HEADER + "E1,Rick Rep,won,100,eur,2024-01-01,2024-03-15\n", tmp_path)

    assert Deal.objects.get().amount_reporting == Decimal("120.00")


@pytest.mark.parametrize(
    ("encoding", "bom"), [("utf-16", b""), ("latin-1", b""), ("utf-8", b"\xef\xbb\xbf")]
)
def test_utf16_latin1_and_bom_files_are_read(
    everyone: Any, org: Any, tmp_path: Path, encoding: str, bom: bytes
) -> None:
    text = HEADER + "U1,Rick Rep,won,100,,2024-01-01,2024-01-10\n"
    text = text.replace("Close date\n", "Close date,Account\n").replace(
        "01-10\n", "01-10,Société Générale\n"
    )

    run = run_import(org, "deals", bom + text.encode(encoding), tmp_path)

    assert counts(run) == (1, 0, 0, 0), run.message
    assert Deal.objects.get().account == "Société Générale"


def test_an_empty_file_is_refused(everyone: Any, org: Any, tmp_path: Path) -> None:
    said = refused(org, b"", tmp_path)

    assert "the file is empty" in said


def test_a_file_cut_in_the_middle_writes_nothing(everyone: Any, org: Any, tmp_path: Path) -> None:
    cut = HEADER + GOOD_ROW + 'G2,Rick Rep,won,100,,2024-01-01,"2024-0'

    said = refused(org, cut, tmp_path)

    assert "Nothing was written" in said or "nothing was written" in said


def test_skip_invalid_applies_the_valid_rows_and_reports_the_others(
    everyone: Any, org: Any, tmp_path: Path
) -> None:
    run = run_import(
        org,
        "deals",
        HEADER + GOOD_ROW + "B2,Rick Rep,won,abc,,2024-01-01,\n",
        tmp_path,
        skip_invalid=True,
    )

    assert counts(run) == (1, 0, 0, 1)
    assert list(Deal.objects.values_list("external_id", flat=True)) == ["G1"]


def test_a_source_option_keeps_two_systems_apart(everyone: Any, org: Any, tmp_path: Path) -> None:
    run_import(org, "deals", HEADER + GOOD_ROW, tmp_path)
    run = run_import(org, "deals", HEADER + GOOD_ROW, tmp_path, source="crm-eu")

    assert counts(run) == (1, 0, 0, 0)
    assert sorted(Deal.objects.values_list("source", flat=True)) == ["crm-eu", "file"]


def test_bad_source_names_are_refused() -> None:
    with pytest.raises(ValueError, match="short name"):
        DealImporter.clean_settings({"source": "Not a name!"})
