"""Malformed CSV and XLSX files thrown at every registered importer, through `charter import` and
the upload page's reading of a file: a refusal with a message is the only way out, a refused
import writes nothing, and every message names a row, a column or the file.

A seeded mutator rather than a property-testing library: the cases are the same on every run
(so a failure repeats), and their number is fixed to keep the test within some seconds."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Model

from charter.accounts.models import User
from charter.core import registry
from charter.core.imports.fields import CONTROL_CHARACTER
from charter.core.imports.mapping import match_columns
from charter.core.imports.preview import build_preview
from charter.core.imports.readers import ImportFileError
from charter.core.imports.services import (
    FILE_KEY,
    import_upload_create,
    import_upload_reject,
    pending_reader,
)
from charter.core.models import AuditEvent, ImportRun
from charter.core.tests.workbooks import workbook_bytes
from charter.crm.models import Activity, CsatResponse, Deal, ExchangeRate
from charter.kpis.models import DailyMetrics, Target, TargetRevision
from charter.learning.models import Certificate, Completion
from charter.org.models import Person, Team

SEED = 20_261_207
# Per importer: byte-level damage of a CSV and of a workbook, and files of hostile cells.
BYTE_CASES = {"csv": 9, "xlsx": 7}
CELL_CASES = {"csv": 6, "xlsx": 4}

# A valid file for each importer; the mutations start from it.
SEEDS: dict[str, list[list[Any]]] = {
    "deals": [
        ["id", "owner", "stage", "amount", "currency", "created", "close", "account"],
        ["D1", "rick.rep@acme.test", "won", "1200.50", "USD", "2024-01-02", "2024-02-01", "Acme"],
        ["D2", "Rita Rep", "lost", "300", "", "2024-01-03", "2024-02-03", "Globex"],
        ["D3", "rick.rep@acme.test", "open", "", "", "2024-01-04", "", "Initech"],
    ],
    "activities": [
        ["id", "owner", "kind", "date", "duration", "subject"],
        ["A1", "rick.rep@acme.test", "call", "2024-01-02 10:00", "15", "Intro"],
        ["A2", "Rita Rep", "meeting", "2024-01-03", "60", "Demo"],
    ],
    "csat": [
        ["id", "owner", "score", "scale", "date", "account"],
        ["C1", "rick.rep@acme.test", "4", "5", "2024-01-02", "Acme"],
        ["C2", "Rita Rep", "9", "10", "2024-01-03", "Globex"],
    ],
    "rates": [
        ["currency", "valid_from", "rate"],
        ["EUR", "2024-01-01", "1.1"],
        ["GBP", "2024-01-01", "1.27"],
    ],
    "people": [
        ["Name", "Email", "Title", "Role", "Team", "Manager", "Hire date"],
        ["Ann Lee", "ann@acme.test", "AE", "rep", "", "", "2023-05-01"],
        ["Bo Chen", "bo@acme.test", "SDR", "rep", "", "ann@acme.test", "31.03.2024"],
    ],
    "targets": [
        ["person", "kpi", "period", "value"],
        ["rick.rep@acme.test", "revenue_won", "2024-Q2", "90000"],
        ["rita.rep@acme.test", "win_rate", "2024-Q2", "30"],
    ],
    # The training and certification these name are made by `prerequisites`.
    "completions": [
        ["person", "training", "completed", "hours", "score"],
        ["rick.rep@acme.test", "NEG-101", "2024-01-02", "2.5", "90"],
        ["Rita Rep", "Negotiation basics", "2024-01-03", "1", ""],
    ],
    "certifications": [
        ["person", "certification", "issued", "expires", "credential id"],
        ["rick.rep@acme.test", "Cloud badge", "2024-01-02", "", "CB-1"],
        ["Rita Rep", "Cloud badge", "2024-01-03", "2025-01-02", ""],
    ],
}


def prerequisites(kind: str, org: Any) -> None:
    """What a kind's seed file names that is not a person: a training, a certification."""
    if kind == "completions":
        from charter.learning.services.catalogue import training_create

        training_create(
            org=org, actor=None, title="Negotiation basics", kind="course", expected_hours=2,
            code="NEG-101",
        )  # fmt: skip
    elif kind == "certifications":
        from charter.learning.services.certificates import certification_create

        certification_create(org=org, actor=None, name="Cloud badge", validity_months=12)


