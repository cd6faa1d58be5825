"""What the judge reads and says: a column's history (items, checks), the policy, the verdict and its states."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from monitor.workdays import Workdays

CONTENT_STATES = frozenset({"on_time", "due_soon", "late", "blank"})
MONITOR_STATES = frozenset({"unreachable", "blocked", "broken", "unknown"})


@dataclass(frozen=True)
class ItemFact:
    """One item ever seen in a column."""

    url: str
    title: str
    published: date | None  # the date the page claims it went online
    written: date | None  # 成文日期, when known
    first_seen: date  # first sweep day that saw it listed
    article_read: bool = False  # its own page was read (its dates there are known, maybe absent)


@dataclass(frozen=True)
class CheckFact:
    """The latest check of the column."""

    day: date
    outcome: str  # 'ok' | 'unreachable' | 'blocked' | 'not_found' | 'broken'
    detail: str = ""


@dataclass(frozen=True)
class ColumnHistory:
    items: tuple[ItemFact, ...]  # every item ever seen in this column
    # days on which the column was read successfully: all of them, or (the store's, monitor.store.column_history)
    # those a judgement uses, which judge the same: the first, the last, and the last before each day an item was
    # first seen (back-dating and bursts look no further), so that a year of daily checks is not read every day
    ok_check_days: tuple[date, ...]
    last_check: CheckFact | None  # None: never checked
    # ok check day -> the oldest published date that day's checks saw (how deep the list was read)
    check_depth: Mapping[date, date] = field(default_factory=dict)


@dataclass(frozen=True)
class Policy:
    warn_days: int = 3
    backdate_tolerance_days: int = 2
    workdays: Workdays = field(default_factory=Workdays)


@dataclass(frozen=True)
class Verdict:
    state: str  # one of CONTENT_STATES or MONITOR_STATES
    due: date | None  # late: the missed deadline; on_time/due_soon: the next one
    days_late: int | None  # calendar days past ``due`` (late only)
    late_since: date | None  # first late day, due + 1 (late only)
    newest: ItemFact | None  # newest dated item, by effective date
    provisional: bool  # a deciding working-day count used a year the calendar does not know
    reason: str  # one sentence in Chinese
    evidence: dict[str, Any]  # JSON-serialisable
