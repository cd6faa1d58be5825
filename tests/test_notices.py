"""When a notice opens, is rectified or goes overdue (monitor.notices.decide, pure)."""

from datetime import date

import pytest

from monitor.notices import ActiveNotice, decide

DAY = date(2026, 11, 20)
OPEN = ActiveNotice(1, "open", deadline=date(2026, 11, 27))


@pytest.mark.parametrize("today, previous", [("late", "late"), ("blank", "blank"), ("late", "blank")])
def test_opens_after_two_consecutive_lagging_sweeps(today, previous):
    assert decide(today, previous, None, DAY) == "open"


@pytest.mark.parametrize("previous", [None, "on_time", "due_soon", "unreachable", "blocked", "broken", "unknown"])
def test_one_lagging_sweep_is_not_enough(previous):
    assert decide("late", previous, None, DAY) is None


@pytest.mark.parametrize("today", ["unreachable", "blocked", "broken", "unknown"])
def test_monitor_side_states_never_open_or_move_a_notice(today):
    assert decide(today, "late", None, DAY) is None
    assert decide(today, "late", OPEN, date(2026, 12, 30)) is None


def test_no_second_notice_while_one_is_active():
    assert decide("late", "late", OPEN, DAY) is None


@pytest.mark.parametrize("today", ["on_time", "due_soon"])
def test_fixed_column_rectifies_open_and_overdue_notices(today):
    assert decide(today, "late", OPEN, DAY) == "rectify"
    assert decide(today, "late", ActiveNotice(1, "overdue", OPEN.deadline), date(2026, 12, 3)) == "rectify"


def test_overdue_only_after_the_deadline_day():
    assert decide("late", "late", OPEN, OPEN.deadline) is None
    assert decide("late", "late", OPEN, date(2026, 11, 28)) == "overdue"
    assert decide("late", "late", ActiveNotice(1, "overdue", OPEN.deadline), date(2026, 11, 29)) is None
