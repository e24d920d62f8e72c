import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import OperationalError, transaction
from django.test import override_settings
from django_tasks import DEFAULT_TASK_QUEUE_NAME, task
from django_tasks_db.models import DBTaskResult

from charter.conftest import wait_for
from charter.core import tasks
from charter.core.jobs import LONG_QUEUE
from charter.core.models import Schedule
from charter.core.scheduler import (
    TICK,
    Scheduler,
    WorkerThread,
    queue_lanes,
    uses_database_queue,
)

# The suite's settings with jobs waiting in the database, in the same lanes.
DB_TASKS = {"default": {**settings.TASKS["default"], "BACKEND": "django_tasks_db.DatabaseBackend"}}


# The worker checks its connection between jobs as a long-running process must, which ends a
# test's wrapping transaction on PostgreSQL; so these tests commit for real.
@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DB_TASKS)
def test_the_worker_runs_a_job_from_the_database_queue_and_stores_its_result():
    assert uses_database_queue()
    enqueued = tasks.tick.enqueue()
    row = DBTaskResult.objects.get(pk=enqueued.id)
    assert row.status == "READY"
    assert not Schedule.objects.filter(name=TICK).exists()  # nothing ran yet

    call_command("worker", "--batch", verbosity=0)

    row.refresh_from_db()
    assert row.status == "SUCCESSFUL"
    assert str(row.return_value).endswith("jobs, all ok")
    assert Schedule.objects.get(name=TICK).last_status == row.return_value


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DB_TASKS)
def test_the_worker_records_a_failing_job_and_carries_on(monkeypatch):
    def broken():
        raise RuntimeError("disk full")

    failing = tasks.tick.enqueue()
    monkeypatch.setattr("charter.core.scheduler.run_tick", broken)
    call_command("worker", "--batch", "--max-tasks", "1", verbosity=0)
    monkeypatch.undo()
    succeeding = tasks.tick.enqueue()
    call_command("worker", "--batch", verbosity=0)

    assert DBTaskResult.objects.get(pk=failing.id).status == "FAILED"
    assert "disk full" in DBTaskResult.objects.get(pk=failing.id).traceback
    assert DBTaskResult.objects.get(pk=succeeding.id).status == "SUCCESSFUL"


def test_the_worker_refuses_to_start_when_jobs_run_in_process(db):
    assert not uses_database_queue()
    with pytest.raises(CommandError, match="only needed with TASKS_BACKEND=db"):
        call_command("worker", "--batch")


# --- lanes: short jobs never wait behind long ones ------------------------------------------

release = threading.Event()


@task(queue_name=LONG_QUEUE)
def blocking_import() -> str:
    """Stands for a long import: holds its lane's worker until the test lets it go."""
    release.wait(timeout=60)
    return "imported"


def test_long_jobs_wait_in_the_long_lane_and_short_ones_in_the_default_lane():
    from charter.accounts import tasks as accounts_tasks
    from charter.core.imports import tasks as import_tasks
    from charter.expectations import tasks as expectation_tasks
    from charter.kpis import tasks as kpi_tasks

    assert settings.TASKS["default"]["QUEUES"] == queue_lanes()
    long: list[Any] = [
        import_tasks.run_import,
        kpi_tasks.rebuild_rollups,
        expectation_tasks.send_distribution,
    ]
    short: list[Any] = [
        tasks.tick,
        accounts_tasks.send_password_reset,
        import_tasks.notify_import_abandoned,
        expectation_tasks.notify_question_asked,
    ]
    assert {t.queue_name for t in long} == {LONG_QUEUE}
    assert {t.queue_name for t in short} == {DEFAULT_TASK_QUEUE_NAME}
    assert set(queue_lanes()) == {LONG_QUEUE, DEFAULT_TASK_QUEUE_NAME}


@override_settings(TASKS=DB_TASKS)
def test_serve_runs_a_worker_thread_per_lane_and_the_scheduler():
    from charter.core.management.commands.serve import Command

    threads = Command.background_threads(no_worker=False)

    workers = [t for t in threads if isinstance(t, WorkerThread)]
    assert sorted(w.worker.queue_names for w in workers) == [["default"], ["long"]]
    assert [type(t) for t in threads if t not in workers] == [Scheduler]
    assert Command.background_threads(no_worker=True) == []