HOSTILE_TEXT = [
    "\x00",
    "Acme\x00Corp",
    "a\x07b",
    "\x1b[31mred",
    "x\x7f",
    "\x85",
    "9" * 40,
    "1e400",
    "-1",
    "NaN",
    "inf",
    "-0.00",
    "12345678901234567890.123",
    "1,5",
    "2017-02-30",
    "2017-02-28T25:00",
    "0001-01-01",
    "9999-12-31",
    "2024-13-01",
    "03/04/2024",
    "",
    " ",
    '"',
    '"unclosed',
    "x" * 5000,
    "=cmd|' /C calc'!A0",
    "\u202eevil",
    "😀",
    "TRUE",
    "null",
]
# What a workbook can hold besides text (XML cannot carry C0 controls; openpyxl refuses them).
HOSTILE_CELLS: list[Any] = [
    *(t for t in HOSTILE_TEXT if not CONTROL_CHARACTER.search(t) or "\x85" in t or "\x7f" in t),
    1e308,
    -1e308,
    10**30,
    -5,
    0,
    2958465,
    True,
    dt.datetime(1900, 1, 1),
    dt.date(2099, 12, 31),
    dt.time(25 % 24, 0),
]

WRITTEN: list[type[Model]] = [
    Deal,
    Activity,
    CsatResponse,
    ExchangeRate,
    Person,
    Team,
    User,
    Target,
    TargetRevision,
    DailyMetrics,
    AuditEvent,
    Completion,
    Certificate,
]


def snapshot() -> dict[str, int]:
    return {model.__name__: model._default_manager.count() for model in WRITTEN}


