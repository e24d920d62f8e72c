import datetime as dt
import threading
from io import StringIO

import pytest
import time_machine
from axes.models import AccessAttempt, AccessLog
from django.core.management import CommandError, call_command
from django.db import connections
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from charter.accounts.models import Session
from charter.conftest import wait_for
from charter.core import registry, scheduler
from charter.core.models import Schedule
from charter.core.registry import PeriodicJob
from charter.org.models import Person

NOW = dt.datetime(2025, 3, 10, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def fake_jobs(monkeypatch):
    calls = []

    def job(name, result="fine"):
        def run():
            calls.append(name)
            if isinstance(result, Exception):
                raise result
            return result

        return PeriodicJob(name=name, func=run)

    jobs = {
        "b.second": job("b.second"),
        "a.first": job("a.first", "3 things done"),
    }
    monkeypatch.setattr(registry, "periodic_jobs", jobs)
    return calls, jobs, job


def test_tick_runs_every_registered_job_once_and_records_the_summary(db, fake_jobs):
    calls, _, _ = fake_jobs
    out = StringIO()

    call_command("tick", stdout=out)

    assert calls == ["a.first", "b.second"]
    text = out.getvalue()
    assert "a.first" in text
    assert "3 things done" in text
    assert "tick: 2 jobs, all ok" in text
    schedule = Schedule.objects.get(name=scheduler.TICK)
    assert schedule.last_status == "2 jobs, all ok"
    assert schedule.last_run_at is not None


def test_a_failing_job_does_not_stop_the_others_but_fails_the_tick(db, fake_jobs):
    calls, jobs, job = fake_jobs
    jobs["a.broken"] = job("a.broken", RuntimeError("mail server down"))
    out = StringIO()

    with pytest.raises(CommandError, match="failed"):
        call_command("tick", stdout=out)

    assert calls == ["a.broken", "a.first", "b.second"]
    assert "RuntimeError: mail server down" in out.getvalue()
    assert Schedule.objects.get().last_status == "3 jobs, 1 failed: a.broken"


def test_the_housekeeping_jobs_are_registered(db):
    assert {
        "core.clear_expired_sessions",
        "core.prune_task_results",
        "core.clean_login_attempts",
        "org.close_leavers",
    } <= set(registry.periodic_jobs)


def test_only_one_of_two_claims_at_the_same_moment_wins(db):
    assert scheduler.claim_tick(now=NOW) is True
    assert scheduler.claim_tick(now=NOW) is False
    assert Schedule.objects.get().next_run_at == NOW + dt.timedelta(seconds=60)


def test_a_claim_that_read_the_schedule_before_another_won_still_loses(db, monkeypatch):
    assert scheduler.claim_tick(now=NOW)  # another worker won a moment ago
    stale = Schedule(name=scheduler.TICK, next_run_at=NOW)  # what this slower worker had read
    monkeypatch.setattr(Schedule.objects, "get_or_create", lambda **kwargs: (stale, False))

    assert scheduler.claim_tick(now=NOW) is False


def test_the_next_claim_wins_once_the_interval_has_passed(db):
    assert scheduler.claim_tick(now=NOW)
    assert not scheduler.claim_tick(now=NOW + dt.timedelta(seconds=59))
    assert scheduler.claim_tick(now=NOW + dt.timedelta(seconds=60))


@pytest.mark.django_db(transaction=True)
def test_claims_racing_from_threads_let_exactly_one_win():
    # Each thread has its own database connection, as separate worker processes would.
    Schedule.objects.create(name=scheduler.TICK, next_run_at=NOW)
    start = threading.Barrier(4)
    results = []

    def claim():
        try:
            start.wait()
            results.append(scheduler.claim_tick(now=NOW))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claim) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(results) == [False, False, False, True]


@pytest.mark.django_db(transaction=True)
def test_the_scheduler_thread_ticks_when_it_wins_the_claim():
    ticker = scheduler.Scheduler(interval=60)
    ticker.start()
    try:
        wait_for(
            lambda: Schedule.objects.filter(name=scheduler.TICK, last_run_at__isnull=False).exists()
        )
    finally:
        ticker.stop()
        ticker.join(timeout=10)

    assert not ticker.is_alive()
    schedule = Schedule.objects.get(name=scheduler.TICK)
    assert schedule.last_status.endswith("all ok")
    # It claimed the next minute too, so another process polling now would not tick again.
    assert schedule.next_run_at > timezone.now() + dt.timedelta(seconds=50)


