"""Reads about logins. A person only ever reads their own tokens and preferences."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from charter.accounts.models import ApiToken, CalendarFeed, RateEvent, User


@dataclass(frozen=True)
class SignInLimit:
    """What stands between a client and being kept out: failures left, and which limit hits
    first (the lock of the email at this address for LOGIN_LOCKOUT_MINUTES, or the account's
    growing delay)."""

    left: int
    locks_address: bool


def api_tokens_of(*, user: User) -> QuerySet[ApiToken]:
    """Every token `user` ever created, newest first, revoked and expired ones included."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def sign_in_failures_left(*, request: HttpRequest, email: str) -> SignInLimit:
    """How many more wrong passwords `email` may give from this client before it is kept out,
    counting both limits: axes' lock of the email at this address, and the account's own count
    of failures from every address (`RateEvent`, see `services.sign_in_wait`)."""
    from axes.handlers.proxy import AxesProxyHandler

    address_left = settings.AXES_FAILURE_LIMIT - AxesProxyHandler.get_failures(
        request, {"username": email}
    )
    since = timezone.now() - dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    account_failures = RateEvent.objects.filter(
        scope=RateEvent.Scope.SIGN_IN_FAILURE, key=RateEvent.key_for(email), at__gt=since
    ).count()
    account_left = settings.LOGIN_ACCOUNT_FAILURE_LIMIT - account_failures
    if address_left <= account_left:
        return SignInLimit(left=max(address_left, 0), locks_address=True)
    return SignInLimit(left=max(account_left, 0), locks_address=False)


def calendar_feed_of(*, user: User) -> CalendarFeed | None:
    """`user`'s working feed address, if they made one."""
    return CalendarFeed.objects.active().filter(user=user).first()


def calendar_feed_user(*, raw: str) -> User | None:
    """The active login a feed address belongs to, or None for a wrong or revoked one."""
    if not raw or len(raw) > 100:
        return None
    feed = (
        CalendarFeed.objects.active()
        .filter(token_hash=CalendarFeed.hash(raw), user__is_active=True)
        .select_related("user")
        .first()
    )
    return feed.user if feed else None
