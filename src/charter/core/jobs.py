"""Background work a person can watch: create a Job, then report progress from the task.

Also the lanes jobs run in, and the waits for SQLite's write lock that a worker must survive.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import OperationalError, transaction
from django.utils import timezone

from charter.core.models import Job

if TYPE_CHECKING:
    from charter.org.models import Organization

T = TypeVar("T")

logger = logging.getLogger(__name__)

# The lane of work that may take minutes (imports, roll-up rebuilds). Short jobs (mail, the
# tick) stay in the default lane, and `charter serve` runs one worker thread per lane (settings
# TASKS, "QUEUES"), so a password-reset mail never waits behind a big import.
LONG_QUEUE = "long"


def is_locked_database_error(exc: BaseException) -> bool:
    """SQLite's "database is locked" / "database table is locked", after its busy timeout."""
    if not isinstance(exc, OperationalError) or not exc.args:
        return False
    text = str(exc.args[0]).lower()
    return "is locked" in text or "database is busy" in text


def lock_backoff(attempt: int) -> float:
    """Seconds to wait before the attempt after `attempt` failed lock waits: 0.5, 1, 2 … 30."""
    return float(min(30.0, 0.5 * 2 ** max(0, attempt - 1)))


def atomic_when_free(
    func: Callable[[], T],
    *,
    attempts: int = 5,
    stop: threading.Event | None = None,
) -> T:
    """Run `func` in a transaction, beginning again (with backoff) while the database is locked.

    Only a failure to *begin* is retried: on SQLite the transaction takes the write lock at
    BEGIN IMMEDIATE, so a lock error there means `func` has not run and nothing was written. A
    lock error once `func` has started is raised, as the work may not be safe to repeat.
    """
    for attempt in range(1, attempts + 1):
        began = False
        try:
            with transaction.atomic():
                began = True
                return func()
        except OperationalError as exc:
            if began or not is_locked_database_error(exc) or attempt == attempts:
                raise
            delay = lock_backoff(attempt)
            logger.warning("database is locked; beginning again in %.1f s", delay)
            if stop is not None:
                if stop.wait(delay):
                    raise
            else:
                time.sleep(delay)
    raise AssertionError("unreachable")  # the loop returns or raises


def job_create(
    *, kind: str, title: str, org: Organization, actor: Any, total: int | None = None
) -> Job:
    """A queued job of `org`: only that organization's people ever see it."""
    return Job.objects.create(
        kind=kind,
        title=title,
        org=org,
        created_by=actor if actor is not None and getattr(actor, "pk", None) else None,
        progress_total=total,
    )


def job_start(job: Job, *, total: int | None = None) -> None:
    job.status = Job.Status.RUNNING
    job.started_at = timezone.now()
    if total is not None:
        job.progress_total = total
    job.save(update_fields=["status", "started_at", "progress_total"])


def job_progress(job: Job, *, done: int, total: int | None = None, message: str = "") -> None:
    # Call this outside the write transaction (e.g. while validating) so pollers can see it.
    fields: dict[str, Any] = {"progress_done": done}
    if total is not None:
        fields["progress_total"] = total
    if message:
        fields["message"] = message
    Job.objects.filter(pk=job.pk).update(**fields)
    for key, value in fields.items():
        setattr(job, key, value)


def job_finish(job: Job, *, ok: bool, message: str = "", result_url: str = "") -> None:
    job.status = Job.Status.SUCCEEDED if ok else Job.Status.FAILED
    job.finished_at = timezone.now()
    job.message = message or job.message
    job.result_url = result_url or job.result_url
    job.save(update_fields=["status", "finished_at", "message", "result_url"])
