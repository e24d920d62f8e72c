"""Valid rows kept between validation and apply, in memory up to a limit and on disk beyond it,
so a million-row import validates everything before writing without holding it all in RAM."""

from __future__ import annotations

import pickle
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
