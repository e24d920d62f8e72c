"""API tokens on the profile page: create (shown once), list, revoke; stored only as SHA-256."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from charter.accounts import services
from charter.accounts.models import ApiToken
from charter.conftest import client_for
from charter.core.models import AuditEvent

PROFILE = "/accounts/profile/"
CREATE = "/accounts/profile/tokens/"
TOKEN_RE = re.compile(r"chr_[a-z0-9]{8}_[A-Za-z0-9_-]{43}")


def _revoke_url(token: ApiToken) -> str:
    return f"/accounts/profile/tokens/{token.pk}/revoke/"


def test_profile_shows_preferences_and_my_tokens_only(rep, rep2):
    mine, _ = services.api_token_create(user=rep.user, actor=rep.user, name="My script")
    services.api_token_create(user=rep2.user, actor=rep2.user, name="Rita's script")

    page = client_for(rep).get(PROFILE).content.decode()

    assert "Email notifications" in page
    assert "My script" in page
    assert f"{mine.prefix}…" in page
    assert "Rita" not in page.split('id="api-tokens"')[1]


def test_anonymous_is_sent_to_login_from_the_profile_and_token_pages(db):
    client = client_for(None)
    assert client.get(PROFILE)["Location"].startswith("/accounts/login/")
    assert client.post(CREATE, {"name": "x"})["Location"].startswith("/accounts/login/")
    assert not ApiToken.objects.exists()


def test_creating_a_token_shows_it_once_and_stores_only_its_hash(rep):
    client = client_for(rep)
    response = client.post(CREATE, {"name": "Export", "read_only": "on", "expires_in_days": "30"})

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    raw = TOKEN_RE.search(response.content.decode())
    assert raw is not None
    token = ApiToken.objects.get(user=rep.user)
    assert token.name == "Export"
    assert token.read_only is True
    assert raw.group(0).startswith(token.prefix + "_")
    assert token.token_hash == hashlib.sha256(raw.group(0).encode()).hexdigest()
    assert token.expires_at is not None
    assert token.expires_at - timezone.now() > dt.timedelta(days=29, hours=23)
    assert raw.group(0) not in client.get(PROFILE).content.decode()
    assert AuditEvent.objects.filter(action="accounts.token.created", actor=rep.user).exists()


def test_raw_token_is_nowhere_in_the_database(rep):
    token, raw = services.api_token_create(
        user=rep.user, actor=rep.user, name="Sync", read_only=False
    )
    # The secret is everything after the visible prefix: it may itself contain "_", so splitting
    # on the last one sometimes kept a single character and found it in the audit text.
    secret = raw.removeprefix(f"{token.prefix}_")
    assert len(secret) == 43
    for row in ApiToken.objects.values():
        assert all(secret not in str(value) for value in row.values())
    for event in AuditEvent.objects.all():
        assert secret not in f"{event.before} {event.after} {event.object_repr}"


def test_unchecked_read_only_makes_a_read_write_token(manager):
    client_for(manager).post(CREATE, {"name": "CRM sync"})
    assert ApiToken.objects.get(user=manager.user).read_only is False


def test_executive_can_only_create_read_only_tokens(executive):
    response = client_for(executive).post(CREATE, {"name": "Board pack"})
    assert response.status_code == 200
    assert ApiToken.objects.get(user=executive.user).read_only is True
    with pytest.raises(ValidationError):
        services.api_token_create(
            user=executive.user, actor=executive.user, name="Writer", read_only=False
        )
    assert ApiToken.objects.filter(user=executive.user).count() == 1


def test_bad_token_input_shows_errors_and_creates_nothing(rep):
    client = client_for(rep)
    response = client.post(CREATE, {"name": "   ", "expires_in_days": "0"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "This field is required." in page or "Give the token a name" in page
    assert "greater than or equal to 1" in page
    assert not ApiToken.objects.exists()


def test_a_create_form_posted_twice_makes_one_token(rep):
    client = client_for(rep)
    client.post(CREATE, {"name": "Export"})
    response = client.post(CREATE, {"name": "Export"})
    assert "already have an active token called" in response.content.decode()
    assert ApiToken.objects.filter(user=rep.user).count() == 1


def test_htmx_create_answers_with_the_token_card_only(rep):
    response = client_for(rep).post(CREATE, {"name": "Export"}, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert page.lstrip().startswith("<section") or 'id="api-tokens"' in page[:400]
    assert "<html" not in page
    assert TOKEN_RE.search(page)


def test_revoking_a_token_stops_it_and_is_audited(rep):
    token, _ = services.api_token_create(user=rep.user, actor=rep.user, name="Old")
    response = client_for(rep).post(_revoke_url(token))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert not ApiToken.objects.active().filter(pk=token.pk).exists()
    event = AuditEvent.objects.get(action="accounts.token.revoked")
    assert event.actor == rep.user
    assert event.before is not None
    assert event.before["revoked_at"] is None
    page = client_for(rep).get(PROFILE).content.decode()
    assert "Revoked" in page


def test_revoking_twice_changes_nothing_more(rep):
    token, _ = services.api_token_create(user=rep.user, actor=rep.user, name="Old")
    client = client_for(rep)
    client.post(_revoke_url(token))
    token.refresh_from_db()
    first = token.revoked_at
    client.post(_revoke_url(token))
    token.refresh_from_db()
    assert token.revoked_at == first
    assert AuditEvent.objects.filter(action="accounts.token.revoked").count() == 1


def test_nobody_can_revoke_someone_elses_token(rep, admin):
    token, _ = services.api_token_create(user=rep.user, actor=rep.user, name="Mine")
    assert client_for(admin).post(_revoke_url(token)).status_code == 404
    assert client_for(None).post(_revoke_url(token)).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoke_refuses_get(rep):
    token, _ = services.api_token_create(user=rep.user, actor=rep.user, name="Mine")
    assert client_for(rep).get(_revoke_url(token)).status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


def test_expired_and_revoked_tokens_are_listed_with_their_state(rep):
    old, _ = services.api_token_create(
        user=rep.user, actor=rep.user, name="Lapsed", expires_in_days=1
    )
    ApiToken.objects.filter(pk=old.pk).update(expires_at=timezone.now() - dt.timedelta(days=1))
    gone, _ = services.api_token_create(user=rep.user, actor=rep.user, name="Gone")
    services.api_token_revoke(token=gone, actor=rep.user)
    page = client_for(rep).get(PROFILE).content.decode()
    assert "Expired" in page
    assert "Revoked" in page


def test_token_expiry_must_be_sensible(rep):
    with pytest.raises(ValidationError) as exc:
        services.api_token_create(user=rep.user, actor=rep.user, name="X", expires_in_days=99999)
    assert "expires_in_days" in exc.value.message_dict


def test_active_tokens_are_capped(rep):
    for number in range(services.TOKEN_MAX_ACTIVE):
        services.api_token_create(user=rep.user, actor=rep.user, name=f"T{number}")
    with pytest.raises(ValidationError, match="revoke one"):
        services.api_token_create(user=rep.user, actor=rep.user, name="One too many")
