"""kill -9 in the middle of an import, from the command line and in a worker: the write
transaction leaves nothing behind, the tick marks the run failed with a reason, and a retry
imports every row with the roll-ups still equal to a rebuild."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.test_cli import (  # noqa: F401 - fixtures
    ROOT,
    admin_template,
    charter,
    charter_command,
    migrated_template,
    query,
    with_admin,
)

ROWS = 30_000
ABANDONED = "The import stopped without finishing"


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


def wait_for(condition: Callable[[], object], process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 120
    while not condition():
        if process.poll() is not None:
            raise AssertionError(f"the process ended first:\n{process.communicate()[0]}")
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.01)


def writing(db: Path) -> bool:
    """The import announced its write, and holds SQLite's write lock: it is inside its one
    transaction (a BEGIN IMMEDIATE that does not wait fails only then)."""
    said = query(db, "SELECT COUNT(*) FROM core_job WHERE message LIKE 'Writing %'")[0][0]
    if not said:
        return False
    connection = sqlite3.connect(db, timeout=0, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        return "locked" in str(exc)
    else:
        connection.execute("ROLLBACK")
        return False
    finally:
        connection.close()


def kill_while_writing(process: subprocess.Popen[str], db: Path) -> None:
    wait_for(lambda: writing(db), process)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL


def ten_minutes_pass(db: Path) -> None:
    """The tick fails a run silent for ten minutes; move the last beat back instead of waiting."""
    with sqlite3.connect(db) as connection:
        connection.execute(
            "UPDATE core_importrun SET heartbeat_at = datetime('now', '-11 minutes') "
            "WHERE status = 'running'"
        )


def nothing_written(db: Path) -> None:
    assert query(db, "SELECT COUNT(*) FROM crm_deal") == [(0,)]
    applied = "SELECT COUNT(*) FROM core_auditevent WHERE action = 'core.import_run.applied'"
    assert query(db, applied) == [(0,)]


def start(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*charter_command(), *args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_a_command_line_import_killed_while_writing_is_failed_and_imports_again(
    request: pytest.FixtureRequest, deals: Path
) -> None:
    db, env = request.getfixturevalue("with_admin")
    process = start("import", "deals", str(deals), "--preset", "hubspot", env=env)

    kill_while_writing(process, db)

    nothing_written(db)
    assert query(db, "SELECT status FROM core_importrun") == [("running",)]
    # A tick within the ten minutes leaves a run that may still be alive alone.
    charter("tick", env=env)
    assert query(db, "SELECT status FROM core_importrun") == [("running",)]

    ten_minutes_pass(db)
    tick = charter("tick", env=env)

    assert "1 abandoned import marked failed" in tick.stdout
    ((status, message),) = query(db, "SELECT status, message FROM core_importrun")
    assert status == "failed"
    assert message.startswith(ABANDONED)
    assert query(db, "SELECT status FROM core_job") == [("failed",)]
    nothing_written(db)

    again = charter("import", "deals", str(deals), "--preset", "hubspot", env=env)

    assert f"Created {ROWS:,}, updated 0, unchanged 0." in again.stdout
    assert query(db, "SELECT COUNT(*) FROM crm_deal") == [(ROWS,)]
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
    request: pytest.FixtureRequest, deals: Path
) -> None:
    db, env = request.getfixturevalue("with_admin")
    data = Path(env["DATA_DIR"])
    charter("shell", "-c", UPLOAD.format(path=str(deals)), env=env)
    (stored,) = (data / "media" / "imports").iterdir()
    worker = start("worker", "--queue", "long", "--no-tick", "--interval", "0.1", env=env)

    kill_while_writing(worker, db)

    nothing_written(db)
    ten_minutes_pass(db)
    charter("tick", env=env)

    ((run_id, status, message),) = query(db, "SELECT id, status, message FROM core_importrun")
    assert status == "failed"
    assert message.startswith(ABANDONED)
    assert query(db, "SELECT status FROM core_job") == [("failed",)]
    tasks = "SELECT status FROM django_tasks_database_dbtaskresult WHERE task_path LIKE '%.{}'"
    assert query(db, tasks.format("run_import")) == [("FAILED",)]
    nothing_written(db)
    assert stored.exists()  # kept for the retry
    charter("worker", "--batch", "--queue", "default", env=env)  # the note to the uploader
    (mail,) = (data / "mail").iterdir()
    assert "stopped without finishing" in mail.read_text()
    assert f"/crm/import/{run_id}/" in mail.read_text()

    charter("shell", "-c", RETRY, env=env)
    charter("worker", "--batch", "--queue", "long", env=env)

    ((status, created, retry_of),) = query(
        db, "SELECT status, created_count, retry_of_id FROM core_importrun WHERE retry_of_id > 0"
    )
    assert (status, created, retry_of) == ("applied", ROWS, run_id)
    assert query(db, "SELECT COUNT(*) FROM crm_deal") == [(ROWS,)]
    assert not stored.exists()  # gone once the retry finished
    check = charter("rollups", "check", env=env)
    assert check.stdout.startswith("OK:")
