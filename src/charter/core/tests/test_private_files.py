"""The data folder, the database, the secret key and mail files are readable by Charter's own
account only: mail holds password-reset links, the database everything else."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from django.core.mail import EmailMessage

from charter.core.mail import PrivateFileEmailBackend
from charter.private import private_dir, private_file, write_private

START = """
import django
from django.core.mail import send_mail
from django.db import connection
django.setup()
with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE t (x integer)")
    cursor.execute("INSERT INTO t VALUES (1)")
    send_mail("Reset", "https://charter.example/reset/abc", "a@x.test", ["b@x.test"])
"""


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def start_charter(data_dir: Path) -> None:
    """Start the real settings in a fresh process with a permissive umask, as a server would."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "CHARTER_ENV_FILE": os.devnull,
        "DJANGO_SETTINGS_MODULE": "charter.settings",
        "DATA_DIR": str(data_dir),
        "HTTPS": "0",
    }
    code = f"import os; os.umask(0o022)\n{START}"
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=60)


def test_a_fresh_installation_keeps_its_files_private(tmp_path):
    data = tmp_path / "data"
    start_charter(data)

    assert mode(data) == 0o700
    assert mode(data / "secret_key") == 0o600
    database = data / "charter.sqlite3"
    assert mode(database) == 0o600
    for extra in ("charter.sqlite3-wal", "charter.sqlite3-shm"):
        if (data / extra).exists():
            assert mode(data / extra) == 0o600, extra
    assert mode(data / "mail") == 0o700
    messages = list((data / "mail").iterdir())
    assert messages
    assert "reset/abc" in messages[0].read_text()
    assert all(mode(m) == 0o600 for m in messages)


def test_an_older_installation_is_tightened_at_start(tmp_path):
    data = tmp_path / "data"
    (data / "mail").mkdir(parents=True)
    for name in ("secret_key", "charter.sqlite3"):
        (data / name).write_text("k" * 60 if name == "secret_key" else "")
        (data / name).chmod(0o644)
    data.chmod(0o755)
    (data / "mail").chmod(0o755)

    start_charter(data)

    assert mode(data) == 0o700
    assert mode(data / "secret_key") == 0o600
    assert (data / "secret_key").read_text() == "k" * 60
    assert mode(data / "charter.sqlite3") == 0o600
    assert mode(data / "mail") == 0o700


def test_the_file_mail_backend_writes_private_messages(tmp_path):
    folder = tmp_path / "mail"
    backend = PrivateFileEmailBackend(file_path=str(folder))
    message = EmailMessage("Reset", "https://charter.example/reset/xyz", "a@x.test", ["b@x.test"])
    assert backend.send_messages([message]) == 1

    assert mode(folder) == 0o700
    (written,) = folder.iterdir()
    assert mode(written) == 0o600
    assert "reset/xyz" in written.read_text()


def test_private_helpers_create_and_tighten(tmp_path):
    old_umask = os.umask(0)
    try:
        folder = private_dir(tmp_path / "a" / "b")
        assert mode(folder) == 0o700
        new = private_file(folder / "db")
        assert mode(new) == 0o600
        assert new.read_bytes() == b""
        loose = folder / "loose"
        loose.write_text("x")
        loose.chmod(0o666)
        private_file(loose)
        assert mode(loose) == 0o600
        assert loose.read_text() == "x"
        write_private(folder / "key", "secret")
        assert mode(folder / "key") == 0o600
        assert (folder / "key").read_text() == "secret"
    finally:
        os.umask(old_umask)
