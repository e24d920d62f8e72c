from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from charter.expectations.services import verify_chain


class Command(BaseCommand):
    help = (
        "Check that no signature was altered: recompute the hash chain over every signature and "
        "print OK, or the first signature that does not verify (and exit with status 1)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        check = verify_chain()
        if check.ok:
            self.stdout.write(f"OK: {check.checked} signatures verify.")
            return
        where = f"signature #{check.first_bad_id}" if check.first_bad_id else "the chain head"
        self.stdout.write(
            f"FAILED: {where} does not verify: {check.reason}. "
            f"{check.checked} signatures before it verify."
        )
        raise SystemExit(1)
