"""Whole-database backups that move between SQLite and PostgreSQL.

A backup is a gzip file of JSON lines: a header (format, when, the applied migrations), one line
per row in Django's serializer layout, and a trailer with the row count of every model. The
trailer is how a restore knows the file was not cut short. Content types and permissions are
left out because `migrate` creates them in every database (with ids of its own); rows that
point at them carry natural keys instead of ids.
"""

from __future__ import annotations

import datetime as dt
import decimal
import gzip
import json
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.core import serializers
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Model
from django.utils import timezone
from django.utils.duration import duration_iso_string

FORMAT = "charter-backup"
VERSION = 1
CHUNK = 1000
# Created by `migrate` in every database, so never copied (see the module docstring).
SKIPPED_MODELS = {"contenttypes.contenttype", "auth.permission"}

Progress = Callable[[str], None]


class BackupError(Exception):
    """A backup cannot be written or restored; the message says why and what to do."""


class _Encoder(json.JSONEncoder):
    # Django's encoder cuts datetimes to milliseconds; a backup must keep every digit.
    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime | dt.date | dt.time):
            return o.isoformat()
        if isinstance(o, dt.timedelta):
            return duration_iso_string(o)
        if isinstance(o, decimal.Decimal | uuid.UUID):
            return str(o)
        return super().default(o)


def backed_up_models() -> list[type[Model]]:
    """Every table a backup holds, ordered so natural-key targets come before their users."""
    app_list = [
        (config, None) for config in apps.get_app_configs() if config.models_module is not None
    ]
    ordered = serializers.sort_dependencies(app_list, allow_cycles=True)
    return [
        model
        for model in ordered
        if model._meta.managed
        and not model._meta.proxy
        and model._meta.label_lower not in SKIPPED_MODELS
    ]


