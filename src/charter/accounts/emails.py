"""The emails about a login: one function per kind (see `core.emails` for how they are sent)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from charter.core.emails import absolute_url, send


def set_password_url(user: Any) -> str:
    """A one-time link that lets `user` choose a password (invitations and resets share it)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return absolute_url(reverse("accounts:set_password", args=[uid, token]))


def wants(user: Any, preference: str) -> bool:
    """Whether `user` accepts an optional kind of email (reminders, answers, team alerts)."""
    prefs = getattr(user, "notification_prefs", None)
    return True if prefs is None else bool(getattr(prefs, preference))


def password_reset(*, user: Any) -> bool:
    context = {"user": user, "name": user.get_short_name(), "link": set_password_url(user)}
    return send("password_reset", user.email, context)


def login_email_changed(*, change: Any) -> bool:
    """Told to the OLD address: if the owner did not ask for it, someone else now receives
    their reset links, and they should tell an admin at once."""
    changed_by = change.changed_by
    context = {
        "change": change,
        "name": change.user.get_short_name(),
        "changed_by_name": changed_by.get_full_name() if changed_by else "",
    }
    return send("login_email_changed", change.old_email, context)
