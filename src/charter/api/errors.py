"""Turns the Django ValidationErrors that services raise into DRF's 400 responses."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import ValidationError
from rest_framework.settings import api_settings


@contextmanager
def service_errors() -> Iterator[None]:
    """Run a service call; its validation errors become `{"field": ["message", …]}` bodies."""
    try:
        yield
    except DjangoValidationError as exc:
        if hasattr(exc, "error_dict"):
            detail = exc.message_dict
        else:
            detail = {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}
        raise ValidationError(detail) from exc
