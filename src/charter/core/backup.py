"""Whole-database backups that move between SQLite and PostgreSQL.

A backup is a gzip file of JSON lines: a header (format, when, the applied migrations), one line
per row in Django's serializer layout, and a trailer with the row count of every model and the
SHA-256 of every byte before it. A restore reads and checks the whole file first (the gzip
checksum, which is only known at its end; the content hash; the format; that every line is a row
of a known table; the counts) and writes nothing unless all of it holds, so a bit flipped on
disk, a file cut short or an edited line is refused with a message, never half restored. The
gzip checksum alone would not do: a line edited and compressed again has a correct one. Backups
of version 1 (before the hash) are still read, with every other check. A restore into SQLite
refuses a number it would round (see `core.decimals`). Content types and permissions are left
out because `migrate` creates them in every database (with ids of its own); rows that point at
them carry natural keys instead of ids.
"""

from __future__ import annotations

import datetime as dt
import decimal
import gzip
import hashlib
import json
import uuid
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import DecimalField, Model
from django.utils import timezone
from django.utils.duration import duration_iso_string

from charter.core.decimals import EXACT_DIGITS, first_unreadable, significant_digits

FORMAT = "charter-backup"
VERSION = 2
# Version 1 had no content hash; its files are still read, with every other check.
READABLE_VERSIONS = (1, 2)
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
    if not path.parent.is_dir():
        raise BackupError(f"{path.parent}: no such folder.")
    tmp = path.with_name(path.name + ".partial")
    try:
        counts = _write_snapshot(tmp, using=using, progress=progress)
        # Only a complete file takes the real name, so a crash never leaves a backup that
        # looks good.
        tmp.replace(path)
    except BaseException as exc:
        # Whatever stopped it (a refusal, a full disk, Ctrl-C), no half-written file stays.
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise BackupError(f"{path}: cannot be written ({exc}); no backup was made.") from exc
        raise
    return counts


def _write_snapshot(tmp: Path, *, using: str, progress: Progress | None) -> dict[str, int]:
    counts: Counter[str] = Counter()
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
        # No file name or time in the gzip header: they are not covered by its checksum.
        with (
            tmp.open("wb") as raw,
            gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) as out,
        ):
            writer = _LineWriter(out)
            writer.write(
                {
                    "format": FORMAT,
                    "version": VERSION,
                    "created_at": timezone.now().isoformat(),
                    "vendor": connections[using].vendor,
                    "migrations": migrations,
                }
            )
            for model in backed_up_models():
                label = model._meta.label_lower
                counts[label] = _write_model(writer, model, using=using)
                if progress and counts[label]:
                    progress(f"{label}: {counts[label]} rows")
            trailer = {"end": True, "counts": +counts, "sha256": writer.digest.hexdigest()}
            out.write(_encode(trailer))
    return dict(+counts)


class _LineWriter:
    """Writes JSON lines and hashes exactly the bytes written."""

    def __init__(self, out: gzip.GzipFile) -> None:
        self.out = out
        self.digest = hashlib.sha256()

    def write(self, data: Any) -> None:
        line = _encode(data)
        self.digest.update(line)
        self.out.write(line)


