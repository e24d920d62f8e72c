"""A real backup of a small organization, then damaged copies of it: bits flipped at seeded
offsets, the file cut at several points, a line edited and compressed again (so the gzip
checksum is right and only the content hash can tell), lines removed, an empty file and files
that are not backups. Every one is refused by `charter restore --force` with a one-line message
and the database is left exactly as it was; the intact file restores every row.

Offsets are drawn from the compressed data and the gzip trailer. The gzip header's time, flags
for text and operating system are not covered by its checksum and change nothing that is
restored, and the last byte of the compressed data ends in padding bits nobody reads; those
bytes are left out.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import random
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from charter.core.backup import flush_data, row_counts
from charter.core.periods import parse_period
from charter.core.tests.test_backup import company, table_contents  # noqa: F401
from charter.crm.models import Deal, ExchangeRate
from charter.crm.tests.test_import_deals import reasons, run_import
from charter.kpis import services as kpi_services
from charter.kpis.models import KpiDefinition, TargetRevision

GZIP_HEADER = 10
GZIP_TRAILER = 8
SEED = 20_241_107


@pytest.fixture
def backup(company: Any, org: Any, tmp_path: Path) -> Path:  # noqa: F811
    """A backup of an organization with deals, a rate and a target, besides everyone's logins."""
    ExchangeRate.objects.create(
        org=org, currency="EUR", rate=Decimal("1.08"), valid_from=dt.date(2024, 1, 1)
    )
    rep = company["rep"].email
    deals = (
        "External ID,Owner,Stage,Amount,Currency,Created date,Close date\n"
        f"D1,{rep},won,1234567890123.45,,2024-01-05,2024-02-01\n"
        f"D2,{rep},lost,1200.50,EUR,2024-01-06,2024-02-03\n"
        f"D3,{rep},open,0.07,,2024-01-07,2024-03-01\n"
    )
    run = run_import(org, "deals", deals, tmp_path)
    assert run.created_count == 3, reasons(run)
    kpi_services.target_set(
        org=org,
        kpi=KpiDefinition.objects.get(org=org, key="revenue_won"),
        period=parse_period("2024-Q1", org.fiscal_year_start_month),
        value="90000",
        actor=None,
        person=company["rep"],
    )
    path = tmp_path / "charter.gz"
    call_command("backup", str(path), verbosity=0)
    return path


def refused(path: Path) -> str:
    """Restore `path` over the populated database; the one-line refusal."""
    with pytest.raises(CommandError) as caught:
        call_command("restore", str(path), "--force", verbosity=0)
    message = str(caught.value)
    assert "\n" not in message
    return message


def payload(path: Path) -> list[bytes]:
    return gzip.decompress(path.read_bytes()).splitlines(keepends=True)


def flipped(data: bytes, case: int) -> bytes:
    rng = random.Random(SEED + case)
    offsets = [
        *range(GZIP_HEADER, len(data) - GZIP_TRAILER - 1),
        *range(len(data) - GZIP_TRAILER, len(data)),
    ]
    offset = rng.choice(offsets)
    damaged = bytearray(data)
    damaged[offset] ^= 1 << rng.randrange(8)
    return bytes(damaged)


def test_the_intact_backup_restores_every_row_exactly(backup: Path) -> None:
    before = table_contents()
    flush_data()
    assert row_counts() == {}

    call_command("restore", str(backup), verbosity=0)

    assert table_contents() == before
    assert Deal.objects.get(external_id="D1").amount == Decimal("1234567890123.45")
    assert TargetRevision.objects.get().value == Decimal("90000")


@pytest.mark.parametrize("case", range(12))
def test_a_flipped_bit_is_refused_and_nothing_changes(
    backup: Path, tmp_path: Path, case: int
) -> None:
    damaged = tmp_path / "flipped.gz"
    damaged.write_bytes(flipped(backup.read_bytes(), case))
    before = table_contents()

    message = refused(damaged)

    assert "nothing was restored" in message
    assert table_contents() == before


@pytest.mark.parametrize("keep", [0.0, 0.05, 0.3, 0.5, 0.9, -9, -4, -1])
def test_a_file_cut_short_is_refused_and_nothing_changes(
    backup: Path, tmp_path: Path, keep: float
) -> None:
    data = backup.read_bytes()
    end = int(len(data) * keep) if keep >= 0 else len(data) + int(keep)
    cut = tmp_path / "cut.gz"
    cut.write_bytes(data[:end])
    before = table_contents()

    message = refused(cut)

    assert "nothing was restored" in message
    assert table_contents() == before


