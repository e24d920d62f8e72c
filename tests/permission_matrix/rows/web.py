"""Core pages (`web:`): home, audit log, background jobs."""

from __future__ import annotations

from tests.permission_matrix.outcomes import (
    ADMIN_PAGE,
    LOGIN,
    OK,
    SIGNED_IN,
    By,
    Row,
)

ROWS: dict[str, Row] = {
    "web:home": Row(get=SIGNED_IN),
    "web:audit": Row(get=ADMIN_PAGE),
    "web:audit_csv": Row(get=ADMIN_PAGE),
    "web:jobs": Row(get=SIGNED_IN),
    # The job was started by `manager`: only they and admins may watch it.
    "web:job": Row(get=By(LOGIN, 404, OK, 404, OK, 404)),
}
