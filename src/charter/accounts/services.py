"""Writes about logins: passwords, email changes, revoking access, rate limits, notification
preferences, API tokens."""

from __future__ import annotations

import datetime as dt
import secrets
import string
from typing import Any

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode

from charter.accounts import tasks
from charter.accounts.models import (
    ApiToken,
    CalendarFeed,
    LoginEmailChange,
    NotificationPreferences,
    RateEvent,
    Session,
    User,
)
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


def login_access_revoke(*, user: User, actor: Any, reason: str) -> dict[str, int]:
    """End every session of `user` and revoke their API tokens (revoked tokens stay listed).

    Called when a login is closed, its password is set or its email changes: whoever held a
    cookie or a token before must not keep it past that moment (or get it back on
    reactivation)."""
    with transaction.atomic():
        sessions, _ = Session.objects.filter(user=user).delete()
        tokens = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        # A calendar feed address is a credential too: it reads the person's meetings.
        tokens += CalendarFeed.objects.active().filter(user=user).update(revoked_at=timezone.now())
        if sessions or tokens:
            audit.record(
                actor=actor,
                action="accounts.login.access_revoked",
                obj=user,
                after={"reason": reason, "sessions": sessions, "tokens": tokens},
            )
    return {"sessions": sessions, "tokens": tokens}


def password_set(*, user: User, password: str, request: HttpRequest | None = None) -> None:
    """Set a password from an invitation or reset link, then sign the person in."""
    from charter.org.services import invitation_accept

    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        audit.record(actor=user, action="accounts.password.set", obj=user)
        login_access_revoke(user=user, actor=user, reason="password set")
        invitation_accept(user=user)
    # Whoever followed the emailed link proved they own the address, so failed sign-ins that
    # locked the account before no longer stand between them and their new password.
    axes_reset(username=user.email)
    sign_in_failures_clear(email=user.email)
    if request is not None:
        login(request, user, backend="charter.accounts.backends.UserBackend")


def login_email_change(*, user: User, email: str, actor: Any) -> LoginEmailChange | None:
    """Point a login at a new address (`org.services.person_update` calls it; only admins may).

    The old address is told, every session and token of the login ends (whoever follows a
    reset link to the new address starts afresh), and the change is kept as a record that
    signature pages read."""
    email = email.strip().lower()
    old = user.email
    if email == old:
        return None
    if User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
        raise ValidationError({"email": f"{email} is already used by another login."})
    with transaction.atomic():
        change = LoginEmailChange.objects.create(
            user=user,
            old_email=old,
            new_email=email,
            changed_by=actor if isinstance(actor, User) else None,
        )
        user.email = email
        user.save(update_fields=["email"])
        audit.record(
            actor=actor,
            action="accounts.login.email_changed",
            obj=user,
            before={"email": old},
            after={"email": email},
        )
        login_access_revoke(user=user, actor=actor, reason="email changed")
        change_id = change.pk
        transaction.on_commit(lambda: tasks.send_login_email_changed.enqueue(change_id=change_id))
    return change


# --- rate limits ------------------------------------------------------------------------------
# Counted in the database (`RateEvent`), so every process of an installation shares them.

# A password-reset mail per address, and reset requests per client address, within the window.
RESET_WINDOW = dt.timedelta(hours=1)
RESET_PER_ADDRESS = 3
RESET_PER_CLIENT = 20


class Throttled(Exception):
    """Too many attempts; `wait` says for how long (a timedelta) the next one is refused."""

    def __init__(self, wait: dt.timedelta) -> None:
        super().__init__(f"try again in {wait}")
        self.wait = wait


def _events(scope: str, key: str, since: dt.datetime) -> Any:
    return RateEvent.objects.filter(scope=scope, key=key, at__gt=since)


def _wait_for_window(scope: str, key: str, limit: int, window: dt.timedelta) -> dt.timedelta:
    """How long until fewer than `limit` events of `key` lie in the window (zero: none)."""
    now = timezone.now()
    times = list(
        _events(scope, key, now - window).order_by("-at").values_list("at", flat=True)[:limit]
    )
    if len(times) < limit:
        return dt.timedelta(0)
    return times[-1] + window - now


