"""What every signed-in request reads first: its session row (`accounts.sessions`, Django's
database sessions in Charter's table), then its user with their person and organization in one
joined query (`accounts.backends.UserBackend`). Nothing is kept between requests: a session
ended, a password changed or a login closed anywhere counts on the next request.
"""

from __future__ import annotations

import datetime as dt
import importlib
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.auth.tokens import default_token_generator
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from charter.accounts.backends import UserBackend
from charter.accounts.models import Session, User
from charter.accounts.sessions import SessionStore
from charter.conftest import PASSWORD, client_for
from charter.org.access import person_of
from charter.org.models import Person

BACKEND = "charter.accounts.backends.UserBackend"
LOGIN = "/accounts/login/"


# -- the user, their person and their organization -----------------------------------------


def test_get_user_reads_user_person_and_org_in_one_query(
    rep: Person, django_assert_num_queries: Any
) -> None:
    assert rep.user is not None
    with django_assert_num_queries(1):
        user = UserBackend().get_user(rep.user.pk)
        assert user is not None
        person = user.person
        assert person.full_name == "Rick Rep"
        assert person.org.name == "Acme Demo Co"
        assert person.user is user
        assert person_of(user) is person


def test_a_user_without_a_person_has_none_and_asks_nothing_more(
    db: Any, django_assert_num_queries: Any
) -> None:
    loner = User.objects.create_user("loner@acme.test", PASSWORD)
    user = UserBackend().get_user(loner.pk)
    assert user is not None
    assert user.email == "loner@acme.test"
    with django_assert_num_queries(0):
        with pytest.raises(User.person.RelatedObjectDoesNotExist):
            user.person  # noqa: B018
        assert person_of(user) is None


def test_an_inactive_or_unknown_user_is_nobody(rep: Person) -> None:
    assert rep.user is not None
    backend = UserBackend()
    assert backend.get_user(rep.user.pk) is not None
    assert backend.get_user(rep.user.pk + 1000) is None
    rep.user.is_active = False
    rep.user.save(update_fields=["is_active"])
    assert backend.get_user(rep.user.pk) is None


def test_a_deactivated_login_is_signed_out_of_its_open_session(rep: Person) -> None:
    assert rep.user is not None
    client = client_for(rep)
    assert client.get("/kpis/").status_code == 200
    User.objects.filter(pk=rep.user.pk).update(is_active=False)
    response = client.get("/kpis/")
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=/kpis/"


def test_signing_in_through_the_form_uses_the_new_backend(rep: Person) -> None:
    assert rep.user is not None
    assert BACKEND in settings.AUTHENTICATION_BACKENDS
    assert "django.contrib.auth.backends.ModelBackend" not in settings.AUTHENTICATION_BACKENDS
    client = Client()
    assert client.post(LOGIN, {"username": rep.email, "password": PASSWORD}).status_code == 302
    assert client.session[BACKEND_SESSION_KEY] == BACKEND
    assert client.session[SESSION_KEY] == str(rep.user.pk)

    response = client.get("/kpis/")
    assert response.status_code == 200
    assert "Rick Rep" in response.content.decode()


def test_a_password_set_from_a_link_signs_in_with_the_new_backend(rep: Person) -> None:
    assert rep.user is not None
    uid = urlsafe_base64_encode(force_bytes(rep.user.pk))
    link = f"/accounts/set-password/{uid}/{default_token_generator.make_token(rep.user)}/"
    client = Client()
    new = "a new passphrase, long enough"
    response = client.post(link, {"new_password1": new, "new_password2": new})
    assert response.status_code == 302
    assert client.session[BACKEND_SESSION_KEY] == BACKEND
    assert client.session[SESSION_KEY] == str(rep.user.pk)
    assert client.get("/kpis/").status_code == 200


# -- the session row -----------------------------------------------------------------------


def test_the_session_engine_is_charters(db: Any) -> None:
    assert settings.SESSION_ENGINE == "charter.accounts.sessions"


def test_a_live_session_loads_its_data(db: Any) -> None:
    store = SessionStore()
    store["colour"] = "teal"
    store.save()
    key = store.session_key

    again = SessionStore(session_key=key)
    assert again.load() == {"colour": "teal"}
    assert again.session_key == key


def test_an_expired_session_loads_empty_and_forgets_its_key(db: Any) -> None:
    store = SessionStore()
    store["colour"] = "teal"
    store.save()
    key = store.session_key
    # One second past its expiry; a session one second short of it still loads.
    Session.objects.filter(pk=key).update(expire_date=timezone.now() + dt.timedelta(seconds=1))
    assert SessionStore(session_key=key).load() == {"colour": "teal"}
    Session.objects.filter(pk=key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))

    expired = SessionStore(session_key=key)
    assert expired.load() == {}
    assert expired.session_key is None
    # Saving starts a new session rather than bringing the expired one back.
    expired["colour"] = "red"
    expired.save()
    assert expired.session_key not in (None, key)


def test_a_bogus_session_key_loads_empty(db: Any) -> None:
    for key in ("nosuchsessionkeyatallhere12345678", "short", ""):
        store = SessionStore(session_key=key)
        assert store.load() == {}
        assert store.session_key is None


def test_a_request_with_an_expired_session_cookie_is_signed_out(rep: Person) -> None:
    client = client_for(rep)
    assert client.get("/kpis/").status_code == 200
    key = client.session.session_key
    Session.objects.filter(pk=key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))

    response = client.get("/kpis/")
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=/kpis/"


