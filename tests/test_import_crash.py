"""kill -9 in the middle of an import, from the command line and in a worker: the write
transaction leaves nothing behind, the tick marks the run failed with a reason, and a retry
imports every row with the roll-ups still equal to a rebuild.

On SQLite files always; on PostgreSQL too when the suite runs on it, each test in a database of
its own created on the same server (the processes under test commit, so the test database's
rolled-back transaction cannot hold their writes) and dropped at the end."""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import sqlite3
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import psycopg
import pytest
from django.conf import settings
from psycopg.sql import SQL, Identifier

from charter.conftest import wait_for
from tests.helpers import Running, charter, clean_env, query, sqlite_url
from tests.test_cli import (  # noqa: F401 - fixtures
    ADMIN_PASSWORD,
    admin_template,
    migrated_template,
)

ROWS = 12_000
ABANDONED = "The import stopped without finishing"


class Database(Protocol):
    """The database the processes under test share, as the test reads and edits it behind
    their backs."""

    env: dict[str, str]

    def query(self, sql: str) -> list[tuple]: ...

    def holds_write_transaction(self) -> bool:
        """Another process is inside a transaction that writes."""
        ...

    def no_commit_under_way(self) -> bool:
        """No other process's COMMIT is under way (the server finishes one that a frozen
        process sent)."""
        ...

    def sessions_of_killed_ended(self) -> bool:
        """The server no longer holds a transaction of a killed process."""
        ...

    def ten_minutes_pass(self) -> None:
        """The tick fails a run silent for ten minutes: move the last beats back instead of
        waiting."""
        ...


class SqliteFile:
    def __init__(self, path: Path, env: dict[str, str]) -> None:
        self.path, self.env = path, env

    def query(self, sql: str) -> list[tuple]:
        return query(self.path, sql)

    def holds_write_transaction(self) -> bool:
        # SQLite has one write lock: a BEGIN IMMEDIATE that does not wait fails only while
        # another connection holds it.
        connection = sqlite3.connect(self.path, timeout=0, isolation_level=None)
        try:
            connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            return "locked" in str(exc)
        else:
            connection.execute("ROLLBACK")
            return False
        finally:
            connection.close()

    def no_commit_under_way(self) -> bool:
        return True  # no server: a frozen process's commit is frozen with it

    def sessions_of_killed_ended(self) -> bool:
        return True  # no server: a killed process's lock ends with it

    def ten_minutes_pass(self) -> None:
        with sqlite3.connect(self.path) as connection:
            connection.execute(
                "UPDATE core_importrun SET heartbeat_at = datetime('now', '-11 minutes') "
                "WHERE status = 'running'"
            )


def postgres_url(name: str) -> str:
    """The suite's PostgreSQL server (its DATABASE_URL), with another database name."""
    parts = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
    return parts._replace(path="/" + urllib.parse.quote(name)).geturl()


def on_server(statement: str, *names: str) -> None:
    """Run `statement` with `names` quoted as identifiers in its {} places, outside any
    database (CREATE and DROP DATABASE cannot run in one)."""
    with psycopg.connect(postgres_url("postgres"), autocommit=True) as connection:
        connection.execute(SQL(statement).format(*map(Identifier, names)))


class PostgresDatabase:
    def __init__(self, name: str, env: dict[str, str]) -> None:
        self.env = env
        self.connection = psycopg.connect(postgres_url(name), autocommit=True)

    def query(self, sql: str) -> list[tuple]:
        return self.connection.execute(sql).fetchall()

    def holds_write_transaction(self) -> bool:
        # An INSERT or UPDATE takes this lock on its table and keeps it until the transaction
        # ends.
        return bool(
            self.query(
                "SELECT 1 FROM pg_locks JOIN pg_class ON pg_class.oid = pg_locks.relation "
                "WHERE pg_locks.database = (SELECT oid FROM pg_database "
                "WHERE datname = current_database()) AND pg_class.relname = 'crm_deal' "
                "AND pg_locks.mode = 'RowExclusiveLock' AND pg_locks.granted "
                "AND pg_locks.pid <> pg_backend_pid()"
            )
        )

    def no_commit_under_way(self) -> bool:
        committing = self.query(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND backend_type = 'client backend' AND pid <> pg_backend_pid() "
            "AND state = 'active' AND query ILIKE 'COMMIT%'"
        )
        return committing == [(0,)]

    def sessions_of_killed_ended(self) -> bool:
        # The server rolls a killed client's transaction back once it sees the connection
        # closed; until then the transaction still holds the run's row lock, and the tick
        # passes over a locked run.
        open_transactions = self.query(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND backend_type = 'client backend' AND pid <> pg_backend_pid() "
            "AND xact_start IS NOT NULL"
        )
        return open_transactions == [(0,)]

    def ten_minutes_pass(self) -> None:
        self.connection.execute(
            "UPDATE core_importrun SET heartbeat_at = now() - interval '11 minutes' "
            "WHERE status = 'running'"
        )


