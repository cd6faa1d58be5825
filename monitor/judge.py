"""The timeliness judgement: does a column keep to its catalog rule (公开时限) on a given day?

Pure functions: no I/O and no clock; the day judged (``as_of``) is always passed in, and the
history is cut at it (items first seen later were not known that day).

The monitor side comes first: a column that could not be read is never judged late, its state
says why it could not be read. Then the content side, on the items' *effective* dates:
- an item whose claimed date lies within the range an earlier successful check read, yet which
  that check did not list, is suspected back-dated (疑似倒签); it counts from the day of that
  check, the earliest day it can have appeared;
- a day on which many items are suspected at once is taken for a change of the site's addresses
  (re-indexing), not for back-dating: none of that day's items is suspected;
- an item dated after ``as_of`` (clock skew, typo) counts from the day it was first seen;
- an item without a date counts as not updated (national rule): a column whose items all lack a
  date is late, for an unknown number of days, once their own pages were read and showed none;
  while some of those pages are unread, the column is ``broken`` (the monitor lacks the facts).
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from monitor.periods import Period, Schedule, period_of
from monitor.rules import Compound, ItemLag, MaxGap, MinRate, Part, Periodic, Phased, Rule, Standing
from monitor.workdays import Workdays

CONTENT_STATES = frozenset({"on_time", "due_soon", "late", "blank"})
MONITOR_STATES = frozenset({"unreachable", "blocked", "broken", "unknown"})
MISSED_PERIODS_SHOWN = 12
SITE_CHANGE_MIN = 3  # a sighting day with more suspects than this (and than half its new items) is a site change

_MONITOR_REASONS = {
    "unreachable": "栏目无法访问",
    "blocked": "栏目访问被网站防护拦截",
    "not_found": "栏目页面不存在",
    "broken": "栏目页面无法解析",
}


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


@dataclass(frozen=True)
class _Dated:
    """A dated item with the date it counts from."""

    item: ItemFact
    effective: date
    absent_on: date | None = None  # the ok check that did not list it: suspected back-dated
    future: bool = False  # claims a date after as_of: counts from its first sighting


@dataclass(frozen=True)
class _Facts:
    count: int  # items known on as_of
    dated: tuple[_Dated, ...]  # dated items, newest effective date first
    undated: int
    unread: int  # undated items whose own page was not read
    site_changes: tuple[date, ...]  # sighting days taken for a change of the site's addresses

    @property
    def future(self) -> tuple[ItemFact, ...]:
        return tuple(d.item for d in self.dated if d.future)

    @property
    def newest(self) -> _Dated | None:
        return self.dated[0] if self.dated else None


def judge(rule: Rule, history: ColumnHistory, as_of: date, policy: Policy = Policy()) -> Verdict:
    """Judge the column of ``history`` against ``rule`` on day ``as_of``."""
    if isinstance(rule, Compound):
        return _compound(rule, history, as_of, policy)
    items = [i for i in history.items if i.first_seen <= as_of]
    facts = _facts(items, history, as_of, policy.backdate_tolerance_days)
    evidence = _evidence(rule, facts, as_of)
    check = history.last_check
    if check is None or check.outcome != "ok":
        return _monitor_verdict(check, facts, evidence)
    if not facts.count:
        return _verdict("blank", "栏目从未发布过信息（空白栏目）", facts, evidence)
    if isinstance(rule, Standing):
        return _verdict("on_time", f"栏目已有{facts.count}条信息（{rule.words()}）", facts, evidence)
    if not facts.dated:
        return _undated(facts, evidence)
    if isinstance(rule, Phased):
        if rule.until and as_of > rule.until:
            reason = f"项目已于{rule.until}结束，栏目保留{facts.count}条信息（按长期公开核对）"
            return _verdict("on_time", reason, facts, evidence)
        return _max_gap(MaxGap(rule.within), facts, as_of, policy, evidence)
    if isinstance(rule, MaxGap):
        return _max_gap(rule, facts, as_of, policy, evidence)
    if isinstance(rule, MinRate):
        return _min_rate(rule, facts, as_of, policy, evidence)
    if isinstance(rule, Periodic):
        return _periodic(rule, facts, as_of, policy, evidence)
    return _item_lag(rule, facts, as_of, policy, evidence)


def horizon(rule: Rule, as_of: date) -> date | None:
    """The oldest publication date the judge needs to see; None: the newest items suffice.

    For periodic rules the working days of unknown years are guessed (see ``Workdays``); being
    one whole period early, the answer is deep enough either way.
    """
    if isinstance(rule, Periodic):
        return Schedule(rule, Workdays()).latest_closed(as_of).prev().start
    if isinstance(rule, ItemLag):
        return as_of - timedelta(days=rule.lookback_days)
    if isinstance(rule, MinRate):
        return _rate_span(rule, as_of, Workdays())[0]
    if isinstance(rule, Compound):
        return min((h for p in rule.parts if (h := horizon(p.rule, as_of))), default=None)
    return None


def _facts(items: list[ItemFact], history: ColumnHistory, as_of: date, tolerance: int) -> _Facts:
    dated, site_changes = _effective_dates(items, history, tolerance)
    dated = [_Dated(d.item, d.item.first_seen, future=True) if d.item.published > as_of else d for d in dated]
    undated = [i for i in items if i.published is None]
    return _Facts(
        len(items), tuple(sorted(dated, key=lambda d: d.effective, reverse=True)), len(undated),
        sum(not i.article_read for i in undated), tuple(site_changes),
    )


def _effective_dates(
    items: list[ItemFact], history: ColumnHistory, tolerance: int,
) -> tuple[list[_Dated], list[date]]:
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
    suspects: dict[date, list[_Dated]] = defaultdict(list)
    result = []
    for item in (i for i in items if i.published is not None):
        before = bisect_left(ok_days, item.first_seen)
        check = ok_days[before - 1] if before else None
        depth = history.check_depth.get(check) if check else None
        if depth and depth < item.published <= check - timedelta(days=tolerance):
            suspects[item.first_seen].append(_Dated(item, check, check))
        else:
            result.append(_Dated(item, item.published))
    site_changes = sorted(day for day, group in suspects.items() if len(group) > max(SITE_CHANGE_MIN, new_on[day] / 2))
    for day, suspected in suspects.items():
        result += [_Dated(d.item, d.item.published) for d in suspected] if day in site_changes else suspected
    return result, site_changes


def _monitor_verdict(check: CheckFact | None, facts: _Facts, evidence: dict[str, Any]) -> Verdict:
    if check is None:
        return _verdict("unknown", "栏目尚未检查，暂无时效判断", facts, evidence)
    what = _MONITOR_REASONS.get(check.outcome, "栏目检查失败")
    detail = f"（{check.detail}）" if check.detail else ""
    state = check.outcome if check.outcome in ("unreachable", "blocked") else "broken"
    evidence["check"] = {"day": check.day.isoformat(), "outcome": check.outcome, "detail": check.detail}
    return _verdict(state, f"{what}{detail}，本次不作时效判断", facts, evidence)


def _undated(facts: _Facts, evidence: dict[str, Any]) -> Verdict:
    """No item has a date: late (national rule) only once every item's own page was read."""
    if facts.unread:
        return _verdict("broken", "条目无发布日期，且详情页未能读取，本次不作时效判断", facts, evidence)
    reason = f"栏目共{facts.count}条信息，均未标注发布日期（详情页亦无），按未更新计"
    return _verdict("late", reason, facts, evidence)


