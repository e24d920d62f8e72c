"""The import runner with a small importer of its own: what any importer gets for free."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeVar

import pytest

from charter.core import audit, registry
from charter.core.imports import (
    ApplyError,
    CleanRow,
    Counts,
    Field,
    Importer,
    Issue,
    Row,
    runner,
    text,
)
from charter.core.imports.readers import path_opener
from charter.core.imports.services import import_run_create
from charter.core.imports.store import RowStore
from charter.core.models import AuditEvent, ImportRun, Job
from charter.org.models import Organization

T = TypeVar("T")


class NotesImporter(Importer[str]):
    """Writes one audit event per row, so the test can see what was written and rolled back."""

    name = "notes"
    label = "notes"
    fields = (Field("note", "Note", required=True, parse=text(max_length=10)),)

    def clean(self, row: Row) -> str:
        note: str = row["note"] or ""
        if note == "bad":
            row.error("note", "bad is not allowed")
        return note

    def check(self, rows: Iterable[CleanRow[str]]) -> Iterable[Issue]:
        seen: dict[str, int] = {}
        for row in rows:
            if row.data in seen:
                yield self.issue(row.number, "note", row.data, f"also on row {seen[row.data]}")
            seen.setdefault(row.data, row.number)

    def apply(self, rows: Iterable[CleanRow[str]]) -> Counts:
        counts = Counts()
        for row in rows:
            if row.data == "refuse":
                raise ApplyError([self.issue(row.number, "note", row.data, "refused")])
            audit.record(actor=None, action="core.test_note.created", after={"note": row.data})
            counts.created += 1
        return counts


@pytest.fixture
def notes(monkeypatch: pytest.MonkeyPatch) -> type[NotesImporter]:
    monkeypatch.setitem(registry.importers, "notes", NotesImporter)
    return NotesImporter


def execute(org: Organization, tmp_path: Path, body: str, **kwargs: Any) -> ImportRun:
    path = tmp_path / "notes.csv"
    path.write_text("Note\n" + body, encoding="utf-8")
    run = import_run_create(org=org, kind="notes", filename=path.name, actor=None, **kwargs)
    return runner.execute_run(run, opener=path_opener(path))


def job_of(run: ImportRun) -> Job:
    assert run.job is not None
    return run.job


def written() -> list[str]:
    events = AuditEvent.objects.filter(action="core.test_note.created").order_by("pk")
    return [e.after["note"] for e in events if e.after]


def test_a_valid_file_is_applied_with_progress_and_a_finished_job(
    org: Organization, tmp_path: Path, notes: Any
) -> None:
    run = execute(org, tmp_path, "one\ntwo\nthree\n")

    assert run.status == ImportRun.Status.APPLIED
    assert (run.rows_done, run.rows_total, run.created_count) == (3, 3, 3)
    assert written() == ["one", "two", "three"]
    job = job_of(run)
    assert job.status == Job.Status.SUCCEEDED
    assert (job.progress_done, job.progress_total) == (3, 3)
    assert job.title == "Import notes from notes.csv"


def test_every_error_is_collected_and_nothing_is_written(
    org: Organization, tmp_path: Path, notes: Any
) -> None:
    run = execute(org, tmp_path, "ok\nbad\n\nfar too long text\nok\n")

    assert run.status == ImportRun.Status.REJECTED
    assert written() == []
    assert run.errors == [
        {"row": 3, "column": "Note", "value": "bad", "reason": "bad is not allowed"},
        {
            "row": 5,
            "column": "Note",
            "value": "far too long text",
            "reason": "Note is 17 characters long; at most 10 are allowed",
        },
        {"row": 6, "column": "Note", "value": "ok", "reason": "also on row 2"},
    ]
    assert run.invalid_count == 3
    assert job_of(run).status == Job.Status.FAILED


def test_skip_invalid_applies_the_rest(org: Organization, tmp_path: Path, notes: Any) -> None:
    run = execute(org, tmp_path, "ok\nbad\nok\nfine\n", skip_invalid=True)

    assert run.status == ImportRun.Status.APPLIED
    assert written() == ["ok", "fine"]
    assert (run.created_count, run.invalid_count) == (2, 2)


def test_a_refusal_while_writing_rolls_everything_back(
    org: Organization, tmp_path: Path, notes: Any
) -> None:
    run = execute(org, tmp_path, "one\ntwo\nrefuse\n")

    assert run.status == ImportRun.Status.REJECTED
    assert written() == []
    assert run.errors == [{"row": 4, "column": "Note", "value": "refuse", "reason": "refused"}]
    assert "nothing was written" in run.message


def test_a_dry_run_counts_by_applying_then_rolling_back(
    org: Organization, tmp_path: Path, notes: Any
) -> None:
    run = execute(org, tmp_path, "one\ntwo\n", dry_run=True)

    assert run.status == ImportRun.Status.DRY_RUN
    assert run.created_count == 2
    assert written() == []
    assert not AuditEvent.objects.filter(action="core.import_run.applied").exists()
    assert job_of(run).title == "Check notes from notes.csv"


def test_rows_that_do_not_line_up_with_the_header_are_row_errors(
    org: Organization, tmp_path: Path, notes: Any
) -> None:
    run = execute(org, tmp_path, 'one\n"two",extra\nthree\n', skip_invalid=True)

    assert written() == ["one", "three"]
    assert run.errors == [
        {
            "row": 3,
            "column": "",
            "value": "",
            "reason": "this row has 2 values but the header has 1 columns",
        }
    ]


def test_huge_error_lists_keep_the_first_problems_and_count_them_all(
    org: Organization, tmp_path: Path, notes: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "MAX_STORED_ISSUES", 5)

    run = execute(org, tmp_path, "bad\n" * 12)

    assert len(run.errors) == 5
    assert run.invalid_count == 12
    assert "12 rows with errors (12 problems, the first 5 listed)" in run.message


def test_validated_rows_spill_to_disk_for_big_files(
    org: Organization, tmp_path: Path, notes: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "MEMORY_ROWS", 7)
    spilled: list[bool] = []

    class RecordingStore(RowStore[T]):
        def close(self) -> None:
            spilled.append(self.spilled)
            super().close()

    monkeypatch.setattr(runner, "RowStore", RecordingStore)

    run = execute(org, tmp_path, "".join(f"n{i}\n" for i in range(30)))

    assert spilled == [True]
    assert run.created_count == 30
    assert written() == [f"n{i}" for i in range(30)]


def test_progress_is_written_while_validating(
    org: Organization, tmp_path: Path, notes: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[int, int]] = []
    monkeypatch.setattr(runner, "_WRITE_INTERVAL", 0.0)
    real_clean = NotesImporter.clean

    def watching(self: NotesImporter, row: Row) -> str:
        stored = ImportRun.objects.get(kind="notes")
        seen.append((stored.rows_done, stored.rows_total))
        return real_clean(self, row)

    monkeypatch.setattr(NotesImporter, "clean", watching)

    execute(org, tmp_path, "a\nb\nc\n")

    assert seen == [(0, 3), (1, 3), (2, 3)]


def test_an_unknown_importer_lists_the_known_ones() -> None:
    with pytest.raises(LookupError, match=r"the importers are: .*people"):
        runner.get_importer("nope")