def _edit_target(lines: list[bytes]) -> list[bytes]:
    found = [i for i, line in enumerate(lines) if b'"model":"kpis.targetrevision"' in line]
    assert len(found) == 1
    edited = lines[found[0]].replace(b'"value":"90000.0000"', b'"value":"99000.0000"')
    assert edited != lines[found[0]]
    return [*lines[: found[0]], edited, *lines[found[0] + 1 :]]


def _drop_a_deal_and_fix_the_count(lines: list[bytes]) -> list[bytes]:
    kept = [line for line in lines if b'"external_id":"D3"' not in line]
    assert len(kept) == len(lines) - 1
    kept[-1] = kept[-1].replace(b'"crm.deal":3', b'"crm.deal":2')
    return kept


def _drop_the_trailer(lines: list[bytes]) -> list[bytes]:
    return lines[:-1]


def _forge_the_version(lines: list[bytes]) -> list[bytes]:
    return [lines[0].replace(b'"version":2', b'"version":3'), *lines[1:]]


def _a_line_after_the_end(lines: list[bytes]) -> list[bytes]:
    return [*lines, lines[1]]


def _not_json(lines: list[bytes]) -> list[bytes]:
    return [lines[0], b"{not json\n", *lines[2:]]


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        (_edit_target, "does not match the hash"),
        (_drop_a_deal_and_fix_the_count, "does not match the hash"),
        (_drop_the_trailer, "ends early"),
        (_forge_the_version, "version 3 is not supported"),
        (_a_line_after_the_end, "follows the end"),
        (_not_json, "line 2 is not valid JSON"),
    ],
)
def test_an_edited_payload_compressed_again_is_refused_and_nothing_changes(
    backup: Path,
    tmp_path: Path,
    edit: Callable[[list[bytes]], list[bytes]],
    said: str,
) -> None:
    edited = tmp_path / "edited.gz"
    # A fresh gzip file: its checksum matches the edited content.
    edited.write_bytes(gzip.compress(mtime=0, data=b"".join(edit(payload(backup)))))
    before = table_contents()

    message = refused(edited)

    assert said in message
    assert table_contents() == before


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"", "the file is empty"),
        (b"external_id,owner\nD1,rick\n", "not a complete Charter backup"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "not a complete Charter backup"),
        (gzip.compress(mtime=0, data=b"external_id,owner\nD1,rick\n"), "line 1 is not valid JSON"),
        (gzip.compress(mtime=0, data=b'{"format":"other"}\n'), "not a Charter backup"),
        (gzip.compress(mtime=0, data=b"[1, 2]\n"), "not a line of a Charter backup"),
        (gzip.compress(mtime=0, data=b"\xff\xfe\n"), "not UTF-8 text"),
    ],
    ids=["empty", "csv", "png", "gzipped-csv", "other-format", "json-list", "not-utf8"],
)
def test_a_file_that_is_not_a_backup_is_refused_and_nothing_changes(
    backup: Path, tmp_path: Path, content: bytes, said: str
) -> None:
    other = tmp_path / "other.gz"
    other.write_bytes(content)
    before = table_contents()

    message = refused(other)

    assert said in message
    assert table_contents() == before


def test_garbage_after_the_backup_is_refused(backup: Path, tmp_path: Path) -> None:
    padded = tmp_path / "padded.gz"
    padded.write_bytes(backup.read_bytes() + b"garbage")
    before = table_contents()

    assert "not a complete Charter backup" in refused(padded)
    assert table_contents() == before


def test_an_amount_sqlite_cannot_keep_is_refused_there_and_kept_by_postgresql(
    backup: Path, tmp_path: Path
) -> None:
    # As a backup made on PostgreSQL before amounts were limited to 15 digits could hold.
    lines = [
        line.replace(b'"1234567890123.45"', b'"12345678901234.56"') for line in payload(backup)
    ]
    body = b"".join(lines[:-1])
    trailer = json.loads(lines[-1]) | {"sha256": hashlib.sha256(body).hexdigest()}
    wide = tmp_path / "wide.gz"
    wide.write_bytes(gzip.compress(body + json.dumps(trailer).encode() + b"\n"))
    before = table_contents()

    if connection.vendor == "sqlite":
        message = refused(wide)
        assert "crm.deal row" in message
        assert "amount 12345678901234.56, more than the 15 significant digits" in message
        assert table_contents() == before
    else:
        call_command("restore", str(wide), "--force", verbosity=0)
        assert Deal.objects.get(external_id="D1").amount == Decimal("12345678901234.56")