def password_reset_request(*, email: str, client_ip: str | None) -> None:
    """Ask for a reset link for `email`; raises `Throttled` past the limits.

    The request does the same work whether or not the address belongs to anyone: it counts,
    records and queues one job, and only the job looks the address up and mails a link
    (`tasks.send_password_reset`). Neither the answer nor its time says which addresses exist;
    the limits count addresses, known or not, and the client's address."""
    email = email.strip().lower()
    address_key = RateEvent.key_for(email)
    client_key = RateEvent.key_for(client_ip or "unknown")
    wait = max(
        _wait_for_window(RateEvent.Scope.RESET_EMAIL, address_key, RESET_PER_ADDRESS, RESET_WINDOW),
        _wait_for_window(RateEvent.Scope.RESET_CLIENT, client_key, RESET_PER_CLIENT, RESET_WINDOW),
    )
    if wait > dt.timedelta(0):
        raise Throttled(wait)
    with transaction.atomic():
        RateEvent.objects.bulk_create(
            [
                RateEvent(scope=RateEvent.Scope.RESET_EMAIL, key=address_key),
                RateEvent(scope=RateEvent.Scope.RESET_CLIENT, key=client_key),
            ]
        )
        transaction.on_commit(lambda: tasks.send_password_reset.enqueue(email=email))


def password_reset_send(*, email: str) -> bool:
    """The background half of a reset request: mail a link if an active login has `email`."""
    from charter.accounts import emails

    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None:
        return False
    audit.record(actor=None, action="accounts.password.reset_requested", obj=user)
    return emails.password_reset(user=user)


def sign_in_wait(*, email: str) -> dt.timedelta:
    """How long sign-ins to the account `email` are refused, from whichever address.

    Axes locks an email at one client address after a few failures; this limit counts an
    account's failures from every address, so guesses spread over many addresses slow down
    too. Past `LOGIN_ACCOUNT_FAILURE_LIMIT` failures in the window each further attempt waits
    twice as long after the last failure, up to `LOGIN_ACCOUNT_MAX_DELAY_SECONDS`: the owner is
    kept out for minutes at most, and a password reset by email clears it at once."""
    limit = settings.LOGIN_ACCOUNT_FAILURE_LIMIT
    window = dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    now = timezone.now()
    times = list(
        _events(RateEvent.Scope.SIGN_IN_FAILURE, RateEvent.key_for(email), now - window)
        .order_by("-at")
        .values_list("at", flat=True)
    )
    if len(times) < limit:
        return dt.timedelta(0)
    steps = len(times) - limit
    delay = min(
        settings.LOGIN_ACCOUNT_BASE_DELAY_SECONDS * 2 ** min(steps, 30),
        settings.LOGIN_ACCOUNT_MAX_DELAY_SECONDS,
    )
    return max(times[0] + dt.timedelta(seconds=delay) - now, dt.timedelta(0))


def sign_in_failed(*, email: str) -> None:
    RateEvent.objects.create(scope=RateEvent.Scope.SIGN_IN_FAILURE, key=RateEvent.key_for(email))


def sign_in_failures_clear(*, email: str) -> None:
    """The owner proved the password (or their mailbox): earlier failures no longer count."""
    RateEvent.objects.filter(
        scope=RateEvent.Scope.SIGN_IN_FAILURE, key=RateEvent.key_for(email)
    ).delete()


def rate_events_prune(*, now: dt.datetime | None = None) -> int:
    """Forget events older than any window that counts them."""
    now = now or timezone.now()
    oldest = max(RESET_WINDOW, dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES))
    deleted, _ = RateEvent.objects.filter(at__lte=now - oldest).delete()
    return deleted


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


def calendar_feed_create(*, user: User, actor: Any) -> tuple[CalendarFeed, str]:
    """A new private feed address for `user`, revoking the one they had; returns the feed and
    the raw token for the address, which is never stored and is shown only this once."""
    raw = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        # Locking the login serialises two creates posted at once: each revokes what the
        # other made, and the one-active-feed constraint never sees two.
        User.objects.select_for_update().filter(pk=user.pk).first()
        CalendarFeed.objects.active().filter(user=user).update(revoked_at=now)
        feed = CalendarFeed.objects.create(
            user=user, token_hash=CalendarFeed.hash(raw), created_at=now
        )
        audit.record(actor=actor, action="accounts.calendar_feed.created", obj=feed)
    return feed, raw


def calendar_feed_revoke(*, user: User, actor: Any) -> int:
    """Stop `user`'s feed address from working; 0 when there was none."""
    with transaction.atomic():
        feeds = list(CalendarFeed.objects.active().filter(user=user).select_for_update())
        for feed in feeds:
            feed.revoked_at = timezone.now()
            feed.save(update_fields=["revoked_at"])
            audit.record(actor=actor, action="accounts.calendar_feed.revoked", obj=feed)
    return len(feeds)
