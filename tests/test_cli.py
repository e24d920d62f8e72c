"""The `charter` command as an operator runs it: a real process, configured by the environment."""

from __future__ import annotations

import gzip
import http.cookiejar
import json
import re
import shutil
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from charter.conftest import wait_for
from charter.core.backup import write_backup
from charter.org.models import Person
from tests.helpers import Running, charter, clean_env, query, sqlite_url

ADMIN_PASSWORD = "a long admin passphrase 42"


@pytest.fixture(scope="module")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("template")
    db = folder / "charter.sqlite3"
    charter(
        "migrate",
        "--no-input",
        "-v",
        "0",
        env=clean_env(folder / "data", DATABASE_URL=sqlite_url(db)),
    )
    return db


@pytest.fixture
def migrated(tmp_path: Path, migrated_template: Path) -> tuple[Path, dict[str, str]]:
    """A freshly migrated SQLite file of this test's own (copied: migrating takes seconds)."""
    db = tmp_path / "charter.sqlite3"
    shutil.copyfile(migrated_template, db)
    return db, clean_env(tmp_path / "data", DATABASE_URL=sqlite_url(db))


@pytest.fixture(scope="module")
def admin_template(
    tmp_path_factory: pytest.TempPathFactory, migrated_template: Path
) -> tuple[Path, str]:
    """A migrated database in which `charter createadmin` made Ann Admin of Acme."""
    folder = tmp_path_factory.mktemp("admin")
    db = folder / "charter.sqlite3"
    shutil.copyfile(migrated_template, db)
    result = charter(
        "createadmin",
        *("--email", "Ann@Example.com", "--name", "Ann Admin", "--org", "Acme"),
        *("--password", ADMIN_PASSWORD),
        env=clean_env(folder / "data", DATABASE_URL=sqlite_url(db)),
    )
    return db, result.stdout


@pytest.fixture
def with_admin(tmp_path: Path, admin_template: tuple[Path, str]) -> tuple[Path, dict[str, str]]:
    db = tmp_path / "charter.sqlite3"
    shutil.copyfile(admin_template[0], db)
    return db, clean_env(tmp_path / "data", DATABASE_URL=sqlite_url(db))


def test_charter_help_lists_every_admin_command(tmp_path):
    result = charter("--help", env=clean_env(tmp_path))

    for command in ["serve", "worker", "tick", "migrate", "demo", "createadmin", "backup"]:
        assert re.search(rf"^  {command} +\S", result.stdout, re.MULTILINE), command
    assert "restore" in result.stdout


@pytest.mark.parametrize(
    ("command", "words"),
    [
        ("serve", "--threads"),
        ("worker", "--batch"),
        ("tick", "periodic job"),
        ("demo", "--reset"),
        ("createadmin", "--email"),
        ("backup", "gzip"),
        ("restore", "--force"),
    ],
)
def test_every_charter_command_explains_itself(command, words):
    from django.core.management import get_commands, load_command_class

    parser = load_command_class(get_commands()[command], command).create_parser("charter", command)
    text = parser.format_help()

    assert f"usage: charter {command}" in text
    assert words in " ".join(text.split())


