"""The row store keeps validated rows between validation and apply, spilling to disk."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from charter.core.imports.base import CleanRow
from charter.core.imports.store import (
    RepeatFinder,
    RowStore,
    pack_clean_rows,
    unpack_clean_rows,
)


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


def test_repeat_finder_names_each_repeated_key_with_its_rows_in_file_order() -> None:
    with RepeatFinder(batch=4) as finder:
        for number, key in enumerate(["a", "b", "c", "b", "d", "a", "e", "b", "f", "g"], start=2):
            finder.add(key, number)

        # "b" is repeated first (row 5), then "a" (row 7); keys seen once are not listed.
        assert finder.repeats() == [("b", [3, 5, 9]), ("a", [2, 7])]


def test_repeat_finder_does_not_count_one_row_twice() -> None:
    with RepeatFinder() as finder:
        finder.add("a", 2)
        finder.add("a", 2)
        finder.add("b", 3)

        assert finder.repeats() == []


def test_repeat_finder_finds_repeats_far_apart_across_many_batches() -> None:
    with RepeatFinder(batch=1_000) as finder:
        for number in range(20_000):
            finder.add(f"id-{number}", number)
        finder.add("id-3", 20_000)

        assert finder.repeats() == [("id-3", [3, 20_000])]


def test_packed_clean_rows_spill_and_come_back_equal_in_order() -> None:
    rows = [
        CleanRow(number=n, data={"external_id": f"D{n}", "amount": Decimal(n), "day": None})
        for n in range(2, 40)
    ]
    with RowStore[CleanRow[Any]](
        memory_rows=5, pack=pack_clean_rows, unpack=unpack_clean_rows
    ) as store:
        for row in rows:
            store.append(row)

        assert store.spilled
        assert list(store) == rows


def test_clean_rows_whose_data_differ_in_keys_or_kind_are_stored_as_they_are() -> None:
    mixed = [CleanRow(number=2, data={"a": 1}), CleanRow(number=3, data={"b": 2})]
    reordered = [
        CleanRow(number=2, data={"a": 1, "b": 2}),
        CleanRow(number=3, data={"b": 2, "a": 1}),
    ]
    plain = [CleanRow(number=2, data="a note"), CleanRow(number=3, data="another")]

    for rows in (mixed, reordered, plain):
        assert pack_clean_rows(rows) == (None, rows)
        assert unpack_clean_rows(pack_clean_rows(rows)) == rows
    assert pack_clean_rows([CleanRow(number=2, data={"a": 1})]) == (("a",), [(2, (1,))])


def test_pack_and_unpack_are_given_together() -> None:
    with pytest.raises(ValueError, match="both"):
        RowStore[CleanRow[Any]](pack=pack_clean_rows)
