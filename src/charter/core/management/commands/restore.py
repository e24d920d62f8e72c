from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from charter.core.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Replace the whole database with a backup. "
        "Loads a file made by `charter backup` in one transaction: all of it or nothing. The "
        "whole file is read and checked first (gzip checksum, content hash, format, every line), "
        "and a damaged or edited file is refused before anything is written. The database must "
        "be migrated to the same version as the backup. Stop the web server and workers first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="A backup file written by `charter backup`.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Delete everything already in the database and restore over it.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        progress = self.stdout.write if options["verbosity"] > 1 else None
        try:
            counts = restore_backup(
                Path(options["file"]), force=options["force"], progress=progress
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {sum(counts.values())} rows into {len(counts)} tables "
                f"from {options['file']}."
            )
        )
