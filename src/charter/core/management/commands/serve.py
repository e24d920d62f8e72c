from __future__ import annotations

import logging
import signal
import sys
import threading
import time
from collections.abc import Callable
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from charter.core import scheduler
from charter.core.backup import unapplied_migrations

# waitress warns "Task queue depth is N" for every request that finds all threads busy: under
# load, thousands of lines that all say the same. One line a minute says it as well.
QUEUE_WARNING_EVERY = 60.0


class QueueDepthSummary(logging.Filter):
    """Lets one "Task queue depth" warning through per interval, with the deepest queue and
    the number of warnings held back since the last one."""

    def __init__(
        self, *, every: float = QUEUE_WARNING_EVERY, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__()
        self.every = every
        self.clock = clock
        self._lock = threading.Lock()
        self._last = -every
        self._held = 0
        self._deepest = 0

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args if isinstance(record.args, tuple) else ()
        depth = args[0] if args and isinstance(args[0], int) else 0
        with self._lock:
            self._deepest = max(self._deepest, int(depth))
            now = self.clock()
            if now - self._last < self.every:
                self._held += 1
                return False
            held, deepest = self._held, self._deepest
            self._last, self._held, self._deepest = now, 0, 0
        record.msg = "Task queue depth is %d (all web threads busy)"
        record.args = (deepest,)
        if held:
            record.msg += "; %d similar warnings in the last %d s"
            record.args = (deepest, held, int(self.every))
        return True


def waitress_adjustments(*, threads: int) -> dict[str, int]:
    """How many connections waitress holds for `threads` request threads.

    waitress's default of 100 open connections is sized for its default 4 threads: beyond a
    dozen or so queued requests per thread, a request waits longer in waitress's queue than a
    browser or proxy waits for an answer, so more connections only use file descriptors and
    memory. Further ones wait in the kernel's listen backlog (its default 1024 kept), where a
    client's retry costs the server nothing. `channel_request_lookahead` stays 0: pipelined
    requests are rare and Charter never checks for a client that hung up mid-request.
    """
    return {"connection_limit": max(100, threads * 16), "backlog": 1024}


class Command(BaseCommand):
    help = (
        "Serve the web app, a background worker and the scheduler in one process. "
        "The whole installation in one command (waitress, plain HTTP; put a TLS proxy in "
        "front on a server). Ctrl-C or SIGTERM stops it cleanly. For many users, run a WSGI "
        "server and `charter worker` processes separately instead."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on.")
        parser.add_argument("--port", type=int, default=8000, help="Port to listen on.")
        parser.add_argument(
            "--threads", type=int, default=8, help="Threads answering requests (default 8)."
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="Serve web requests only; run `charter worker` elsewhere for jobs and the tick.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from waitress.server import create_server

        from charter.wsgi import application

        if options["threads"] < 1:
            raise CommandError("--threads must be at least 1.")
        self._refuse_unmigrated()
        try:
            server = create_server(
                application,
                host=options["host"],
                port=options["port"],
                threads=options["threads"],
                **waitress_adjustments(threads=options["threads"]),
            )
        except OSError as exc:
            raise CommandError(
                f"Cannot listen on {options['host']}:{options['port']}: {exc.strerror}."
            ) from exc

        logging.getLogger("waitress.queue").addFilter(QueueDepthSummary())
        background = self.background_threads(no_worker=options["no_worker"])
        for thread in background:
            thread.start()

        def stop(signum: int, frame: FrameType | None) -> None:
            # waitress leaves its loop on SystemExit and lets running requests finish.
            raise SystemExit(0)

        # SIGINT too: a process started in the background inherits an *ignored* Ctrl-C.
        previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        running = [f"{options['threads']} web threads"]
        running += [thread.name.removeprefix("charter-") for thread in background]
        port = getattr(server, "effective_port", options["port"])
        # waitress speaks plain HTTP; with HTTPS=1 a proxy in front terminates TLS.
        self.stdout.write(
            f"Charter is serving on http://{options['host']}:{port}/ ({', '.join(running)}). "
            f"Press Ctrl-C to stop. Public address: {settings.SITE_URL}/"
        )
        sys.stdout.flush()
        try:
            server.run()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            self.stdout.write("Stopping: finishing running requests and jobs…")
            server.close()
            for thread in background:
                thread.stop()
            for thread in background:
                thread.join(timeout=30)
            connections.close_all()
            self.stdout.write("Stopped.")

    @staticmethod
    def background_threads(
        *, no_worker: bool
    ) -> list[scheduler.Scheduler | scheduler.WorkerThread]:
        """A worker per lane (mail is never behind an import) and the scheduler."""
        if no_worker:
            return []
        background: list[scheduler.Scheduler | scheduler.WorkerThread] = []
        if scheduler.uses_database_queue():
            for lane in scheduler.queue_lanes():
                background.append(scheduler.WorkerThread(queue_names=[lane]))
        background.append(scheduler.Scheduler())
        return background

    def _refuse_unmigrated(self) -> None:
        pending = unapplied_migrations()
        if pending:
            raise CommandError(
                f"The database is missing {len(pending)} migration(s); run `charter migrate` first."
            )
