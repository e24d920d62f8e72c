"""Accounts: sign-in, passwords, profile and API tokens."""

from __future__ import annotations

from typing import Any

from tests.permission_matrix.outcomes import (
    CHANGES,
    LOGIN,
    OK,
    POST_ONLY,
    PUBLIC,
    REDIRECT,
    SIGNED_IN,
    By,
    Row,
)

ROWS: dict[str, Row] = {
    # --- accounts --------------------------------------------------------------------------
    "accounts:login": Row(
        get=By(OK, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
        write=By(OK, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    ),
    "accounts:logout": Row(get=POST_ONLY, write=By(*[LOGIN] * 6)),
    "accounts:password_reset": Row(
        get=PUBLIC, write=By(OK, OK, OK, OK, OK, OK), data=lambda w: {"email": "x@acme.test"}
    ),
    # A valid set-password link works for whoever holds it, signed in or not.
    "accounts:set_password": Row(
        get=PUBLIC,
        write=By(*[CHANGES] * 6),
        data=lambda w: {
            "new_password1": "A-long-new-pass-92",
            "new_password2": "A-long-new-pass-92",
        },
    ),
    "accounts:profile": Row(
        get=SIGNED_IN,
        write=By(LOGIN, CHANGES, CHANGES, CHANGES, CHANGES, CHANGES),
        data=lambda w: {"reminders": "on", "digest": "daily"},
    ),
    "accounts:token_create": Row(
        get=By(405, 405, 405, 405, 405, 405),
        write=By(LOGIN, CHANGES, CHANGES, CHANGES, CHANGES, CHANGES),
        data=lambda w: {"name": "matrix", "read_only": "on", "expires_in_days": "30"},
    ),
    # The token belongs to `manager`; nobody else can even find it.
    "accounts:token_revoke": Row(get=POST_ONLY, write=By(LOGIN, 404, CHANGES, 404, 404, 404)),
    # Everyone signed in may make (and so replace) their own calendar feed address.
    "accounts:calendar_feed_create": Row(
        get=By(405, 405, 405, 405, 405, 405),
        write=By(LOGIN, CHANGES, CHANGES, CHANGES, CHANGES, CHANGES),
    ),
    # Only one's own feed is revoked, and in the world nobody has one: nothing to change.
    "accounts:calendar_feed_revoke": Row(
        get=POST_ONLY, write=By(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT)
    ),
    # The secret address is the credential (calendar programs cannot sign in): Rita's works
    # for whoever holds it; a wrong one is not found (test_calendar_feed.py).
    "accounts:calendar_feed": Row(
        get=PUBLIC, write=POST_ONLY, kwargs={"feed_token": lambda w: _rita_feed(w)}
    ),
}


def _rita_feed(w: Any) -> str:
    """A fresh feed address of Rita's (each call replaces the one before)."""
    from charter.accounts.services import calendar_feed_create

    return calendar_feed_create(user=w.rep2.user, actor=w.rep2.user)[1]
