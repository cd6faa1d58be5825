"""What the report draws over time: the on-time rate of the last 12 weeks (overall and per unit) and a
unit's year of publication days. Plain data from the store; the charts are reports.charts'.

A report's week is the seven days ending on its day (``as_of``); the weeks before it end 7, 14, ... days
earlier. A rate is on-time column-days over judged column-days (monitor-side states are not judged).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from monitor.config import Catalog
from monitor.judge import CONTENT_STATES
from monitor.notices import FINE
from monitor.store import Store

TREND_WEEKS = 12


@dataclass(frozen=True)
class Window:
    start: date
    end: date

    @property
    def label(self) -> str:
        """The ISO week holding most of the window (its middle day): a Monday report is last week's."""
        return f"第{(self.end - timedelta(days=3)).isocalendar().week}周"

    @property
    def detail(self) -> str:
        return f"{self.start.month}月{self.start.day}日—{self.end.month}月{self.end.day}日"


def week_name(as_of: date) -> str:
    """The folder of a week's report: the day it was built for (weeks/2026-11-30/): a stable URL that no
    other build overwrites (a rebuild of the same day replaces it)."""
    return as_of.isoformat()


def windows(as_of: date, weeks: int = TREND_WEEKS) -> list[Window]:
    """The `weeks` seven-day windows ending on as_of, oldest first."""
    return [Window(as_of - timedelta(days=7 * k + 6), as_of - timedelta(days=7 * k)) for k in reversed(range(weeks))]


@dataclass
class Rates:
    overall: list[tuple[int, int]]               # (on time, judged) per window, oldest first
    by_unit: dict[str, list[tuple[int, int]]]

    @staticmethod
    def rate(pair: tuple[int, int]) -> float | None:
        return pair[0] / pair[1] if pair[1] else None


def weekly_rates(store: Store, catalog: Catalog, as_of: date, weeks: int = TREND_WEEKS) -> tuple[list[Window], Rates]:
    """On-time and judged column-days per window, overall and per unit (counted by the store, in SQL)."""
    spans = windows(as_of, weeks)
    configured = {(u.slug, c.id) for u in catalog.units for c in u.columns}
    overall = [[0, 0] for _ in spans]
    by_unit: dict[str, list[list[int]]] = defaultdict(lambda: [[0, 0] for _ in spans])
    for row in store.verdict_weeks(as_of, weeks, FINE, CONTENT_STATES):
        if (row["unit"], row["column_id"]) not in configured:
            continue
        k = weeks - 1 - row["ago"]
        for pair in (overall[k], by_unit[row["unit"]][k]):
            pair[0] += row["fine"]
            pair[1] += row["judged"]
    return spans, Rates([tuple(p) for p in overall],
                        {u.slug: [tuple(p) for p in by_unit[u.slug]] for u in catalog.units})


CALENDAR_DAYS = 365  # "近一年"


def calendar_start(as_of: date, days: int = CALENDAR_DAYS) -> date:
    """The calendar's first day: a year back, moved to its Monday (the drawing is in whole weeks)."""
    first = as_of - timedelta(days=days - 1)
    return first - timedelta(days=first.weekday())


def publication_calendars(store: Store, catalog: Catalog, as_of: date) -> dict[str, tuple[Counter, Counter]]:
    """Per unit: items published per day from calendar_start to as_of (its configured columns; items first
    seen after as_of left out, so a past week rebuilds the same), and per column over the last 365 days."""
    configured = {(u.slug, c.id) for u in catalog.units for c in u.columns}
    year_from = as_of - timedelta(days=CALENDAR_DAYS - 1)
    out: dict[str, tuple[Counter, Counter]] = defaultdict(lambda: (Counter(), Counter()))
    for row in store.publication_days(calendar_start(as_of), as_of):
        if (row["unit"], row["column_id"]) not in configured:
            continue
        try:
            day = date.fromisoformat(row["day"])
        except (TypeError, ValueError):
            continue
        per_day, per_column = out[row["unit"]]
        per_day[day] += row["items"]
        if day >= year_from:
            per_column[row["column_id"]] += row["items"]
    return out
