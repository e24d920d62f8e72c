from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from charter.expectations.models import Signature
from charter.expectations.selectors import signed_after_email_change
from charter.expectations.services import verify_chain


class Command(BaseCommand):
    help = (
        "Check that no signature was altered: recompute the hash chain over every signature and "
        "print OK, or the first signature that does not verify (and exit with status 1). "
        "Signatures made after someone other than the signer changed the signing login's email "
        "are listed too: they verify, but may not be the person's own act."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        check = verify_chain()
        if not check.ok:
            where = f"signature #{check.first_bad_id}" if check.first_bad_id else "the chain head"
            self.stdout.write(
                f"FAILED: {where} does not verify: {check.reason}. "
                f"{check.checked} signatures before it verify."
            )
            raise SystemExit(1)
        self.stdout.write(f"OK: {check.checked} signatures verify.")
        signatures = Signature.objects.filter(user__isnull=False).select_related("person")
        doubtful = signed_after_email_change(signatures.iterator(chunk_size=2000))
        if not doubtful:
            return
        self.stdout.write(
            f"NOTE: {len(doubtful)} signature{'s were' if len(doubtful) != 1 else ' was'} made "
            "after someone other than the signer changed the signing login's email:"
        )
        for signature in signatures.filter(pk__in=list(doubtful)).order_by("id"):
            change = doubtful[signature.pk]
            by = change.changed_by.email if change.changed_by else "the command line"
            self.stdout.write(
                f"  signature #{signature.pk} by {signature.person.full_name} on "
                f"{signature.signed_at:%Y-%m-%d %H:%M}: the login's email was changed from "
                f"{change.old_email} to {change.new_email} by {by} on "
                f"{change.changed_at:%Y-%m-%d %H:%M}"
            )