def _max_gap(rule: MaxGap, facts: _Facts, as_of: date, policy: Policy, evidence: dict) -> Verdict:
    newest = facts.newest
    due, provisional = policy.workdays.add_span(newest.effective, rule.within)
    opening = f"最新信息{_dated_words(newest)}"
    limit = f"最大更新间隔{rule.within.words()}"
    guessed = due.year if provisional else None
    if as_of > due:
        return _late(f"{opening}，已超过{limit}", due, as_of, facts, evidence, guessed)
    left = (due - as_of).days
    if left <= policy.warn_days:
        reason = f"{opening}，{limit}，应于{due}前更新，{_left_words(left)}"
        return _verdict("due_soon", reason, facts, evidence, due=due, guessed=guessed)
    reason = f"{opening}，未超过{limit}，下次应于{due}前更新"
    return _verdict("on_time", reason, facts, evidence, due=due, guessed=guessed)


def _periodic(rule: Periodic, facts: _Facts, as_of: date, policy: Policy, evidence: dict) -> Verdict:
    schedule = Schedule(rule, policy.workdays)
    last = schedule.latest_closed(as_of)
    last_due, provisional = schedule.due(last)
    evidence["period"] = last.label
    evidence["window"] = [d.isoformat() for d in schedule.window(last)]
    evidence["missed_periods"] = _missed_periods(schedule, last, facts)
    newest = facts.newest
    if newest.effective < schedule.window(last)[0]:
        first = last
        while schedule.window(first.prev())[0] > newest.effective:
            first = first.prev()
        due, first_provisional = schedule.due(first)
        if first == last:
            missed = f"{last.label}的信息应于{due}前公开（{rule.words()}），至今未发现"
        else:
            missed = f"{first.label}至{last.label}的信息均未按期公开（{rule.words()}），{first.label}的应于{due}前公开"
        guessed = last_due.year if provisional or first_provisional else None
        return _late(f"{missed}，最新信息{_dated_words(newest)}", due, as_of, facts, evidence, guessed)
    in_window = _in_window(schedule, last, facts)
    if in_window:
        done = f"{last.label}的信息已按期公开（{_dated_words(in_window)}）"
    else:
        evidence["late_fix"] = {"period": last.label, "due": str(last_due), "item": _item_json(newest)}
        done = f"{last.label}的信息逾期后补发（{_dated_words(newest)}，应于{last_due}前）"
    upcoming = last.next()
    due, next_provisional = schedule.due(upcoming)
    guessed = due.year if provisional or next_provisional else None
    left = (due - as_of).days
    if _in_window(schedule, upcoming, facts):
        reason = f"{done}；{upcoming.label}的信息也已公开"
    elif left <= policy.warn_days:
        reason = f"{done}；{upcoming.label}的信息应于{due}前公开，{_left_words(left)}，尚未发现"
        return _verdict("due_soon", reason, facts, evidence, due=due, guessed=guessed)
    else:
        reason = f"{done}；{upcoming.label}的信息应于{due}前公开"
    return _verdict("on_time", reason, facts, evidence, due=due, guessed=guessed)


