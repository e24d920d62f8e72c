"""Valid rows kept between validation and apply, in memory up to a limit and on disk beyond it,
so a million-row import validates everything before writing without holding it all in RAM; and
the keys (external ids) of every row, on disk too, to find the ones a file repeats."""

from __future__ import annotations

import pickle
import sqlite3
import tempfile
from collections.abc import Iterator
from typing import IO, Any, Generic, TypeVar

T = TypeVar("T")


class RowStore(Generic[T]):
    """An append-then-read list of rows that spills to a temporary file in chunks."""

    def __init__(self, *, memory_rows: int = 20_000) -> None:
        self.memory_rows = memory_rows
        self._buffer: list[T] = []
        self._file: IO[bytes] | None = None
        self._offsets: list[int] = []
        self._length = 0

    def append(self, item: T) -> None:
        self._buffer.append(item)
        self._length += 1
        if len(self._buffer) >= self.memory_rows:
            self._spill()

    def _spill(self) -> None:
        if self._file is None:
            self._file = tempfile.TemporaryFile(prefix="charter-import-")  # noqa: SIM115
        self._file.seek(0, 2)
        self._offsets.append(self._file.tell())
        pickle.dump(self._buffer, self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self._buffer = []

    @property
    def spilled(self) -> bool:
        return bool(self._offsets)

    def __len__(self) -> int:
        return self._length

    def __iter__(self) -> Iterator[T]:
        # Each chunk is found by its offset, so two iterations may interleave safely.
        for offset in self._offsets:
            assert self._file is not None
            self._file.seek(offset)
            # Our own temporary file, written by this process a moment ago: safe to unpickle.
            chunk: list[T] = pickle.load(self._file)  # noqa: S301
            yield from chunk
        yield from list(self._buffer)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        self._buffer = []
        self._offsets = []

    def __enter__(self) -> RowStore[T]:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class RepeatFinder:
    """Finds the keys (e.g. external ids) that more than one row carries, without one entry
    per row in memory: keys go a batch at a time to a private temporary SQLite file, and one
    grouped query at the end finds the repeats."""

    def __init__(self, *, batch: int = 10_000) -> None:
        self.batch = batch
        self._pending: list[tuple[str, int]] = []
        self._db: sqlite3.Connection | None = None

    def add(self, key: str, number: int) -> None:
        """Row `number` carries `key`."""
        self._pending.append((key, number))
        if len(self._pending) >= self.batch:
            self._flush()

    def _flush(self) -> None:
        if self._db is None:
            # An empty name is SQLite's private temporary database: on disk beyond its page
            # cache, deleted when closed. Nothing here needs to survive a crash.
            self._db = sqlite3.connect("", isolation_level=None)
            self._db.executescript(
                "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
                "CREATE TABLE seen (key TEXT NOT NULL, number INTEGER NOT NULL);"
            )
        if self._pending:
            self._db.executemany("INSERT INTO seen VALUES (?, ?)", self._pending)
            self._pending = []

    def repeats(self) -> list[tuple[str, list[int]]]:
        """Each key seen on more than one row, with its row numbers in order; the keys in the
        order their first repeat was met."""
        self._flush()
        assert self._db is not None
        found: list[tuple[str, list[int]]] = []
        for key, numbers in self._db.execute(
            "SELECT key, group_concat(number) FROM seen GROUP BY key "
            "HAVING count(DISTINCT number) > 1"
        ):
            found.append((key, sorted({int(n) for n in numbers.split(",")})))
        found.sort(key=lambda item: item[1][1])
        return found

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
        self._pending = []

    def __enter__(self) -> RepeatFinder:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
