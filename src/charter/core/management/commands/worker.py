from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.crypto import get_random_string

from charter.core import heap, scheduler


class Command(BaseCommand):
    help = (
        "Run background jobs and the periodic tick. "
        "Takes jobs from the database queue and runs `charter tick` every "
        "TICK_INTERVAL_SECONDS. Run as many workers as you like; only one of them ticks each "
        "interval. Stops cleanly on Ctrl-C or SIGTERM after the job it is running."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch",
            action="store_true",
            help="Run every job waiting in the queue, then exit (no scheduler).",
        )
        parser.add_argument(
            "--no-tick",
            action="store_true",
            help="Do not run the tick scheduler in this worker.",
        )
        parser.add_argument(
            "--queue",
            default="*",
            help="Comma-separated queues to take jobs from; '*' means all (default).",
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="Seconds to wait before looking again when the queue is empty (default 1).",
        )
        parser.add_argument(
            "--max-tasks",
            type=int,
            default=None,
            help="Exit after running this many jobs (lets a supervisor recycle the process).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from django_tasks_db.management.commands.db_worker import Worker

        if not scheduler.uses_database_queue():
            raise CommandError(
                f"TASKS_BACKEND={settings.TASKS_BACKEND!r} runs jobs where they are enqueued; "
                "a worker is only needed with TASKS_BACKEND=db."
            )
        if options["max_tasks"] is not None and options["max_tasks"] < 1:
            raise CommandError("--max-tasks must be at least 1.")
        self._configure_logging(options["verbosity"])
        # A worker runs for hours too: freeze what it loaded at start (see charter.core.heap).
        heap.settle()
        worker = Worker(
            queue_names=options["queue"].split(","),
            interval=max(options["interval"], 0.1),
            batch=options["batch"],
            backend_name="default",
            # Spreads many workers started together so they do not poll in lockstep.
            startup_delay=not options["batch"],
            max_tasks=options["max_tasks"],
            worker_id=get_random_string(32),
            excluded_queue_names=[],
        )
        ticker = None
        if not options["batch"] and not options["no_tick"]:
            ticker = scheduler.Scheduler()
            ticker.start()
        worker.configure_signals()
        try:
            worker.run()
        finally:
            worker.reset_signals()
            if ticker is not None:
                ticker.stop()
                ticker.join(timeout=10)

    def _configure_logging(self, verbosity: int) -> None:
        level = logging.WARNING if verbosity == 0 else logging.INFO
        if verbosity > 1:
            level = logging.DEBUG
        for name in ("django_tasks", "django_tasks_db", "charter.core.scheduler"):
            logging.getLogger(name).setLevel(level)
