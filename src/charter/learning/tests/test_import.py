"""`charter import completions FILE`: mapping by column names, row-numbered errors, skip-invalid,
the same file twice, a day's 24 hours across the file and the record."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.core.management import CommandError, call_command

from charter.core.models import ImportRun
from charter.learning.models import Completion, Source, Status
from charter.learning.services.completions import completion_report


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 5, 20, 12, tzinfo=dt.UTC), tick=False):
        yield


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "completions.csv"
    path.write_text(text, encoding="utf-8")
    return path


def run_import(path: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("import", "completions", str(path), *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def rejected(path: Path) -> list[dict]:
    with pytest.raises(CommandError):
        call_command("import", "completions", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    run = ImportRun.objects.order_by("-pk").first()
    assert run is not None
    return run.errors


def test_import_creates_approved_completions_and_again_changes_nothing(
    rep, rep2, company_training, team_training, tmp_path
):
    path = write(
        tmp_path,
        "Learner email,Course code,Completion date,Duration,Grade\n"
        "rick.rep@acme.test,NEG-101,2026-05-02,6,91\n"
        "Rita Rep,enterprise discovery,2026-04-30,4.5,\n",
    )
    assert "Created 2 · updated 0 · unchanged 0" in run_import(path)
    rick = Completion.objects.get(person=rep)
    assert (rick.hours, rick.score, rick.status, rick.source) == (
        Decimal("6"), Decimal("91"), Status.APPROVED, Source.IMPORT,
    )  # fmt: skip
    assert Completion.objects.get(person=rep2).score is None
    assert "Created 0 · updated 0 · unchanged 2" in run_import(path)


def test_an_import_approves_and_corrects_a_reported_completion(rep, company_training, tmp_path):
    completion_report(
        person=rep, actor=rep.user, training=company_training,
        completed_on=dt.date(2026, 5, 2), hours="5",
    )  # fmt: skip
    path = write(tmp_path, "person,training,completed,hours\nRick Rep,NEG-101,2026-05-02,6\n")
    assert "updated 1" in run_import(path)
    completion = Completion.objects.get()
    assert (completion.hours, completion.status) == (Decimal("6"), Status.APPROVED)


def test_bad_rows_are_named_by_row_and_column_and_nothing_is_written(
    rep, other_team_rep, company_training, tmp_path
):
    path = write(
        tmp_path,
        "person,training,completed,hours,score\n"
        "rick.rep@acme.test,NEG-101,2026-05-21,2,\n"
        "rick.rep@acme.test,Unknown course,2026-05-01,2,\n"
        "nobody@acme.test,NEG-101,2026-05-01,2,\n"
        "rick.rep@acme.test,NEG-101,2026-05-03,0,\n"
        "rick.rep@acme.test,NEG-101,2026-05-04,30,\n"
        "rick.rep@acme.test,NEG-101,2026-05-05,2,120\n"
        "rick.rep@acme.test,NEG-101,5 May 2026,x,\n"
        "Olga Other,NEG-101,2026-05-06,2,\n",
    )
    errors = {(e["row"], e["column"]): e["reason"] for e in rejected(path)}
    assert "in the future" in errors[(2, "completed")]
    assert "no training titled or coded 'Unknown course'" in errors[(3, "training")]
    assert "nobody in Charter has the email nobody@acme.test" in errors[(4, "person")]
    assert "more than 0" in errors[(5, "hours")]
    assert "more than a day holds" in errors[(6, "hours")]
    assert "from 0 to 100" in errors[(7, "score")]
    assert "is not a number" in errors[(8, "hours")]
    assert (9, "person") not in errors  # the operator reaches the whole organization
    assert not Completion.objects.exists()


def test_skip_invalid_writes_the_good_rows(rep, company_training, tmp_path):
    path = write(
        tmp_path,
        "person,training,completed,hours\n"
        "rick.rep@acme.test,NEG-101,2026-05-01,2\n"
        "rick.rep@acme.test,NEG-101,2030-01-01,2\n",
    )
    out = run_import(path, "--skip-invalid")
    assert "Created 1" in out
    assert Completion.objects.count() == 1


def test_a_day_holds_24_hours_across_the_file_and_the_record(
    rep, company_training, team_training, tmp_path
):
    completion_report(
        person=rep, actor=rep.user, training=team_training,
        completed_on=dt.date(2026, 5, 2), hours="10",
    )  # fmt: skip
    path = write(
        tmp_path,
        "person,training,completed,hours\n"
        "rick.rep@acme.test,NEG-101,2026-05-02,15\n"
        "rick.rep@acme.test,NEG-101,2026-05-02,1\n",
    )
    errors = rejected(path)
    reasons = " ".join(e["reason"] for e in errors)
    assert "also on row 3" in reasons
    assert Completion.objects.count() == 1


def test_the_day_total_counts_what_the_record_already_has(
    rep, company_training, team_training, tmp_path
):
    completion_report(
        person=rep, actor=rep.user, training=team_training,
        completed_on=dt.date(2026, 5, 2), hours="10",
    )  # fmt: skip
    path = write(
        tmp_path, "person,training,completed,hours\nrick.rep@acme.test,NEG-101,2026-05-02,15\n"
    )
    errors = rejected(path)
    assert errors[0]["row"] == 2
    assert "would have 25 hours on 2026-05-02" in errors[0]["reason"]


def test_a_person_importing_reaches_only_the_people_they_read(
    org, manager, rep, other_team_rep, company_training
):
    from charter.core.imports.base import Row
    from charter.learning.importers import CompletionImporter

    importer = CompletionImporter(org=org, actor=manager.user)
    importer.prepare()
    row = Row(number=2, raw={"person": "Olga Other"}, columns={"person": "Person"})
    row.values = {
        "person": "Olga Other",
        "training": "NEG-101",
        "completed_on": dt.date(2026, 5, 1),
        "hours": Decimal("1"),
        "score": None,
    }
    assert importer.clean(row) is None
    assert "not among the people you may import for" in row.issues[0].reason


# --- certificates ------------------------------------------------------------------------------


def test_import_certificates_with_default_end_and_again_unchanged(org, admin, rep, tmp_path):
    from charter.learning.models import Certificate
    from charter.learning.services.certificates import certification_create

    certification_create(org=org, actor=admin.user, name="Cloud badge", validity_months=12)
    path = tmp_path / "certs.csv"
    path.write_text(
        "Email,Certificate,Issue date,Expiry,Credential\n"
        "rick.rep@acme.test,cloud badge,2026-01-15,,CB-1\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command("import", "certifications", str(path), stdout=out, stderr=io.StringIO())
    assert "Created 1" in out.getvalue()
    certificate = Certificate.objects.get()
    assert (certificate.expires_on, certificate.credential_id) == (dt.date(2027, 1, 14), "CB-1")
    again = io.StringIO()
    call_command("import", "certifications", str(path), stdout=again, stderr=io.StringIO())
    assert "unchanged 1" in again.getvalue()


def test_bad_certificate_rows_are_named(org, admin, rep, tmp_path):
    from charter.learning.models import Certificate
    from charter.learning.services.certificates import certification_create

    certification_create(org=org, actor=admin.user, name="Cloud badge", validity_months=12)
    path = tmp_path / "certs.csv"
    path.write_text(
        "person,certification,issued,expires\n"
        "rick.rep@acme.test,Unknown badge,2026-01-15,\n"
        "rick.rep@acme.test,Cloud badge,2026-06-01,\n"
        "rick.rep@acme.test,Cloud badge,2026-01-15,2025-12-31\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError):
        call_command("import", "certifications", str(path), stdout=io.StringIO(),
                     stderr=io.StringIO())  # fmt: skip
    run = ImportRun.objects.order_by("-pk").first()
    assert run is not None
    errors = {(e["row"], e["column"]): e["reason"] for e in run.errors}
    assert "no certification called 'Unknown badge'" in errors[(2, "certification")]
    assert "in the future" in errors[(3, "issued")]
    assert "cannot end before" in errors[(4, "expires")]
    assert not Certificate.objects.exists()
