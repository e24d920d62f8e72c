"""Valid rows kept between validation and apply, in memory up to a limit and on disk beyond it,
so a million-row import validates everything before writing without holding it all in RAM; and
the keys (external ids) of every row, on disk too, to find the ones a file repeats."""

from __future__ import annotations

import pickle
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from typing import IO, Any, Generic, TypeVar, cast

from charter.core.imports.base import CleanRow

T = TypeVar("T")


class RowStore(Generic[T]):
    """An append-then-read list of rows that spills to a temporary file in chunks.

    `pack` turns a chunk into what is pickled and `unpack` turns that back into the rows, for
    rows that have a smaller form to write than themselves."""

    def __init__(
        self,
        *,
        memory_rows: int = 20_000,
        pack: Callable[[list[T]], Any] | None = None,
        unpack: Callable[[Any], list[T]] | None = None,
    ) -> None:
        if (pack is None) != (unpack is None):
            raise ValueError("give both pack and unpack, or neither")
        self.memory_rows = memory_rows
        self._pack = pack
        self._unpack = unpack
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
        chunk = self._buffer if self._pack is None else self._pack(self._buffer)
        pickle.dump(chunk, self._file, protocol=pickle.HIGHEST_PROTOCOL)
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
            chunk = pickle.load(self._file)  # noqa: S301
            rows: list[T] = chunk if self._unpack is None else self._unpack(chunk)
            yield from rows
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


# A chunk of clean rows as written to disk: the keys their data share and (row number, values)
# per row; or, for rows whose data are not such dicts, no keys and the rows as they are.
PackedRows = tuple[tuple[str, ...], list[tuple[int, tuple[Any, ...]]]] | tuple[None, list[Any]]


def pack_clean_rows(rows: list[CleanRow[Any]]) -> PackedRows:
    """`rows` in a smaller form when their data are dicts with the same keys (every CRM
    importer's): the keys once and a tuple of values per row pickle in less time, and unpickle
    in much less, than a dict and a CleanRow per row."""
    first = rows[0].data if rows else None
    if type(first) is not dict:
        return None, rows
    keys = tuple(first)
    packed: list[tuple[int, tuple[Any, ...]]] = []
    for row in rows:
        data = row.data
        if type(data) is not dict or tuple(data) != keys:
            return None, rows
        packed.append((row.number, tuple(data.values())))
    return keys, packed


def unpack_clean_rows(chunk: PackedRows) -> list[CleanRow[Any]]:
    keys, rows = chunk
    if keys is None:
        return list(rows)
    return [
        CleanRow(number, dict(zip(keys, values, strict=True)))
        for number, values in cast(list[tuple[int, tuple[Any, ...]]], rows)
    ]


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
