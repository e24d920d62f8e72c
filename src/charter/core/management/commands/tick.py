from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from charter.core import registry, scheduler


class Command(BaseCommand):
    help = (
        "Run every periodic job once and print what each did. "
        "Reminders, clean-ups, period closes: the worker does this every "
        "TICK_INTERVAL_SECONDS; run it by hand, or from cron when no worker runs."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if not registry.periodic_jobs:
            raise CommandError("No periodic jobs are registered.")
        report = scheduler.run_tick()
        width = max(len(o.name) for o in report.outcomes)
        for outcome in report.outcomes:
            mark = "ok    " if outcome.ok else "FAILED"
            line = f"{mark} {outcome.name:<{width}}  {outcome.summary} ({outcome.seconds:.2f}s)"
            self.stdout.write(line if outcome.ok else self.style.ERROR(line))
        self.stdout.write(f"tick: {report.summary}")
        if not report.ok:
            raise CommandError("Some periodic jobs failed; see above.")
