"""Token authentication: which tokens open the API, and how far they reach."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from charter.accounts import services
from charter.accounts.models import ApiToken, User
from charter.api.tests.conftest import bearer, token_for
from charter.conftest import client_for
from charter.org.models import Person

ME = "/api/v1/me/"
PEOPLE = "/api/v1/people/"


def _names(response) -> set[str]:
    return {row["full_name"] for row in response.json()["results"]}


def test_a_valid_token_identifies_its_owner_and_records_its_use(rep):
    raw = token_for(rep)
    response = bearer(raw).get(ME)
    assert response.status_code == 200
    assert response.json()["full_name"] == "Rick Rep"
    assert response.json()["id"] == rep.pk
    assert ApiToken.objects.get().last_used_at is not None


def test_the_token_keyword_is_accepted_too(rep):
    client = bearer(None)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(rep)}")
    assert client.get(ME).status_code == 200


def test_no_token_is_refused_with_a_bearer_challenge(db):
    response = bearer(None).get(ME)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


def test_an_unknown_token_is_refused(rep):
    raw = token_for(rep)
    assert bearer(raw[:-1] + ("A" if raw[-1] != "A" else "B")).get(ME).status_code == 401
    assert bearer("chr_nonsense").get(PEOPLE).status_code == 401
    empty = bearer(None)
    empty.credentials(HTTP_AUTHORIZATION="Bearer ")
    assert empty.get(ME).status_code == 401


def test_a_revoked_token_is_refused(rep):
    raw = token_for(rep)
    services.api_token_revoke(token=ApiToken.objects.get(), actor=rep.user)
    response = bearer(raw).get(ME)
    assert response.status_code == 401
    assert "revoked or expired" in response.json()["detail"]


def test_an_expired_token_is_refused(rep):
    raw = token_for(rep)
    ApiToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert bearer(raw).get(ME).status_code == 401


def test_a_token_that_has_not_expired_yet_works(rep):
    _token, raw = services.api_token_create(
        user=rep.user, actor=rep.user, name="Soon", expires_in_days=1
    )
    assert bearer(raw).get(ME).status_code == 200


def test_the_token_of_a_deactivated_person_is_refused(admin, rep):
    raw = token_for(rep)
    rep.user.is_active = False
    rep.user.save(update_fields=["is_active"])
    assert bearer(raw).get(ME).status_code == 401


def test_a_login_without_a_person_is_forbidden(db):
    user = User.objects.create_user("ghost@acme.test", "a long enough password")
    _token, raw = services.api_token_create(user=user, actor=user, name="Ghost")
    assert bearer(raw).get(ME).status_code == 403
    assert bearer(raw).get(PEOPLE).status_code == 403


def test_a_read_only_token_reads_but_cannot_write(admin, teams):
    raw = token_for(admin, read_only=True)
    client = bearer(raw)
    assert client.get(PEOPLE).status_code == 200
    response = client.post(PEOPLE, {"full_name": "Should Not Exist"}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "This API token is read-only."
    assert client.patch(f"/api/v1/teams/{teams['east'].pk}/", {"name": "X"}).status_code == 403
    assert not Person.objects.filter(full_name="Should Not Exist").exists()
    teams["east"].refresh_from_db()
    assert teams["east"].name == "East"


def test_a_read_write_token_of_an_admin_can_write(admin):
    response = bearer(token_for(admin, read_only=False)).post(
        PEOPLE, {"full_name": "Wanda Write"}, format="json"
    )
    assert response.status_code == 201
    assert Person.objects.filter(full_name="Wanda Write").exists()


def test_a_reps_token_lists_only_the_rep(everyone):
    response = bearer(token_for(everyone["rep"])).get(PEOPLE)
    assert response.status_code == 200
    assert _names(response) == {"Rick Rep"}


def test_a_managers_token_lists_their_subtree(everyone):
    response = bearer(token_for(everyone["manager"])).get(PEOPLE)
    assert _names(response) == {"Mona Manager", "Rick Rep", "Rita Rep"}


def test_an_admins_token_lists_everyone(everyone):
    response = bearer(token_for(everyone["admin"])).get(PEOPLE)
    assert response.json()["count"] == len(everyone)


def test_raw_token_is_not_stored(rep):
    raw = token_for(rep)
    token = ApiToken.objects.get()
    assert raw not in {token.token_hash, token.prefix, token.name}
    assert token.token_hash == ApiToken.hash(raw)
    assert ApiToken.objects.filter(token_hash__contains=raw[-12:]).count() == 0
    assert raw.startswith(token.prefix + "_")
    assert len(token.prefix) == len("chr_") + 8


def test_a_signed_in_session_can_use_the_api(rep):
    response = client_for(rep).get(ME)
    assert response.status_code == 200
    assert response.json()["email"] == rep.email
