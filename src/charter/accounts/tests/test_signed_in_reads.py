"""What every signed-in request reads first, in plain SQL: the session row
(`accounts.sessions`), then the user with their person and organization in one statement
(`accounts.backends.UserBackend`). Each must give what Django's own reads give, typed the same.
"""

from __future__ import annotations

import datetime as dt
import importlib
import sqlite3
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.tokens import default_token_generator
from django.db import connection, transaction
from django.db.models import Model
from django.db.models.signals import post_init
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from charter.accounts import sessions
from charter.accounts.backends import UserBackend
from charter.accounts.middleware import AuthenticationMiddleware
from charter.accounts.models import Session, User
from charter.accounts.sessions import SessionStore
from charter.conftest import PASSWORD, client_for
from charter.core import rows
from charter.core.commits import CommitWatch
from charter.core.models import AuditEvent
from charter.kpis import cache as kpis_cache
from charter.kpis.models import ScorecardSettings
from charter.org.access import person_of
from charter.org.models import Organization, Person

BACKEND = "charter.accounts.backends.UserBackend"
LOGIN = "/accounts/login/"


def assert_same_fields(loaded: Model, orm: Model) -> None:
    """Every stored field equal to what the ORM reads, and of the same type (1 == True, so
    equality alone would let an unconverted SQLite boolean through)."""
    for field in type(orm)._meta.concrete_fields:
        mine, theirs = getattr(loaded, field.attname), getattr(orm, field.attname)
        assert mine == theirs, field.name
        assert type(mine) is type(theirs), field.name


# -- the user, their person and their organization -----------------------------------------


def test_get_user_reads_user_person_and_org_in_one_query(
    rep: Person, django_assert_num_queries: Any
) -> None:
    assert rep.user is not None
    with django_assert_num_queries(1):
        user = UserBackend().get_user(rep.user.pk)
        person = user.person
        assert person.full_name == "Rick Rep"
        assert person.org.name == "Acme Demo Co"
        assert person.user is user
        assert person_of(user) is person


def test_get_user_gives_what_the_orm_gives_field_by_field(rep: Person) -> None:
    assert rep.user is not None
    # Signing in through the form sets last_login, so no datetime field is left empty.
    assert Client().post(LOGIN, {"username": rep.email, "password": PASSWORD}).status_code == 302
    Person.objects.filter(pk=rep.pk).update(
        title="Account Executive", start_date=dt.date(2022, 3, 14)
    )
    Organization.objects.filter(pk=rep.org_id).update(
        fiscal_year_start_month=4, reporting_currency="EUR", time_zone="Europe/Berlin"
    )

    user = UserBackend().get_user(str(rep.user.pk))  # the session holds the id as text

    orm = User.objects.select_related("person__org").get(pk=rep.user.pk)
    assert_same_fields(user, orm)
    assert_same_fields(user.person, orm.person)
    assert_same_fields(user.person.org, orm.person.org)
    assert user.is_active is True
    assert user.is_superuser is False
    assert timezone.is_aware(user.date_joined)
    assert user.last_login is not None
    assert timezone.is_aware(user.last_login)
    assert user.person.start_date == dt.date(2022, 3, 14)
    assert user.person.org.reporting_currency == "EUR"
    # Loaded from the database, so saving updates the row rather than inserting one.
    assert user._state.adding is False
    assert user.person._state.adding is False


def test_the_three_are_built_without_model_init_yet_behave_as_loaded(
    rep: Person, django_assert_num_queries: Any
) -> None:
    other = Organization.objects.create(name="Other Co")
    for model in (User, Person, Organization):
        assert rows._plan(model, "default").plain, model
    assert rep.user is not None
    user = UserBackend().get_user(rep.user.pk)
    person = user.person
    assert person.get_deferred_fields() == set()
    assert person._state.db == "default"
    # Setting a foreign key's id forgets the object cached for the old one.
    person.org_id = other.pk
    with django_assert_num_queries(1):
        assert person.org.name == "Other Co"
    # Saving updates the row it came from.
    person.org_id = rep.org_id
    person.title = "Senior Account Executive"
    person.save(update_fields=["title"])
    assert Person.objects.get(pk=rep.pk).title == "Senior Account Executive"
    person.refresh_from_db()
    assert person.title == "Senior Account Executive"


