"""Working-day arithmetic, by property: counts that add up, deadlines on working days, honest provisional flags.

The oracle is independent of ``Workdays``: chinese_calendar for 2004-2026, the test's own 2027 sets when the
calendar file is loaded, else Monday-Friday less the fixed-date statutory holidays.
"""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.calendar_file import load_calendar_file
from monitor.rules import Span
from monitor.workdays import Workdays

ONE = timedelta(days=1)
FIXED = {(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)}

# TEST DATA, NOT the State Council's arrangement for 2027: invented dates in the file format.
FILE_2027 = """
[2027]
source = "测试数据（非官方安排）"
holidays = ["2027-01-01..2027-01-04", "2027-02-05..2027-02-12", "2027-05-01..2027-05-05", "2027-10-01..2027-10-07"]
workdays = ["2027-02-20", "2027-10-09"]
"""
OFF_2027 = ({date(2027, 1, d) for d in range(1, 5)} | {date(2027, 2, d) for d in range(5, 13)}
            | {date(2027, 5, d) for d in range(1, 6)} | {date(2027, 10, d) for d in range(1, 8)})
ON_2027 = {date(2027, 2, 20), date(2027, 10, 9)}

starts = st.dates(min_value=date(2004, 1, 1), max_value=date(2030, 12, 31))
counts = st.integers(min_value=0, max_value=300)
SETTINGS = settings(deadline=None, max_examples=60)


def oracle(day: date, with_2027: bool) -> tuple[bool, bool]:
    """(working day, provisional) computed without Workdays."""
    if 2004 <= day.year <= 2026:
        return chinese_calendar.is_workday(day), False
    if with_2027 and day.year == 2027:
        return day in ON_2027 or (day.weekday() < 5 and day not in OFF_2027), False
    return day.weekday() < 5 and (day.month, day.day) not in FIXED, True


def walk(start: date, end: date) -> list[date]:
    """The days strictly after ``start`` up to ``end`` (either direction): the days a count examines."""
    step = ONE if end >= start else -ONE
    days, day = [], start
    while day != end:
        day += step
        days.append(day)
    return days


def previous_or_same(day: date, with_2027: bool) -> date:
    while not oracle(day, with_2027)[0]:
        day -= ONE
    return day


def next_or_same(day: date, with_2027: bool) -> date:
    while not oracle(day, with_2027)[0]:
        day += ONE
    return day


@pytest.fixture(scope="module")
def with_file(tmp_path_factory) -> Workdays:
    path = tmp_path_factory.mktemp("calendar") / "holidays.toml"
    path.write_text(FILE_2027, encoding="utf-8")
    return Workdays(years=load_calendar_file(path))


CALENDARS = [pytest.param(False, id="package-only"), pytest.param(True, id="with-2027-file")]


def calendar(with_2027: bool, with_file: Workdays) -> Workdays:
    return with_file if with_2027 else Workdays()


@pytest.mark.parametrize("with_2027", CALENDARS)
@SETTINGS
@given(start=starts, n=counts)
def test_n_working_days_later_is_a_working_day_with_exactly_n_working_days_between(with_2027, with_file, start, n):
    w = calendar(with_2027, with_file)
    end, provisional = w.add_workdays(start, n)
    examined = walk(start, end)
    assert sum(oracle(d, with_2027)[0] for d in examined) == n
    if n:
        assert oracle(end, with_2027)[0]
    else:
        assert end == start
    # provisional exactly when a day of a year nobody knows was examined
    assert provisional == any(oracle(d, with_2027)[1] for d in examined)


@pytest.mark.parametrize("with_2027", CALENDARS)
@SETTINGS
@given(start=starts, n=counts)
def test_counting_forward_then_back(with_2027, with_file, start, n):
    # The n-th working day back from the n-th working day after `start` is the last working day on or
    # before `start` (`start` itself when it is a working day): the working days in between are the
    # n - 1 after `start`. With n = 0 nothing moves, even from a day off.
    w = calendar(with_2027, with_file)
    there, _ = w.add_workdays(start, n)
    back, _ = w.add_workdays(there, -n)
    assert back == (previous_or_same(start, with_2027) if n else start)


