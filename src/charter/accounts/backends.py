"""How a signed-in request finds its user.

Django's ModelBackend, except that the user comes with their person and organization in one
plain SQL statement: nearly every page asks who the person behind the login is
(`org.access.person_of`) and which organization they belong to. Through the ORM that is three
queries, or one `select_related` query whose building alone costs more than a cached page. The
same statement reads the organization's scorecard data version (`kpis.cache`), which the most
visited page, a rep's own KPIs served from the cache, needs and otherwise reads on its own.

Usually even that statement is not needed: the session's own read (`accounts.sessions`) joins
the same columns for the user its row names, and `get_user` takes them from there when the
user Django asks for is that one.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db import connection

from charter.accounts.models import User
from charter.core import rows


@cache
def user_columns() -> str:
    """The select list `user_from_row` reads: user, person, organization and data version, for
    a user aliased `u` joined to `person_joins()`."""
    from charter.kpis.cache import data_version_sql
    from charter.org.models import Organization, Person

    version = data_version_sql(f"o.{connection.ops.quote_name('id')}")
    return (
        f"{rows.columns(User, 'u')}, {rows.columns(Person, 'p')}, "
        f"{rows.columns(Organization, 'o')}, {version}"
    )


@cache
def person_joins() -> str:
    """The joins from the user `u` to their person `p` and organization `o`."""
    from charter.org.models import Organization, Person

    return (
        f"LEFT JOIN {rows.table(Person)} p ON p.user_id = u.id "
        f"LEFT JOIN {rows.table(Organization)} o ON o.id = p.org_id"
    )


@cache
def _sql() -> str:
    return f"SELECT {user_columns()} FROM {rows.table(User)} u {person_joins()} WHERE u.id = %s"  # noqa: S608


def user_from_row(row: Sequence[Any]) -> User | None:
    """The user `user_columns()` describes, with `user.person` and `user.person.org` already
    loaded (or known absent); None when the row's user is NULL."""
    from charter.kpis.cache import read_with
    from charter.org.models import Organization, Person

    split = rows.width(User)
    middle = split + rows.width(Person)
    end = middle + rows.width(Organization)
    user = rows.instance(User, row[:split])
    if user is None:
        return None
    person = rows.instance(Person, row[split:middle])
    User.person.related.set_cached_value(user, person)
    if person is not None:
        Person.user.field.set_cached_value(person, user)
        org = rows.instance(Organization, row[middle:end])
        Person.org.field.set_cached_value(person, org)
        if org is not None:
            read_with(org, row[end])
    return user


def user_with_person(user_id: Any) -> User | None:
    """The user, with `user.person` and `user.person.org` already loaded (or known absent)."""
    with connection.cursor() as cursor:
        cursor.execute(_sql(), [user_id])
        row = cursor.fetchone()
    return None if row is None else user_from_row(row)


class UserBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        from charter.accounts.sessions import read_with_session

        row = read_with_session(user_id)
        user = user_with_person(user_id) if row is None else user_from_row(row)
        return user if user is not None and self.user_can_authenticate(user) else None
