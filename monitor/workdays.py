"""Chinese working days (工作日) and date arithmetic for rule spans.

Working days follow the State Council's holiday notice of each year, make-up working days
(调休) included. A year is *known* when the package ``chinese_calendar`` knows it (1.11:
2004-2026; it is exact there and always wins), or else when a calendar file gives it
(``YearDays``, read by ``monitor.calendar_file`` from the notice 国务院办公厅关于部分节假日安排的通知):
its listed holidays are off, its listed make-up days are worked, other days follow Monday-Friday.

For a year nobody knows, a day is a working day when the user's override table says so, else when
it falls on Monday to Friday and is not a statutory holiday of fixed date (元旦 January 1, 劳动节
May 1-2, 国庆 October 1-3: ``FIXED_HOLIDAYS``). Such a guess is *provisional*: every function here
returns, next to its answer, a flag telling whether a guessed day was used, so that a deadline can
say so and be recomputed once the year's notice is known. The lunar holidays (春节, 清明, 端午,
中秋) and the bridging days and make-up days of an unknown year are not guessed.

A day the override table names explicitly is not a guess: it is not provisional. Only the days
of an unknown year that the table leaves out (decided by the guess) are. The table is read only
for unknown years: it does not make a year known.

Counting starts the day after the trigger: 20 working days after a Friday start on the Monday.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

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


@cache
def package_knows(year: int) -> bool:
    """Whether ``chinese_calendar`` has the State Council's arrangement for ``year``."""
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


@dataclass(frozen=True)
class YearDays:
    """One year's arrangement as a calendar file gives it: the days off and the make-up working days."""

    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]
    source: str  # where the dates come from, e.g. the notice's number 国办发明电〔2026〕X号
    file: str = ""  # the file that gave them

    def is_workday(self, day: date) -> bool:
        return day in self.workdays or (day.weekday() < 5 and day not in self.holidays)


class Workdays:
    """The working-day calendar: ``chinese_calendar``, else the calendar file's years, else a guess.

    ``overrides`` maps a day to True (working day) or False (holiday); it is read only for the
    years neither ``chinese_calendar`` nor ``years`` knows. ``years`` maps a year to its
    ``YearDays``; a year ``chinese_calendar`` knows is ignored there.
    """

    def __init__(self, overrides: Mapping[date, bool] | None = None,
                 years: Mapping[int, YearDays] | None = None) -> None:
        self._overrides = dict(overrides or {})
        self._years = {y: v for y, v in (years or {}).items() if not package_knows(y)}
        self._forgotten: frozenset[int] = frozenset()

    def knows(self, year: int) -> bool:
        """Whether ``year``'s arrangement is known (its working days are not guessed)."""
        return year not in self._forgotten and (package_knows(year) or year in self._years)

    def year_days(self, year: int) -> YearDays | None:
        """The calendar file's arrangement for ``year``, if it is where the year comes from."""
        return None if year in self._forgotten else self._years.get(year)

    def forgetting(self, year: int) -> Workdays:
        """This calendar as it was before ``year``'s arrangement was known: that year is guessed."""
        copy = Workdays(self._overrides, self._years)
        copy._forgotten = self._forgotten | {year}
        return copy

    def is_workday(self, day: date) -> tuple[bool, bool]:
        """Return ``(is_workday, provisional)`` for ``day``; never raises for an unknown year.

        ``provisional`` is True only when the year is unknown (to ``chinese_calendar`` and to the
        calendar file) and the override table does not name the day (the answer is then
        Monday-Friday, fixed-date statutory holidays excepted).
        """
        if day.year not in self._forgotten:
            if package_knows(day.year):
                return chinese_calendar.is_workday(day), False
            known = self._years.get(day.year)
            if known is not None:
                return known.is_workday(day), False
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
