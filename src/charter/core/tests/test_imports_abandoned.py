"""Imports whose process was killed: found by their silent heartbeat, failed with a reason, their
starter told, their file kept for a retry and then removed."""

from __future__ import annotations

import datetime as dt
import io
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.core.files.storage import default_storage
from django.db import OperationalError, connection
from django.utils import timezone

from charter.conftest import client_for
from charter.core import audit, registry
from charter.core.imports import CleanRow, Counts, Field, Importer, Row, runner, text
from charter.core.imports.readers import path_opener
from charter.core.imports.services import (
    ABANDONED_AFTER,
    ABANDONED_MESSAGE,
    FILE_KEY,
    RETRY_WINDOW,
    STALE_UPLOAD_AGE,
    can_retry,
    import_run_create,
    import_runs_fail_abandoned,
    import_upload_create,
    import_uploads_expire,
)
from charter.core.jobs import job_create
from charter.core.models import AuditEvent, ImportRun, Job
from charter.core.periodic import fail_abandoned_imports
from charter.crm.models import Deal
from charter.org.models import Person

DEALS = (
    "Record ID,Deal Name,Deal Stage,Amount,Close Date,Create Date,Deal owner\n"
    "1001,Big deal,Closed Won,3000,2024-03-10,2024-01-02,rick.rep@acme.test\n"
    "1002,Mid deal,Contract Sent,1500,2024-05-01,2024-02-02,rita.rep@acme.test\n"
)


def killed_upload(admin: Person, *, silent_for: dt.timedelta) -> ImportRun:
    """A confirmed upload whose worker died while running it, `silent_for` ago."""
    run = import_upload_create(
        org=admin.org,
        kind="deals",
        actor=admin.user,
        upload=io.BytesIO(DEALS.encode()),
        filename="deals.csv",
        options={"preset": "hubspot"},
    )
    job = job_create(kind="import.deals", title="Import deals", org=admin.org, actor=admin.user)
    beat = timezone.now() - silent_for
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportRun.Status.RUNNING, job=job, started_at=beat, heartbeat_at=beat
    )
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started_at=beat)
    run.refresh_from_db()
    return run


def stored(run: ImportRun) -> Path:
    return Path(settings.MEDIA_ROOT) / str(run.options[FILE_KEY])


def test_a_run_whose_heartbeat_went_quiet_is_failed_and_its_starter_told(
    everyone: dict[str, Person], django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    admin = everyone["admin"]
    run = killed_upload(admin, silent_for=ABANDONED_AFTER + dt.timedelta(seconds=1))

    with django_capture_on_commit_callbacks(execute=True):
        summary = fail_abandoned_imports()

    run.refresh_from_db()
    assert summary == "1 abandoned import marked failed"
    assert run.status == ImportRun.Status.FAILED
    assert run.message == ABANDONED_MESSAGE
    assert run.finished_at is not None
    assert run.job is not None
    assert run.job.status == Job.Status.FAILED
    assert run.job.message == ABANDONED_MESSAGE
    assert run.job.result_url == f"/crm/import/{run.pk}/"
    assert AuditEvent.objects.filter(action="core.import_run.abandoned", object_id=run.pk).exists()
    assert not Deal.objects.exists()
    # The file stays for a retry.
    assert stored(run).exists()
    assert can_retry(run)
    (message,) = mail.outbox
    assert admin.user is not None
    assert message.to == [admin.user.email]
    assert "deals.csv stopped without finishing" in message.subject
    assert f"http://testserver/crm/import/{run.pk}/" in message.body
    assert "Nothing was written" in message.body
    html = str(message.alternatives[0][0])  # type: ignore[attr-defined]
    assert "Retry the import" in html


def test_a_running_import_that_still_beats_is_left_alone(everyone: dict[str, Person]) -> None:
    run = killed_upload(everyone["admin"], silent_for=ABANDONED_AFTER - dt.timedelta(seconds=30))

    assert import_runs_fail_abandoned() == []

    run.refresh_from_db()
    assert run.status == ImportRun.Status.RUNNING
    assert run.job is not None
    assert run.job.status == Job.Status.RUNNING
    assert not mail.outbox


def test_a_run_from_before_heartbeats_counts_from_its_start(everyone: dict[str, Person]) -> None:
    run = killed_upload(everyone["admin"], silent_for=ABANDONED_AFTER * 2)
    ImportRun.objects.filter(pk=run.pk).update(heartbeat_at=None)

    (failed,) = import_runs_fail_abandoned()

    assert failed.pk == run.pk
    assert ImportRun.objects.get(pk=run.pk).status == ImportRun.Status.FAILED


def test_a_killed_command_line_import_is_failed_but_offers_no_retry(
    everyone: dict[str, Person], tmp_path: Path
) -> None:
    path = tmp_path / "deals.csv"
    path.write_text(DEALS)
    run = import_run_create(org=everyone["admin"].org, kind="deals", filename=path.name, actor=None)
    long_ago = timezone.now() - ABANDONED_AFTER * 3
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportRun.Status.RUNNING, started_at=long_ago, heartbeat_at=long_ago
    )

    import_runs_fail_abandoned()

    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED
    assert run.message == ABANDONED_MESSAGE
    assert not can_retry(run)
    assert not mail.outbox  # nobody to tell: the command line reported nothing to anyone


