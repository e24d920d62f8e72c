"""Writes of the import machinery: import runs, uploads waiting to be confirmed, saved profiles.

An upload page stores the file under MEDIA_ROOT/imports/ and creates a *pending* ImportRun that
remembers the file, the mapping and a one-time confirmation token. Confirming spends the token,
attaches a Job and enqueues the run; the file is deleted only once the run has finished, so a
queued import never loses its file, and a second post of the same form finds no token to spend.

A run whose process was killed (kill -9, a crash, a lost machine) stops refreshing its heartbeat;
`charter tick` marks it failed, tells the person who started it, and keeps its file for
RETRY_WINDOW so that `import_run_retry` can queue it again; then the file goes. A run that
refused rows keeps its file as long, so the rejected rows can be downloaded in its own columns.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from collections.abc import Mapping
from functools import partial
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from charter.core import audit
from charter.core.imports.mapping import match_columns
from charter.core.imports.readers import ImportFileError, Opener, TableReader, open_table
from charter.core.imports.runner import execute_run, get_importer
from charter.core.jobs import job_create, job_finish
from charter.core.models import ImportProfile, ImportRun, Job

if TYPE_CHECKING:
    from charter.org.models import Organization

UPLOAD_DIR = "imports"
# Uploads nobody confirmed are removed after this long (checked whenever a new file arrives).
STALE_UPLOAD_AGE = dt.timedelta(days=2)
# Keys of ImportRun.options that belong to the machinery, not to the importer.
FILE_KEY = "file"
TOKEN_KEY = "confirm_token"  # noqa: S105 - a key name, not a secret
# A running import refreshes its heartbeat at least every few seconds; one silent this long
# was killed. Generous, because reading a big workbook's rows to count them gives no beat.
ABANDONED_AFTER = dt.timedelta(minutes=10)
# How long the file of a failed upload is kept for a retry.
RETRY_WINDOW = dt.timedelta(days=3)
ABANDONED_MESSAGE = (
    "The import stopped without finishing (the process running it was killed or crashed); "
    "nothing was written. Retry it."
)


def import_run_create(
    *,
    org: Organization,
    kind: str,
    filename: str,
    actor: Any,
    mapping: Mapping[str, str] | None = None,
    options: Mapping[str, Any] | None = None,
    dry_run: bool = False,
    skip_invalid: bool = False,
    file_sha256: str = "",
    with_job: bool = True,
) -> ImportRun:
    """A run ready to execute now (the CLI); the upload page uses `import_upload_create`."""
    importer = get_importer(kind)
    job = None
    if with_job:
        title = f"{'Check' if dry_run else 'Import'} {importer.label} from {filename}"
        job = job_create(kind=f"import.{kind}", title=title, org=org, actor=actor)
    return ImportRun.objects.create(
        org=org,
        kind=kind,
        filename=filename,
        file_sha256=file_sha256,
        mapping=dict(mapping or {}),
        options=dict(options or {}),
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        job=job,
        created_by=actor if getattr(actor, "pk", None) else None,
    )


def file_sha256(opener: Opener) -> str:
    digest = hashlib.sha256()
    with opener() as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def stored_opener(name: str) -> Opener:
    def opener() -> IO[bytes]:
        return default_storage.open(name, "rb")

    return opener


def _store_upload(upload: IO[bytes], filename: str) -> tuple[str, str]:
    """Save the upload under imports/ with a random name; return (stored name, sha256)."""
    suffix = "".join(ch for ch in Path(filename).suffix.lower() if ch.isalnum() or ch == ".")
    digest = hashlib.sha256()
    upload.seek(0)
    while chunk := upload.read(1 << 20):
        digest.update(chunk)
    upload.seek(0)
    name = default_storage.save(f"{UPLOAD_DIR}/{uuid.uuid4().hex}{suffix[:10]}", File(upload))
    return name, digest.hexdigest()


def _delete_upload(name: str) -> None:
    if name and default_storage.exists(name):
        default_storage.delete(name)


def _expire_stale_uploads(org_id: int, *, now: dt.datetime | None = None) -> None:
    cutoff = (now or timezone.now()) - STALE_UPLOAD_AGE
    stale = ImportRun.objects.filter(
        org_id=org_id, status=ImportRun.Status.PENDING, job__isnull=True, created_at__lt=cutoff
    )
    for run in stale:
        _delete_upload(str(run.options.get(FILE_KEY) or ""))
        run.options = {k: v for k, v in run.options.items() if k not in (FILE_KEY, TOKEN_KEY)}
        run.status = ImportRun.Status.FAILED
        run.message = "The upload was never confirmed and has expired; nothing was written."
        run.finished_at = timezone.now()
        run.save(update_fields=["options", "status", "message", "finished_at"])


def import_upload_create(
    *,
    org: Organization,
    kind: str,
    actor: Any,
    upload: IO[bytes],
    filename: str,
    mapping: Mapping[str, str] | None = None,
    options: Mapping[str, Any] | None = None,
    skip_invalid: bool = False,
    dry_run: bool = False,
) -> ImportRun:
    """Keep an uploaded file and open a pending run to preview it. A file that cannot be read
    at all (empty, damaged, cut off, bad header) raises ImportFileError and is not kept."""
    importer = get_importer(kind)
    _expire_stale_uploads(org.pk)
    options = dict(options or {})
    name, sha = _store_upload(upload, filename)
    try:
        reader = open_table(stored_opener(name), filename, sheet=options.get("sheet") or None)
    except ImportFileError:
        _delete_upload(name)
        raise
    overrides = {**importer.preset_mapping(reader.header, options), **dict(mapping or {})}
    column_map, _problems = match_columns(importer.fields, reader.header, overrides)
    chosen = {f.name: column_map.column(f.name) for f in importer.fields}
    return ImportRun.objects.create(
        org=org,
        kind=kind,
        filename=Path(filename).name[:255],
        file_sha256=sha,
        mapping=chosen,
        options={**options, FILE_KEY: name, TOKEN_KEY: secrets.token_urlsafe(24)},
        skip_invalid=skip_invalid,
        dry_run=dry_run,
        created_by=actor if getattr(actor, "pk", None) else None,
    )


def pending_reader(run: ImportRun) -> TableReader:
    """The reader of a pending upload's stored file."""
    name = str(run.options.get(FILE_KEY) or "")
    if not name or not default_storage.exists(name):
        raise ImportFileError("the uploaded file is no longer here; upload it again")
    return open_table(stored_opener(name), run.filename, sheet=run.options.get("sheet") or None)