def test_charter_migrates_into_the_database_named_by_database_url(tmp_path):
    db = tmp_path / "elsewhere" / "x.sqlite3"
    data_dir = tmp_path / "data"
    env = clean_env(data_dir, DATABASE_URL=sqlite_url(db))

    charter("migrate", "--no-input", "-v", "0", env=env)

    tables = {name for (name,) in query(db, "SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"org_person", "core_auditevent", "django_tasks_database_dbtaskresult"} <= tables
    assert query(db, "PRAGMA journal_mode") == [("wal",)]
    assert not (data_dir / "charter.sqlite3").exists()


def test_a_sqlite_url_with_three_slashes_is_relative_to_the_working_directory(tmp_path):
    env = clean_env(tmp_path / "data", DATABASE_URL="sqlite:///tmp/x.sqlite3")

    charter("migrate", "--plan", env=env, cwd=tmp_path)

    assert (tmp_path / "tmp" / "x.sqlite3").exists()


def test_without_database_url_charter_uses_sqlite_in_the_data_folder(tmp_path):
    data_dir = tmp_path / "data"

    result = charter("migrate", "--plan", env=clean_env(data_dir))

    assert "org.0001_initial" in result.stdout
    assert (data_dir / "charter.sqlite3").exists()


def test_createadmin_creates_an_audited_admin_with_a_login(admin_template):
    db, output = admin_template

    assert "Ann Admin <ann@example.com> is an admin of Acme and can sign in." in output
    assert query(db, "SELECT full_name, role, user_id IS NOT NULL FROM org_person") == [
        ("Ann Admin", "admin", 1)
    ]
    assert query(db, "SELECT email FROM accounts_user") == [("ann@example.com",)]
    actions = {a for (a,) in query(db, "SELECT action FROM core_auditevent")}
    assert {"org.organization.created", "org.person.created", "org.person.login_created"} <= (
        actions
    )


def test_createadmin_asks_for_what_is_missing_in_a_terminal(db, monkeypatch, capsys):
    answers = iter(["Initech", "peter@initech.test", "Peter Gibbons"])
    passwords = iter(
        ["first try 1234", "typo", "a long admin passphrase", "a long admin passphrase"]
    )
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: next(answers))
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(passwords))

    call_command("createadmin")

    peter = Person.objects.select_related("user", "org").get()
    assert (peter.full_name, peter.email, peter.role) == (
        "Peter Gibbons",
        "peter@initech.test",
        "admin",
    )
    assert peter.org.name == "Initech"
    assert peter.user.check_password("a long admin passphrase")
    assert "did not match" in capsys.readouterr().err


def test_createadmin_promotes_an_existing_person_and_gives_them_a_login(db):
    org = Person._meta.get_field("org").related_model.objects.create(name="Initech")
    Person.objects.create(org=org, full_name="Bill Lumbergh", email="bill@initech.test")

    call_command(
        "createadmin", "--email", "BILL@initech.test", "--password", ADMIN_PASSWORD, "--no-input"
    )

    bill = Person.objects.select_related("user").get()
    assert bill.role == "admin"
    assert bill.full_name == "Bill Lumbergh"
    assert bill.user.check_password(ADMIN_PASSWORD)
    with pytest.raises(CommandError, match="already signs in"):
        call_command(
            "createadmin",
            "--email",
            "bill@initech.test",
            "--password",
            ADMIN_PASSWORD,
            "--no-input",
        )


def test_createadmin_without_a_terminal_names_what_is_missing(migrated):
    db, env = migrated

    result = charter("createadmin", "--email", "x@example.com", env=env, check=False, input="")

    assert result.returncode == 1
    assert "--org is required when not running in a terminal" in result.stderr
    assert query(db, "SELECT COUNT(*) FROM org_person") == [(0,)]


def test_createadmin_refuses_a_weak_password_and_writes_nothing(migrated):
    db, env = migrated

    result = charter(
        "createadmin",
        *("--email", "x@example.com", "--name", "X Y", "--org", "O", "--password", "12345"),
        env=env,
        check=False,
    )

    assert result.returncode == 1
    assert "password:" in result.stderr
    assert "too short" in result.stderr
    assert query(db, "SELECT COUNT(*) FROM org_organization") == [(0,)]


def test_backup_from_one_sqlite_file_restores_into_another(with_admin, migrated_template, tmp_path):
    db, env = with_admin
    backup = tmp_path / "acme.json.gz"
    charter("backup", str(backup), env=env)
    other = tmp_path / "other.sqlite3"
    shutil.copyfile(migrated_template, other)
    other_env = clean_env(tmp_path / "data2", DATABASE_URL=sqlite_url(other))

    charter("restore", str(backup), env=other_env)

    for table in ["org_person", "accounts_user", "core_auditevent", "org_organization"]:
        assert query(other, f"SELECT * FROM {table} ORDER BY id") == query(  # noqa: S608
            db,
            f"SELECT * FROM {table} ORDER BY id",  # noqa: S608
        )
    again = charter("restore", str(backup), env=other_env, check=False)
    assert again.returncode == 1
    assert "not empty" in again.stderr
    assert "--force" in again.stderr


