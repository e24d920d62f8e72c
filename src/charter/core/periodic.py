"""Housekeeping of the shared kernel, run by `charter tick`: old sessions, finished job
results and login-attempt records would otherwise grow without bound; imports killed mid-run
would stay "running", and their uploads on disk."""

from __future__ import annotations

import datetime as dt
from importlib import import_module

from django.conf import settings
from django.db import OperationalError
from django.utils import timezone

from charter.core.registry import periodic

# Long enough to look into a job that failed last month; short enough to keep the table small.
TASK_RESULT_DAYS = 30
# Sign-in records stay a quarter for security reviews, then go.
LOGIN_LOG_DAYS = 90


@periodic("core.clear_expired_sessions")
def clear_expired_sessions() -> str:
    from django.contrib.sessions.backends.db import SessionStore as DatabaseSessions

    store = import_module(settings.SESSION_ENGINE).SessionStore
    if not issubclass(store, DatabaseSessions):
        store.clear_expired()
        return "expired sessions cleared"
    # Sessions in the database (Django's table or Charter's `accounts.Session`): say how many.
    expired = store.get_model_class().objects.filter(expire_date__lt=timezone.now())
    deleted, _ = expired.delete()
    return f"{deleted} expired session{'s' if deleted != 1 else ''} removed"


@periodic("core.prune_task_results")
def prune_task_results() -> str:
    from django_tasks_db.models import DBTaskResult

    cutoff = timezone.now() - dt.timedelta(days=TASK_RESULT_DAYS)
    deleted, _ = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    return f"{deleted} finished job result{'s' if deleted != 1 else ''} removed"


@periodic("core.clean_login_attempts")
def clean_login_attempts() -> str:
    from axes.helpers import get_cool_off
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    now = timezone.now()
    # Attempts older than the cool-off no longer lock anyone out; without this they only go when
    # the same person tries again. (Axes' own cleaner needs a request, which a tick has not.)
    cool_off = get_cool_off()
    attempts = 0
    if cool_off is not None:  # None means a lockout lasts until an admin lifts it
        attempts, _ = AccessAttempt.objects.filter(attempt_time__lte=now - cool_off).delete()
    old = now - dt.timedelta(days=LOGIN_LOG_DAYS)
    logs, _ = AccessLog.objects.filter(attempt_time__lte=old).delete()
    failures, _ = AccessFailureLog.objects.filter(attempt_time__lte=old).delete()
    return f"{attempts} expired lockout attempts, {logs + failures} old sign-in records removed"


@periodic("core.fail_abandoned_imports")
def fail_abandoned_imports() -> str:
    """Imports whose process was killed: failed, with a reason, and their starters told."""
    from charter.core.imports.services import import_runs_fail_abandoned
    from charter.core.jobs import is_locked_database_error

    try:
        failed = import_runs_fail_abandoned()
    except OperationalError as exc:
        if not is_locked_database_error(exc):
            raise
        # Someone holds SQLite's write lock past the busy timeout: an import writing its rows,
        # alive by definition. The next tick looks again.
        return "skipped: the database is busy writing"
    return f"{len(failed)} abandoned import{'s' if len(failed) != 1 else ''} marked failed"


@periodic("core.expire_import_uploads")
def expire_import_uploads() -> str:
    from charter.core.imports.services import import_uploads_expire

    removed = import_uploads_expire()
    return f"{removed} kept upload{'s' if removed != 1 else ''} removed"
