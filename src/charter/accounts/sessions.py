"""Sessions in the database, as Django keeps them, read with one plain SQL statement.

Every signed-in request reads its session first. Building the ORM query for that one row costs
more than running it, and the busiest pages (a rep's own KPIs, served from the cache) do little
else, so the read is written out here. Writing, expiring and deleting sessions stay Django's.

The row is read on every request, so a session signed out or expired anywhere ends at once. What
is reused is only the decoding of its text (an HMAC check, base64, zlib and JSON, the same work
for the same text on every request of a session): per process, keyed by the exact stored text
and the keys that sign it, and only for text whose signature checked out.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends import db
from django.core import signing
from django.db import connections, router
from django.utils import timezone

# Sessions whose decoding is kept, per process: more than the people signed in to one
# installation at once, a few megabytes at most.
DECODED_SESSIONS = 4096


@lru_cache(maxsize=DECODED_SESSIONS)
def _verified(
    session_data: str, salt: str, serializer: Any, key: str, fallback_keys: tuple[str, ...]
) -> dict[str, Any]:
    # Raises on a bad signature or a payload that does not parse: nothing is kept then.
    decoded = signing.loads(
        session_data, key=key, salt=salt, serializer=serializer, fallback_keys=list(fallback_keys)
    )
    if not isinstance(decoded, dict):
        raise signing.BadSignature("A session holds a dictionary.")
    return decoded


class SessionStore(db.SessionStore):
    def _stored_data(self) -> str | None:
        """The session's stored text, if it exists and has not expired."""
        model = self.model
        connection = connections[router.db_for_read(model)]
        table = connection.ops.quote_name(model._meta.db_table)
        sql = f"SELECT session_data FROM {table} WHERE session_key = %s AND expire_date > %s"  # noqa: S608
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.session_key, now])
            row = cursor.fetchone()
        if row is None or self.session_key is None:
            # As Django does for a missing or expired session: the next save starts a new one.
            self._session_key = None
            return None
        return str(row[0])

    def load(self) -> dict[str, Any]:
        # Django's load, without building a Session instance only to read one attribute of it.
        data = self._stored_data()
        return {} if data is None else self.decode(data)

    def decode(self, session_data: bytes | str) -> dict[str, Any]:
        if not isinstance(session_data, str):  # never so from the database; Django's then
            return super().decode(session_data)
        try:
            decoded = _verified(
                session_data,
                self.key_salt,
                self.serializer,
                settings.SECRET_KEY,
                tuple(settings.SECRET_KEY_FALLBACKS),
            )
        except Exception:
            # Corrupted or forged: Django's own decoding says so in the log and answers an
            # empty session.
            return super().decode(session_data)
        # A copy: a request changing its session (even a list inside it) changes only its own.
        return copy.deepcopy(decoded)
