"""Sessions in the database, as Django keeps them, read with one plain SQL statement.

Every signed-in request reads its session first. Building the ORM query for that one row costs
more than running it, and the busiest pages (a rep's own KPIs, served from the cache) do little
else, so the read is written out here. Writing, expiring and deleting sessions stay Django's.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> Any:
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
        return model(session_key=self.session_key, session_data=row[0])