def test_the_worker_refuses_an_unknown_lane(db):
    with override_settings(TASKS=DB_TASKS), pytest.raises(CommandError, match="no such lane"):
        call_command("worker", "--batch", "--queue", "imports")


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DB_TASKS)
def test_a_mail_job_runs_while_an_import_holds_the_long_lane():
    release.clear()
    long_job = blocking_import.enqueue()
    lanes = [WorkerThread(queue_names=[lane], interval=0.05) for lane in queue_lanes()]
    for lane in lanes:
        lane.start()
    try:
        wait_for(lambda: status_of(long_job.id) == "RUNNING")
        short_job = tasks.tick.enqueue()

        wait_for(lambda: status_of(short_job.id) == "SUCCESSFUL")

        # The import still holds its lane: the tick did not wait for it.
        assert status_of(long_job.id) == "RUNNING"
    finally:
        release.set()
        for lane in lanes:
            lane.stop()
        for lane in lanes:
            lane.join(timeout=30)
    assert DBTaskResult.objects.get(pk=long_job.id).status == "SUCCESSFUL"


def status_of(task_id: str) -> str:
    """The task's status. The test database is SQLite in memory, whose shared cache refuses a
    read while a worker thread writes the table instead of waiting: read again."""
    deadline = time.monotonic() + 10
    while True:
        try:
            return str(DBTaskResult.objects.get(pk=task_id).status)
        except OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


# --- lock waits ------------------------------------------------------------------------------


def locked_at_first(times: int, real: Callable[..., Any]) -> Callable[..., Any]:
    """A stand-in for a transaction that finds the database locked `times` times, as SQLite
    reports a BEGIN IMMEDIATE that waited out its busy timeout."""
    calls = {"n": 0}

    @contextmanager
    def flaky(*args: Any, **kwargs: Any) -> Iterator[Any]:
        calls["n"] += 1
        if calls["n"] <= times:
            raise OperationalError("database is locked")
        with real(*args, **kwargs) as value:
            yield value

    return flaky


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DB_TASKS)
def test_the_worker_outlasts_a_locked_database(monkeypatch):
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(
        db_worker, "exclusive_transaction", locked_at_first(3, db_worker.exclusive_transaction)
    )
    monkeypatch.setattr("charter.core.scheduler.lock_backoff", lambda attempt: 0.01)
    enqueued = tasks.tick.enqueue()

    call_command("worker", "--batch", verbosity=0)

    assert DBTaskResult.objects.get(pk=enqueued.id).status == "SUCCESSFUL"


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DB_TASKS)
def test_a_worker_stops_on_any_other_database_error(monkeypatch):
    from django_tasks_db.management.commands import db_worker

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("disk I/O error")

    monkeypatch.setattr(db_worker, "exclusive_transaction", broken)
    tasks.tick.enqueue()

    with pytest.raises(OperationalError, match="disk I/O error"):
        call_command("worker", "--batch", verbosity=0)


def test_a_transaction_begins_again_while_the_database_is_locked(db, monkeypatch):
    from charter.core import jobs

    monkeypatch.setattr(jobs.transaction, "atomic", locked_at_first(2, transaction.atomic))
    monkeypatch.setattr(jobs, "lock_backoff", lambda attempt: 0.01)
    runs = []

    def work() -> str:
        runs.append(1)
        return "done"

    result = jobs.atomic_when_free(work)

    assert result == "done"
    assert runs == [1]


def test_work_that_began_is_never_run_twice(db, monkeypatch):
    from charter.core import jobs

    runs = []

    def locked_halfway() -> None:
        runs.append(1)
        raise OperationalError("database is locked")

    with pytest.raises(OperationalError):
        jobs.atomic_when_free(locked_halfway)
    assert runs == [1]


def test_a_transaction_gives_up_after_its_attempts(db, monkeypatch):
    from charter.core import jobs

    monkeypatch.setattr(jobs.transaction, "atomic", locked_at_first(10, transaction.atomic))
    monkeypatch.setattr(jobs, "lock_backoff", lambda attempt: 0.0)

    with pytest.raises(OperationalError, match="locked"):
        jobs.atomic_when_free(lambda: None, attempts=3)


# Outside a test's wrapping transaction, as an import runs: a lock error inside a transaction
# must still be raised (the transaction would be broken on PostgreSQL).
@pytest.mark.django_db(transaction=True)
def test_an_import_carries_on_when_its_progress_finds_the_database_locked(
    org, tmp_path, monkeypatch
):
    from charter.core.imports import runner
    from charter.core.imports.readers import path_opener
    from charter.core.imports.services import import_run_create
    from charter.crm.models import Deal

    def locked(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("database is locked")

    monkeypatch.setattr(runner, "job_progress", locked)
    path = tmp_path / "deals.csv"
    path.write_text(
        "Record ID,Deal Name,Deal Stage,Amount,Close Date,Create Date,Deal owner\n"
        "1001,Big deal,Closed Won,3000,2024-03-10,2024-01-02,someone@example.com\n"
    )
    run = import_run_create(
        org=org, kind="deals", filename=path.name, actor=None, options={"preset": "hubspot"}
    )

    runner.execute_run(run, opener=path_opener(path))

    assert run.status == "applied", run.message
    assert Deal.objects.count() == 1
