"""How a signed-in request finds its user.

Django's ModelBackend, except that the user comes with their person and organization in one
plain SQL statement: nearly every page asks who the person behind the login is
(`org.access.person_of`) and which organization they belong to. Through the ORM that is three
queries, or one `select_related` query whose building alone costs more than a cached page. The
same statement reads the organization's scorecard data version (`kpis.cache`), which the most
visited page, a rep's own KPIs served from the cache, needs and otherwise reads on its own.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db import connection

from charter.accounts.models import User
from charter.core import rows


@cache
def _sql() -> str:
    from charter.kpis.cache import data_version_sql
    from charter.org.models import Organization, Person

    version = data_version_sql(f"o.{connection.ops.quote_name('id')}")
    return (
        f"SELECT {rows.columns(User, 'u')}, {rows.columns(Person, 'p')}, "  # noqa: S608
        f"{rows.columns(Organization, 'o')}, {version} FROM {rows.table(User)} u "
        f"LEFT JOIN {rows.table(Person)} p ON p.user_id = u.id "
        f"LEFT JOIN {rows.table(Organization)} o ON o.id = p.org_id WHERE u.id = %s"
    )


def user_with_person(user_id: Any) -> User | None:
    """The user, with `user.person` and `user.person.org` already loaded (or known absent)."""
    from charter.kpis.cache import read_with
    from charter.org.models import Organization, Person

    with connection.cursor() as cursor:
        cursor.execute(_sql(), [user_id])
        row = cursor.fetchone()
    if row is None:
        return None
    split = rows.width(User)
    middle = split + rows.width(Person)
    end = middle + rows.width(Organization)
    user = rows.instance(User, row[:split])
    assert user is not None
    person = rows.instance(Person, row[split:middle])
    User.person.related.set_cached_value(user, person)
    if person is not None:
        Person.user.field.set_cached_value(person, user)
        org = rows.instance(Organization, row[middle:end])
        Person.org.field.set_cached_value(person, org)
        if org is not None:
            read_with(org, row[end])
    return user


class UserBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        user = user_with_person(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
