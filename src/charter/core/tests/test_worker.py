import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from charter.core import tasks
from charter.core.models import Schedule
from charter.core.scheduler import TICK, uses_database_queue

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


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