@pytest.mark.parametrize("with_2027", CALENDARS)
@SETTINGS
@given(start=starts, n=counts)
def test_counting_back_then_forward(with_2027, with_file, start, n):
    w = calendar(with_2027, with_file)
    there, _ = w.add_workdays(start, -n)
    back, _ = w.add_workdays(there, n)
    assert back == (next_or_same(start, with_2027) if n else start)


@pytest.mark.parametrize("with_2027", CALENDARS)
@SETTINGS
@given(start=starts, n=st.integers(min_value=1, max_value=300))
def test_a_working_day_deadline_never_lands_on_a_day_off(with_2027, with_file, start, n):
    due, _ = calendar(with_2027, with_file).add_span(start, Span(n, "workday"))
    assert due > start and oracle(due, with_2027)[0]


MAKE_UP_DAYS = [d for d in chinese_calendar.get_workdays(date(2004, 1, 1), date(2026, 12, 31)) if d.weekday() >= 5]


@pytest.mark.parametrize("day", ["2024-02-04", "2024-02-18", "2024-04-07", "2024-04-28", "2024-05-11", "2024-09-14",
                                 "2024-09-29", "2024-10-12"])
def test_the_make_up_weekend_days_of_2024(day):
    day = date.fromisoformat(day)
    assert day.weekday() >= 5 and chinese_calendar.is_workday(day)
    assert day in MAKE_UP_DAYS
    assert Workdays().is_workday(day) == (True, False)


@SETTINGS
@given(day=st.sampled_from(MAKE_UP_DAYS), n=st.integers(min_value=1, max_value=30))
def test_make_up_weekend_days_count(day, n):
    w = Workdays()
    assert w.is_workday(day) == (True, False)
    assert w.add_workdays(day - ONE, 1) == (day, False)  # the first working day after the day before
    # counted among the n working days ending on it
    start, _ = w.add_workdays(day, -n)
    assert w.add_workdays(start, n)[0] == day
    assert day in walk(start, day) and sum(oracle(d, False)[0] for d in walk(start, day)) == n


@SETTINGS
@given(start=st.dates(min_value=date(2026, 12, 1), max_value=date(2027, 12, 31)), n=counts)
def test_with_the_2027_file_nothing_in_2027_is_provisional_and_2028_still_is(with_file, start, n):
    end, provisional = with_file.add_workdays(start, n)
    assert provisional == (end.year >= 2028)
    assert with_file.knows(2027) and not with_file.knows(2028)
    assert with_file.is_workday(date(2027, 2, 20)) == (True, False)  # the file's make-up Saturday
    assert with_file.is_workday(date(2027, 1, 4)) == (False, False)  # a Monday the file gives off
    assert with_file.is_workday(date(2028, 1, 3)) == (True, True)  # a Monday of a year nobody knows


@pytest.fixture(scope="module")
def disagreeing_2026(tmp_path_factory) -> Workdays:
    """A calendar file whose 2026 disagrees with the package (Mondays in March off)."""
    path = tmp_path_factory.mktemp("calendar") / "2026.toml"
    path.write_text('[2026]\nsource = "测试"\nholidays = ["2026-01-01", "2026-03-02", "2026-03-09", "2026-05-01",'
                    ' "2026-10-01", "2026-10-02"]\n', encoding="utf-8")
    return Workdays(years=load_calendar_file(path))


@SETTINGS
@given(day=st.dates(min_value=date(2004, 1, 1), max_value=date(2026, 12, 31)))
def test_a_file_never_overrides_the_years_chinese_calendar_knows(disagreeing_2026, day):
    assert disagreeing_2026.is_workday(day) == (chinese_calendar.is_workday(day), False)
