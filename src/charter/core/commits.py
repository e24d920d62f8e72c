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
A connection of ours stays open for as long as the mapping is used, so the `-shm` file cannot
be removed and made again under it (SQLite removes it only when the last connection to the
database closes). The `-shm` file's descriptor is never closed (closing one would drop the
locks SQLite's connections in this process hold on it). A forked child never uses a watch.

One limit, for whoever reuses a read with it: a statement run on a connection that still has
another statement open (a loop over `.iterator()`) reads that statement's older snapshot, which
a mark taken just before would wrongly vouch for. The session read runs when a request first
asks who is signed in, before a view opens any such loop.
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
        # Where SQLite itself puts the shared memory: beside the file a link points to.
        self.path = os.path.realpath(path)
        # Opened first and kept: it maps the shared memory (SQLite does so on a connection's
        # first read) and, while open, keeps the `-shm` file from being removed.
        self._keeper = sqlite3.connect(self.path, check_same_thread=False)
        mode = self._keeper.execute("PRAGMA journal_mode").fetchone()[0]
        if str(mode).lower() != "wal":
            self._keeper.close()
            raise ValueError(f"{self.path} is not in WAL mode ({mode})")
        self._keeper.execute("SELECT count(*) FROM sqlite_master").fetchone()
        shm = self.path + "-shm"
        # Sized before it is opened: once opened, the file is never closed (below).
        if os.stat(shm).st_size < _READ:
            self._keeper.close()
            raise ValueError(f"{shm} holds no WAL index")
        # Never closed, by design: closing any descriptor of a file drops every POSIX lock the
        # process holds on it, and SQLite's connections in this process hold theirs on the
        # `-shm` file (its own descriptors stay open for that reason). The descriptor and the
        # mapping (which holds a copy of it) live as long as the process.
        descriptor = os.open(shm, os.O_RDONLY)
        self._map = mmap.mmap(descriptor, _READ, access=mmap.ACCESS_READ)
        _kept.append((descriptor, self._map))

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
        """Close the connection that keeps the shared memory; the mapping stays (see above)."""
        self._keeper.close()


# Every descriptor and mapping of a `-shm` file this process opened, so none is ever closed,
# not even by garbage collection.
_kept: list[tuple[int, mmap.mmap]] = []
_watches: dict[str, CommitWatch | None] = {}
# Watches a forked child inherited: kept, never closed there (a SQLite connection must not be
# closed in a process other than the one that opened it).
_inherited: list[CommitWatch] = []
# Set in a forked child: SQLite's record of which locks this process holds came with the copy
# of its memory, while the locks themselves did not, so nothing here is trusted there.
_forked_child = False
_lock = threading.Lock()


def watch_for(connection: Any) -> CommitWatch | None:
    """The commit watch of a Django connection's database: only for a SQLite file in WAL mode
    on a POSIX system, else None (every read then runs its statement)."""
    if connection.vendor != "sqlite" or os.name != "posix" or _forked_child:
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
    # A child process reads every time (see `_forked_child`).
    global _forked_child, _lock
    _forked_child = True
    _inherited.extend(watch for watch in _watches.values() if watch is not None)
    _watches.clear()
    _lock = threading.Lock()


os.register_at_fork(after_in_child=_forked)


def _open(name: str) -> CommitWatch | None:
    if not Path(name).exists():
        return None
    try:
        return CommitWatch(name)
    except (OSError, ValueError, sqlite3.Error):
        return None
