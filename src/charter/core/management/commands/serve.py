from __future__ import annotations

import signal
import sys
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from charter.core import scheduler
from charter.core.backup import unapplied_migrations


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
                application, host=options["host"], port=options["port"], threads=options["threads"]
            )
        except OSError as exc:
            raise CommandError(
                f"Cannot listen on {options['host']}:{options['port']}: {exc.strerror}."
            ) from exc

        background: list[scheduler.Scheduler | scheduler.WorkerThread] = []
        if not options["no_worker"]:
            if scheduler.uses_database_queue():
                background.append(scheduler.WorkerThread())
            background.append(scheduler.Scheduler())
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

    def _refuse_unmigrated(self) -> None:
        pending = unapplied_migrations()
        if pending:
            raise CommandError(
                f"The database is missing {len(pending)} migration(s); run `charter migrate` first."
            )
