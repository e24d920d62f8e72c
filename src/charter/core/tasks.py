"""Background jobs of the shared kernel."""

from __future__ import annotations

from django_tasks import task

from charter.core import scheduler


@task()
def tick() -> str:
    """Run every periodic job once; the scheduler enqueues this when its process wins the tick."""
    return scheduler.run_tick().summary
