"""How deep a check read a list: the evidence behind back-dating and taken-down items."""

from datetime import date

from spiders.unit import read_depth

D = date


def test_depth_is_the_last_date_read():
    assert read_depth([D(2026, 11, 27), D(2026, 11, 20), D(2026, 10, 3)]) == D(2026, 10, 3)


def test_pinned_old_items_at_the_top_do_not_deepen_the_check():
    pinned = [D(2019, 3, 1), D(2020, 1, 6)]
    assert read_depth(pinned + [D(2026, 11, 27), D(2026, 11, 20), D(2026, 11, 2)]) == D(2026, 11, 2)


def test_a_list_out_of_date_order_gives_no_depth():
    shuffled = [D(2026, 1, 5), D(2026, 11, 2), D(2025, 3, 1), D(2026, 9, 9), D(2024, 1, 1), D(2026, 10, 1),
                D(2023, 5, 5), D(2026, 8, 8), D(2022, 2, 2)]
    assert read_depth(shuffled) is None
    assert read_depth([]) is None