def stored_session(**data: Any) -> str:
    store = SessionStore()
    store.update(data)
    store.save()
    assert store.session_key is not None
    return store.session_key


def test_a_session_deleted_elsewhere_ends_at_once(rep: Person) -> None:
    client = client_for(rep)
    for _ in range(2):
        assert client.get("/kpis/").status_code == 200
    # Signed out in another process: its row is gone.
    Session.objects.filter(pk=client.session.session_key).delete()
    response = client.get("/kpis/")
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=/kpis/"


def test_a_password_changed_elsewhere_signs_the_session_out(rep: Person) -> None:
    assert rep.user is not None
    client = client_for(rep)
    for _ in range(2):
        assert client.get("/kpis/").status_code == 200
    user = User.objects.get(pk=rep.user.pk)
    user.set_password("another passphrase entirely")
    user.save(update_fields=["password"])
    response = client.get("/kpis/")
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=/kpis/"


def test_tampered_session_text_loads_empty(db: Any) -> None:
    key = stored_session(colour="teal")
    assert SessionStore(session_key=key).load() == {"colour": "teal"}
    text = Session.objects.get(pk=key).session_data
    payload, signature = text.rsplit(":", 1)
    forged = payload + ":" + ("A" if signature[0] != "A" else "B") + signature[1:]
    Session.objects.filter(pk=key).update(session_data=forged)
    assert SessionStore(session_key=key).load() == {}


# -- the session, then its user ------------------------------------------------------------


def test_a_signed_in_request_reads_its_session_then_its_user_person_and_org(
    rep: Person,
) -> None:
    client = client_for(rep)
    key = client.session.session_key
    assert rep.user is not None
    assert Session.objects.get(pk=key).user_id == rep.user.pk

    request = RequestFactory().get("/")
    request.session = SessionStore(session_key=key)
    AuthenticationMiddleware(lambda r: HttpResponse()).process_request(request)
    with CaptureQueriesContext(connection) as queries:
        user = request.user
        assert user.pk == rep.user.pk
        assert user.person.full_name == "Rick Rep"
        assert user.person.org.name == "Acme Demo Co"
    assert len(queries) == 2
    assert "session_data" in queries[0]["sql"]


def signed_in_user(key: str | None) -> Any:
    request = RequestFactory().get("/")
    request.session = SessionStore(session_key=key)
    AuthenticationMiddleware(lambda r: HttpResponse()).process_request(request)
    return request.user


def test_the_user_is_the_one_the_signed_text_names_whatever_the_column_says(
    rep: Person, manager: Person
) -> None:
    assert rep.user is not None
    assert manager.user is not None
    key = client_for(rep).session.session_key
    # The column pointed at someone else (by hand in the database): the signed text decides.
    Session.objects.filter(pk=key).update(user=manager.user)
    user = signed_in_user(key)
    assert user.pk == rep.user.pk
    assert user.person.pk == rep.pk
    # An empty column (a session carried over from Django's table) signs in just the same.
    Session.objects.filter(pk=key).update(user=None)
    assert signed_in_user(key).pk == rep.user.pk


def test_a_password_changed_elsewhere_signs_out_and_ends_the_session(rep: Person) -> None:
    assert rep.user is not None
    key = client_for(rep).session.session_key
    assert signed_in_user(key).is_authenticated
    User.objects.filter(pk=rep.user.pk).update(password="argon2$changed")
    assert not signed_in_user(key).is_authenticated
    # Django flushed the session whose password hash no longer matched.
    assert not Session.objects.filter(pk=key).exists()


def test_a_deactivated_user_is_nobody(rep: Person) -> None:
    assert rep.user is not None
    key = client_for(rep).session.session_key
    User.objects.filter(pk=rep.user.pk).update(is_active=False)
    assert not signed_in_user(key).is_authenticated


def test_the_column_follows_the_session_through_sign_in_and_out(rep: Person) -> None:
    assert rep.user is not None
    client = Client()
    client.get(LOGIN)
    response = client.post(LOGIN, {"username": rep.user.email, "password": PASSWORD})
    assert response.status_code == 302
    key = client.session.session_key
    assert Session.objects.get(pk=key).user_id == rep.user.pk
    client.post("/accounts/logout/")
    assert not Session.objects.filter(pk=key).exists()
    # A session that names nobody has nobody in its column.
    assert Session.objects.get(pk=stored_session(colour="teal")).user_id is None


def test_deleting_a_user_ends_their_sessions(rep: Person) -> None:
    assert rep.user is not None
    key = client_for(rep).session.session_key
    Person.objects.filter(pk=rep.pk).update(user=None)
    rep.user.delete()
    assert not Session.objects.filter(pk=key).exists()


def test_the_upgrade_carries_sessions_over_from_djangos_table(db: Any) -> None:
    migration = importlib.import_module("charter.accounts.migrations.0002_session")
    expires = timezone.now() + dt.timedelta(days=1)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE django_session (session_key varchar(40) PRIMARY KEY, "
            "session_data text NOT NULL, expire_date timestamp with time zone NOT NULL)"
        )
        cursor.execute(
            "INSERT INTO django_session VALUES (%s, %s, %s)",
            ["oldkey", "old text", connection.ops.adapt_datetimefield_value(expires)],
        )
    editor = SimpleNamespace(connection=connection)
    migration.carry_over_sessions(django_apps, editor)
    carried = Session.objects.get(pk="oldkey")
    assert (carried.session_data, carried.expire_date, carried.user_id) == (
        "old text",
        expires,
        None,
    )
    # Nothing is left in a table nothing reads.
    assert "django_session" not in connection.introspection.table_names()
