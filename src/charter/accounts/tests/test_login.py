"""Signing in and out: the real login form, lockout after repeated failures, argon2, cookies."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client, override_settings

import charter
import charter.settings as production_settings
from charter.accounts.models import User
from charter.conftest import PASSWORD, client_for

LOGIN = "/accounts/login/"


def _post_login(client: Client, email: str, password: str):
    return client.post(LOGIN, {"username": email, "password": password})


def test_login_page_signs_a_person_in(rep):
    client = Client()
    response = _post_login(client, rep.email, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session[SESSION_KEY] == str(rep.user.pk)


def test_login_ignores_case_and_spaces_in_the_email(rep):
    client = Client()
    response = _post_login(client, f"  {rep.email.upper()} ", PASSWORD)
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(rep.user.pk)


def test_wrong_password_shows_the_form_again_without_signing_in(rep):
    client = Client()
    response = _post_login(client, rep.email, "not the password")
    assert response.status_code == 200
    assert "enter a correct" in response.content.decode().lower()
    assert SESSION_KEY not in client.session


def test_five_failures_lock_the_account_even_against_the_right_password(rep):
    client = Client()
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        response = _post_login(client, rep.email, f"wrong {attempt}")
        assert response.status_code == 200, attempt
        assert "Sign in to Charter" in response.content.decode()
    _post_login(client, rep.email, "wrong again")

    response = _post_login(client, rep.email, PASSWORD)

    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()
    assert SESSION_KEY not in client.session
    assert client_for(None).get("/").status_code == 302


def test_lockout_counts_case_variants_of_one_address_together(rep):
    client = Client()
    variants = [rep.email, rep.email.upper(), rep.email.title(), f" {rep.email}", rep.email]
    for variant in variants[: settings.AXES_FAILURE_LIMIT]:
        _post_login(client, variant, "wrong")

    response = _post_login(client, rep.email.upper(), PASSWORD)

    assert response.status_code == 429
    assert SESSION_KEY not in client.session


def test_lockout_of_one_person_leaves_another_free(rep, rep2):
    attacker = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        _post_login(attacker, rep.email, "wrong")

    other = Client()
    response = _post_login(other, rep2.email, PASSWORD)

    assert response.status_code == 302
    assert other.session[SESSION_KEY] == str(rep2.user.pk)


def test_a_successful_sign_in_clears_earlier_failures(rep):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _post_login(client, rep.email, "wrong")
    assert _post_login(client, rep.email, PASSWORD).status_code == 302
    client.post("/accounts/logout/")

    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _post_login(client, rep.email, "wrong")
    response = _post_login(client, rep.email, PASSWORD)

    assert response.status_code == 302


def test_deactivated_person_cannot_sign_in(rep):
    rep.user.is_active = False
    rep.user.save(update_fields=["is_active"])
    client = Client()
    response = _post_login(client, rep.email, PASSWORD)
    assert response.status_code == 200
    assert SESSION_KEY not in client.session


def test_logout_refuses_get_and_keeps_the_session(rep):
    client = client_for(rep)
    response = client.get("/accounts/logout/")
    assert response.status_code == 405
    assert client.get("/").status_code == 200


def test_logout_by_post_ends_the_session(rep):
    client = client_for(rep)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert SESSION_KEY not in client.session
    assert client.get("/").status_code == 302


def test_production_settings_hash_passwords_with_argon2():
    assert production_settings.PASSWORD_HASHERS[0] == (
        "django.contrib.auth.hashers.Argon2PasswordHasher"
    )


@pytest.mark.django_db
def test_a_new_password_is_stored_as_an_argon2_hash():
    with override_settings(PASSWORD_HASHERS=production_settings.PASSWORD_HASHERS):
        user = User.objects.create_user("new.person@acme.test", PASSWORD)
        user.refresh_from_db()
        assert user.password.startswith("argon2$")
        assert user.check_password(PASSWORD)


def test_production_settings_keep_cookies_secure_and_mail_in_files(tmp_path):
    """Read `charter.settings` in a clean process, as a production deployment would."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(Path(charter.__file__).resolve().parents[1]),
        "CHARTER_ENV_FILE": os.devnull,
        "DATA_DIR": str(tmp_path),
        "SECRET_KEY": "x" * 60,
        "DJANGO_SETTINGS_MODULE": "charter.settings",
    }
    script = (
        "import json, charter.settings as s; print(json.dumps({k: str(getattr(s, k)) for k in "
        "['SESSION_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', 'CSRF_COOKIE_SECURE', "
        "'SESSION_COOKIE_SAMESITE', 'DEBUG', 'EMAIL_BACKEND', 'EMAIL_FILE_PATH']}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    values = json.loads(out.stdout.strip().splitlines()[-1])
    assert values["DEBUG"] == "False"
    assert values["SESSION_COOKIE_SECURE"] == "True"
    assert values["CSRF_COOKIE_SECURE"] == "True"
    assert values["SESSION_COOKIE_HTTPONLY"] == "True"
    assert values["SESSION_COOKIE_SAMESITE"] == "Lax"
    # Django's file backend, writing private files (core.mail).
    assert values["EMAIL_BACKEND"] == "charter.core.mail.PrivateFileEmailBackend"
    assert values["EMAIL_FILE_PATH"] == str(tmp_path.resolve() / "mail")
