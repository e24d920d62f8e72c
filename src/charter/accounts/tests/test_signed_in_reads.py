"""What every signed-in request reads first, in plain SQL: the session row
(`accounts.sessions`), then the user with their person and organization in one statement
(`accounts.backends.UserBackend`). Each must give what Django's own reads give, typed the same.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.models import Session
from django.db.models import Model
from django.db.models.signals import post_init
from django.test import Client
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from charter.accounts import sessions
from charter.accounts.backends import UserBackend
from charter.accounts.models import User
from charter.accounts.sessions import SessionStore
from charter.conftest import PASSWORD, client_for
from charter.core import rows
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
