"""Has anything been committed to the SQLite database since a given moment? Answered without a
statement and without a system call, for reads repeated on every request (`accounts.sessions`).

A SQLite database in WAL mode keeps a small index of its write-ahead log in shared memory (the
`-shm` file beside it, mapped by every connection in every process). That index starts with a
48-byte header, written twice (a second copy right after the first), which every commit
rewrites: a change counter goes up, the last committed frame and the checksums move on, and a
log started afresh gets new salts (https://www.sqlite.org/walformat.html, "The WAL-Index
Header"; every SQLite since 3.7.0 shares it with every other, so it does not change). A header
read now that is byte for byte the one read before a statement ran means nothing has been
committed since, by anyone, and that statement would return the same rows again.

Asking the database the same question (`PRAGMA data_version`) is a statement: under a busy
threaded server each statement costs more than its SQL, because SQLite lets go of the GIL while
it runs and getting it back is slow. Reading the mapped header is a memory copy.

Conservative by construction: a header that is not yet initialised, or whose two copies differ
(a writer is rewriting it: SQLite writes the second copy, then the first), counts as changed.
The mapping belongs to one process; a forked child maps its own. A connection of ours stays
open for as long as the mapping is used, so the `-shm` file cannot be removed and made again
under it (SQLite removes it only when the last connection to the database closes).
"""

from __future__ import annotations

import mmap
import os
import sqlite3
import threading
from pathlib import Path
from typing import Any

HEADER = 48
# Both copies of the header.
_READ = 2 * HEADER
# Where the header says it has been initialised (`isInit`, one byte, 1 once set up).
_IS_INIT = 12


class CommitWatch:
    """The commit header of one SQLite database in WAL mode, mapped read-only."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        # Opened first and kept: it maps the shared memory (SQLite does so on a connection's
        # first read) and, while open, keeps the `-shm` file from being removed.
        self._keeper = sqlite3.connect(self.path, check_same_thread=False)
        mode = self._keeper.execute("PRAGMA journal_mode").fetchone()[0]
        if str(mode).lower() != "wal":
            self._keeper.close()
            raise ValueError(f"{self.path} is not in WAL mode ({mode})")
        self._keeper.execute("SELECT count(*) FROM sqlite_master").fetchone()
        shm = self.path + "-shm"
        with open(shm, "rb") as file:
            if os.fstat(file.fileno()).st_size < _READ:
                self._keeper.close()
                raise ValueError(f"{shm} holds no WAL index")
            self._map = mmap.mmap(file.fileno(), _READ, access=mmap.ACCESS_READ)

    def mark(self) -> bytes | None:
        """The header as it stands, or None when it cannot be trusted this moment."""
        both = self._map[:_READ]
        first = both[:HEADER]
        if first[_IS_INIT] != 1 or first != both[HEADER:]:
            return None
        return first

    def unchanged_since(self, mark: bytes) -> bool:
        """Nothing committed since `mark` was read."""
        # The first copy is written last: read it first, then the second; both still equal to
        # the mark means no commit had begun rewriting them by the second read.
        both = self._map[:_READ]
        return both[:HEADER] == mark and both[HEADER:] == mark

    def close(self) -> None:
        self._map.close()
        self._keeper.close()


_watches: dict[str, CommitWatch | None] = {}
# Watches a forked child inherited: kept, never closed there (a SQLite connection must not be
# closed in a process other than the one that opened it).
_inherited: list[CommitWatch] = []
_lock = threading.Lock()


def watch_for(connection: Any) -> CommitWatch | None:
    """The commit watch of a Django connection's database: only for a SQLite file in WAL mode
    on a POSIX system, else None (every read then runs its statement)."""
    if connection.vendor != "sqlite" or os.name != "posix":
        return None
    name = str(connection.settings_dict["NAME"])
    if name in ("", ":memory:") or name.startswith("file:") or "mode=memory" in name:
        return None
    try:
        return _watches[name]
    except KeyError:
        with _lock:
            if name not in _watches:
                _watches[name] = _open(name)
            return _watches[name]


def _forked() -> None:
    # A child process maps the header for itself, with a connection of its own.
    _inherited.extend(watch for watch in _watches.values() if watch is not None)
    _watches.clear()


os.register_at_fork(after_in_child=_forked)


def _open(name: str) -> CommitWatch | None:
    if not Path(name).exists():
        return None
    try:
        return CommitWatch(name)
    except (OSError, ValueError, sqlite3.Error):
        return None
