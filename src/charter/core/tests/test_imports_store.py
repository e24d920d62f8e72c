"""The row store keeps validated rows between validation and apply, spilling to disk."""

from __future__ import annotations

from charter.core.imports.store import RowStore


def test_rows_beyond_the_memory_limit_spill_to_disk_and_come_back_in_order() -> None:
    with RowStore[tuple[int, str]](memory_rows=100) as store:
        for i in range(1_050):
            store.append((i, f"row {i}"))

        assert store.spilled
        assert len(store) == 1_050
        assert [i for i, _ in store] == list(range(1_050))
        assert [i for i, _ in store][-1] == 1_049  # may be read again


def test_two_iterations_may_interleave() -> None:
    with RowStore[int](memory_rows=3) as store:
        for i in range(10):
            store.append(i)

        pairs = list(zip(store, iter(store), strict=True))

    assert pairs == [(i, i) for i in range(10)]


def test_a_small_store_stays_in_memory() -> None:
    with RowStore[int]() as store:
        store.append(1)

        assert not store.spilled
        assert list(store) == [1]
