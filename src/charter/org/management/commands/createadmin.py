from __future__ import annotations

import getpass
import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.db import transaction

from charter.org import services
from charter.org.models import Person, Role
from charter.org.selectors import current_org


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
    return " ".join(exc.messages)


class Command(BaseCommand):
    help = (
        "Create an admin person with a login. "
        "The person joins the org chart with the admin role (an existing person with that "
        "email is promoted). Asks for what is missing when run in a terminal. Creates the "
        "organization on a fresh install."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", help="Email address the admin signs in with.")
        parser.add_argument("--name", help="Full name.")
        parser.add_argument(
            "--password",
            help="Password (visible to other users of this machine; omit it to be asked).",
        )
        parser.add_argument(
            "--org", help="Organization name, needed only when the database has none yet."
        )
        parser.add_argument(
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Never prompt; fail when a value is missing.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        interactive = options["interactive"] and sys.stdin.isatty()
        org = current_org()
        org_name = options["org"] or ""
        if org is None and not org_name:
            org_name = self._ask("Organization name", interactive, "--org")
        email = (options["email"] or self._ask("Email", interactive, "--email")).strip().lower()
        try:
            validate_email(email)
        except ValidationError as exc:
            raise CommandError(f"{email!r} is not an email address.") from exc
        existing = Person.objects.filter(org=org, email__iexact=email).first() if org else None
        if existing is not None and existing.user_id is not None:
            raise CommandError(
                f"{existing} ({email}) already signs in; use 'Forgot password' to reset it."
            )
        name = options["name"] or (
            existing.full_name if existing else self._ask("Full name", interactive, "--name")
        )
        password = options["password"] or self._ask_password(interactive)
        try:
            with transaction.atomic():
                if org is None:
                    org = services.organization_create(name=org_name.strip(), actor=None)
                if existing is None:
                    person = services.person_create(
                        org=org,
                        actor=None,
                        full_name=name,
                        email=email,
                        role=Role.ADMIN,
                        title="Administrator",
                    )
                else:
                    person = services.person_update(person=existing, actor=None, role=Role.ADMIN)
                services.person_login_create(person=person, actor=None, password=password)
        except ValidationError as exc:
            raise CommandError(_messages(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"{person.full_name} <{email}> is an admin of {org} and can sign in."
            )
        )

    def _ask(self, label: str, interactive: bool, option: str) -> str:
        if not interactive:
            raise CommandError(f"{option} is required when not running in a terminal.")
        while True:
            value = input(f"{label}: ").strip()
            if value:
                return value
            self.stderr.write(f"{label} cannot be empty.")

    def _ask_password(self, interactive: bool) -> str:
        if not interactive:
            raise CommandError("--password is required when not running in a terminal.")
        while True:
            first = getpass.getpass("Password: ")
            if first and first == getpass.getpass("Password (again): "):
                return first
            self.stderr.write("The passwords were empty or did not match; try again.")