def _min_rate(rule: MinRate, facts: _Facts, as_of: date, policy: Policy, evidence: dict) -> Verdict:
    """At least ``count`` items in the last closed working day / day / week / month... before ``as_of``."""
    start, end, label, provisional = _rate_span(rule, as_of, policy.workdays)
    counted = [d for d in facts.dated if start <= d.effective <= end]
    evidence["rate_span"] = [start.isoformat(), end.isoformat()]
    evidence["rate_count"] = len(counted)
    guessed = end.year if provisional else None
    if len(counted) >= rule.count:
        reason = f"{label}发布{len(counted)}条信息，达到{rule.words()}的要求"
        return _verdict("on_time", reason, facts, evidence, guessed=guessed)
    opening = f"{label}仅发布{len(counted)}条信息（{rule.words()}），最新信息{_dated_words(facts.newest)}"
    return _late(opening, end, as_of, facts, evidence, guessed)


def _rate_span(rule: MinRate, as_of: date, workdays: Workdays) -> tuple[date, date, str, bool]:
    """The last closed span of a rate rule before ``as_of``: (first day, last day, label, provisional)."""
    if rule.per == "workday":
        day, provisional = workdays.add_workdays(as_of, -1)
        return day, day, f"{day}（工作日）", provisional
    if rule.per == "day":
        day = as_of - timedelta(days=1)
        return day, day, str(day), False
    if rule.per == "week":
        monday = as_of - timedelta(days=as_of.weekday() + 7)
        return monday, monday + timedelta(days=6), f"{monday}至{monday + timedelta(days=6)}这一周", False
    period = period_of(as_of, rule.per).prev()
    return period.start, period.end, period.label, False