def runs_on_postgresql() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


@pytest.fixture(scope="module")
def postgres_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database on the suite's server, migrated and with Ann Admin of Acme, to copy for each
    test (migrating takes seconds; CREATE DATABASE … TEMPLATE does not)."""
    name = f"charter_crash_{secrets.token_hex(4)}_template"
    on_server("CREATE DATABASE {}", name)
    try:
        env = clean_env(tmp_path_factory.mktemp("pg-template"), DATABASE_URL=postgres_url(name))
        charter("migrate", "--no-input", "-v", "0", env=env)
        charter(
            "createadmin",
            *("--email", "Ann@Example.com", "--name", "Ann Admin", "--org", "Acme"),
            *("--password", ADMIN_PASSWORD),
            env=env,
        )
        yield name
    finally:
        on_server("DROP DATABASE IF EXISTS {} WITH (FORCE)", name)


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A fresh database with Ann Admin of Acme, and an operator's environment pointing
    `charter` at it."""
    if request.param == "sqlite":
        template, _output = request.getfixturevalue("admin_template")
        path = tmp_path / "charter.sqlite3"
        shutil.copyfile(template, path)
        yield SqliteFile(path, clean_env(tmp_path / "data", DATABASE_URL=sqlite_url(path)))
        return
    if not runs_on_postgresql():
        pytest.skip("the suite runs on SQLite (with DATABASE_URL=postgres://… it runs this too)")
    template = request.getfixturevalue("postgres_template")
    name = f"charter_crash_{secrets.token_hex(4)}"
    on_server("CREATE DATABASE {} TEMPLATE {}", name, template)
    try:
        env = clean_env(tmp_path / "data", DATABASE_URL=postgres_url(name))
        postgres = PostgresDatabase(name, env)
        try:
            yield postgres
        finally:
            postgres.connection.close()
    finally:
        on_server("DROP DATABASE IF EXISTS {} WITH (FORCE)", name)