def test_clear_expired_sessions_keeps_live_ones(db):
    now = timezone.now()
    Session.objects.create(session_key="old", session_data="x", expire_date=now - dt.timedelta(1))
    Session.objects.create(session_key="live", session_data="x", expire_date=now + dt.timedelta(1))

    summary = registry.periodic_jobs["core.clear_expired_sessions"].func()

    assert summary == "1 expired session removed"
    assert list(Session.objects.values_list("session_key", flat=True)) == ["live"]


def _task_result(status, finished_at):
    return DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="charter.core.tasks.tick",
        backend_name="default",
        status=status,
        finished_at=finished_at,
        run_after=timezone.now(),
    )


def test_prune_task_results_removes_only_old_finished_results(db):
    now = timezone.now()
    old_done = _task_result("SUCCESSFUL", now - dt.timedelta(days=31))
    old_failed = _task_result("FAILED", now - dt.timedelta(days=45))
    recent = _task_result("SUCCESSFUL", now - dt.timedelta(days=2))
    waiting = _task_result("READY", None)

    summary = registry.periodic_jobs["core.prune_task_results"].func()

    assert summary == "2 finished job results removed"
    remaining = set(DBTaskResult.objects.values_list("pk", flat=True))
    assert remaining == {recent.pk, waiting.pk}
    assert old_done.pk not in remaining
    assert old_failed.pk not in remaining


def test_clean_login_attempts_forgets_expired_lockouts_and_old_logs(db):
    with time_machine.travel(timezone.now() - dt.timedelta(hours=1), tick=False):
        AccessAttempt.objects.create(
            username="old@x.test", ip_address="10.0.0.1", failures_since_start=5
        )
    with time_machine.travel(timezone.now() - dt.timedelta(days=100), tick=False):
        AccessLog.objects.create(username="old@x.test", ip_address="10.0.0.1")
    AccessAttempt.objects.create(
        username="fresh@x.test", ip_address="10.0.0.2", failures_since_start=2
    )
    AccessLog.objects.create(username="fresh@x.test", ip_address="10.0.0.2")

    summary = registry.periodic_jobs["core.clean_login_attempts"].func()

    assert summary == "1 expired lockout attempts, 1 old sign-in records removed"
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["fresh@x.test"]
    assert list(AccessLog.objects.values_list("username", flat=True)) == ["fresh@x.test"]


def test_close_leavers_deactivates_people_whose_leave_date_passed(everyone):
    today = timezone.localdate()
    leaving = everyone["rep2"]
    staying = everyone["other_team_rep"]
    Person.objects.filter(pk=leaving.pk).update(leave_date=today - dt.timedelta(days=1))
    Person.objects.filter(pk=staying.pk).update(leave_date=today + dt.timedelta(days=10))

    summary = registry.periodic_jobs["org.close_leavers"].func()

    assert summary == "1 leaver deactivated"
    leaving.refresh_from_db()
    staying.refresh_from_db()
    assert not leaving.is_active
    assert not leaving.user.is_active
    assert leaving.leave_date == today - dt.timedelta(days=1)
    assert staying.is_active


def test_close_leavers_keeps_a_manager_who_still_has_reports(everyone):
    manager = everyone["manager"]
    Person.objects.filter(pk=manager.pk).update(leave_date=timezone.localdate())

    summary = registry.periodic_jobs["org.close_leavers"].func()

    assert summary == "0 leavers deactivated; still managing people: Mona Manager"
    manager.refresh_from_db()
    assert manager.is_active


@pytest.mark.skipif(connections["default"].vendor != "sqlite", reason="SQLite's write-ahead log")
def test_a_big_commit_copies_the_write_ahead_log_into_the_database_itself(tmp_path):
    """With Charter's connection settings the log stays small without a worker: a commit that
    leaves it over SQLite's 1,000 pages copies it into the database file."""
    import sqlite3

    from django.conf import settings

    path = tmp_path / "charter.sqlite3"
    db = sqlite3.connect(path, isolation_level=None)
    db.executescript(settings.DATABASES["default"]["OPTIONS"]["init_command"])
    db.execute("CREATE TABLE facts (id INTEGER PRIMARY KEY, note TEXT)")
    db.execute("BEGIN")
    # About 3,000 pages of 4 KB: three times the 1,000 at which SQLite checkpoints by default.
    db.executemany("INSERT INTO facts (note) VALUES (?)", [("x" * 4000,)] * 3000)
    db.execute("COMMIT")

    # The commit copied the log into the database file: the rows are there, not only logged.
    assert path.stat().st_size > 3000 * 4096
    db.close()
