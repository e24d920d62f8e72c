from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from charter.core import heap, scheduler


class Command(BaseCommand):
    help = (
        "Run background jobs and the periodic tick. "
        "Takes jobs from the database queue, one thread per lane (short jobs such as mail never "
        "wait behind an import in the long lane), and runs `charter tick` every "
        "TICK_INTERVAL_SECONDS. Run as many workers as you like; only one of them ticks each "
        "interval. Stops cleanly on Ctrl-C or SIGTERM after the jobs it is running."
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
            help=(
                "Comma-separated lanes to take jobs from, each in its own thread; '*' means all "
                "(default). E.g. one worker with --queue default and another with --queue long."
            ),
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
        if not scheduler.uses_database_queue():
            raise CommandError(
                f"TASKS_BACKEND={settings.TASKS_BACKEND!r} runs jobs where they are enqueued; "
                "a worker is only needed with TASKS_BACKEND=db."
            )
        if options["max_tasks"] is not None and options["max_tasks"] < 1:
            raise CommandError("--max-tasks must be at least 1.")
        lanes = self._lanes(options["queue"])
        self._configure_logging(options["verbosity"])
        # A worker runs for hours too: freeze what it loaded at start (see charter.core.heap).
        heap.settle()
        interval = max(options["interval"], 0.1)
        # --batch and --max-tasks count jobs across the lanes, so one loop takes them in turn.
        together = options["batch"] or options["max_tasks"] is not None
        worker = scheduler.queue_worker(
            queue_names=lanes if together else lanes[:1],
            interval=interval,
            batch=options["batch"],
            # Spreads many workers started together so they do not poll in lockstep.
            startup_delay=not options["batch"],
            max_tasks=options["max_tasks"],
        )
        others = [] if together else self._lane_threads(lanes[1:], interval=interval)
        if not options["batch"] and not options["no_tick"]:
            others.append(scheduler.Scheduler())
        for thread in others:
            thread.start()
        # The first lane runs here, in the main thread, which receives Ctrl-C and SIGTERM.
        worker.configure_signals()
        try:
            worker.run()
        finally:
            worker.reset_signals()
            for thread in others:
                thread.stop()
            # Like the main lane, the others finish the job in hand (a second Ctrl-C, whose
            # handler is reset above, ends the process at once).
            for thread in others:
                thread.join()

    def _lanes(self, queue: str) -> list[str]:
        lanes = scheduler.queue_lanes()
        asked = [name.strip() for name in queue.split(",") if name.strip()]
        if not asked or "*" in asked:
            return lanes
        unknown = [name for name in asked if name not in lanes]
        if unknown:
            raise CommandError(
                f"--queue {','.join(unknown)}: no such lane; the lanes are {', '.join(lanes)}."
            )
        return list(dict.fromkeys(asked))

    def _lane_threads(
        self, lanes: list[str], *, interval: float
    ) -> list[scheduler.Scheduler | scheduler.WorkerThread]:
        return [scheduler.WorkerThread(queue_names=[lane], interval=interval) for lane in lanes]

    def _configure_logging(self, verbosity: int) -> None:
        level = logging.WARNING if verbosity == 0 else logging.INFO
        if verbosity > 1:
            level = logging.DEBUG
        for name in ("django_tasks", "django_tasks_db", "charter.core.scheduler"):
            logging.getLogger(name).setLevel(level)