def _encode(data: Any) -> bytes:
    text = json.dumps(data, cls=_Encoder, ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8") + b"\n"


def _write_model(writer: _LineWriter, model: type[Model], *, using: str) -> int:
    written = 0
    chunk: list[Model] = []
    rows = model._base_manager.using(using).order_by("pk").iterator(chunk_size=CHUNK)
    try:
        for obj in rows:
            chunk.append(obj)
            if len(chunk) >= CHUNK:
                written += _write_objects(writer, chunk)
                chunk = []
    except decimal.InvalidOperation as exc:
        raise BackupError(
            f"{model._meta.label_lower} row {first_unreadable(model, using=using)} holds a "
            "number the database cannot give back exactly (more digits than it keeps); correct "
            "or delete that row, then back up again."
        ) from exc
    if chunk:
        written += _write_objects(writer, chunk)
    return written


def _write_objects(writer: _LineWriter, objects: list[Model]) -> int:
    data = serializers.serialize("python", objects, use_natural_foreign_keys=True)
    for item in data:
        writer.write(item)
    return len(data)


_REFUSED = "nothing was restored"


def _read(path: Path) -> Iterator[dict[str, Any]]:
    """The header and then every row of the backup at `path`, each checked as it is read, and
    after the last one the trailer: the counts and (from version 2) the content hash. Raises
    `BackupError` at the first thing wrong, so only a caller that reads to the end knows the
    whole file is sound."""
    labels = {model._meta.label_lower for model in backed_up_models()}
    digest = hashlib.sha256()
    counts: Counter[str] = Counter()
    header: dict[str, Any] | None = None
    trailer: dict[str, Any] | None = None
    try:
        # Reading every line to the end is what makes gzip compare its checksum.
        with gzip.open(path, "rb") as source:
            for number, line in enumerate(source, start=1):
                if trailer is not None:
                    raise BackupError(f"{path}: line {number} follows the end; {_REFUSED}.")
                item = _parse(path, number, line)
                if header is None:
                    header = _check_header(path, item)
                elif "end" in item:
                    trailer = item
                    continue
                else:
                    counts[_check_row(path, number, item, labels)] += 1
                digest.update(line)
                yield item
    except FileNotFoundError as exc:
        raise BackupError(f"{path}: no such file.") from exc
    except (OSError, EOFError, zlib.error) as exc:
        # Not gzip, cut short, a checksum or length that does not match, a damaged stream.
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise BackupError(f"{path}: not a complete Charter backup ({reason}); {_REFUSED}.") from exc
    if header is None:
        raise BackupError(f"{path}: the file is empty; {_REFUSED}.")
    if trailer is None:
        raise BackupError(f"{path}: the file ends early; {_REFUSED}.")
    _check_trailer(path, header, trailer, counts, digest.hexdigest())


def _parse(path: Path, number: int, line: bytes) -> dict[str, Any]:
    try:
        item = json.loads(line.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise BackupError(f"{path}: line {number} is not UTF-8 text; {_REFUSED}.") from exc
    except (json.JSONDecodeError, RecursionError) as exc:
        raise BackupError(f"{path}: line {number} is not valid JSON; {_REFUSED}.") from exc
    if not isinstance(item, dict):
        raise BackupError(f"{path}: line {number} is not a line of a Charter backup; {_REFUSED}.")
    return item


def _check_header(path: Path, header: dict[str, Any]) -> dict[str, Any]:
    if header.get("format") != FORMAT:
        raise BackupError(f"{path}: not a Charter backup; {_REFUSED}.")
    if header.get("version") not in READABLE_VERSIONS:
        raise BackupError(
            f"{path}: backup format version {header.get('version')!r} is not supported (this "
            f"Charter reads versions {', '.join(map(str, READABLE_VERSIONS))}); {_REFUSED}."
        )
    migrations = header.get("migrations")
    if not isinstance(migrations, list) or not all(isinstance(m, str) for m in migrations):
        raise BackupError(f"{path}: the header's list of migrations is damaged; {_REFUSED}.")
    return header


def _check_row(path: Path, number: int, item: dict[str, Any], labels: set[str]) -> str:
    label = item.get("model")
    if not isinstance(label, str) or label not in labels:
        raise BackupError(
            f"{path}: line {number} is not a row of a table Charter backs up; {_REFUSED}."
        )
    if not isinstance(item.get("fields"), dict):
        raise BackupError(f"{path}: line {number} has no fields; {_REFUSED}.")
    return label


def _check_trailer(
    path: Path,
    header: dict[str, Any],
    trailer: dict[str, Any],
    counts: Counter[str],
    digest: str,
) -> None:
    recorded = trailer.get("counts")
    if (
        not isinstance(recorded, dict)
        or not all(type(n) is int for n in recorded.values())
        or {label: n for label, n in recorded.items() if n} != dict(+counts)
    ):
        raise BackupError(
            f"{path}: the rows read do not match the counts the backup recorded; {_REFUSED}."
        )
    if header["version"] >= 2 and trailer.get("sha256") != digest:
        raise BackupError(
            f"{path}: the content does not match the hash written with it (the file was changed "
            f"or damaged after it was written); {_REFUSED}."
        )


def verify_backup(path: Path) -> dict[str, Any]:
    """Read the whole file and check everything `_read` checks, writing nothing; returns the
    header."""
    header: dict[str, Any] = {}
    for item in _read(path):
        header = header or item
    return header


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


def _check_exact_on_sqlite(path: Path, obj: Model, label: str) -> None:
    # A backup made on PostgreSQL before Charter refused such numbers may hold one; SQLite
    # would keep it rounded, and the restored database would differ from the backup.
    for field in obj._meta.concrete_fields:
        if isinstance(field, DecimalField):
            value = getattr(obj, field.attname)
            if isinstance(value, decimal.Decimal) and significant_digits(value) > EXACT_DIGITS:
                raise BackupError(
                    f"{path}: {label} row {obj.pk} has {field.name} {value}, more than the "
                    f"{EXACT_DIGITS} significant digits SQLite keeps exactly; restore it into "
                    f"PostgreSQL; {_REFUSED}."
                )


def restore_backup(
    path: Path,
    *,
    force: bool = False,
    using: str = DEFAULT_DB_ALIAS,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Replace the database's contents with the backup's, in one transaction, once the whole
    file has been read and checked."""
    header = verify_backup(path)
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
    with transaction.atomic(using=using):
        if existing:
            flush_data(using=using)
        deferred = []
        # Read again, with every check again: a file changed since the first reading stops
        # the restore here and the transaction takes back what was written.
        items = _read(path)
        next(items)  # the header, checked above
        seen_models: set[type[Model]] = set()
        try:
            for restored in serializers.deserialize(
                "python", items, using=using, handle_forward_references=True
            ):
                model = type(restored.object)
                label = model._meta.label_lower
                if connection.vendor == "sqlite":
                    _check_exact_on_sqlite(path, restored.object, label)
                # force_insert: the table is empty, so skip the UPDATE Django would try first.
                restored.save(using=using, force_insert=True)
                seen_models.add(model)
                counts[label] += 1
                if restored.deferred_fields:
                    deferred.append(restored)
                if progress and counts[label] % 10000 == 0:
                    progress(f"{label}: {counts[label]} rows")
            for restored in deferred:
                restored.save_deferred_fields(using=using)
            connection.check_constraints()
        # A file that passed every check but still holds a value its field refuses: one was
        # written by hand with a matching hash. Refused like any other damage.
        except (
            DeserializationError,
            DatabaseError,
            ValidationError,
            LookupError,
            TypeError,
            ValueError,
            AttributeError,
        ) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise BackupError(
                f"{path}: row {sum(counts.values()) + 1} cannot be restored ({reason}); {_REFUSED}."
            ) from exc
        sequences = connection.ops.sequence_reset_sql(no_style(), list(seen_models))
        if sequences:
            with connection.cursor() as cursor:
                for sql in sequences:
                    cursor.execute(sql)
    if progress:
        for label, n in sorted(counts.items()):
            progress(f"{label}: {n} rows")
    return dict(counts)
