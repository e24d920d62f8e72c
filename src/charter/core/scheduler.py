"""The clock of a Charter installation and the threads that run background work.

`run_tick` runs every registered periodic job once (`charter tick`). Every worker process also
runs a `Scheduler` thread that triggers a tick each TICK_INTERVAL_SECONDS. Several workers may run
at once (on PostgreSQL, on several machines): each tries to advance the one `core.Schedule` row
with a conditional UPDATE, and only the process whose UPDATE changed the row triggers the tick,
so no interval is ever ticked twice.

Jobs wait in lanes (the queues of settings TASKS): `charter serve` and `charter worker` run one
`QueueWorker` per lane, so short jobs never wait behind an import in the long lane.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import OperationalError, close_old_connections, connections
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker

from charter.core import registry
from charter.core.jobs import is_locked_database_error, lock_backoff
from charter.core.models import Schedule

logger = logging.getLogger(__name__)

TICK = "tick"


@dataclass(frozen=True)
class JobOutcome:
    """What one periodic job did during one tick."""

    name: str
    ok: bool
    summary: str
    seconds: float


@dataclass(frozen=True)
class TickReport:
    """Everything one tick did, in the order the jobs ran."""

    started_at: dt.datetime
    outcomes: list[JobOutcome] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(outcome.ok for outcome in self.outcomes)

    @property
    def summary(self) -> str:
        failed = [o.name for o in self.outcomes if not o.ok]
        count = len(self.outcomes)
        jobs = f"{count} job{'s' if count != 1 else ''}"
        if failed:
            return f"{jobs}, {len(failed)} failed: {', '.join(failed)}"
        return f"{jobs}, all ok"


def _interval() -> dt.timedelta:
    return dt.timedelta(seconds=settings.TICK_INTERVAL_SECONDS)


def claim_tick(*, now: dt.datetime | None = None, interval: dt.timedelta | None = None) -> bool:
    """Try to take the next tick. True for exactly one caller per interval, however many race.

    The UPDATE's WHERE clause is the lock: databases apply one UPDATE to a row at a time and the
    loser re-checks `next_run_at <= now` against the winner's new value, so it changes nothing.
    """
    now = now or timezone.now()
    interval = interval or _interval()
    try:
        schedule, _ = Schedule.objects.get_or_create(name=TICK, defaults={"next_run_at": now})
        if schedule.next_run_at > now:
            return False  # not due: skip the UPDATE, which would take SQLite's write lock
        won = Schedule.objects.filter(name=TICK, next_run_at__lte=now).update(
            next_run_at=now + interval
        )
    except OperationalError as exc:
        # SQLite reports a table another connection is writing as locked; that writer is the
        # one claiming the tick, so this caller lost the race and polls again next time.
        if "locked" not in str(exc):
            raise
        return False
    return won == 1


def run_tick() -> TickReport:
    """Run every registered periodic job once, in name order, and record how it went.

    A failing job is logged and reported but does not stop the others. Jobs are not wrapped in
    one transaction: each writes through services that are atomic on their own, and a long
    transaction would hold SQLite's write lock against the web server for the whole tick.
    """
    report = TickReport(started_at=timezone.now())
    for name in sorted(registry.periodic_jobs):
        job = registry.periodic_jobs[name]
        started = time.monotonic()
        try:
            summary = job.func() or "done"
            ok = True
        except Exception as exc:
            logger.exception("periodic job %s failed", name)
            summary = f"{type(exc).__name__}: {exc}"
            ok = False
        report.outcomes.append(
            JobOutcome(name=name, ok=ok, summary=summary, seconds=time.monotonic() - started)
        )
    schedule, _ = Schedule.objects.get_or_create(
        name=TICK, defaults={"next_run_at": report.started_at + _interval()}
    )
    schedule.last_run_at = report.started_at
    schedule.last_status = report.summary[:200]
    schedule.save(update_fields=["last_run_at", "last_status"])
    # The summary is kept on the schedule row; only a failure is worth a line every minute.
    log = logger.debug if report.ok else logger.warning
    log("tick: %s", report.summary)
    return report


class Scheduler(threading.Thread):
    """A thread that triggers a tick whenever this process wins the claim for it.

    It polls more often than the interval (at most every 5 s) so that the tick keeps to its
    interval even when several processes poll out of step with each other.
    """

    def __init__(self, *, interval: float | None = None) -> None:
        super().__init__(name="charter-scheduler", daemon=True)
        self.interval = float(interval or settings.TICK_INTERVAL_SECONDS)
        self.poll = min(self.interval, 5.0)
        self._stopping = threading.Event()

    def run(self) -> None:
        from charter.core import tasks

        logger.info("scheduler: ticking every %ss", int(self.interval))
        try:
            while not self._stopping.is_set():
                close_old_connections()
                try:
                    if claim_tick(interval=dt.timedelta(seconds=self.interval)):
                        tasks.tick.enqueue()
                except Exception:
                    # The database may be briefly unreachable; the next poll tries again.
                    logger.exception("scheduler: could not trigger the tick")
                self._stopping.wait(self.poll)
        finally:
            connections.close_all()

    def stop(self) -> None:
        self._stopping.set()


def queue_lanes() -> list[str]:
    """The queues jobs wait in, each served by its own worker thread (settings TASKS)."""
    from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME

    return list(settings.TASKS[DEFAULT_TASK_BACKEND_ALIAS].get("QUEUES", [DEFAULT_TASK_QUEUE_NAME]))


class QueueWorker(Worker):
    """`django_tasks_db`'s worker, made to outlast SQLite's write lock.

    Its loop begins each claim with BEGIN IMMEDIATE outside the part that forgives a locked
    database, so an import holding the write lock longer than the busy timeout ended the loop
    (and `charter worker` with it). A lock error now waits, with backoff, and takes up the loop
    again; anything else still ends it.
    """

    # A lock error this long after the previous one starts the backoff again from its shortest.
    CALM_SECONDS = 60.0

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.wake = threading.Event()

    def run(self) -> None:
        failures, last_failure = 0, 0.0
        while True:
            try:
                super().run()
                return
            except OperationalError as exc:
                if not is_locked_database_error(exc) or not self.running:
                    raise
                now = time.monotonic()
                failures = 1 if now - last_failure > self.CALM_SECONDS else failures + 1
                last_failure = now
                self.startup_delay = False
                delay = lock_backoff(failures)
                logger.warning(
                    "worker %s: the database is locked (%s); trying again in %.1f s",
                    ",".join(self.queue_names),
                    exc,
                    delay,
                )
                connections.close_all()
                if self.wake.wait(delay) or not self.running:
                    return


def queue_worker(
    *,
    queue_names: list[str],
    interval: float = 1.0,
    batch: bool = False,
    startup_delay: bool = False,
    max_tasks: int | None = None,
) -> QueueWorker:
    from django.utils.crypto import get_random_string

    return QueueWorker(
        queue_names=queue_names,
        interval=interval,
        batch=batch,
        backend_name="default",
        startup_delay=startup_delay,
        max_tasks=max_tasks,
        worker_id=get_random_string(32),
        excluded_queue_names=[],
    )


class WorkerThread(threading.Thread):
    """A worker of one lane (or of several queues), run in a thread of `charter serve` or
    `charter worker`."""

    def __init__(self, *, interval: float = 1.0, queue_names: list[str] | None = None) -> None:
        queue_names = queue_names or ["*"]
        lane = "" if queue_names == ["*"] else "-" + "-".join(queue_names)
        super().__init__(name=f"charter-worker{lane}", daemon=True)
        self.worker = queue_worker(queue_names=queue_names, interval=interval)
        self._stopping = threading.Event()

    def run(self) -> None:
        try:
            while not self._stopping.is_set():
                try:
                    self.worker.run()
                except Exception:
                    # A lost database connection must not end the embedded worker for good.
                    logger.exception("worker: stopped by an error; restarting in 5 s")
                    self._stopping.wait(5)
                    self.worker.running = not self._stopping.is_set()
                else:
                    return
        finally:
            connections.close_all()

    def stop(self) -> None:
        self._stopping.set()
        # The worker finishes the task it is running, then leaves its loop.
        self.worker.running = False
        self.worker.wake.set()


def uses_database_queue() -> bool:
    """Whether jobs wait in the database for a worker (rather than run where they are enqueued)."""
    from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
    from django_tasks_db.backend import DatabaseBackend

    return isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend)