def test_retry_imports_from_the_kept_file_once(
    everyone: dict[str, Person], django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    admin = everyone["admin"]
    run = killed_upload(admin, silent_for=ABANDONED_AFTER * 2)
    import_runs_fail_abandoned()
    path = stored(ImportRun.objects.get(pk=run.pk))
    client = client_for(admin)

    page = client.get(f"/crm/import/{run.pk}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/crm/import/{run.pk}/", {"action": "retry"})

    retry = ImportRun.objects.get(retry_of=run)
    assert "Retry the import" in page
    assert response.status_code == 302
    assert response["Location"] == f"/crm/import/{retry.pk}/"
    assert retry.status == ImportRun.Status.APPLIED, retry.message
    assert (retry.created_count, retry.updated_count) == (2, 0)
    assert retry.created_by == admin.user
    assert retry.job is not None
    assert retry.job.status == Job.Status.SUCCEEDED
    assert Deal.objects.count() == 2
    assert not path.exists()  # gone once the retry finished
    assert FILE_KEY not in ImportRun.objects.get(pk=run.pk).options
    assert AuditEvent.objects.filter(action="core.import_run.retried").count() == 1

    again = client.post(f"/crm/import/{run.pk}/", {"action": "retry"}, follow=True)

    assert "no longer kept" in again.content.decode()
    assert ImportRun.objects.filter(retry_of=run).count() == 1
    assert Deal.objects.count() == 2


@pytest.mark.parametrize("role", ["manager", "rep", "executive"])
def test_only_admins_may_retry(everyone: dict[str, Person], role: str) -> None:
    run = killed_upload(everyone["admin"], silent_for=ABANDONED_AFTER * 2)
    import_runs_fail_abandoned()

    response = client_for(everyone[role]).post(f"/crm/import/{run.pk}/", {"action": "retry"})

    assert response.status_code == 403
    assert not ImportRun.objects.filter(retry_of=run).exists()
    assert stored(ImportRun.objects.get(pk=run.pk)).exists()


def test_a_run_that_did_not_fail_cannot_be_retried(everyone: dict[str, Person]) -> None:
    run = killed_upload(everyone["admin"], silent_for=dt.timedelta(seconds=1))

    response = client_for(everyone["admin"]).post(
        f"/crm/import/{run.pk}/", {"action": "retry"}, follow=True
    )

    assert "Only a failed import can be retried" in response.content.decode()
    assert not ImportRun.objects.filter(retry_of=run).exists()


def test_kept_files_go_after_the_retry_window(everyone: dict[str, Person]) -> None:
    admin = everyone["admin"]
    failed = killed_upload(admin, silent_for=ABANDONED_AFTER * 2)
    import_runs_fail_abandoned()
    recent = killed_upload(admin, silent_for=ABANDONED_AFTER * 2)
    import_runs_fail_abandoned()
    unconfirmed = import_upload_create(
        org=admin.org,
        kind="deals",
        actor=admin.user,
        upload=io.BytesIO(DEALS.encode()),
        filename="deals.csv",
    )
    paths = [stored(ImportRun.objects.get(pk=r.pk)) for r in (failed, recent, unconfirmed)]
    now = timezone.now()
    ImportRun.objects.filter(pk=failed.pk).update(finished_at=now - RETRY_WINDOW)
    ImportRun.objects.filter(pk=unconfirmed.pk).update(created_at=now - STALE_UPLOAD_AGE)

    removed = import_uploads_expire(now=now + dt.timedelta(seconds=1))

    assert removed == 2
    assert [p.exists() for p in paths] == [False, True, False]
    assert not can_retry(ImportRun.objects.get(pk=failed.pk))
    assert can_retry(ImportRun.objects.get(pk=recent.pk))
    assert ImportRun.objects.get(pk=unconfirmed.pk).status == ImportRun.Status.FAILED
    assert not default_storage.exists(str(failed.options[FILE_KEY]))


class _Notes(Importer[str]):
    """A one-column import of notes: each note applied writes one audit row. The importers of the
    tests below are this one with a hook that looks or waits at a given point."""

    fields = (Field("note", "Note", required=True, parse=text(max_length=10)),)

    def clean(self, row: Row) -> str:
        return row["note"] or ""

    def apply(self, rows: Iterable[CleanRow[str]]) -> Counts:
        counts = Counts()
        for row in rows:
            self.before_write()
            audit.record(actor=None, action="core.test_note.created", after={"note": row.data})
            counts.created += 1
            self.after_write()
        return counts

    def before_write(self) -> None:
        pass

    def after_write(self) -> None:
        pass


class _Beats(_Notes):
    """Notes the heartbeat each row it writes sees."""

    name = "beats"
    label = "beats"
    seen: list[dt.datetime | None] = []

    def before_write(self) -> None:
        assert self.run is not None
        beat = ImportRun.objects.values_list("heartbeat_at", flat=True).get(pk=self.run.pk)
        _Beats.seen.append(beat)


def test_the_runner_beats_while_it_checks_and_while_it_writes(
    db: None, org: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(registry.importers, "beats", _Beats)
    monkeypatch.setattr(runner, "_HEARTBEAT_INTERVAL", 0.0)
    monkeypatch.setattr(_Beats, "seen", [])
    path = tmp_path / "notes.csv"
    path.write_text("Note\na\nb\nc\n")
    run = import_run_create(org=org, kind="beats", filename=path.name, actor=None)
    before = timezone.now()

    runner.execute_run(run, opener=path_opener(path))

    run.refresh_from_db()
    assert run.status == ImportRun.Status.APPLIED
    # Every row the apply takes refreshes the beat, inside its transaction.
    assert len(_Beats.seen) == 3
    beats = [beat for beat in _Beats.seen if beat is not None]
    assert len(beats) == 3
    assert all(beat >= before for beat in beats)
    assert beats == sorted(beats)
    assert len(set(beats)) == 3
    assert run.heartbeat_at is not None
    assert run.heartbeat_at >= beats[-1]


class _Held(_Notes):
    """Writes its first row, then waits inside the apply transaction until the test lets go."""

    name = "held"
    label = "held"
    writing = threading.Event()
    release = threading.Event()

    def after_write(self) -> None:
        _Held.writing.set()
        _Held.release.wait(timeout=30)


@pytest.mark.django_db(transaction=True)
def test_an_import_writing_its_rows_is_never_failed_however_old_its_last_beat(
    org: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(registry.importers, "held", _Held)
    monkeypatch.setattr(runner, "_HEARTBEAT_INTERVAL", 3600.0)
    _Held.writing.clear()
    _Held.release.clear()
    path = tmp_path / "notes.csv"
    path.write_text("Note\na\n")
    run = import_run_create(org=org, kind="held", filename=path.name, actor=None)

    def work() -> None:
        try:
            runner.execute_run(run, opener=path_opener(path))
        finally:
            connection.close()

    worker = threading.Thread(target=work)
    worker.start()
    try:
        assert _Held.writing.wait(timeout=30)
        # Long after its last committed beat, seen from outside its transaction.
        later = timezone.now() + ABANDONED_AFTER * 2
        if connection.vendor == "postgresql":
            # The apply holds the run's row: the check passes it by without waiting.
            assert import_runs_fail_abandoned(now=later) == []
        else:
            # SQLite: the import holds the write lock; the check gives up until the next tick.
            with pytest.raises(OperationalError, match="locked"):
                import_runs_fail_abandoned(now=later)
    finally:
        _Held.release.set()
        worker.join(timeout=30)

    run.refresh_from_db()
    assert run.status == ImportRun.Status.APPLIED
    assert run.created_count == 1


class _Stalled(_Notes):
    """Stands still while checking its first row long enough to be declared abandoned."""

    name = "stalled"
    label = "stalled"

    def clean(self, row: Row) -> str:
        if row.number == 2:
            import_runs_fail_abandoned(now=timezone.now() + ABANDONED_AFTER * 2)
        return super().clean(row)


def test_a_run_declared_abandoned_writes_nothing_when_it_wakes_up(
    db: None, org: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(registry.importers, "stalled", _Stalled)
    path = tmp_path / "notes.csv"
    path.write_text("Note\na\nb\n")
    run = import_run_create(org=org, kind="stalled", filename=path.name, actor=None)

    runner.execute_run(run, opener=path_opener(path))

    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED
    assert run.message == ABANDONED_MESSAGE
    assert run.created_count == 0
    assert not AuditEvent.objects.filter(action="core.test_note.created").exists()
    assert run.job is not None
    assert run.job.status == Job.Status.FAILED