def test_a_model_with_init_signal_receivers_is_built_through_its_init(rep: Person) -> None:
    assert rep.user is not None
    seen: list[Model] = []

    def receiver(sender: Any, instance: Model, **kwargs: Any) -> None:
        seen.append(instance)

    post_init.connect(receiver, sender=Organization, weak=False)
    try:
        user = UserBackend().get_user(rep.user.pk)
    finally:
        post_init.disconnect(receiver, sender=Organization)
    assert seen == [user.person.org]
    orm = User.objects.select_related("person__org").get(pk=rep.user.pk)
    assert_same_fields(user.person.org, orm.person.org)
    assert user.person.org._state.adding is False


def test_the_organization_comes_with_its_scorecard_data_version(
    rep: Person, django_assert_num_queries: Any
) -> None:
    assert rep.user is not None
    # No scorecard settings row: version 0, as `kpis.cache.data_version` says.
    ScorecardSettings.objects.filter(org_id=rep.org_id).delete()
    org = UserBackend().get_user(rep.user.pk).person.org
    with django_assert_num_queries(0):  # read with the user
        assert kpis_cache._version_of(org) == 0
    assert kpis_cache.data_version(rep.org_id) == 0

    for expected in (1, 2):
        kpis_cache.changed(rep.org_id)
        org = UserBackend().get_user(rep.user.pk).person.org
        with django_assert_num_queries(0):
            assert kpis_cache._version_of(org) == expected
        assert kpis_cache.data_version(rep.org_id) == expected


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


# -- the session's decoding, reused --------------------------------------------------------


def stored_session(**data: Any) -> str:
    store = SessionStore()
    store.update(data)
    store.save()
    assert store.session_key is not None
    return store.session_key


def test_each_load_of_one_session_gets_its_own_copy(db: Any) -> None:
    key = stored_session(colour="teal", recent=[1, 2])
    first = SessionStore(session_key=key).load()
    hits = sessions._verified.cache_info().hits
    second = SessionStore(session_key=key).load()
    # Decoded once: the second load reused it ...
    assert sessions._verified.cache_info().hits == hits + 1
    assert second == first == {"colour": "teal", "recent": [1, 2]}
    # ... yet what one request does to its session, even inside a list, is its own.
    first["colour"] = "red"
    first["recent"].append(3)
    assert SessionStore(session_key=key).load() == {"colour": "teal", "recent": [1, 2]}


def test_a_session_deleted_elsewhere_ends_at_once_after_its_text_was_decoded(rep: Person) -> None:
    client = client_for(rep)
    for _ in range(2):  # the second time from the reused decoding
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


def test_text_decoded_under_one_secret_key_is_not_reused_under_another(
    db: Any, settings: Any
) -> None:
    key = stored_session(colour="teal")
    assert SessionStore(session_key=key).load() == {"colour": "teal"}
    old = settings.SECRET_KEY
    settings.SECRET_KEY = "another secret key, long enough to be a real one " * 2
    assert SessionStore(session_key=key).load() == {}
    # Signed with a key that is still accepted, as Django's own decoding would have it.
    settings.SECRET_KEY_FALLBACKS = [old]
    assert SessionStore(session_key=key).load() == {"colour": "teal"}


# -- the session and its user in one statement ---------------------------------------------


