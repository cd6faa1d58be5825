"""Working days: chinese_calendar for known years, Monday-Friday plus overrides (provisional) beyond."""

from datetime import date, timedelta

import chinese_calendar
import pytest

from monitor.rules import Span
from monitor.workdays import Workdays


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=k) for k in range((last - first).days + 1)]


def test_spring_festival_2026_facts_match_chinese_calendar():
    # The calendar itself: holidays Sun Feb 15 - Mon Feb 23, make-up working days Sat Feb 14 and Sat Feb 28.
    assert all(not chinese_calendar.is_workday(d) for d in days(date(2026, 2, 15), date(2026, 2, 23)))
    assert chinese_calendar.is_workday(date(2026, 2, 14)) and chinese_calendar.is_workday(date(2026, 2, 28))
    assert chinese_calendar.is_workday(date(2026, 10, 10))  # Saturday after National Day


def test_known_year_follows_chinese_calendar_and_is_not_provisional():
    w = Workdays()
    assert w.is_workday(date(2026, 2, 13)) == (True, False)  # Friday
    assert w.is_workday(date(2026, 2, 16)) == (False, False)  # Monday in the Spring Festival
    assert w.is_workday(date(2026, 2, 14)) == (True, False)  # make-up Saturday
    assert w.is_workday(date(2026, 3, 7)) == (False, False)  # ordinary Saturday


def test_start_day_never_counts():
    w = Workdays()
    assert w.add_workdays(date(2026, 3, 2), 1) == (date(2026, 3, 3), False)
    assert w.add_workdays(date(2026, 3, 2), 0) == (date(2026, 3, 2), False)


def test_twenty_workdays_across_spring_festival_2026():
    # From Fri Feb 6: Feb 9-13 (5), Sat Feb 14 (6), Feb 24-27 (10), Sat Feb 28 (11), Mar 2-6 (16), Mar 9-12 (20).
    assert Workdays().add_workdays(date(2026, 2, 6), 20) == (date(2026, 3, 12), False)


def test_make_up_saturday_is_counted():
    w = Workdays()
    assert w.add_workdays(date(2026, 2, 13), 1) == (date(2026, 2, 14), False)
    # National Day 2026: Oct 1-7 off, Sat Oct 10 worked: 20 working days after Sep 30 end on Tue Nov 3.
    assert w.add_workdays(date(2026, 9, 30), 20) == (date(2026, 11, 3), False)


def test_unknown_year_is_monday_to_friday_and_provisional():
    w = Workdays()
    assert w.is_workday(date(2027, 1, 4)) == (True, True)  # a Monday
    assert w.is_workday(date(2027, 1, 2)) == (False, True)  # a Saturday
    assert w.is_workday(date(2003, 6, 2)) == (True, True)  # before the calendar's first year


@pytest.mark.parametrize(
    "day",
    [
        date(2027, 1, 1),  # 元旦, a Friday
        date(2028, 5, 1), date(2028, 5, 2),  # 劳动节, Monday and Tuesday (two days since the 2024 revision)
        date(2027, 10, 1), date(2028, 10, 2), date(2028, 10, 3),  # 国庆, Friday, Monday, Tuesday
        date(2003, 10, 1),  # before the calendar's first year too
    ],
)
def test_unknown_year_keeps_fixed_date_statutory_holidays(day):
    assert day.weekday() < 5
    assert Workdays().is_workday(day) == (False, True)


def test_unknown_year_fixed_holiday_guess_ends_with_the_holiday():
    w = Workdays()
    assert w.is_workday(date(2028, 5, 3)) == (True, True)  # Wednesday: the statutory days are May 1-2
    assert w.is_workday(date(2028, 10, 4)) == (True, True)  # Wednesday: the statutory days are Oct 1-3


def test_overrides_beat_the_fixed_holiday_guess():
    w = Workdays({date(2027, 10, 1): True, date(2027, 10, 4): False})
    assert w.is_workday(date(2027, 10, 1)) == (True, False)
    assert w.is_workday(date(2027, 10, 4)) == (False, False)


def test_overrides_are_honoured_and_not_provisional_in_unknown_years():
    w = Workdays({date(2027, 1, 1): False, date(2027, 2, 6): True, date(2026, 3, 3): False})
    assert w.is_workday(date(2027, 1, 1)) == (False, False)
    assert w.is_workday(date(2027, 2, 6)) == (True, False)  # a Saturday made a working day
    assert w.is_workday(date(2026, 3, 3)) == (True, False)  # a known year ignores the table


def test_count_into_unknown_year_is_provisional_and_never_raises():
    w = Workdays()
    assert w.add_workdays(date(2027, 1, 4), 20) == (date(2027, 2, 1), True)
    assert w.add_workdays(date(2026, 12, 30), 2) == (date(2027, 1, 4), True)  # Fri Jan 1 is 元旦
    assert w.add_workdays(date(2026, 12, 28), 3) == (date(2026, 12, 31), False)


def test_count_in_unknown_year_honours_overrides():
    w = Workdays({date(2027, 1, 1): False})
    assert w.add_workdays(date(2026, 12, 31), 1) == (date(2027, 1, 4), True)  # Sat, Sun guessed
    assert Workdays({date(2027, 1, 1): True}).add_workdays(date(2026, 12, 31), 1) == (date(2027, 1, 1), False)


def test_negative_count_goes_back_in_working_days():
    # 2026-02-24 (Tue, first working day after the Spring Festival) back 2 working days:
    # Mon 23 to Sun 15 are holidays, Sat 14 is a make-up working day, Fri 13 a working day.
    assert Workdays().add_workdays(date(2026, 2, 24), -2) == (date(2026, 2, 13), False)


@pytest.mark.parametrize(
    "start, span, expected",
    [
        (date(2026, 10, 1), Span(14, "day"), date(2026, 10, 15)),
        (date(2026, 10, 1), Span(2, "week"), date(2026, 10, 15)),
        (date(2026, 1, 31), Span(1, "month"), date(2026, 2, 28)),  # clamped to the month's end
        (date(2026, 8, 31), Span(6, "month"), date(2027, 2, 28)),
        (date(2024, 2, 29), Span(1, "year"), date(2025, 2, 28)),
        (date(2027, 3, 1), Span(10, "day"), date(2027, 3, 11)),  # calendar days are never provisional
    ],
)
def test_add_span_calendar_units(start, span, expected):
    assert Workdays().add_span(start, span) == (expected, False)


def test_twenty_workdays_across_national_day_of_an_unknown_year():
    # From Thu Sep 30 2027: Oct 1 (Fri) is 国庆, Oct 4-8 (5), 11-15 (10), 18-22 (15), 25-29 (20).
    assert Workdays().add_workdays(date(2027, 9, 30), 20) == (date(2027, 10, 29), True)


def test_add_span_workdays_uses_the_working_day_calendar():
    assert Workdays().add_span(date(2026, 2, 6), Span(20, "workday")) == (date(2026, 3, 12), False)
    assert Workdays().add_span(date(2027, 1, 4), Span(20, "workday")) == (date(2027, 2, 1), True)
