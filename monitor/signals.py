"""Faked and hollow disclosure (假公开, 一阵风, 为公开而公开): pure detectors over what the monitor kept.

Each detector reads a column's items as the store keeps them (``ItemRecord``: first and last sighting,
listed-date and listing changes, what the item's own page held) and its check days, as of a day, and
returns at most one ``Signal`` (kind, unit, column, day, Chinese summary, figures, items). No I/O, no clock;
``monitor.detect`` reads the facts, stores the signals and drafts their notices for review.

- ``backdated``: items whose published date precedes a day the monitor read the column without them; the
  judge's own finding (``monitor.verdicts.backdated_items``, with its site-change guard), not a second reading.
- ``burst`` (一阵风): ``burst_min_items`` or more items appearing within ``burst_within_days`` days after
  ``burst_silence_days`` or more without any; named "after a notice" when a notice on the column was issued
  in the ``notice_days`` before, "before an inspection" when an inspection day follows within
  ``inspection_lead_days``. Items seen on the column's first check are its history, not appearances.
- ``repost``: the same document (the same body text, by hash, long enough to mean something) under another
  address with a date more than the tolerance later, in any column of the unit. The same title alone is no
  evidence (a recurring meeting has the same title every month); a document filed in two columns on the same
  day is not a re-post.
- ``empty_item``: an item whose own page was read and whose body has fewer than ``empty_body_chars``
  letters, with no attachment, image or frame (a body that is only a PDF link is not empty). A page whose
  body could not be told apart (``body_chars`` unknown) is never called empty.
- ``date_changed``: a known item listed again with a published date moved by more than the tolerance.
  A correction of a date that was in the future when first seen is not faking; many items changed on one day
  are a site-wide change (the judge's ``SITE_CHANGE_MIN``), not signalled.
- ``vanished``: an item no longer listed (after a full successful check that read past its date) before its
  retention ends (the column's ``公开满N年后撤下``; none: it should stay) or its display window (公示期) is
  over. An item whose title is still listed at another address moved; many items gone on a day when as many
  appeared are a change of the site's addresses.

Every item of a signal has a ``key``; ``monitor.detect`` signals an item once per kind (a burst once).
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Mapping, Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from monitor.backdating import SITE_CHANGE_MIN
from monitor.judge_model import ColumnHistory
from monitor.rules import Span
from monitor.verdicts import backdated_items
from monitor.workdays import Workdays

KINDS = ("backdated", "burst", "repost", "empty_item", "date_changed", "vanished")
NOTICE_DAYS = 14  # a burst this soon after a notice on the column was issued is "after a notice"
INSPECTION_LEAD_DAYS = 14  # ... this soon before an announced inspection is "before an inspection"


@dataclass(frozen=True)
class Change:
    """A change the store kept for an item: its listed published date or title, or its being listed."""

    day: date
    field: str  # 'published' | 'title' | 'listed'
    old: str | None
    new: str | None


@dataclass(frozen=True)
class ItemRecord:
    """One item of the unit as the store keeps it."""

    column: str
    url: str
    title: str
    published: date | None  # the first date claimed (what the judge counts)
    first_seen: date
    last_seen: date
    article_read: bool = False
    body_chars: int | None = None  # None: the page was not read, or its body could not be told apart
    body_sha256: str | None = None
    body_attachments: int | None = None
    changes: tuple[Change, ...] = ()  # oldest first

    def listed_on(self, day: date) -> bool:
        """Whether the item was still listed as far as the checks up to ``day`` tell."""
        state = [c.new for c in self.changes if c.field == "listed" and c.day <= day]
        return not state or state[-1] == "1"


@dataclass(frozen=True)
class SignalPolicy:
    burst_min_items: int = 5
    burst_within_days: int = 3
    burst_silence_days: int = 30
    empty_body_chars: int = 30
    tolerance_days: int = 2  # the catalog's backdate_tolerance_days
    inspection_days: tuple[date, ...] = ()
    notice_days: int = NOTICE_DAYS
    inspection_lead_days: int = INSPECTION_LEAD_DAYS
    workdays: Workdays = field(default_factory=Workdays)


@dataclass(frozen=True)
class Signal:
    kind: str  # one of KINDS
    unit: str
    column: str
    day: date  # the day it was found
    summary: str  # one sentence in Chinese
    figures: dict[str, Any]  # JSON-serialisable
    items: list[dict[str, Any]]  # the items behind it, each with a "key"


@dataclass(frozen=True)
class IssuedNotice:
    """A notice on the column that was published (issued), for "after a notice"."""

    id: int
    kind: str
    issued: date


def detect_column(unit: str, column: str, items: list[ItemRecord], unit_items: list[ItemRecord],
                  history: ColumnHistory, notices: list[IssuedNotice], as_of: date, policy: SignalPolicy,
                  retention: Span | None = None, display_window: Span | None = None,
                  seen: Mapping[str, AbstractSet[str]] | None = None) -> list[Signal]:
    """Every detector on one column; ``items`` are the column's, ``unit_items`` every column's of the unit;
    ``seen``: per kind, the keys of the items signalled before (left out; a burst with any is left out)."""
    seen = seen or {}
    found = [
        backdated(unit, column, history, as_of, policy, seen.get("backdated", set())),
        burst(unit, column, items, history.ok_check_days, notices, as_of, policy, seen.get("burst", set())),
        repost(unit, column, unit_items, as_of, policy, seen.get("repost", set())),
        empty_item(unit, column, items, as_of, policy, seen.get("empty_item", set())),
        date_changed(unit, column, items, as_of, policy, seen.get("date_changed", set())),
        vanished(unit, column, items, unit_items, as_of, policy, retention, display_window, seen.get("vanished", set())),
    ]
    return [s for s in found if s is not None]


# ---------------------------------------------------------------- the detectors


def backdated(unit: str, column: str, history: ColumnHistory, as_of: date, policy: SignalPolicy,
              seen: AbstractSet[str] = frozenset()) -> Signal | None:
    shown = [dict(i, key=i["url"]) for i in backdated_items(history, as_of, policy.tolerance_days)
             if i["url"] not in seen]
    if not shown:
        return None
    first = shown[0]
    summary = (f"{len(shown)}条信息标注的发布日期早于此前检查日，疑似倒签：《{first['title']}》标注发布于{first['published']}，"
               f"但{first['absent_on']}检查时尚未出现" + ("等" if len(shown) > 1 else ""))
    return Signal("backdated", unit, column, as_of, summary, {"items": len(shown)}, shown)


def burst(unit: str, column: str, items: list[ItemRecord], ok_check_days: tuple[date, ...] | list[date],
          notices: list[IssuedNotice], as_of: date, policy: SignalPolicy,
          seen: AbstractSet[str] = frozenset()) -> Signal | None:
    """The latest burst whose window has closed by ``as_of`` (see the module docstring); none when any of its
    items was signalled in a burst before."""
    ok_days = sorted(d for d in ok_check_days if d <= as_of)
    known = [i for i in items if i.first_seen <= as_of]
    if not ok_days or not known:
        return None
    baseline = ok_days[0]

    def appeared(item: ItemRecord) -> date | None:
        """When an item appeared: between the check before its first sighting and that sighting, at its
        claimed date when that falls in between (the monitor may have missed days), else at the sighting."""
        if item.first_seen <= baseline:
            return None
        before = ok_days[bisect_left(ok_days, item.first_seen) - 1]
        claimed = item.published or item.first_seen
        if claimed < before - timedelta(days=policy.tolerance_days):
            return None  # claims a date the check before had covered: back-dated or moved (a site's new
            # addresses), judged by those detectors, never counted as a sudden burst
        return min(max(claimed, before + timedelta(days=1)), item.first_seen)

    appearing = sorted(((d, i) for i in known if (d := appeared(i))), key=lambda p: (p[0], p[1].url))
    history_dates = [i.published for i in known if i.first_seen <= baseline and i.published]
    span = timedelta(days=policy.burst_within_days - 1)
    latest = None
    k = 0
    while k < len(appearing):
        start, _ = appearing[k]
        if start + span > as_of:
            break  # the window is still open: judged once it closes
        earlier = [d for d in history_dates if d < start] + [d for d, _ in appearing[:k] if d < start]
        previous = max(earlier, default=None)
        quiet_since = previous or baseline  # nothing ever before: the monitor saw the column empty since then
        group = [(d, i) for d, i in appearing[k:] if d <= start + span]
        if (start - quiet_since).days >= policy.burst_silence_days and len(group) >= policy.burst_min_items:
            latest = (start, previous, quiet_since, group)
            k += len(group)
        else:
            k += 1
    if latest is None:
        return None
    start, previous, quiet_since, group = latest
    if any(i.url in seen for _, i in group):
        return None
    end = group[-1][0]
    silence = (start - quiet_since).days
    figures: dict[str, Any] = {
        "items": len(group), "from": start.isoformat(), "to": end.isoformat(), "silence_days": silence,
        "previous": previous.isoformat() if previous else None, "min_items": policy.burst_min_items,
        "within_days": policy.burst_within_days, "silence_threshold_days": policy.burst_silence_days,
    }
    before = f"此前{silence}天无新信息（上一条发布于{previous}）" if previous else f"此前{silence}天无任何信息"
    summary = f"栏目{before}，{start}至{end}集中出现{len(group)}条信息"
    notice = max((n for n in notices if timedelta(0) <= start - n.issued <= timedelta(days=policy.notice_days)),
                 key=lambda n: n.issued, default=None)
    if notice:
        figures["after_notice"] = {"id": notice.id, "kind": notice.kind, "issued": notice.issued.isoformat(),
                                   "days_after": (start - notice.issued).days}
        summary += f"，距督办通知（{notice.issued}发布）仅{(start - notice.issued).days}天"
    inspection = min((d for d in policy.inspection_days
                      if timedelta(0) <= d - start <= timedelta(days=policy.inspection_lead_days)), default=None)
    if inspection:
        figures["before_inspection"] = {"day": inspection.isoformat(), "days_before": (inspection - start).days}
        summary += f"，距{inspection}检查仅{(inspection - start).days}天"
    summary += "，疑似“一阵风”突击发布"
    shown = [dict(_item_json(i), appeared=d.isoformat(), key=i.url) for d, i in group]
    return Signal("burst", unit, column, as_of, summary, figures, shown)


def repost(unit: str, column: str, unit_items: list[ItemRecord], as_of: date, policy: SignalPolicy,
           seen: AbstractSet[str] = frozenset()) -> Signal | None:
    """Items of ``column`` whose body is the same as an earlier-dated item's at another address in the unit."""
    known = [i for i in unit_items if i.first_seen <= as_of and i.body_sha256
             and (i.body_chars or 0) >= policy.empty_body_chars]
    by_hash: dict[str, list[ItemRecord]] = defaultdict(list)
    for item in known:
        by_hash[item.body_sha256].append(item)
    found = []
    for group in by_hash.values():
        if len(group) < 2:
            continue
        group.sort(key=lambda i: (_claimed(i), i.first_seen, i.url))
        original = group[0]
        for copy in group[1:]:
            if copy.column != column or copy.url in seen or copy.url == original.url \
                    or copy.first_seen < original.first_seen:
                continue
            if (_claimed(copy) - _claimed(original)).days <= policy.tolerance_days:
                continue  # filed in two places at once, not re-posted
            found.append((copy, original))
    if not found:
        return None
    found.sort(key=lambda p: (p[0].first_seen, p[0].url))
    shown = [dict(_item_json(copy), key=copy.url, same_title=_norm(copy.title) == _norm(original.title),
                  original=dict(_item_json(original), column=original.column)) for copy, original in found]
    copy, original = found[0]
    summary = (f"{len(found)}条信息与此前发布的信息内容相同，疑似重复发布：《{copy.title}》标注发布于{_claimed(copy)}，"
               f"与{_claimed(original)}发布的《{original.title}》正文一致" + ("等" if len(found) > 1 else ""))
    return Signal("repost", unit, column, as_of, summary, {"items": len(found)}, shown)


