"""Chinese working days (工作日) and date arithmetic for rule spans.

Working days follow the State Council's holiday notice of each year, make-up working days
(调休) included, as known to the package ``chinese_calendar`` (1.11: 2004-2026). For a year the
package does not know, a day is a working day when the user's override table says so, else when it
falls on Monday to Friday and is not a statutory holiday of fixed date (元旦 January 1, 劳动节
May 1-2, 国庆 October 1-3: ``FIXED_HOLIDAYS``). Such a guess is *provisional*: every function here
returns, next to its answer, a flag telling whether a guessed day was used, so that a deadline can
say so and be recomputed once the year's notice is known. The lunar holidays (春节, 清明, 端午,
中秋) and the bridging days and make-up days of an unknown year are not guessed.

A day the override table names explicitly is not a guess: it is not provisional. Only the days
of an unknown year that the table leaves out (decided by the guess) are.

Counting starts the day after the trigger: 20 working days after a Friday start on the Monday.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

import chinese_calendar
from dateutil.relativedelta import relativedelta

from monitor.rules import Span

ONE_DAY = timedelta(days=1)
# (month, day) of the statutory holidays with a fixed Gregorian date, as in force since 2025
# (全国年节及纪念日放假办法, revised 2024): 元旦 Jan 1, 劳动节 May 1-2, 国庆 Oct 1-3.
FIXED_HOLIDAYS = frozenset({(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)})


def fixed_holiday(day: date) -> bool:
    """Whether ``day`` falls on a statutory holiday of fixed Gregorian date."""
    return (day.month, day.day) in FIXED_HOLIDAYS


class Workdays:
    """The working-day calendar: ``chinese_calendar`` where it knows the year, else a guess.

    ``overrides`` maps a day to True (working day) or False (holiday); it is read only for the
    years ``chinese_calendar`` does not know.
    """

    def __init__(self, overrides: Mapping[date, bool] | None = None) -> None:
        self._overrides = dict(overrides or {})

    def is_workday(self, day: date) -> tuple[bool, bool]:
        """Return ``(is_workday, provisional)`` for ``day``; never raises for an unknown year.

        ``provisional`` is True only when the year is unknown to ``chinese_calendar`` and the
        override table does not name the day (the answer is then Monday-Friday, fixed-date
        statutory holidays excepted).
        """
        try:
            return chinese_calendar.is_workday(day), False
        except NotImplementedError:
            pass
        if day in self._overrides:
            return self._overrides[day], False
        return day.weekday() < 5 and not fixed_holiday(day), True

    def add_workdays(self, start: date, n: int) -> tuple[date, bool]:
        """Return the ``n``-th working day after ``start`` (``start`` itself never counts);
        a negative ``n`` counts back to the ``-n``-th working day before it.

        The flag is True when any day examined on the way was a provisional guess.
        """
        step = ONE_DAY if n >= 0 else -ONE_DAY
        day, provisional, left = start, False, abs(n)
        while left:
            day += step
            working, guessed = self.is_workday(day)
            provisional |= guessed
            if working:
                left -= 1
        return day, provisional

    def add_span(self, start: date, span: Span) -> tuple[date, bool]:
        """Return ``start`` plus ``span`` and whether a working-day guess was used.

        Months and years clamp to the end of the month (January 31 + 1 month = February 28).
        """
        match span.unit:
            case "workday":
                return self.add_workdays(start, span.n)
            case "day":
                return start + timedelta(days=span.n), False
            case "week":
                return start + timedelta(weeks=span.n), False
            case "month":
                return start + relativedelta(months=span.n), False
            case "year":
                return start + relativedelta(years=span.n), False
        raise ValueError(f"unknown span unit {span.unit!r}")
