"""The commit watch (`core.commits`): a mark of the WAL index header stays valid exactly while
nothing is committed to the database, by any connection of any process."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.db.backends.sqlite3.base import DatabaseWrapper

from charter.core import commits
from charter.core.commits import CommitWatch, watch_for

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX shared memory only")


def wal_database(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE t (x INTEGER)")
    return db


@pytest.fixture
def database(tmp_path: Path) -> Any:
    path = tmp_path / "watched.sqlite3"
    db = wal_database(path)
    watch = CommitWatch(path)
    yield path, db, watch
    watch.close()
    db.close()


def test_a_mark_holds_while_nothing_is_committed(database: Any) -> None:
    path, db, watch = database
    mark = watch.mark()
    assert mark is not None
    assert len(mark) == commits.HEADER
    # Reads, from this connection and a new one, change nothing.
    db.execute("SELECT count(*) FROM t").fetchone()
    with sqlite3.connect(path) as other:
        other.execute("SELECT * FROM t").fetchall()
    assert watch.unchanged_since(mark)
    assert watch.mark() == mark


def test_every_commit_of_another_connection_shows(database: Any) -> None:
    _path, db, watch = database
    for value in range(3):
        mark = watch.mark()
        assert mark is not None
        db.execute("INSERT INTO t VALUES (?)", [value])
        assert not watch.unchanged_since(mark)
        assert watch.unchanged_since(watch.mark() or b"")


def test_a_write_shows_at_its_commit_not_before(database: Any) -> None:
    _path, db, watch = database
    mark = watch.mark()
    assert mark is not None
    db.execute("BEGIN")
    db.execute("INSERT INTO t VALUES (1)")
    assert watch.unchanged_since(mark)
    db.execute("COMMIT")
    assert not watch.unchanged_since(mark)


def test_a_rolled_back_write_changes_nothing(database: Any) -> None:
    _path, db, watch = database
    mark = watch.mark()
    assert mark is not None
    db.execute("BEGIN")
    db.execute("INSERT INTO t VALUES (1)")
    db.execute("ROLLBACK")
    assert watch.unchanged_since(mark)


def test_a_commit_from_another_process_shows(database: Any) -> None:
    path, _db, watch = database
    mark = watch.mark()
    assert mark is not None
    code = "\n".join(
        [
            "import sqlite3, sys",
            "db = sqlite3.connect(sys.argv[1])",
            "db.execute('INSERT INTO t VALUES (7)')",
            "db.commit()",
        ]
    )
    subprocess.run([sys.executable, "-c", code, str(path)], check=True)
    assert not watch.unchanged_since(mark)


def test_a_log_started_afresh_after_a_checkpoint_shows(database: Any) -> None:
    _path, db, watch = database
    db.execute("INSERT INTO t VALUES (1)")
    mark = watch.mark()
    assert mark is not None
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.execute("INSERT INTO t VALUES (2)")
    assert not watch.unchanged_since(mark)


def test_a_header_being_rewritten_counts_as_changed(database: Any) -> None:
    _path, _db, watch = database
    mapped = watch._map
    mark = watch.mark()
    assert mark is not None
    # Mid-commit: SQLite has written the second copy, not yet the first.
    torn = mark + bytes([mark[0] ^ 1]) + mark[1:]
    watch._map = torn
    assert watch.mark() is None
    assert not watch.unchanged_since(mark)
    # A header not yet initialised is not trusted either.
    blank = bytearray(mark)
    blank[12] = 0
    watch._map = bytes(blank) * 2
    assert watch.mark() is None
    watch._map = mapped


PROBE = "\n".join(
    [
        "import sqlite3, sys",
        "db = sqlite3.connect(sys.argv[1], timeout=0, isolation_level=None)",
        "try:",
        "    db.execute('BEGIN IMMEDIATE')",
        "    db.execute('INSERT INTO t VALUES (2)')",
        "    db.execute('COMMIT')",
        "    print('wrote')",
        "except sqlite3.OperationalError as error:",
        "    print(error)",
    ]
)


def other_process_writes(path: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(path)], check=True, capture_output=True, text=True
    )
    return done.stdout.strip()


def test_opening_a_watch_keeps_the_locks_sqlite_holds_in_this_process(tmp_path: Path) -> None:
    # Closing any descriptor of the `-shm` file would drop this process's locks on it: another
    # process could then write while this one holds the write lock.
    path = tmp_path / "locked.sqlite3"
    wal_database(path).close()
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO t VALUES (1)")
    assert other_process_writes(path) == "database is locked"
    watch = CommitWatch(path)
    watch.close()
    assert other_process_writes(path) == "database is locked"
    writer.execute("COMMIT")
    writer.close()
    assert other_process_writes(path) == "wrote"


def test_a_watch_reads_the_shared_memory_of_the_file_a_link_points_to(tmp_path: Path) -> None:
    real = tmp_path / "real.sqlite3"
    db = wal_database(real)
    link = tmp_path / "link.sqlite3"
    link.symlink_to(real)
    watch = CommitWatch(link)
    mark = watch.mark()
    assert mark is not None
    db.execute("INSERT INTO t VALUES (1)")
    assert not watch.unchanged_since(mark)
    watch.close()
    db.close()


def test_a_database_not_in_wal_mode_has_no_watch(tmp_path: Path) -> None:
    path = tmp_path / "rollback-journal.sqlite3"
    sqlite3.connect(path).execute("CREATE TABLE t (x INTEGER)")
    with pytest.raises(ValueError, match="not in WAL mode"):
        CommitWatch(path)
    assert commits._open(str(path)) is None
    assert commits._open(str(tmp_path / "missing.sqlite3")) is None


def test_the_test_databases_in_memory_have_no_watch(db: Any) -> None:
    assert watch_for(connection) is None


def test_a_django_connection_to_a_file_gets_one_watch_per_process(
    db: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    path = tmp_path / "charter.sqlite3"
    options = settings.DATABASES["default"].get("OPTIONS", {})
    if connection.vendor != "sqlite":
        options = {"init_command": "PRAGMA journal_mode=WAL;"}
    wrapper = DatabaseWrapper(
        {**connection.settings_dict, "NAME": str(path), "OPTIONS": options}, alias="watched"
    )
    try:
        with wrapper.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("CREATE TABLE t (x INTEGER)")
        watch = watch_for(wrapper)
        assert watch is not None
        assert watch_for(wrapper) is watch
        mark = watch.mark()
        assert mark is not None
        with wrapper.cursor() as cursor:
            cursor.execute("INSERT INTO t VALUES (1)")
        assert not watch.unchanged_since(mark)
        # A forked child trusts no watch: what it inherited is kept, never closed there, and
        # every read runs its statement.
        monkeypatch.setattr(commits, "_forked_child", False)
        commits._forked()
        assert watch in commits._inherited
        assert watch_for(wrapper) is None
    finally:
        wrapper.close()
        for found in (commits._watches.pop(str(path), None), *commits._inherited):
            if found is not None and found.path == str(path):
                found.close()
        commits._inherited[:] = [w for w in commits._inherited if w.path != str(path)]
