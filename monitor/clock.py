"""China's clock: "today" and timestamps are Asia/Shanghai; ``--as-of`` replaces today for replays."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from monitor.errors import UsageError

SHANGHAI = ZoneInfo("Asia/Shanghai")


def now() -> datetime:
    """The current instant in Asia/Shanghai (timezone-aware)."""
    return datetime.now(SHANGHAI)


def stamp() -> str:
    """Now as ISO 8601 with its +08:00 offset, for storing."""
    return now().isoformat(timespec="seconds")


def today() -> date:
    return now().date()


def parse_day(value: str | date | None) -> date:
    """`YYYY-MM-DD` (or None: today in Shanghai)."""
    if value is None or value == "":
        return today()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"not a date (YYYY-MM-DD): {value!r}") from None


def not_in_future(day: date) -> date:
    """A crawl reads today's pages: judging them as of a day to come would stamp them wrongly."""
    if day > today():
        raise UsageError(f"--as-of {day} is in the future (today is {today()} in Asia/Shanghai)")
    return day
