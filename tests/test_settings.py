"""Settings come from the environment; each case runs in a fresh process, as a server would."""

from __future__ import annotations

import json
import re
import secrets
import subprocess
import sys
from pathlib import Path

from tests.helpers import ROOT, clean_env

SETTINGS_SOURCE = ROOT / "src" / "charter" / "settings.py"
SHOWN = [
    "DEBUG",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "ALLOWED_HOSTS",
    "SECRET_KEY",
]


def production_env(tmp_path: Path) -> dict[str, str]:
    """The least a production server sets; everything else keeps its default."""
    return clean_env(
        tmp_path / "data",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="charter.example.com",
    )


def settings_in(env: dict[str, str], cwd: Path = ROOT) -> dict:
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{k: getattr(settings, k) for k in {SHOWN!r}}}, default=str))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_settings_pass_check_deploy_without_a_single_warning(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=production_env(tmp_path),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output
    assert "WARNING" not in output


def test_production_defaults_to_secure_cookies_https_redirect_and_hsts(tmp_path):
    values = settings_in(production_env(tmp_path))

    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31536000


def test_make_run_settings_serve_the_demo_over_plain_http(tmp_path):
    # `make run` sets HTTPS=0: secure-only cookies would never come back over http://.
    values = settings_in(clean_env(tmp_path / "data", DEBUG="0", HTTPS="0"))

    assert values["SESSION_COOKIE_SECURE"] is False
    assert values["CSRF_COOKIE_SECURE"] is False
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_HSTS_SECONDS"] == 0
    assert "127.0.0.1" in values["ALLOWED_HOSTS"]


def test_without_a_secret_key_one_is_generated_once_and_kept_private(tmp_path):
    env = clean_env(tmp_path / "data")

    first = settings_in(env)["SECRET_KEY"]
    second = settings_in(env)["SECRET_KEY"]

    key_file = tmp_path / "data" / "secret_key"
    assert first == second == key_file.read_text().strip()
    assert len(first) >= 50
    assert key_file.stat().st_mode & 0o777 == 0o600


def test_a_dot_env_file_fills_in_what_the_environment_does_not_set(tmp_path):
    (tmp_path / ".env").write_text(
        "# comment\nexport ALLOWED_HOSTS=from-dotenv.example\nDEBUG='1'\nHTTPS=0\n"
    )
    env = clean_env(tmp_path / "data", DEBUG="0")
    del env["CHARTER_ENV_FILE"]

    values = settings_in(env, cwd=tmp_path)

    assert values["ALLOWED_HOSTS"] == ["from-dotenv.example"]
    assert values["DEBUG"] is False  # the real environment wins


def test_a_bad_setting_stops_start_up_with_a_message_naming_it(tmp_path):
    for name, value, message in [
        ("SECRET_KEY", "short", "SECRET_KEY must be at least 50 characters"),
        ("HTTPS", "maybe", "HTTPS='maybe': expected one of"),
        ("TICK_INTERVAL_SECONDS", "0", "TICK_INTERVAL_SECONDS=0: expected 1 or more"),
        ("TASKS_BACKEND", "redis", "TASKS_BACKEND='redis'"),
    ]:
        result = subprocess.run(
            [sys.executable, "-c", "import django; django.setup()"],
            env=clean_env(tmp_path / "data", **{name: value}),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode != 0, name
        assert message in result.stderr, result.stderr


def test_env_example_documents_every_setting_read_from_the_environment():
    source = SETTINGS_SOURCE.read_text()
    names = set(re.findall(r'env_(?:str|bool|int|list)\(\s*"([A-Z_]+)"', source))
    names |= set(re.findall(r'os\.environ\.get\("([A-Z_]+)"', source))
    example = (ROOT / ".env.example").read_text()

    assert len(names) > 20  # the pattern still finds the settings
    undocumented = sorted(n for n in names if not re.search(rf"\b{n}\b", example))
    assert undocumented == []
