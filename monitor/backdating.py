"""The date each item of a column counts from on the day judged: back-dated items and site changes spotted.

An item whose claimed date lies within the range an earlier successful check read, yet which that check
did not list, is suspected back-dated (疑似倒签) and counts from that check; a day with many suspects at
once is a change of the site's addresses, not back-dating; an item dated after the day judged counts
from its first sighting. Pure functions.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from monitor.judge_model import ColumnHistory, ItemFact

SITE_CHANGE_MIN = 3  # a sighting day with more suspects than this (and than half its new items) is a site change


@dataclass(frozen=True)
class Dated:
    """A dated item with the date it counts from."""

    item: ItemFact
    effective: date
    absent_on: date | None = None  # the ok check that did not list it: suspected back-dated
    future: bool = False  # claims a date after as_of: counts from its first sighting


@dataclass(frozen=True)
class ColumnFacts:
    """What is known of a column's items on the day judged."""

    count: int  # items known on as_of
    dated: tuple[Dated, ...]  # dated items, newest effective date first
    undated: int
    unread: int  # undated items whose own page was not read
    site_changes: tuple[date, ...]  # sighting days taken for a change of the site's addresses

    @property
    def future(self) -> tuple[ItemFact, ...]:
        return tuple(d.item for d in self.dated if d.future)

    @property
    def newest(self) -> Dated | None:
        return self.dated[0] if self.dated else None


def column_facts(history: ColumnHistory, as_of: date, tolerance: int) -> ColumnFacts:
    """The facts of the items of ``history`` known on ``as_of`` (items first seen later were not known that day)."""
    items = [i for i in history.items if i.first_seen <= as_of]
    dated, site_changes = _effective_dates(items, history, tolerance)
    dated = [Dated(d.item, d.item.first_seen, future=True) if d.item.published > as_of else d for d in dated]
    undated = [i for i in items if i.published is None]
    return ColumnFacts(
        len(items), tuple(sorted(dated, key=lambda d: d.effective, reverse=True)), len(undated),
        sum(not i.article_read for i in undated), tuple(site_changes),
    )


def _effective_dates(
    items: list[ItemFact], history: ColumnHistory, tolerance: int,
) -> tuple[list[Dated], list[date]]:
    """Give each dated item the date it counts from, spotting back-dated items.

    An item is suspected back-dated when the last successful check ``c`` before its first sighting
    did not list it although it claims a date that check covered: ``tolerance`` days or more
    before ``c``, and newer than the oldest date ``c`` saw (``history.check_depth``; an item as
    old as that may have sat on the next, unread page). It counts from ``c`` itself: it may have
    appeared later that day. Without a recorded depth for ``c`` nothing is suspected.

    Returns the items and the site-change days: sighting days with more suspects than
    ``SITE_CHANGE_MIN`` and than half the items first seen that day. A site that changes its
    addresses makes every item look new at once; none of that day's items is suspected.
    """
    ok_days = sorted(history.ok_check_days)
    new_on = Counter(i.first_seen for i in items)
    suspects: dict[date, list[Dated]] = defaultdict(list)
    result = []
    for item in (i for i in items if i.published is not None):
        before = bisect_left(ok_days, item.first_seen)
        check = ok_days[before - 1] if before else None
        depth = history.check_depth.get(check) if check else None
        if depth and depth < item.published <= check - timedelta(days=tolerance):
            suspects[item.first_seen].append(Dated(item, check, check))
        else:
            result.append(Dated(item, item.published))
    site_changes = sorted(day for day, group in suspects.items() if len(group) > max(SITE_CHANGE_MIN, new_on[day] / 2))
    for day, suspected in suspects.items():
        result += [Dated(d.item, d.item.published) for d in suspected] if day in site_changes else suspected
    return result, site_changes