def _compound(rule: Compound, history: ColumnHistory, as_of: date, policy: Policy) -> Verdict:
    """Judge each part on its own items (by title keywords; the general part takes the rest).

    A part none of whose items the column carries is not judged: the monitor cannot tell a missing
    sub-type item from one whose title does not name it. The worst part decides the verdict.
    """
    specific = [p for p in rule.parts if p.keywords]

    def picks(part: Part, item: ItemFact) -> bool:
        if part.keywords:
            return any(k in item.title for k in part.keywords)
        return not any(any(k in item.title for k in q.keywords) for q in specific)

    judged = [(part, judge(part.rule, replace(history, items=tuple(i for i in history.items if picks(part, i))),
                            as_of, policy)) for part in rule.parts]
    applicable = [k for k, (_, v) in enumerate(judged) if v.state != "blank"] or [0]
    part, worst = max((judged[k] for k in applicable), key=lambda pv: _SEVERITY.get(pv[1].state, 0))
    label = part.applies_to or ("其他信息" if specific else "")
    # what describes the column as a whole (its newest item, counts, back-dated items) comes from all its items
    whole = _evidence(rule, _facts([i for i in history.items if i.first_seen <= as_of], history, as_of,
                                   policy.backdate_tolerance_days), as_of)
    evidence = {
        **worst.evidence, **{k: whole[k] for k in ("items", "dated", "undated", "undated_unread", "newest", "backdated")},
        "rule": rule.words(), "kind": rule.kind,
        "parts": [
            {"applies_to": p.applies_to, "rule": p.rule.words(), "state": v.state, "reason": v.reason,
             "judged": k in applicable}
            for k, (p, v) in enumerate(judged)
        ],
    }
    skipped = [p.applies_to or "其他信息" for k, (p, _) in enumerate(judged) if k not in applicable]
    reason = (f"{label}：" if label else "") + worst.reason
    if skipped:
        reason += f"（本栏目未发现{'、'.join(skipped)}类信息，该项不核对）"
    return replace(worst, reason=reason, evidence=evidence)


_SEVERITY = {"late": 5, "broken": 4, "unreachable": 4, "blocked": 4, "unknown": 3, "due_soon": 2, "on_time": 1, "blank": 0}


def _in_window(schedule: Schedule, period: Period, facts: _Facts) -> _Dated | None:
    opens, closes = schedule.window(period)
    return next((d for d in facts.dated if opens <= d.effective <= closes), None)


def _missed_periods(schedule: Schedule, last: Period, facts: _Facts) -> list[str]:
    """Labels of the recent closed periods with nothing in their window, oldest first.

    Periods whose window opens before the oldest item seen are left out: the list may not
    reach back that far.
    """
    oldest = facts.dated[-1].effective
    recent = [last.shift(-k) for k in reversed(range(MISSED_PERIODS_SHOWN))]
    return [p.label for p in recent if schedule.window(p)[0] > oldest and not _in_window(schedule, p, facts)]


def _item_lag(rule: ItemLag, facts: _Facts, as_of: date, policy: Policy, evidence: dict) -> Verdict:
    since = as_of - timedelta(days=rule.lookback_days)
    recent = [d for d in facts.dated if d.effective >= since]
    lags = [_Lag(d, *policy.workdays.add_span(d.item.written, rule.within)) for d in recent if d.item.written]
    late = [lag for lag in lags if lag.days_late > 0]
    evidence["judged"] = len(lags)
    evidence["no_written_date"] = len(recent) - len(lags)
    evidence["late_items"] = [
        {**_item_json(lag.dated), "deadline": str(lag.deadline), "days_late": lag.days_late} for lag in late
    ]
    window = f"近{rule.lookback_days}天"
    if not recent:
        return _verdict("on_time", f"{window}未发布新信息，无需核对公开时限", facts, evidence)
    if not lags:
        reason = f"{window}发布的{len(recent)}条信息均无成文日期，无法核对公开时限"
        return _verdict("on_time", reason, facts, evidence)
    guessed = max((lag.deadline.year for lag in late or lags if lag.provisional), default=None)
    if not late:
        reason = f"{window}发布的{len(lags)}条有成文日期的信息均按时公开（{rule.words()}）"
        return _verdict("on_time", reason, facts, evidence, guessed=guessed)
    worst = max(late, key=lambda lag: lag.days_late)
    first = min(late, key=lambda lag: lag.deadline)
    reason = (
        f"{window}发布的信息中有{len(late)}条超过公开时限（{rule.words()}），其中《{worst.dated.item.title}》"
        f"成文于{worst.dated.item.written}，应于{worst.deadline}前公开，实际{_dated_words(worst.dated)}，"
        f"逾期{worst.days_late}天"
    )
    return _verdict(
        "late", reason, facts, evidence, due=first.deadline, days_late=worst.days_late,
        late_since=first.deadline + timedelta(days=1), guessed=guessed,
    )


