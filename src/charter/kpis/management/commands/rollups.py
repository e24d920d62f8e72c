"""`charter rollups rebuild|check`: recompute the KPI metric rollups from the CRM facts, or
prove that the incrementally kept rollups equal such a recomputation."""

from __future__ import annotations

import time
from decimal import InvalidOperation
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from charter.core.decimals import first_unreadable
from charter.kpis import rollups
from charter.kpis.management.commands._common import the_org


class _Progress:
    """One line on stderr: redrawn in place on a terminal, printed once at the end otherwise
    (so logs of a cron job stay short), like the import commands."""

    def __init__(self, command: BaseCommand, verb: str) -> None:
        self.command = command
        self.verb = verb
        self.tty = command.stderr.isatty()
        self.started = time.monotonic()
        self.last = ""

    def __call__(self, done: int, total: int) -> None:
        elapsed = time.monotonic() - self.started
        rate = done / elapsed if elapsed > 0 else 0.0
        percent = int(done * 100 / total) if total else 100
        line = f"{self.verb} {done:,} of {total:,} people ({percent}%) · {rate:,.0f} people/s"
        if self.tty:
            self.command.stderr.write("\r" + line.ljust(len(self.last)), ending="")
        elif done == total:
            self.command.stderr.write(line)
        self.last = line

    def finish(self) -> None:
        if self.tty and self.last:
            self.command.stderr.write("")


class Command(BaseCommand):
    help = (
        "Rebuild or check the KPI metric rollups. "
        "`rebuild` recomputes every person's daily and monthly metrics from the CRM facts in one "
        "transaction; `check` recomputes them without writing and compares with what is stored "
        "(exit status 1 and the differences when they disagree)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        actions.add_parser("rebuild", help="recompute every rollup from the facts")
        check = actions.add_parser("check", help="compare the rollups with the facts")
        check.add_argument(
            "--limit", type=int, default=20, help="list at most this many differences"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self._run(options)
        except InvalidOperation as exc:
            # A fact stored on SQLite before Charter refused more digits than it keeps reads
            # back as a float Django cannot fit into its column.
            for model in rollups.FACT_MODELS:
                pk = first_unreadable(model)
                if pk is not None:
                    raise CommandError(
                        f"{model._meta.label_lower} row {pk} holds a number the database cannot "
                        "give back exactly (more digits than it keeps); correct or delete that "
                        "row, then run this again."
                    ) from exc
            raise

    def _run(self, options: dict[str, Any]) -> None:
        org = the_org()
        started = time.monotonic()
        if options["action"] == "rebuild":
            progress = _Progress(self, "Rebuilt")
            cells = rollups.rebuild(org=org, progress=progress)
            progress.finish()
            self.stdout.write(
                self.style.SUCCESS(
                    f"Rebuilt {cells:,} person-day rows in {time.monotonic() - started:.1f}s."
                )
            )
            return
        progress = _Progress(self, "Checked")
        result = rollups.check(org=org, limit=options["limit"], progress=progress)
        progress.finish()
        if result.ok:
            self.stdout.write(
                self.style.SUCCESS(
                    f"OK: the rollups of {result.people:,} people ({result.cells:,} person-day "
                    "rows) equal a rebuild from the facts."
                )
            )
            return
        for difference in result.differences:
            self.stdout.write(str(difference))
        if result.more:
            self.stdout.write(f"… and {result.more:,} more differences.")
        count = len(result.differences) + result.more
        raise CommandError(
            f"The rollups differ from the facts in {count:,} place{'s' if count != 1 else ''}; "
            "run `charter rollups rebuild`."
        )