def import_upload_reject(*, run: ImportRun, error: ImportFileError) -> ImportRun:
    """A pending upload whose file turned out unreadable past its first rows (damaged further
    on, too big): delete the file and close the run with the reason, so nothing is left on disk
    and the upload cannot be confirmed."""
    if not is_awaiting_confirmation(run):
        return run
    _delete_upload(str(run.options.get(FILE_KEY) or ""))
    run.options = {k: v for k, v in run.options.items() if k not in (FILE_KEY, TOKEN_KEY)}
    run.status = ImportRun.Status.REJECTED
    run.errors = [
        {"row": error.row, "column": error.column, "value": error.value, "reason": error.reason}
    ]
    run.message = f"{run.filename} cannot be imported: {error}. Nothing was written."
    run.finished_at = timezone.now()
    run.save(update_fields=["options", "status", "errors", "message", "finished_at"])
    return run


def is_awaiting_confirmation(run: ImportRun) -> bool:
    return run.status == ImportRun.Status.PENDING and run.job_id is None


def import_upload_update(
    *,
    run: ImportRun,
    mapping: Mapping[str, str],
    options: Mapping[str, Any],
    skip_invalid: bool,
) -> ImportRun:
    """Change what a pending upload will do; a new token makes older previews unconfirmable."""
    if not is_awaiting_confirmation(run):
        raise ValidationError("This import has already been confirmed.")
    known = {f.name for f in get_importer(run.kind).fields}
    run.mapping = {k: v for k, v in mapping.items() if k in known}
    kept = {k: run.options[k] for k in (FILE_KEY, "sheet") if k in run.options}
    run.options = {**dict(options), **kept, TOKEN_KEY: secrets.token_urlsafe(24)}
    run.skip_invalid = skip_invalid
    run.save(update_fields=["mapping", "options", "skip_invalid"])
    return run


def import_upload_confirm(*, run: ImportRun, actor: Any, token: str) -> bool:
    """Spend the one-time token and queue the run; False when the token was already spent
    (the form was posted twice) or belongs to an older preview."""
    from charter.core.imports import tasks

    importer = get_importer(run.kind)
    with transaction.atomic():
        locked = ImportRun.objects.select_for_update().get(pk=run.pk)
        expected = str(locked.options.get(TOKEN_KEY) or "")
        if not is_awaiting_confirmation(locked) or not token or not expected:
            return False
        if not secrets.compare_digest(expected, token):
            return False
        job = job_create(
            kind=f"import.{locked.kind}",
            title=f"Import {importer.label} from {locked.filename}",
            org=locked.org,
            actor=actor,
        )
        locked.job = job
        locked.options = {k: v for k, v in locked.options.items() if k != TOKEN_KEY}
        locked.save(update_fields=["job", "options"])
        run_id, job_id = locked.pk, job.pk

        def enqueue() -> None:
            result = tasks.run_import.enqueue(import_run_id=run_id)
            Job.objects.filter(pk=job_id).update(task_result_id=str(result.id)[:64])

        transaction.on_commit(enqueue)
    run.refresh_from_db()
    return True


