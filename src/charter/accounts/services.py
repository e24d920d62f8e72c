"""Writes about logins: passwords, notification preferences, API tokens."""

from __future__ import annotations

import datetime as dt
import secrets
import string
from typing import Any

from axes.utils import reset as axes_reset
from django.contrib.auth import login
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode

from charter.accounts import tasks
from charter.accounts.models import ApiToken, NotificationPreferences, User
from charter.core import audit

# Eight lower-case letters and digits after `chr_` tell tokens apart in lists and logs without
# giving away anything that helps to guess the secret part.
TOKEN_VISIBLE_CHARS = 8
_VISIBLE_ALPHABET = string.ascii_lowercase + string.digits
TOKEN_MAX_EXPIRY_DAYS = 3650
# A cap keeps a leaked session from minting tokens without end; nobody needs more at once.
TOKEN_MAX_ACTIVE = 20
TOKEN_AUDIT_FIELDS = ["name", "prefix", "read_only", "expires_at", "revoked_at"]


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
    # Whoever followed the emailed link proved they own the address, so failed sign-ins that
    # locked the account before no longer stand between them and their new password.
    axes_reset(username=user.email)
    if request is not None:
        login(request, user, backend="charter.accounts.backends.UserBackend")


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


def _new_raw_token() -> tuple[str, str]:
    """(visible prefix, whole token): `chr_<8 visible>_<43 secret url-safe characters>`."""
    visible = "".join(secrets.choice(_VISIBLE_ALPHABET) for _ in range(TOKEN_VISIBLE_CHARS))
    prefix = f"{ApiToken.PREFIX}{visible}"
    return prefix, f"{prefix}_{secrets.token_urlsafe(32)}"


def api_token_create(
    *,
    user: User,
    actor: Any,
    name: str,
    read_only: bool = True,
    expires_in_days: int | None = None,
) -> tuple[ApiToken, str]:
    """Create a token for `user`; returns it with the raw value, which is never stored."""
    from charter.org.access import can_write

    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": "Give the token a name, e.g. where it will be used."})
    if len(name) > 100:
        raise ValidationError({"name": "A token name has at most 100 characters."})
    if not read_only and not can_write(user):
        raise ValidationError(
            {"read_only": "Your role is read-only, so your API tokens are read-only too."}
        )
    if expires_in_days is not None and not 1 <= expires_in_days <= TOKEN_MAX_EXPIRY_DAYS:
        raise ValidationError(
            {"expires_in_days": f"Choose between 1 and {TOKEN_MAX_EXPIRY_DAYS} days, or none."}
        )
    active = ApiToken.objects.active().filter(user=user)
    # Also stops a create form posted twice from making two tokens.
    if active.filter(name__iexact=name).exists():
        raise ValidationError({"name": f"You already have an active token called {name!r}."})
    if active.count() >= TOKEN_MAX_ACTIVE:
        raise ValidationError(
            f"You already have {TOKEN_MAX_ACTIVE} active tokens; revoke one you no longer use."
        )
    now = timezone.now()
    prefix, raw = _new_raw_token()
    token = ApiToken(
        user=user,
        name=name,
        prefix=prefix,
        token_hash=ApiToken.hash(raw),
        read_only=read_only,
        created_at=now,
        expires_at=now + dt.timedelta(days=expires_in_days) if expires_in_days else None,
    )
    with transaction.atomic():
        token.save()
        audit.record(
            actor=actor,
            action="accounts.token.created",
            obj=token,
            after=audit.snapshot(token, TOKEN_AUDIT_FIELDS),
        )
    return token, raw


def api_token_revoke(*, token: ApiToken, actor: Any) -> ApiToken:
    """Stop a token from working. Revoking a revoked token changes nothing."""
    if token.revoked_at is not None:
        return token
    before = audit.snapshot(token, TOKEN_AUDIT_FIELDS)
    token.revoked_at = timezone.now()
    with transaction.atomic():
        token.save(update_fields=["revoked_at"])
        audit.record(
            actor=actor,
            action="accounts.token.revoked",
            obj=token,
            before=before,
            after=audit.snapshot(token, TOKEN_AUDIT_FIELDS),
        )
    return token
