from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from charter.core import demo
from charter.core.backup import flush_data, unapplied_migrations
from charter.org.demo import ORG_NAME, demo_org, featured_logins
from charter.org.models import Organization, Person


class Command(BaseCommand):
    help = (
        "Load the demo company and print its logins. "
        "Northwind Outfitters: two regions, four teams, 24 reps, their managers, an admin and "
        "an executive. Running it again changes nothing; --reset deletes the demo and builds "
        "it afresh. Refuses to touch a database that holds a real company."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete everything in the database and build the demo again.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if unapplied_migrations():
            raise CommandError("The database is not up to date; run `charter migrate` first.")
        org = demo_org()
        others = Organization.objects.exclude(name=ORG_NAME)
        if others.exists():
            # Never let the demo (least of all --reset) touch a real company's data.
            raise CommandError(
                f"This database holds {others.first()}, not the demo. Point DATABASE_URL (or "
                "DATA_DIR) at an empty database to try the demo."
            )
        if org is not None and options["reset"]:
            self.stdout.write("Deleting the demo company…")
            # Sequences restart too, so the rebuilt demo has the same ids as the first one.
            flush_data(reset_sequences=True)
            org = None
        if org is None:
            log = self.stdout.write if options["verbosity"] > 0 else (lambda message: None)
            ctx = demo.build(demo.new_context(log=log))
            org = ctx.org
            self.stdout.write(self.style.SUCCESS(f"The demo company {ORG_NAME} is ready."))
        else:
            self.stdout.write(f"The demo company {ORG_NAME} is already here; nothing changed.")
        self._print_logins(org)

    def _print_logins(self, org: Organization) -> None:
        logins = featured_logins(org)
        rows = [("Email", "Role", "Team", "Name", "")]
        rows += [(x.email, x.role, x.team or "-", x.name, x.note) for x in logins]
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        self.stdout.write("")
        for index, row in enumerate(rows):
            cells = [row[i].ljust(widths[i]) for i in range(4)]
            self.stdout.write("  ".join([*cells, row[4]]).rstrip())
            if index == 0:
                self.stdout.write("  ".join("-" * w for w in widths))
        total = Person.objects.filter(org=org, user__isnull=False).count()
        self.stdout.write("")
        self.stdout.write(
            f"Password for all {total} demo logins: {demo.PASSWORD}   "
            f"(everyone signs in as first.last@{featured_domain(logins)})"
        )


def featured_domain(logins: list[demo.DemoLogin]) -> str:
    return logins[0].email.split("@", 1)[1] if logins else "…"