def as_csv(rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def damage_bytes(data: bytes, rng: random.Random) -> bytes:
    buffer = bytearray(data)
    how = rng.choice(["flip", "truncate", "insert", "overwrite"])
    if how == "flip":
        for _ in range(rng.randint(1, 12)):
            buffer[rng.randrange(len(buffer))] ^= 1 << rng.randrange(8)
    elif how == "truncate":
        del buffer[rng.randrange(1, len(buffer)) :]
    elif how == "insert":
        at = rng.randrange(len(buffer))
        buffer[at:at] = rng.randbytes(rng.randint(1, 64))
    else:
        at = rng.randrange(len(buffer))
        buffer[at : at + 32] = rng.randbytes(32)
    return bytes(buffer)


def hostile_rows(rows: list[list[Any]], rng: random.Random, values: list[Any]) -> list[list[Any]]:
    changed = [list(row) for row in rows]
    for _ in range(rng.randint(1, 4)):
        row = rng.randrange(1, len(changed))
        changed[row][rng.randrange(len(changed[row]))] = rng.choice(values)
    return changed


def cases(kind: str) -> list[tuple[str, str, bytes]]:
    """(label, file name, content) of every case for one importer, the same on every run."""
    rng = random.Random(f"{SEED}-{kind}")
    rows = SEEDS[kind]
    found: list[tuple[str, str, bytes]] = []
    for n in range(BYTE_CASES["csv"]):
        found.append((f"csv bytes {n}", f"{kind}.csv", damage_bytes(as_csv(rows), rng)))
    for n in range(BYTE_CASES["xlsx"]):
        book = workbook_bytes(rows, shared=n % 2 == 0)
        found.append((f"xlsx bytes {n}", f"{kind}.xlsx", damage_bytes(book, rng)))
    for n in range(CELL_CASES["csv"]):
        content = as_csv(hostile_rows(rows, rng, HOSTILE_TEXT))
        found.append((f"csv cells {n}", f"{kind}.csv", content))
    for n in range(CELL_CASES["xlsx"]):
        book = workbook_bytes(hostile_rows(rows, rng, HOSTILE_CELLS), shared=n % 2 == 1)
        found.append((f"xlsx cells {n}", f"{kind}.xlsx", book))
    return found


def names_where(run: ImportRun) -> bool:
    """Every problem names its row or column, or the run's message names the file."""
    return all(e.get("row") or e.get("column") for e in run.errors) or (run.filename in run.message)


def cli_import(path: Path, kind: str, *args: str) -> tuple[ImportRun, str]:
    out = io.StringIO()
    try:
        call_command("import", kind, str(path), *args, stdout=out, stderr=io.StringIO())
    except CommandError as exc:
        refusal = str(exc)
    else:
        refusal = ""
    run = ImportRun.objects.order_by("-pk").first()
    assert run is not None
    return run, refusal


def check_cli(kind: str, label: str, path: Path, skip_invalid: bool) -> None:
    before = snapshot()
    run, refusal = cli_import(path, kind, *(["--skip-invalid"] if skip_invalid else []))
    where = f"{kind}, {label}: {run.message}"
    stored = json.dumps(run.errors) + run.message + json.dumps(run.mapping)
    assert not CONTROL_CHARACTER.search(stored), where
    if refusal:
        assert run.status == ImportRun.Status.REJECTED, where
        assert snapshot() == before, where
        assert run.errors, where
        assert names_where(run), where
    else:
        assert run.status == ImportRun.Status.APPLIED, where
        assert all(e.get("row") for e in run.errors), where


def check_upload(kind: str, label: str, name: str, content: bytes, org: Any) -> None:
    """What the upload page does within its requests: keep the file and read its first rows,
    then preview it; a file refused on the way is not kept."""
    before = snapshot()
    stored = ""
    refusal: ImportFileError | None = None
    try:
        run = import_upload_create(
            org=org, kind=kind, actor=None, upload=io.BytesIO(content), filename=name
        )
        stored = run.options[FILE_KEY]
        importer = registry.importers[kind]
        reader = pending_reader(run)
        column_map, problems = match_columns(importer.fields, reader.header, run.mapping)
        if not problems:
            build_preview(
                importer_cls=importer,
                reader=reader,
                column_map=column_map,
                org=org,
                actor=None,
                options=run.options,
                skip_invalid=False,
            )
    except ImportFileError as exc:
        refusal = exc
    if refusal is not None:
        assert str(refusal), f"{kind}, {label}"
        assert not CONTROL_CHARACTER.search(str(refusal)), f"{kind}, {label}"
    if stored:
        # As the preview page does with a file it cannot read; here, with every file.
        import_upload_reject(run=run, error=refusal or ImportFileError("done"))
        assert not default_storage.exists(stored), f"{kind}, {label}: the file was kept"
    assert snapshot() == before, f"{kind}, {label}: the upload wrote something"


def test_every_importer_has_a_seed_file() -> None:
    assert set(SEEDS) == set(registry.importers)


@pytest.mark.parametrize("kind", sorted(SEEDS))
def test_the_seed_file_imports_cleanly(everyone: Any, tmp_path: Path, kind: str) -> None:
    path = tmp_path / f"{kind}.csv"
    path.write_bytes(as_csv(SEEDS[kind]))
    prerequisites(kind, everyone["admin"].org)

    run, refusal = cli_import(path, kind)

    assert (refusal, run.status) == ("", ImportRun.Status.APPLIED), run.errors
    assert run.created_count == len(SEEDS[kind]) - 1


@pytest.mark.parametrize("kind", sorted(SEEDS))
def test_malformed_files_are_refused_with_a_message_and_write_nothing(
    everyone: Any, tmp_path: Path, kind: str
) -> None:
    rng = random.Random(f"{SEED}-{kind}-skip")
    prerequisites(kind, everyone["admin"].org)
    for label, name, content in cases(kind):
        path = tmp_path / name
        path.write_bytes(content)
        check_cli(kind, label, path, skip_invalid=rng.random() < 0.25)
        check_upload(kind, label, name, content, everyone["admin"].org)


def test_the_cases_are_the_same_on_every_run() -> None:
    # Workbooks carry the time they were written; the cases must not, or a failure found
    # today would not repeat tomorrow.
    today = [content for _, _, content in cases("deals")]
    with time_machine.travel(dt.datetime(2031, 5, 5, 13, 7, tzinfo=dt.UTC), tick=False):
        later = [content for _, _, content in cases("deals")]

    assert today == later