def test_a_signed_in_request_reads_session_user_person_and_org_in_one_statement(
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
    assert len(queries) == 1
    assert "session_data" in queries[0]["sql"]
    assert_same_fields(user, User.objects.get(pk=rep.user.pk))
    assert_same_fields(user.person, Person.objects.get(pk=rep.pk))


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
    # The column pointed at someone else (by hand in the database): the signed text decides,
    # and its user is read on its own.
    Session.objects.filter(pk=key).update(user=manager.user)
    with CaptureQueriesContext(connection) as queries:
        user = signed_in_user(key)
        assert user.pk == rep.user.pk
        assert user.person.pk == rep.pk
    assert len(queries) == 2
    # An empty column (a session carried over from Django's table) reads the user on its own.
    Session.objects.filter(pk=key).update(user=None)
    with CaptureQueriesContext(connection) as queries:
        assert signed_in_user(key).pk == rep.user.pk
    assert len(queries) == 2


def test_a_password_changed_elsewhere_still_signs_out_with_the_joined_read(rep: Person) -> None:
    assert rep.user is not None
    key = client_for(rep).session.session_key
    assert signed_in_user(key).is_authenticated
    User.objects.filter(pk=rep.user.pk).update(password="argon2$changed")
    assert not signed_in_user(key).is_authenticated
    # Django flushed the session whose password hash no longer matched.
    assert not Session.objects.filter(pk=key).exists()


def test_a_deactivated_user_is_nobody_with_the_joined_read(rep: Person) -> None:
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


# -- the read reused while nothing is committed --------------------------------------------


@pytest.fixture
def stand_in(tmp_path: Any, monkeypatch: Any) -> Any:
    """A SQLite database in WAL mode whose commit header stands in for Charter's (the test
    database lives in memory and has none): committing to it is what any write to Charter's
    database does to the header."""
    path = tmp_path / "stand-in.sqlite3"
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("PRAGMA journal_mode=WAL")
    other.execute("CREATE TABLE t (x INTEGER)")
    watch = CommitWatch(path)
    monkeypatch.setattr(sessions, "watch_for", lambda connection: watch)
    sessions._reads.clear()
    yield other
    sessions._reads.clear()
    watch.close()
    other.close()


def signed_in_key(rep: Person) -> str | None:
    key = client_for(rep).session.session_key
    # Signing in wrote to Charter's database, which the stand-in's header does not see: what
    # a commit to it would do.
    sessions._reads.clear()
    return key


def queries_to_sign_in(key: str | None) -> tuple[Any, int]:
    with CaptureQueriesContext(connection) as queries:
        user = signed_in_user(key)
        assert user.is_authenticated
        assert user.person.org.name == "Acme Demo Co"
    return user._wrapped, len(queries)


def test_a_session_read_is_reused_until_anything_is_committed(
    transactional_db: Any, rep: Person, stand_in: Any
) -> None:
    assert rep.user is not None
    key = signed_in_key(rep)
    first, statements = queries_to_sign_in(key)
    assert statements == 1
    again, statements = queries_to_sign_in(key)
    assert statements == 0
    assert again.pk == first.pk == rep.user.pk
    assert_same_fields(again, first)
    assert_same_fields(again.person, first.person)
    # Each request gets instances of its own.
    assert again is not first
    assert again.person is not first.person
    again.person.full_name = "Changed here only"
    assert queries_to_sign_in(key)[0].person.full_name == "Rick Rep"
    # Any commit, anywhere: read afresh.
    stand_in.execute("INSERT INTO t VALUES (1)")
    assert queries_to_sign_in(key)[1] == 1
    assert queries_to_sign_in(key)[1] == 0


def test_an_expiry_that_passes_without_a_commit_still_signs_out(
    transactional_db: Any, rep: Person, stand_in: Any, monkeypatch: Any
) -> None:
    key = signed_in_key(rep)
    assert queries_to_sign_in(key)[1] == 1
    expires = Session.objects.get(pk=key).expire_date
    monkeypatch.setattr(sessions.timezone, "now", lambda: expires + dt.timedelta(seconds=1))
    with CaptureQueriesContext(connection) as queries:
        assert not signed_in_user(key).is_authenticated
    assert len(queries) == 1


def test_a_read_inside_a_transaction_is_never_reused(
    transactional_db: Any, rep: Person, stand_in: Any
) -> None:
    key = signed_in_key(rep)
    with transaction.atomic():
        assert queries_to_sign_in(key)[1] == 1
        assert queries_to_sign_in(key)[1] == 1
    assert not sessions._reads


# -- what the signed-in read works out once -------------------------------------------------


def test_the_session_hash_is_djangos_for_every_key_and_follows_the_password(rep: Person) -> None:
    user = rep.user
    assert user is not None
    djangos = AbstractBaseUser._get_session_auth_hash  # type: ignore[attr-defined]
    assert user.get_session_auth_hash() == djangos(user)
    assert user._get_session_auth_hash(secret="an old key") == djangos(user, secret="an old key")
    before = user.get_session_auth_hash()
    user.set_password("another-long-password-42")
    assert user.get_session_auth_hash() != before
    assert user.get_session_auth_hash() == djangos(user)


def test_remembered_conversions_are_only_for_immutable_values() -> None:
    assert rows._plan(User, "default").memo
    assert rows._plan(Person, "default").memo
    # An audit event's before/after are JSON: dicts an instance could change for the others.
    assert not rows._plan(AuditEvent, "default").memo
