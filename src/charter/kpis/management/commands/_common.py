"""What the KPI commands share: the installation's organization and readable service errors."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from charter.org.models import Organization
from charter.org.selectors import current_org


def the_org() -> Organization:
    org = current_org()
    if org is None:
        raise CommandError("There is no organization yet; run `charter demo` first.")
    return org


def messages_of(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return " ".join(" ".join(messages) for messages in exc.message_dict.values())
    return " ".join(exc.messages)