def applied_migrations(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    recorder = MigrationRecorder(connections[using])
    if not recorder.has_table():
        return []
    return sorted(f"{app}.{name}" for app, name in recorder.applied_migrations())


def unapplied_migrations(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Migrations this code has that the database has not run yet."""
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections[using])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _ in plan]


def row_counts(using: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    """Rows per backed-up model, leaving out empty tables."""
    counts = {}
    for model in backed_up_models():
        count = model._base_manager.using(using).count()
        if count:
            counts[model._meta.label_lower] = count
    return counts


def _start_snapshot(using: str, *, outermost: bool) -> None:
    # On PostgreSQL every statement of a READ COMMITTED transaction sees newer commits, so the
    # tables could disagree with each other; REPEATABLE READ reads them all at one instant.
    # SQLite's read transaction is already a snapshot. Inside a caller's transaction (tests)
    # the isolation level is the caller's.
    connection = connections[using]
    if connection.vendor == "postgresql" and outermost:
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")


def write_backup(
    path: Path, *, using: str = DEFAULT_DB_ALIAS, progress: Progress | None = None
) -> dict[str, int]:
    """Write the whole database to `path` (gzip JSON lines); returns rows per model."""
    counts: Counter[str] = Counter()
    if not path.parent.is_dir():
        raise BackupError(f"{path.parent}: no such folder.")
    tmp = path.with_name(path.name + ".partial")
    outermost = not connections[using].in_atomic_block
    with transaction.atomic(using=using):
        _start_snapshot(using, outermost=outermost)
        migrations = applied_migrations(using)
        if not migrations:
            raise BackupError("The database has no tables yet; there is nothing to back up.")
        pending = unapplied_migrations(using)
        if pending:
            raise BackupError(
                f"The database is missing {len(pending)} migration(s) ({', '.join(pending[:3])}"
                "…); run `charter migrate` first."
            )
        with gzip.open(tmp, "wt", encoding="utf-8") as out:
            header = {
                "format": FORMAT,
                "version": VERSION,
                "created_at": timezone.now().isoformat(),
                "vendor": connections[using].vendor,
                "migrations": migrations,
            }
            _write_line(out, header)
            for model in backed_up_models():
                label = model._meta.label_lower
                rows = model._base_manager.using(using).order_by("pk").iterator(chunk_size=CHUNK)
                chunk: list[Model] = []
                for obj in rows:
                    chunk.append(obj)
                    if len(chunk) >= CHUNK:
                        counts[label] += _write_objects(out, chunk)
                        chunk = []
                if chunk:
                    counts[label] += _write_objects(out, chunk)
                if progress and counts[label]:
                    progress(f"{label}: {counts[label]} rows")
            _write_line(out, {"end": True, "counts": dict(counts)})
    # Only a complete file takes the real name, so a crash never leaves a backup that looks good.
    tmp.replace(path)
    return dict(counts)


def _write_line(out: IO[str], data: Any) -> None:
    out.write(json.dumps(data, cls=_Encoder, ensure_ascii=False, separators=(",", ":")))
    out.write("\n")


def _write_objects(out: IO[str], objects: list[Model]) -> int:
    data = serializers.serialize("python", objects, use_natural_foreign_keys=True)
    for item in data:
        _write_line(out, item)
    return len(data)


def _lines(path: Path) -> Iterator[dict[str, Any]]:
    try:
        with gzip.open(path, "rt", encoding="utf-8") as source:
            for number, line in enumerate(source, start=1):
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as exc:
                    msg = f"{path}: line {number} is not valid JSON ({exc.msg})."
                    raise BackupError(msg) from exc
    except (EOFError, gzip.BadGzipFile, OSError, UnicodeDecodeError) as exc:
        if isinstance(exc, FileNotFoundError):
            raise BackupError(f"{path}: no such file.") from exc
        raise BackupError(
            f"{path}: not a complete Charter backup ({exc}); nothing was restored."
        ) from exc


def read_header(path: Path) -> dict[str, Any]:
    for header in _lines(path):
        if header.get("format") != FORMAT:
            raise BackupError(f"{path}: not a Charter backup.")
        if header.get("version") != VERSION:
            raise BackupError(
                f"{path}: backup format version {header.get('version')} is not supported "
                f"(this Charter reads version {VERSION})."
            )
        return header
    raise BackupError(f"{path}: the file is empty.")


def check_migrations(header: dict[str, Any], using: str = DEFAULT_DB_ALIAS) -> None:
    """Refuse a backup whose tables were shaped by other migrations than this database's."""
    here = set(applied_migrations(using))
    there = set(header["migrations"])
    if not here:
        raise BackupError("This database has no tables yet; run `charter migrate` first.")
    if here == there and unapplied_migrations(using):
        raise BackupError(
            "This Charter has migrations neither the database nor the backup has run. Restore "
            "into an installation of the Charter version that made the backup, then upgrade it."
        )
    if here == there:
        return
    missing = sorted(there - here)
    extra = sorted(here - there)
    lines = ["The backup and this database are at different migrations."]
    if missing:
        lines.append(f"Only in the backup: {', '.join(missing[:10])}")
        lines.append("Upgrade this installation and run `charter migrate`, then restore.")
    if extra:
        lines.append(f"Only in this database: {', '.join(extra[:10])}")
        lines.append(
            "Restore into an installation of the Charter version that made the backup, then "
            "upgrade it with `charter migrate`."
        )
    raise BackupError("\n".join(lines))


def flush_data(*, using: str = DEFAULT_DB_ALIAS, reset_sequences: bool = False) -> None:
    """Empty every table a backup holds; content types, permissions and migrations stay."""
    connection = connections[using]
    tables = set()
    for model in backed_up_models():
        tables.add(model._meta.db_table)
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            if through is not None and through._meta.auto_created:
                tables.add(through._meta.db_table)
    statements = connection.ops.sql_flush(
        no_style(), sorted(tables), reset_sequences=reset_sequences, allow_cascade=False
    )
    # PostgreSQL refuses to TRUNCATE a table with deferred foreign-key checks still pending in
    # this transaction; running the checks now clears them (and is a no-op otherwise).
    if connection.in_atomic_block:
        connection.check_constraints()
    connection.ops.execute_sql_flush(statements)


def restore_backup(
    path: Path,
    *,
    force: bool = False,
    using: str = DEFAULT_DB_ALIAS,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Replace the database's contents with the backup's, in one transaction."""
    header = read_header(path)
    check_migrations(header, using)
    existing = row_counts(using)
    if existing and not force:
        held = ", ".join(f"{n} {label}" for label, n in sorted(existing.items())[:6])
        raise BackupError(
            f"This database is not empty ({held}…). Restoring replaces everything in it; "
            "run again with --force to do that."
        )
    connection = connections[using]
    counts: Counter[str] = Counter()
    trailer: dict[str, Any] | None = None
    with transaction.atomic(using=using):
        if existing:
            flush_data(using=using)
        deferred = []
        lines = _lines(path)
        next(lines)  # the header, checked above

        def objects() -> Iterator[dict[str, Any]]:
            nonlocal trailer
            for item in lines:
                if item.get("end"):
                    trailer = item
                    return
                yield item

        seen_models: set[type[Model]] = set()
        try:
            for restored in serializers.deserialize(
                "python", objects(), using=using, handle_forward_references=True
            ):
                # force_insert: the table is empty, so skip the UPDATE Django would try first.
                restored.save(using=using, force_insert=True)
                model = type(restored.object)
                label = model._meta.label_lower
                seen_models.add(model)
                counts[label] += 1
                if restored.deferred_fields:
                    deferred.append(restored)
                if progress and counts[label] % 10000 == 0:
                    progress(f"{label}: {counts[label]} rows")
            for restored in deferred:
                restored.save_deferred_fields(using=using)
        except (DeserializationError, DatabaseError) as exc:
            raise BackupError(
                f"{path}: row {sum(counts.values()) + 1} cannot be restored ({exc}); "
                "nothing was restored."
            ) from exc
        if trailer is None:
            raise BackupError(f"{path}: the file ends early; nothing was restored.")
        expected = {label: int(n) for label, n in trailer["counts"].items() if n}
        if dict(counts) != expected:
            raise BackupError(
                f"{path}: the rows read do not match the counts the backup recorded; "
                "nothing was restored."
            )
        connection.check_constraints()
        sequences = connection.ops.sequence_reset_sql(no_style(), list(seen_models))
        if sequences:
            with connection.cursor() as cursor:
                for sql in sequences:
                    cursor.execute(sql)
    if progress:
        for label, n in sorted(counts.items()):
            progress(f"{label}: {n} rows")
    return dict(counts)
