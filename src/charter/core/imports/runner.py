"""Runs one import: read the file, match its columns, validate every row, then apply the valid
rows in one transaction (or roll back for a dry run) and record the outcome on the ImportRun.

Progress is written while validating, in autocommit, so a page polling the run or its job sees
it move; the apply transaction holds the writes until the end, so it reports only its start.

Every progress write also refreshes the run's heartbeat, and so does the apply as it goes (inside
its transaction: on PostgreSQL that keeps the run's row locked until the commit, so nobody can
declare a run abandoned while its rows are being written; on SQLite the transaction holds the
write lock anyway). A run whose heartbeat stops was killed; `charter tick` marks it failed
(`services.import_runs_fail_abandoned`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.db import OperationalError, connection
from django.utils import timezone

from charter.core import audit, registry
from charter.core.imports.base import (
    ApplyError,
    CleanRow,
    Counts,
    Importer,
    Issue,
    Row,
    parse_plan,
)
from charter.core.imports.mapping import ColumnMap, MappingError, resolve_mapping
from charter.core.imports.readers import ImportFileError, Opener, TableReader, open_table
from charter.core.imports.store import RowStore, pack_clean_rows, unpack_clean_rows
from charter.core.jobs import (
    atomic_when_free,
    is_locked_database_error,
    job_finish,
    job_progress,
    job_start,
)
from charter.core.models import ImportRun

T = TypeVar("T")

logger = logging.getLogger(__name__)

# Every invalid row is counted, but a file that is wrong everywhere should not produce a
# report bigger than the file: the first this-many problems are kept.
MAX_STORED_ISSUES = 10_000
# Validated rows kept in memory before the rest spill to a temporary file: about 1.2 KB a
# deal, so some 25 MB. An everyday export (a week's or a month's changes) then never touches
# the disk; a million-row file still holds no more than this.
MEMORY_ROWS = 20_000
_WRITE_INTERVAL = 0.5
_NOTIFY_INTERVAL = 0.1
# Seconds between two heartbeats while the apply writes rows.
_HEARTBEAT_INTERVAL = 5.0


def get_importer(kind: str) -> type[Importer[Any]]:
    try:
        importer: type[Importer[Any]] = registry.importers[kind]
    except KeyError:
        known = ", ".join(sorted(registry.importers)) or "none"
        raise LookupError(f"there is no {kind!r} importer; the importers are: {known}") from None
    return importer


class Observer:
    """What the caller wants to hear while an import runs (the CLI prints it)."""

    def opened(self, *, description: str, column_map: ColumnMap) -> None:
        """The file was read and its columns matched."""

    def progress(self, *, done: int, total: int, elapsed: float) -> None:
        """Some more rows were validated."""

    def applying(self, *, rows: int) -> None:
        """Validation is over; `rows` rows are being written."""


class IssueLog:
    """Every issue counted, the first MAX_STORED_ISSUES kept, and the rows they make invalid."""

    def __init__(self, cap: int | None = None) -> None:
        self.cap = MAX_STORED_ISSUES if cap is None else cap
        self.items: list[Issue] = []
        self.total = 0
        self.rows: set[int] = set()

    def add(self, issue: Issue) -> None:
        self.total += 1
        if issue.row is not None:
            self.rows.add(issue.row)
        if len(self.items) < self.cap:
            self.items.append(issue)

    def sorted(self) -> list[Issue]:
        return sorted(self.items, key=lambda i: (i.row or 0,))


@dataclass
class Validation(Generic[T]):
    store: RowStore[CleanRow[T]]
    issues: IssueLog
    rows_seen: int = 0
    # Rows that passed on their own but failed a cross-row rule (they are in `store`).
    check_invalid: int = 0
    # The first rows exactly as read, for a preview: (row number, {field: cell}, its issues).
    samples: list[tuple[int, dict[str, Any], list[Issue]]] = field(default_factory=list)


def validate(
    importer: Importer[T],
    reader: TableReader,
    column_map: ColumnMap,
    *,
    store: RowStore[CleanRow[T]],
    on_row: Callable[[int], None] | None = None,
    limit: int | None = None,
    samples: int = 0,
    cross_check: bool = True,
) -> Validation[T]:
    """Clean every row (or the first `limit`), then run the importer's cross-row check
    (which a partial read must skip: the rows it has not seen would look missing)."""
    result: Validation[T] = Validation(store=store, issues=IssueLog())
    indexes = column_map.indexes
    # A field the file has no column for is None in every row (reading a field that was not
    # parsed gives None), so only the others are parsed; a required one has a column, or the
    # mapping was refused.
    plan = parse_plan([f for f in importer.fields if f.name in indexes or f.required])
    for source in reader.rows():
        if limit is not None and result.rows_seen >= limit:
            break
        result.rows_seen += 1
        raw = {name: source.cells[index] for name, index in indexes.items()}
        row = Row(number=source.number, raw=raw, columns=importer.columns)
        if source.problem:
            row.issues.append(Issue(row=source.number, column="", value="", reason=source.problem))
        else:
            row.parse(plan)
            data = importer.clean(row)
            if not row.issues:
                store.append(CleanRow(number=source.number, data=data))
        for issue in row.issues:
            result.issues.add(issue)
        if len(result.samples) < samples:
            result.samples.append((source.number, raw, row.issues))
        if on_row is not None:
            on_row(result.rows_seen)
    invalid_before = set(result.issues.rows)
    check_rows: set[int] = set()
    for issue in importer.check(store) if cross_check else ():
        result.issues.add(issue)
        if issue.row is not None and issue.row not in invalid_before:
            check_rows.add(issue.row)
    result.check_invalid = len(check_rows)
    if result.samples:
        by_row: dict[int, list[Issue]] = {}
        for issue in result.issues.items:
            if issue.row is not None:
                by_row.setdefault(issue.row, []).append(issue)
        result.samples = [(n, raw, by_row.get(n, [])) for n, raw, _ in result.samples]
    return result


class _Progress:
    """Writes rows_done to the run and its job now and then, and tells the observer."""

    def __init__(self, run: ImportRun, observer: Observer) -> None:
        self.run = run
        self.observer = observer
        self.started = time.monotonic()
        self.total = 0
        self._written = 0.0
        self._notified = 0.0

    def begin(self, total: int) -> None:
        self.total = total
        self.started = time.monotonic()
        self.write(0, message=f"Checking {total:,} rows")

    def row(self, done: int) -> None:
        now = time.monotonic()
        if now - self._notified >= _NOTIFY_INTERVAL:
            self._notified = now
            self.observer.progress(done=done, total=self.total, elapsed=now - self.started)
        if now - self._written >= _WRITE_INTERVAL:
            self._written = now
            self.write(done)

    def finish(self, done: int) -> None:
        self.observer.progress(done=done, total=self.total, elapsed=time.monotonic() - self.started)
        self.write(done)

    def write(self, done: int, message: str = "") -> None:
        self.run.rows_done, self.run.rows_total = done, self.total
        self.run.heartbeat_at = timezone.now()
        with _news_may_wait():
            ImportRun.objects.filter(pk=self.run.pk).update(
                rows_done=done, rows_total=self.total, heartbeat_at=self.run.heartbeat_at
            )
            if self.run.job is not None:
                job_progress(self.run.job, done=done, total=self.total, message=message)


@contextmanager
def _news_may_wait() -> Iterator[None]:
    """Progress is only news: when another process holds SQLite's write lock past the busy
    timeout (a second import writing its rows), skip this write rather than fail the import;
    the next one brings the figures up to date."""
    try:
        yield
    except OperationalError as exc:
        if not is_locked_database_error(exc) or connection.in_atomic_block:
            raise
        logger.warning("import progress not written: %s", exc)


class _DryRunRollback(Exception):
    def __init__(self, counts: Counts):
        self.counts = counts


def heartbeat(run: ImportRun) -> bool:
    """Tell whoever watches for abandoned runs that this one is still going; False when it was
    declared abandoned meanwhile (the process stood still too long: a suspended machine)."""
    run.heartbeat_at = timezone.now()
    running = ImportRun.objects.filter(pk=run.pk, status=ImportRun.Status.RUNNING)
    return bool(running.update(heartbeat_at=run.heartbeat_at))


class _GivenUp(Exception):
    """The run was marked abandoned before it began to write."""


def _valid_rows(
    store: RowStore[CleanRow[T]], invalid: set[int], run: ImportRun
) -> Iterator[CleanRow[T]]:
    beat = time.monotonic()
    for row in store:
        if row.number not in invalid:
            yield row
        if time.monotonic() - beat >= _HEARTBEAT_INTERVAL:
            beat = time.monotonic()
            heartbeat(run)


def execute_run(run: ImportRun, *, opener: Opener, observer: Observer | None = None) -> ImportRun:
    """Run `run` to the end and return it with its status, counts, errors and message."""
    observer = observer or Observer()
    importer_cls = get_importer(run.kind)
    run.status = ImportRun.Status.RUNNING
    run.started_at = run.heartbeat_at = timezone.now()
    run.save(update_fields=["status", "started_at", "heartbeat_at"])
    if run.job is not None:
        job_start(run.job)
    progress = _Progress(run, observer)
    header_row = 1
    try:
        reader = open_table(opener, run.filename, sheet=run.options.get("sheet") or None)
        header_row = reader.header_row
        overrides = {**importer_cls.preset_mapping(reader.header, run.options), **run.mapping}
        column_map = resolve_mapping(importer_cls.fields, reader.header, overrides)
        run.mapping = column_map.names()
        description = f"Read {run.filename} as {reader.describe()}."
        observer.opened(description=description, column_map=column_map)
        progress.begin(reader.count())  # a heartbeat too: counting a big file takes a while
        importer = importer_cls(
            org=run.org,
            actor=run.created_by,
            options=run.options,
            skip_invalid=run.skip_invalid,
            columns=column_map.names(),
            run=run,
        )
        importer.prepare()
        with _news_may_wait():
            heartbeat(run)
        with RowStore[CleanRow[Any]](
            memory_rows=MEMORY_ROWS, pack=pack_clean_rows, unpack=unpack_clean_rows
        ) as store:
            result = validate(importer, reader, column_map, store=store, on_row=progress.row)
            progress.finish(result.rows_seen)
            _conclude(run, importer, result, description, observer)
    except ImportFileError as exc:
        issue = Issue(row=exc.row, column=exc.column, value=exc.value, reason=exc.reason)
        _refuse(run, [issue], f"{run.filename} cannot be imported: {exc}. Nothing was written.")
    except MappingError as exc:
        issues = [Issue(row=header_row, column="", value="", reason=p) for p in exc.problems]
        _refuse(run, issues, f"The columns do not fit. {exc} Nothing was written.")
    except Exception as exc:
        run.status = ImportRun.Status.FAILED
        run.message = f"The import stopped on an unexpected error ({exc}); nothing was written."
        _save(run, importer_cls)
        raise
    _save(run, importer_cls)
    return run


def _refuse(run: ImportRun, issues: list[Issue], message: str) -> None:
    run.status = ImportRun.Status.REJECTED
    run.errors = [i.as_dict() for i in issues]
    run.invalid_count = 0
    run.message = message


def _conclude(
    run: ImportRun,
    importer: Importer[Any],
    result: Validation[Any],
    description: str,
    observer: Observer,
) -> None:
    issues = result.issues
    invalid = issues.rows
    run.invalid_count = len(invalid)
    run.errors = [i.as_dict() for i in issues.sorted()]
    problems = f"{len(invalid):,} row{'s' if len(invalid) != 1 else ''} with errors"
    if issues.total > len(issues.items):
        problems += f" ({issues.total:,} problems, the first {len(issues.items):,} listed)"
    if issues.total and not run.skip_invalid:
        run.status = ImportRun.Status.DRY_RUN if run.dry_run else ImportRun.Status.REJECTED
        verdict = "the import would be rejected" if run.dry_run else "the import was rejected"
        run.message = (
            f"{description} Found {problems}, so {verdict}; nothing was written. Fix them and "
            "import again, or skip invalid rows to apply the others."
        )
        return
    to_apply = len(result.store) - result.check_invalid
    observer.applying(rows=to_apply)
    if run.job is not None:
        with _news_may_wait():
            job_progress(run.job, done=run.rows_done, message=f"Writing {to_apply:,} rows")

    def write() -> Counts:
        # First, so that on PostgreSQL the run's row stays locked; and a run already marked
        # abandoned (its starter told to retry it) must not write after all.
        if not heartbeat(run):
            raise _GivenUp
        counts = importer.apply(_valid_rows(result.store, invalid, run))
        # Last, so the beat the commit publishes is a fresh one.
        heartbeat(run)
        if run.dry_run:
            raise _DryRunRollback(counts)
        # The rows' own audit events say what changed; this one ties them to the file.
        # A file that changed nothing leaves the audit log alone.
        if counts.created or counts.updated:
            audit.record(
                actor=run.created_by,
                action="core.import_run.applied",
                obj=run,
                after={
                    "kind": run.kind,
                    "filename": run.filename,
                    "created": counts.created,
                    "updated": counts.updated,
                    "unchanged": counts.unchanged,
                    "invalid": run.invalid_count,
                },
            )
        return counts

    try:
        # Another writer (the web, a second import) may hold SQLite's write lock longer than
        # the busy timeout; nothing has run when BEGIN fails, so beginning again is safe.
        counts = atomic_when_free(write)
    except _DryRunRollback as rollback:
        counts = rollback.counts
    except _GivenUp:
        run.refresh_from_db(fields=["status", "message"])
        return
    except ApplyError as exc:
        run.status = ImportRun.Status.DRY_RUN if run.dry_run else ImportRun.Status.REJECTED
        run.errors = [*run.errors, *(i.as_dict() for i in exc.issues)]
        run.invalid_count += len({i.row for i in exc.issues if i.row is not None})
        run.message = (
            f"{description} A row was refused while writing, so nothing was written: "
            + "; ".join(i.reason for i in exc.issues)
        )
        return
    run.created_count, run.updated_count = counts.created, counts.updated
    run.unchanged_count = counts.unchanged
    skipped = f" Skipped {problems}." if invalid else ""
    if run.dry_run:
        run.status = ImportRun.Status.DRY_RUN
        run.message = (
            f"{description} Dry run: would create {counts.created:,}, update "
            f"{counts.updated:,} and leave {counts.unchanged:,} unchanged.{skipped} "
            "Nothing was written."
        )
    else:
        run.status = ImportRun.Status.APPLIED
        run.message = (
            f"{description} Created {counts.created:,}, updated {counts.updated:,}, "
            f"unchanged {counts.unchanged:,}.{skipped}"
        )


def _save(run: ImportRun, importer_cls: type[Importer[Any]]) -> None:
    run.finished_at = timezone.now()
    run.save(
        update_fields=[
            "status",
            "mapping",
            "rows_total",
            "rows_done",
            "created_count",
            "updated_count",
            "unchanged_count",
            "invalid_count",
            "errors",
            "message",
            "finished_at",
        ]
    )
    if run.job is not None:
        ok = run.status in (ImportRun.Status.APPLIED, ImportRun.Status.DRY_RUN)
        job_finish(run.job, ok=ok, message=run.message, result_url=importer_cls.result_url(run))