def import_run_execute_stored(*, run_id: int) -> ImportRun | None:
    """Run a confirmed upload once (a second delivery of the task finds it already claimed),
    then delete its file. A crash keeps the file so the run can be looked into."""
    claimed = ImportRun.objects.filter(
        pk=run_id, status=ImportRun.Status.PENDING, job__isnull=False
    ).update(status=ImportRun.Status.RUNNING, heartbeat_at=timezone.now())
    if not claimed:
        return None
    run = ImportRun.objects.select_related("org", "created_by", "job").get(pk=run_id)
    name = str(run.options.get(FILE_KEY) or "")
    execute_run(run, opener=stored_opener(name))
    if run.invalid_count:
        # Kept like a failed run's file (`import_uploads_expire` removes it after
        # RETRY_WINDOW), so the rejected rows can be downloaded in the file's own columns.
        return run
    _delete_upload(name)
    run.options = {k: v for k, v in run.options.items() if k != FILE_KEY}
    run.save(update_fields=["options"])
    return run


def _abandoned(now: dt.datetime) -> Q:
    cutoff = now - ABANDONED_AFTER
    # Runs started before heartbeats existed have none: their start (or creation) stands in.
    silent = Q(heartbeat_at__isnull=True) & (
        Q(started_at__lt=cutoff) | Q(started_at__isnull=True, created_at__lt=cutoff)
    )
    return Q(status=ImportRun.Status.RUNNING) & (Q(heartbeat_at__lt=cutoff) | silent)


def import_runs_fail_abandoned(*, now: dt.datetime | None = None) -> list[ImportRun]:
    """Mark every running import whose heartbeat went quiet as failed, finish its job, and
    queue a note to whoever started it. The apply is one transaction, so such a run wrote
    nothing; a stored upload keeps its file for a retry.

    Each run is taken again under a row lock that skips locked rows: on PostgreSQL an import
    that is writing its rows holds its run's row, so a live import is never failed, however
    long its transaction; on SQLite this transaction waits for the import's write lock and then
    sees the heartbeat it committed."""
    from charter.core.imports import tasks

    now = now or timezone.now()
    failed: list[ImportRun] = []
    for pk in ImportRun.objects.filter(_abandoned(now)).values_list("pk", flat=True):
        with transaction.atomic():
            run = (
                ImportRun.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(_abandoned(now), pk=pk)
                .select_related("job")
                .first()
            )
            if run is None:
                continue  # it beat again, finished, or is writing right now
            run.status = ImportRun.Status.FAILED
            run.message = ABANDONED_MESSAGE
            run.finished_at = now
            run.save(update_fields=["status", "message", "finished_at"])
            if run.job is not None:
                job_finish(
                    run.job,
                    ok=False,
                    message=ABANDONED_MESSAGE,
                    result_url=get_importer(run.kind).result_url(run),
                )
                _fail_task_result(run.job.task_result_id, now=now)
            audit.record(
                actor=None,
                action="core.import_run.abandoned",
                obj=run,
                after={
                    "kind": run.kind,
                    "filename": run.filename,
                    "heartbeat_at": run.heartbeat_at,
                    "file_kept": bool(run.options.get(FILE_KEY)),
                },
            )
            if run.created_by_id is not None:
                transaction.on_commit(
                    partial(tasks.notify_import_abandoned.enqueue, import_run_id=run.pk)
                )
        failed.append(run)
    return failed


def _fail_task_result(task_result_id: str, *, now: dt.datetime) -> None:
    """The queue's own record of the task says it is running too; no worker will finish it."""
    from django_tasks_db.models import DBTaskResult

    if not task_result_id:
        return
    DBTaskResult.objects.filter(pk=task_result_id, status="RUNNING").update(
        status="FAILED",
        finished_at=now,
        exception_class_path="charter.core.imports.services.AbandonedImport",
        traceback=ABANDONED_MESSAGE,
    )


def can_retry(run: ImportRun) -> bool:
    """A failed run whose uploaded file is still kept can be queued again."""
    return run.status == ImportRun.Status.FAILED and bool(run.options.get(FILE_KEY))