def empty_item(unit: str, column: str, items: list[ItemRecord], as_of: date, policy: SignalPolicy,
               seen: AbstractSet[str] = frozenset()) -> Signal | None:
    empty = [i for i in items if i.first_seen <= as_of and i.article_read and i.body_chars is not None
             and i.body_chars < policy.empty_body_chars and not i.body_attachments and i.url not in seen]
    if not empty:
        return None
    empty.sort(key=lambda i: (i.first_seen, i.url))
    shown = [dict(_item_json(i), key=i.url, body_chars=i.body_chars) for i in empty]
    first = empty[0]
    summary = (f"{len(empty)}条信息正文为空或几乎无内容（少于{policy.empty_body_chars}字，且无附件、图片），"
               f"疑似为公开而公开：《{first.title}》（标注发布于{first.published}，正文{first.body_chars}字）"
               + ("等" if len(empty) > 1 else ""))
    return Signal("empty_item", unit, column, as_of, summary,
                  {"items": len(empty), "threshold_chars": policy.empty_body_chars}, shown)


def date_changed(unit: str, column: str, items: list[ItemRecord], as_of: date, policy: SignalPolicy,
                 seen: AbstractSet[str] = frozenset()) -> Signal | None:
    changes = []
    for item in items:
        for change in item.changes:
            if change.field != "published" or change.day > as_of or not change.old or not change.new:
                continue
            old, new = date.fromisoformat(change.old), date.fromisoformat(change.new)
            if abs((new - old).days) <= policy.tolerance_days or old > item.first_seen:
                continue  # within the tolerance, or a date in the future when first seen, corrected
            changes.append((change.day, item, old, new))
    per_day = Counter(day for day, *_ in changes)
    listed = {day: sum(i.first_seen <= day <= i.last_seen for i in items) for day in per_day}
    site_wide = {day for day, n in per_day.items() if n > max(SITE_CHANGE_MIN, listed[day] / 2)}
    changes = sorted((c for c in changes if c[0] not in site_wide and f"{c[1].url}@{c[0]}" not in seen),
                     key=lambda c: (c[0], c[1].url))
    if not changes:
        return None
    shown = [dict(_item_json(item), key=f"{item.url}@{day}", changed_on=day.isoformat(), old=old.isoformat(),
                  new=new.isoformat(), days=(new - old).days) for day, item, old, new in changes]
    day, item, old, new = changes[0]
    moved = f"推后{(new - old).days}天，旧信息显得新近" if new > old else f"提前{(old - new).days}天"
    summary = (f"{len(changes)}条已发布信息的发布日期被改动：《{item.title}》原标注{old}，{day}起改为{new}（{moved}），"
               "疑似篡改发布日期" + ("等" if len(changes) > 1 else ""))
    figures = {"items": len(changes), "site_wide_days": sorted(d.isoformat() for d in site_wide)}
    return Signal("date_changed", unit, column, as_of, summary, figures, shown)


