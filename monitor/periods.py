"""Calendar periods of periodic rules: months, quarters, half-years and years.

A ``Period`` is one such span of the calendar (``2026年第3季度``); it knows its first and last day,
its Chinese label, and its neighbours. A ``Schedule`` gives, for a ``Periodic`` rule, each period's
due day and the window in which its content counts as published on time.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from monitor.rules import PeriodName, Periodic
from monitor.workdays import Workdays

MONTHS = {"month": 1, "quarter": 3, "half_year": 6, "year": 12}


@dataclass(frozen=True)
class Period:
    """The ``index``-th (1-based) period of kind ``kind`` in ``year``."""

    kind: PeriodName
    year: int
    index: int

    @property
    def start(self) -> date:
        return date(self.year, (self.index - 1) * MONTHS[self.kind] + 1, 1)

    @property
    def end(self) -> date:
        return self.start + relativedelta(months=MONTHS[self.kind]) - timedelta(days=1)

    @property
    def label(self) -> str:
        match self.kind:
            case "month":
                return f"{self.year}年{self.index}月"
            case "quarter":
                return f"{self.year}年第{self.index}季度"
            case "half_year":
                return f"{self.year}年{'上' if self.index == 1 else '下'}半年"
        return f"{self.year}年"

    def shift(self, k: int) -> Period:
        """The period ``k`` periods later (earlier when ``k`` is negative)."""
        per_year = 12 // MONTHS[self.kind]
        year, index0 = divmod(self.year * per_year + self.index - 1 + k, per_year)
        return Period(self.kind, year, index0 + 1)

    def next(self) -> Period:
        return self.shift(1)

    def prev(self) -> Period:
        return self.shift(-1)


def period_of(day: date, kind: PeriodName) -> Period:
    """The period of kind ``kind`` that contains ``day``."""
    return Period(kind, day.year, (day.month - 1) // MONTHS[kind] + 1)


class Schedule:
    """The deadlines of a periodic rule: when each period's content is due, and its window.

    With a ``due`` offset or a ``due_date`` the content about a period is published after the
    period ends: its window runs from the day after the period to the due day. Without either,
    the content must appear within the period itself. ``due_date`` is the first such (month, day)
    after the period ends (for a yearly rule: in the following year); February 29 clamps to 28.
    An offset in months or years counts whole months from the day after the period: one month
    after February is March 31 (not March 28), one month after April is May 31. Offsets in days,
    weeks and working days count from the period's last day.
    """

    def __init__(self, rule: Periodic, workdays: Workdays) -> None:
        self.rule = rule
        self.workdays = workdays
        self._dues: dict[Period, tuple[date, bool]] = {}

    def due(self, period: Period) -> tuple[date, bool]:
        """The last on-time day of ``period``, and whether a working-day guess was used."""
        if period not in self._dues:
            self._dues[period] = self._compute_due(period)
        return self._dues[period]

    def window(self, period: Period) -> tuple[date, date]:
        """The first and last day on which content about ``period`` counts as on time."""
        opens = period.end + timedelta(days=1) if self._after_period else period.start
        return opens, self.due(period)[0]

    def latest_closed(self, as_of: date) -> Period:
        """The latest period whose due day is before ``as_of`` (the due day itself is on time)."""
        period = period_of(as_of, self.rule.period)
        while self.due(period)[0] >= as_of:
            period = period.prev()
        return period

    @property
    def _after_period(self) -> bool:
        return self.rule.due is not None or self.rule.due_date is not None

    def _compute_due(self, period: Period) -> tuple[date, bool]:
        if self.rule.due_date is not None:
            month, day = self.rule.due_date
            year = period.end.year
            while (due := _clamped(year, month, day)) <= period.end:
                year += 1
            return due, False
        if self.rule.due is not None and self.rule.due.unit in ("month", "year"):
            day_after, _ = self.workdays.add_span(period.end + timedelta(days=1), self.rule.due)
            return day_after - timedelta(days=1), False
        if self.rule.due is not None:
            return self.workdays.add_span(period.end, self.rule.due)
        return period.end, False


def _clamped(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))
