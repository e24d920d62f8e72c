"""Sessions in the database, read together with the signed-in user in one plain SQL statement.

Every signed-in request reads its session first, then its user (with their person and
organization, `accounts.backends`). The busiest pages (a rep's own KPIs, served from the cache)
do little else, and under a busy threaded server each statement costs more than its SQL (SQLite
lets go of the GIL while it runs, and getting it back is slow), so the two reads are one:
Charter's session table (`accounts.Session`) keeps the signed-in user's id beside the signed
text, and the session's read joins that user's columns. Django's `get_user` still decodes the
text, checks the signature and the password hash and asks the backend for the user the text
names; the backend takes the joined columns only when they are that user's
(`read_with_session`), and reads on its own otherwise. Writing, expiring and deleting sessions
stay Django's.

On SQLite, that read is reused while nothing at all has been committed to the database since it
ran (`core.commits`: a look at the header SQLite rewrites on every commit, shared by every
process): a session signed out, a password changed, a person moved or a figure changed anywhere
is a commit, and the next request reads afresh; an expiry that passes needs no commit, so it is
checked against the clock. Anything else (PostgreSQL, a read inside a transaction) reads every
time. Also reused is the decoding of its text (an HMAC check, base64, zlib and JSON, the same work
for the same text on every request of a session): per process, keyed by the exact stored text
and the keys that sign it, and only for text whose signature checked out.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache, lru_cache
from typing import Any, NamedTuple

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends import db
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import connections, router
from django.utils import timezone

from charter.accounts.backends import person_joins, user_columns
from charter.accounts.models import Session, User
from charter.core import rows
from charter.core.commits import watch_for

# Sessions whose decoding, and whose read while nothing is committed, are kept per process: more
# than the people signed in to one installation at once, a few megabytes at most.
DECODED_SESSIONS = 4096


_SCALARS = frozenset({str, int, float, bool, type(None)})


class _Read(NamedTuple):
    """One session's read: what the database's commit header was before it ran (`mark`), the
    session's expiry, and the row (session text, user id, the user's columns)."""

    mark: bytes
    expires: dt.datetime
    row: tuple[Any, ...]


# Session key -> its last read, per process. Emptied whole when full: simpler than keeping an
# order, and it only costs each session one statement.
_reads: dict[str, _Read] = {}


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


@cache
def _read_sql() -> str:
    # The session row, its expiry and user id, then the columns `backends.user_from_row` reads.
    return (
        f"SELECT s.session_data, s.expire_date, s.user_id, {user_columns()} "  # noqa: S608
        f"FROM {rows.table(Session)} s "
        f"LEFT JOIN {rows.table(User)} u ON u.id = s.user_id {person_joins()} "
        "WHERE s.session_key = %s AND s.expire_date > %s"
    )


def _user_id(value: Any) -> Any:
    """The user id a session's data names, as the column holds it; None for none or nonsense."""
    if value is None:
        return None
    try:
        return User._meta.pk.to_python(value)
    except ValidationError:
        return None


class SessionStore(db.SessionStore):
    # What the last load joined: the row's user id and that user's columns (`user_columns`).
    _user_read: tuple[Any, Sequence[Any]] | None = None

    @classmethod
    def get_model_class(cls) -> type[Session]:
        return Session

    def create_model_instance(self, data: dict[str, Any]) -> Session:
        session = super().create_model_instance(data)
        assert isinstance(session, Session)
        session.user_id = _user_id(data.get(SESSION_KEY))
        return session

    def _stored_data(self) -> str | None:
        """The session's stored text, if it exists and has not expired; the columns of the
        user its row names are kept for `user_row`."""
        self._user_read = None
        key = self.session_key
        model = self.model
        connection = connections[router.db_for_read(model)]
        now = timezone.now()
        watch = None if connection.in_atomic_block else watch_for(connection)
        mark = None
        if watch is not None and key is not None:
            found = _reads.get(key)
            if found is not None and found.expires > now and watch.unchanged_since(found.mark):
                return self._taken(found.row)
            # Before the statement: a commit in between shows as a change next time.
            mark = watch.mark()
        with connection.cursor() as cursor:
            cursor.execute(_read_sql(), [key, connection.ops.adapt_datetimefield_value(now)])
            row = cursor.fetchone()
        if row is None or key is None:
            # As Django does for a missing or expired session: the next save starts a new one.
            self._session_key = None
            return None
        if mark is not None:
            if len(_reads) >= DECODED_SESSIONS:
                _reads.clear()
            expires = rows.converted(model, "expire_date", row[1], connection.alias)
            _reads[key] = _Read(mark, expires, tuple(row))
        return self._taken(row)

    def _taken(self, row: Sequence[Any]) -> str:
        self._user_read = (row[2], row[3:])
        return str(row[0])

    def user_row(self, user_id: Any) -> Sequence[Any] | None:
        """The columns of user `user_id` read with the session, if its row named that user."""
        found = self._user_read
        if found is None or found[0] is None or str(found[0]) != str(user_id):
            return None
        return found[1]

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
        # Most sessions hold only strings (who signed in, how): a plain copy is a deep one then.
        if all(type(value) in _SCALARS for value in decoded.values()):
            return dict(decoded)
        return copy.deepcopy(decoded)


# The session of the request whose user is being found, while Django's `get_user` runs
# (`finding_user_of`); a context variable, so each thread (and task) sees only its own.
_FINDING_USER_OF: ContextVar[Any] = ContextVar("charter_finding_user_of", default=None)


@contextmanager
def finding_user_of(session: Any) -> Iterator[None]:
    """While the user of the request with `session` is found, `read_with_session` offers the
    user columns its read joined."""
    token = _FINDING_USER_OF.set(session)
    try:
        yield
    finally:
        _FINDING_USER_OF.reset(token)


def read_with_session(user_id: Any) -> Sequence[Any] | None:
    """The columns of user `user_id`, if the session whose user is being found read them."""
    session = _FINDING_USER_OF.get()
    return session.user_row(user_id) if isinstance(session, SessionStore) else None