@pytest.fixture
def deals(tmp_path: Path) -> Path:
    """A HubSpot export of ROWS deals owned by the admin: a few seconds to write."""
    path = tmp_path / "deals.csv"
    lines = ["Record ID,Deal Name,Deal Stage,Amount,Close Date,Create Date,Deal owner"]
    for i in range(ROWS):
        stage = "Closed Won" if i % 3 == 0 else "Contract Sent"
        month = 1 + i % 9
        lines.append(
            f"{100000 + i},Deal {i},{stage},{1000 + i % 500},2024-0{month}-15,2024-01-0{month},"
            "ann@example.com"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def kill_while_writing(process: Running, db: Database) -> None:
    """SIGKILL once the import announced its write and holds its write transaction. Each look
    is taken with the process frozen (SIGSTOP) and no COMMIT of its under way, so that what is
    seen is still so when it dies: a busy machine cannot let the write commit in between."""

    def writing() -> bool:
        said = db.query("SELECT COUNT(*) FROM core_job WHERE message LIKE 'Writing %'")[0][0]
        if not said:
            return False
        process.process.send_signal(signal.SIGSTOP)
        wait_for(db.no_commit_under_way, timeout=30)
        if db.holds_write_transaction():
            return True
        process.process.send_signal(signal.SIGCONT)
        return False

    try:
        wait_for(writing, process=process, timeout=120)
    finally:
        returncode, output = process.stop(signal.SIGKILL)  # never left running, nor frozen
    assert returncode == -signal.SIGKILL, output
    wait_for(db.sessions_of_killed_ended, timeout=30)


def nothing_written(db: Database) -> None:
    assert db.query("SELECT COUNT(*) FROM crm_deal") == [(0,)]
    applied = "SELECT COUNT(*) FROM core_auditevent WHERE action = 'core.import_run.applied'"
    assert db.query(applied) == [(0,)]


def test_a_command_line_import_killed_while_writing_is_failed_and_imports_again(
    database: Database, deals: Path
) -> None:
    db, env = database, database.env
    process = Running("import", "deals", str(deals), "--preset", "hubspot", env=env)

    kill_while_writing(process, db)

    nothing_written(db)
    assert db.query("SELECT status FROM core_importrun") == [("running",)]
    # A tick within the ten minutes leaves a run that may still be alive alone.
    charter("tick", env=env)
    assert db.query("SELECT status FROM core_importrun") == [("running",)]

    db.ten_minutes_pass()
    tick = charter("tick", env=env)

    assert "1 abandoned import marked failed" in tick.stdout
    ((status, message),) = db.query("SELECT status, message FROM core_importrun")
    assert status == "failed"
    assert message.startswith(ABANDONED)
    assert db.query("SELECT status FROM core_job") == [("failed",)]
    nothing_written(db)

    again = charter("import", "deals", str(deals), "--preset", "hubspot", env=env)

    assert f"Created {ROWS:,}, updated 0, unchanged 0." in again.stdout
    assert db.query("SELECT COUNT(*) FROM crm_deal") == [(ROWS,)]
    check = charter("rollups", "check", env=env)
    assert check.stdout.startswith("OK:")


UPLOAD = """
from pathlib import Path
from charter.accounts.models import User
from charter.core.imports.services import TOKEN_KEY, import_upload_confirm, import_upload_create
from charter.org.models import Organization

user = User.objects.get(email="ann@example.com")
path = Path({path!r})
with path.open("rb") as upload:
    run = import_upload_create(
        org=Organization.objects.get(), kind="deals", actor=user, upload=upload,
        filename=path.name, options={{"preset": "hubspot"}},
    )
assert import_upload_confirm(run=run, actor=user, token=run.options[TOKEN_KEY])
"""

RETRY = """
from charter.accounts.models import User
from charter.core.imports.services import import_run_retry
from charter.core.models import ImportRun

import_run_retry(run=ImportRun.objects.get(status="failed"), actor=User.objects.get())
"""


def test_a_worker_killed_while_importing_an_upload_leaves_a_failed_run_to_retry(
    database: Database, deals: Path
) -> None:
    db, env = database, database.env
    data = Path(env["DATA_DIR"])
    charter("shell", "-c", UPLOAD.format(path=str(deals)), env=env)
    (stored,) = (data / "media" / "imports").iterdir()
    worker = Running("worker", "--queue", "long", "--no-tick", "--interval", "0.1", env=env)

    kill_while_writing(worker, db)

    nothing_written(db)
    db.ten_minutes_pass()
    charter("tick", env=env)

    ((run_id, status, message),) = db.query("SELECT id, status, message FROM core_importrun")
    assert status == "failed"
    assert message.startswith(ABANDONED)
    assert db.query("SELECT status FROM core_job") == [("failed",)]
    tasks = "SELECT status FROM django_tasks_database_dbtaskresult WHERE task_path LIKE '%.{}'"
    assert db.query(tasks.format("run_import")) == [("FAILED",)]
    nothing_written(db)
    assert stored.exists()  # kept for the retry
    charter("worker", "--batch", "--queue", "default", env=env)  # the note to the uploader
    (mail,) = (data / "mail").iterdir()
    assert "stopped without finishing" in mail.read_text()
    assert f"/crm/import/{run_id}/" in mail.read_text()

    charter("shell", "-c", RETRY, env=env)
    charter("worker", "--batch", "--queue", "long", env=env)

    ((status, created, retry_of),) = db.query(
        "SELECT status, created_count, retry_of_id FROM core_importrun WHERE retry_of_id > 0"
    )
    assert (status, created, retry_of) == ("applied", ROWS, run_id)
    assert db.query("SELECT COUNT(*) FROM crm_deal") == [(ROWS,)]
    assert not stored.exists()  # gone once the retry finished
    check = charter("rollups", "check", env=env)
    assert check.stdout.startswith("OK:")
