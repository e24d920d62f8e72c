from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from charter.core.backup import BackupError, write_backup


class Command(BaseCommand):
    help = (
        "Write the whole database to a file. "
        "A gzip file of JSON lines that `charter restore` loads into SQLite or PostgreSQL. "
        "Safe to run while Charter is serving."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Where to write the backup, e.g. charter-2025-01-31.gz")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        progress = self.stdout.write if options["verbosity"] > 1 else None
        try:
            counts = write_backup(path, progress=progress)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        total = sum(counts.values())
        size = path.stat().st_size
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up {total} rows from {len(counts)} tables to {path} "
                f"({size / 1024:.0f} KiB)."
            )
        )