def vanished(unit: str, column: str, items: list[ItemRecord], unit_items: list[ItemRecord], as_of: date,
             policy: SignalPolicy, retention: Span | None = None, display_window: Span | None = None,
             seen: AbstractSet[str] = frozenset()) -> Signal | None:
    unlisted = [i for i in items if i.first_seen <= as_of and i.published is not None and not i.listed_on(as_of)]
    if not unlisted:
        return None
    listed_titles = {_norm(i.title): i for i in unit_items if i.first_seen <= as_of and i.listed_on(as_of)}
    gone = []
    for item in unlisted:
        day = max(c.day for c in item.changes if c.field == "listed" and c.day <= as_of)
        other = listed_titles.get(_norm(item.title))
        if other is not None and other.url != item.url:
            continue  # still listed at another address: moved
        if retention and policy.workdays.add_span(item.published, retention)[0] <= day:
            continue  # its retention had ended: may be taken down
        if display_window and policy.workdays.add_span(item.published, display_window)[0] <= day:
            continue  # a notice whose display window (公示期) was over
        gone.append((day, item))
    per_day = Counter(day for day, _ in gone)
    appeared = Counter(i.first_seen for i in items)
    readdressed = {day for day, n in per_day.items() if n > SITE_CHANGE_MIN and appeared[day] >= n}
    gone = sorted(((d, i) for d, i in gone if d not in readdressed and f"{i.url}@{d}" not in seen),
                  key=lambda p: (p[0], p[1].url))
    if not gone:
        return None
    keep = f"未满保存期限（{retention.words()}）" if retention else "栏目未规定撤下期限"
    shown = [dict(_item_json(i), key=f"{i.url}@{d}", unlisted_on=d.isoformat(), last_seen=_last_listed(i, d))
             for d, i in gone]
    day, item = gone[0]
    summary = (f"{len(gone)}条信息在保存期限内被撤下（{keep}）：《{item.title}》（标注发布于{item.published}），"
               f"{day}检查时已不再列出" + ("等" if len(gone) > 1 else ""))
    figures = {"items": len(gone), "retention": retention.words() if retention else None,
               "readdressed_days": sorted(d.isoformat() for d in readdressed)}
    return Signal("vanished", unit, column, as_of, summary, figures, shown)


# ---------------------------------------------------------------- helpers


def _claimed(item: ItemRecord) -> date:
    return item.published or item.first_seen


def _norm(title: str) -> str:
    return "".join(unicodedata.normalize("NFKC", title or "").split())


def _last_listed(item: ItemRecord, unlisted: date) -> str:
    """The last day the item was seen listed before ``unlisted`` (last_seen may be a later return)."""
    return min(item.last_seen, unlisted - timedelta(days=1)).isoformat()


def _item_json(item: ItemRecord) -> dict[str, Any]:
    return {"title": item.title, "url": item.url, "published": item.published and item.published.isoformat(),
            "first_seen": item.first_seen.isoformat()}