def import_run_retry(*, run: ImportRun, actor: Any) -> ImportRun:
    """Queue a new run of a failed upload from the same stored file, with the same mapping and
    options. The file moves to the new run, so a retry posted twice queues one import."""
    from charter.core.imports import tasks

    importer = get_importer(run.kind)
    with transaction.atomic():
        locked = ImportRun.objects.select_for_update().get(pk=run.pk)
        name = str(locked.options.get(FILE_KEY) or "")
        if locked.status != ImportRun.Status.FAILED:
            raise ValidationError("Only a failed import can be retried.")
        if not name or not default_storage.exists(name):
            raise ValidationError(
                "The file of this import is no longer kept (imports from the command line never "
                "keep it); import the file again."
            )
        job = job_create(
            kind=f"import.{locked.kind}",
            title=f"Import {importer.label} from {locked.filename} (retry)",
            org=locked.org,
            actor=actor,
        )
        retry = ImportRun.objects.create(
            org=locked.org,
            kind=locked.kind,
            filename=locked.filename,
            file_sha256=locked.file_sha256,
            mapping=locked.mapping,
            options={k: v for k, v in locked.options.items() if k != TOKEN_KEY},
            dry_run=locked.dry_run,
            skip_invalid=locked.skip_invalid,
            job=job,
            retry_of=locked,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        locked.options = {k: v for k, v in locked.options.items() if k != FILE_KEY}
        locked.save(update_fields=["options"])
        audit.record(
            actor=actor,
            action="core.import_run.retried",
            obj=retry,
            after={"kind": retry.kind, "filename": retry.filename, "retry_of": locked.pk},
        )
        retry_id, job_id = retry.pk, job.pk

        def enqueue() -> None:
            result = tasks.run_import.enqueue(import_run_id=retry_id)
            Job.objects.filter(pk=job_id).update(task_result_id=str(result.id)[:64])

        transaction.on_commit(enqueue)
    run.refresh_from_db()
    return retry


def import_uploads_expire(*, now: dt.datetime | None = None) -> int:
    """Delete the kept files of runs that ended RETRY_WINDOW ago (failed ones keep theirs for
    a retry), and of uploads nobody confirmed; returns how many files went."""
    now = now or timezone.now()
    removed = 0
    ended = ImportRun.objects.filter(
        finished_at__lt=now - RETRY_WINDOW, options__has_key=FILE_KEY
    ).exclude(status__in=[ImportRun.Status.PENDING, ImportRun.Status.RUNNING])
    for run in ended:
        _delete_upload(str(run.options.get(FILE_KEY) or ""))
        run.options = {k: v for k, v in run.options.items() if k != FILE_KEY}
        run.save(update_fields=["options"])
        removed += 1
    unconfirmed = ImportRun.objects.filter(
        status=ImportRun.Status.PENDING, job__isnull=True, created_at__lt=now - STALE_UPLOAD_AGE
    )
    removed += unconfirmed.count()
    for org_id in unconfirmed.values_list("org_id", flat=True).distinct():
        _expire_stale_uploads(org_id, now=now)
    return removed


def import_profile_save(
    *,
    org: Organization,
    kind: str,
    name: str,
    mapping: Mapping[str, str],
    actor: Any,
    options: Mapping[str, Any] | None = None,
) -> ImportProfile:
    """Save (or replace) a column mapping under a name, to reuse with `--profile NAME`."""
    importer = get_importer(kind)
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": "A profile needs a name."})
    if len(name) > 100:
        raise ValidationError({"name": "A profile name has at most 100 characters."})
    known = {f.name for f in importer.fields}
    unknown = sorted(set(mapping) - known)
    if unknown:
        raise ValidationError(
            {"mapping": f"{', '.join(unknown)}: not fields of the {kind} importer."}
        )
    clean = {k: str(v) for k, v in mapping.items()}
    with transaction.atomic():
        profile = ImportProfile.objects.filter(org=org, kind=kind, name=name).first()
        before = None
        if profile is None:
            profile = ImportProfile(
                org=org,
                kind=kind,
                name=name,
                created_by=actor if getattr(actor, "pk", None) else None,
            )
        else:
            before = {"mapping": profile.mapping, "options": profile.options}
            if before == {"mapping": clean, "options": dict(options or {})}:
                return profile
        profile.mapping = clean
        profile.options = dict(options or {})
        profile.save()
        audit.record(
            actor=actor,
            action="core.import_profile.saved",
            obj=profile,
            before=before,
            after={"mapping": profile.mapping, "options": profile.options},
        )
    return profile
