"""What the tests of real `charter` processes share: the command, an operator's environment,
a run to the end and a process running alongside the test."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from charter.conftest import wait_for

ROOT = Path(__file__).resolve().parents[1]


def charter_command() -> list[str]:
    script = Path(sys.executable).with_name("charter")
    return [str(script)] if script.exists() else [sys.executable, "-m", "charter.cli"]


def clean_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """An environment like an operator's shell: nothing from the test run leaks in."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")
    env = {key: os.environ[key] for key in keep if key in os.environ}
    env.update(
        CHARTER_ENV_FILE=os.devnull,
        DJANGO_SETTINGS_MODULE="charter.settings",
        DATA_DIR=str(data_dir),
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def charter(
    *args: str,
    env: dict[str, str],
    check: bool = True,
    input: str | None = None,
    cwd: Path = ROOT,
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [*charter_command(), *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        input=input,
        check=False,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"charter {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def sqlite_url(path: Path) -> str:
    # Four slashes: "sqlite:///" plus an absolute path.
    return f"sqlite:///{path}"


def query(db: Path, sql: str, params: Sequence[object] = ()) -> list[tuple]:
    with sqlite3.connect(db) as connection:
        return connection.execute(sql, params).fetchall()


class Running:
    """A `charter` process whose output a thread reads as it comes: waits on what it prints
    have a deadline, and a full pipe never blocks it."""

    def __init__(self, *args: str, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [*charter_command(), *args],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self._lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self._lines)

    def ended(self) -> bool:
        if self.process.poll() is None:
            return False
        self._reader.join(timeout=10)  # the last lines it printed
        return True

    def printed(self, pattern: str, timeout: float = 60.0) -> re.Match[str]:
        """The first match of `pattern` in what the process printed, once it printed it."""
        return wait_for(lambda: re.search(pattern, self.output), process=self, timeout=timeout)

    def stop(self, sig: signal.Signals = signal.SIGTERM) -> tuple[int, str]:
        self.process.send_signal(sig)
        try:
            self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            self._reader.join(timeout=10)
            raise AssertionError(f"did not stop on {sig.name}:\n{self.output}") from None
        self._reader.join(timeout=10)
        return self.process.returncode, self.output