@dataclass(frozen=True)
class _Lag:
    """An item judged against its own deadline (ItemLag)."""

    dated: _Dated
    deadline: date
    provisional: bool

    @property
    def days_late(self) -> int:
        return (self.dated.effective - self.deadline).days


def _late(opening: str, due: date, as_of: date, facts: _Facts, evidence: dict, guessed: int | None) -> Verdict:
    days_late = (as_of - due).days
    return _verdict(
        "late", f"{opening}，逾期{days_late}天", facts, evidence, due=due, days_late=days_late,
        late_since=due + timedelta(days=1), guessed=guessed,
    )


def _left_words(days_left: int) -> str:
    return "今天到期" if days_left == 0 else f"还剩{days_left}天"


def _dated_words(dated: _Dated) -> str:
    if dated.future:
        return f"标注发布于{dated.item.published}（晚于检查日，日期有误），按首次发现日{dated.effective}计"
    if dated.absent_on is None:
        return f"发布于{dated.effective}"
    return (
        f"标注发布于{dated.item.published}，但{dated.absent_on}检查时尚未出现，"
        f"疑似倒签，按{dated.effective}计"
    )


def _verdict(
    state: str, reason: str, facts: _Facts, evidence: dict[str, Any], *, due: date | None = None,
    days_late: int | None = None, late_since: date | None = None, guessed: int | None = None,
) -> Verdict:
    """Build the verdict; ``guessed``: the year whose working days a deciding count guessed."""
    if guessed is not None:
        note = f"{guessed}年节假日安排未公布，按周一至周五（除元旦、劳动节、国庆）暂计"
        reason = f"{reason}（{note}）"
        evidence["provisional_note"] = note
        evidence["provisional_year"] = guessed
    newest = facts.newest.item if facts.newest else None
    return Verdict(state, due, days_late, late_since, newest, guessed is not None, reason, evidence)


def _evidence(rule: Rule, facts: _Facts, as_of: date) -> dict[str, Any]:
    return {
        "rule": rule.words(),
        "kind": rule.kind,
        "as_of": as_of.isoformat(),
        "items": facts.count,
        "dated": len(facts.dated),
        "undated": facts.undated,
        "undated_unread": facts.unread,
        "newest": _item_json(facts.newest) if facts.newest else None,
        "backdated": _backdated_json(facts),
        "future_dated": [_fact_json(i) for i in facts.future],
        "site_change_days": [d.isoformat() for d in facts.site_changes],
    }


def backdated_items(history: ColumnHistory, as_of: date, tolerance: int) -> list[dict[str, Any]]:
    """The column's items suspected back-dated on ``as_of``, as a verdict's evidence lists them (``backdated``),
    whatever the rule: a compound rule's verdict carries only its worst part's evidence."""
    items = [i for i in history.items if i.first_seen <= as_of]
    return _backdated_json(_facts(items, history, as_of, tolerance))


def _backdated_json(facts: _Facts) -> list[dict[str, Any]]:
    return [{**_item_json(d), "absent_on": d.absent_on.isoformat()} for d in facts.dated if d.absent_on]


def _item_json(dated: _Dated) -> dict[str, Any]:
    return {**_fact_json(dated.item), "effective": dated.effective.isoformat()}


def _fact_json(item: ItemFact) -> dict[str, Any]:
    dates = {"published": item.published, "written": item.written, "first_seen": item.first_seen}
    return {"title": item.title, "url": item.url, **{k: d and d.isoformat() for k, d in dates.items()}}
