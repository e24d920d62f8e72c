"""Writes about logins: passwords, notification preferences, API tokens."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import login
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.http import HttpRequest
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode

from charter.accounts import tasks
from charter.accounts.models import NotificationPreferences, User
from charter.core import audit


def user_from_set_password_link(*, uidb64: str, token: str) -> User | None:
    """The user a set-password link belongs to, or None when the link is wrong or used up."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None or not default_token_generator.check_token(user, token):
        return None
    return user


def password_set(*, user: User, password: str, request: HttpRequest | None = None) -> None:
    """Set a password from an invitation or reset link, then sign the person in."""
    from charter.org.services import invitation_accept

    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        audit.record(actor=user, action="accounts.password.set", obj=user)
        invitation_accept(user=user)
    if request is not None:
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")


def password_reset_request(*, email: str) -> None:
    """Email a reset link if an active login has this address; say nothing either way."""
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None:
        return
    audit.record(actor=None, action="accounts.password.reset_requested", obj=user)
    transaction.on_commit(lambda: tasks.send_password_reset.enqueue(user_id=user.pk))


def notification_prefs_for(*, user: User) -> NotificationPreferences:
    prefs, _ = NotificationPreferences.objects.get_or_create(user=user)
    return prefs


def notification_prefs_update(*, user: User, actor: Any, **values: Any) -> NotificationPreferences:
    prefs = notification_prefs_for(user=user)
    fields = ["reminders", "answers", "team_alerts", "digest"]
    before = audit.snapshot(prefs, fields)
    for field in fields:
        if field in values:
            setattr(prefs, field, values[field])
    with transaction.atomic():
        prefs.save(update_fields=[*fields, "updated_at"])
        audit.record(
            actor=actor,
            action="accounts.notification_prefs.updated",
            obj=user,
            before=before,
            after=audit.snapshot(prefs, fields),
        )
    return prefs
