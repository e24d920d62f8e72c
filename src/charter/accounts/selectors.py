"""Reads about logins. A person only ever reads their own tokens and preferences."""

from __future__ import annotations

from django.db.models import QuerySet

from charter.accounts.models import ApiToken, User


def api_tokens_of(*, user: User) -> QuerySet[ApiToken]:
    """Every token `user` ever created, newest first, revoked and expired ones included."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")