def test_a_backup_made_on_a_sqlite_file_restores_into_this_database(with_admin, tmp_path, db):
    # In CI this suite runs once on SQLite and once on PostgreSQL, so this covers both moves.
    _, env = with_admin
    backup = tmp_path / "from-sqlite.gz"
    charter("backup", str(backup), env=env)

    call_command("restore", str(backup), "--force", verbosity=0)

    ann = Person.objects.select_related("user", "org").get()
    assert (ann.full_name, ann.role, ann.org.name) == ("Ann Admin", "admin", "Acme")
    assert ann.user.check_password(ADMIN_PASSWORD)


def test_this_database_backs_up_into_a_sqlite_file(tmp_path, migrated_template, db):
    org = Person._meta.get_field("org").related_model.objects.create(name="Globex")
    Person.objects.create(org=org, full_name="Hank Scorpio", email="hank@globex.test")
    backup = tmp_path / "to-sqlite.gz"
    write_backup(backup)
    target = tmp_path / "target.sqlite3"
    shutil.copyfile(migrated_template, target)
    env = clean_env(tmp_path / "data", DATABASE_URL=sqlite_url(target))

    charter("restore", str(backup), env=env)

    assert query(target, "SELECT full_name, email FROM org_person") == [
        ("Hank Scorpio", "hank@globex.test")
    ]
    header = json.loads(gzip.decompress(backup.read_bytes()).decode().splitlines()[0])
    assert header["vendor"] in ("sqlite", "postgresql")


def sign_in(base: str, email: str, password: str) -> str:
    """Sign in over plain HTTP like a browser (cookies, CSRF token); returns the page reached."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/accounts/login/", timeout=10).read().decode()
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert match, "the login page has a CSRF token"
    data = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": match.group(1), "username": email, "password": password}
    ).encode()
    request = urllib.request.Request(  # noqa: S310 - always http://127.0.0.1
        f"{base}/accounts/login/", data=data, headers={"Referer": f"{base}/accounts/login/"}
    )
    with opener.open(request, timeout=10) as response:
        assert response.url == f"{base}/", response.url
        return response.read().decode()


def test_serve_answers_over_plain_http_runs_the_tick_and_stops_on_sigterm(with_admin):
    db, env = with_admin
    # What `make run` uses: plain HTTP on the loopback address. Port 0: the server binds a port
    # the kernel picks, so no other process can take it first, and says which in its start line.
    env = {**env, "DEBUG": "1", "HTTPS": "0", "TICK_INTERVAL_SECONDS": "1"}
    server = Running("serve", "--port", "0", "--threads", "2", env=env)
    try:
        start = server.printed(r"Charter is serving on (http://127\.0\.0\.1:(\d+))/ ")
        base = start.group(1)
        assert int(start.group(2)) > 0

        home = sign_in(base, "ann@example.com", ADMIN_PASSWORD)
        assert "Ann" in home
        wait_for(lambda: query(db, "SELECT last_run_at FROM core_schedule")[0][0], process=server)
        done = query(db, "SELECT status FROM django_tasks_database_dbtaskresult")
        assert ("SUCCESSFUL",) in done  # the embedded worker ran the tick job
    finally:
        returncode, output = server.stop()

    assert returncode == 0, output
    assert "Stopped." in output


def test_worker_runs_the_tick_and_stops_cleanly_on_sigterm(migrated):
    db, env = migrated
    env = {**env, "TICK_INTERVAL_SECONDS": "1"}
    worker = Running("worker", "--interval", "0.2", env=env)
    successful = (
        "SELECT COUNT(*) FROM django_tasks_database_dbtaskresult WHERE status = 'SUCCESSFUL'"
    )
    try:
        wait_for(lambda: query(db, successful)[0][0] >= 2, process=worker)
    finally:
        returncode, output = worker.stop()

    assert returncode == 0, output
    (status,) = query(db, "SELECT last_status FROM core_schedule")[0]
    assert status.endswith("all ok")
    assert "shutting down gracefully" in output


def test_tick_command_runs_the_housekeeping_jobs(migrated):
    db, env = migrated

    result = charter("tick", env=env)

    assert "core.clear_expired_sessions" in result.stdout
    assert "org.close_leavers" in result.stdout
    assert re.search(r"tick: \d+ jobs, all ok", result.stdout)
    assert query(db, "SELECT last_status FROM core_schedule")[0][0].endswith("all ok")
