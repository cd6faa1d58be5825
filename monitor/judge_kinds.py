"""Judging a column's dated items by the kind of its rule: maximum gap, periodic, minimum rate, per-item lag.

Each function is called by ``monitor.judge.judge`` once the column was read and has dated items.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from monitor.backdating import ColumnFacts, Dated
from monitor.judge_model import Policy, Verdict
from monitor.periods import Period, Schedule, period_of
from monitor.rules import ItemLag, MaxGap, MinRate, Periodic
from monitor.verdicts import dated_words, item_json, late_verdict, left_words, make_verdict
from monitor.workdays import Workdays

MISSED_PERIODS_SHOWN = 12


def judge_max_gap(rule: MaxGap, facts: ColumnFacts, as_of: date, policy: Policy, evidence: dict) -> Verdict:
    newest = facts.newest
    due, provisional = policy.workdays.add_span(newest.effective, rule.within)
    opening = f"最新信息{dated_words(newest)}"
    limit = f"最大更新间隔{rule.within.words()}"
    guessed = due.year if provisional else None
    if as_of > due:
        return late_verdict(f"{opening}，已超过{limit}", due, as_of, facts, evidence, guessed)
    left = (due - as_of).days
    if left <= policy.warn_days:
        reason = f"{opening}，{limit}，应于{due}前更新，{left_words(left)}"
        return make_verdict("due_soon", reason, facts, evidence, due=due, guessed=guessed)
    reason = f"{opening}，未超过{limit}，下次应于{due}前更新"
    return make_verdict("on_time", reason, facts, evidence, due=due, guessed=guessed)


def judge_periodic(rule: Periodic, facts: ColumnFacts, as_of: date, policy: Policy, evidence: dict) -> Verdict:
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
        return late_verdict(f"{missed}，最新信息{dated_words(newest)}", due, as_of, facts, evidence, guessed)
    in_window = _in_window(schedule, last, facts)
    if in_window:
        done = f"{last.label}的信息已按期公开（{dated_words(in_window)}）"
    else:
        evidence["late_fix"] = {"period": last.label, "due": str(last_due), "item": item_json(newest)}
        done = f"{last.label}的信息逾期后补发（{dated_words(newest)}，应于{last_due}前）"
    upcoming = last.next()
    due, next_provisional = schedule.due(upcoming)
    guessed = due.year if provisional or next_provisional else None
    left = (due - as_of).days
    if _in_window(schedule, upcoming, facts):
        reason = f"{done}；{upcoming.label}的信息也已公开"
    elif left <= policy.warn_days:
        reason = f"{done}；{upcoming.label}的信息应于{due}前公开，{left_words(left)}，尚未发现"
        return make_verdict("due_soon", reason, facts, evidence, due=due, guessed=guessed)
    else:
        reason = f"{done}；{upcoming.label}的信息应于{due}前公开"
    return make_verdict("on_time", reason, facts, evidence, due=due, guessed=guessed)


def _in_window(schedule: Schedule, period: Period, facts: ColumnFacts) -> Dated | None:
    opens, closes = schedule.window(period)
    return next((d for d in facts.dated if opens <= d.effective <= closes), None)


def _missed_periods(schedule: Schedule, last: Period, facts: ColumnFacts) -> list[str]:
    """Labels of the recent closed periods with nothing in their window, oldest first.

    Periods whose window opens before the oldest item seen are left out: the list may not
    reach back that far.
    """
    oldest = facts.dated[-1].effective
    recent = [last.shift(-k) for k in reversed(range(MISSED_PERIODS_SHOWN))]
    return [p.label for p in recent if schedule.window(p)[0] > oldest and not _in_window(schedule, p, facts)]


def judge_min_rate(rule: MinRate, facts: ColumnFacts, as_of: date, policy: Policy, evidence: dict) -> Verdict:
    """At least ``count`` items in the last closed working day / day / week / month... before ``as_of``."""
    start, end, label, provisional = rate_span(rule, as_of, policy.workdays)
    counted = [d for d in facts.dated if start <= d.effective <= end]
    evidence["rate_span"] = [start.isoformat(), end.isoformat()]
    evidence["rate_count"] = len(counted)
    guessed = end.year if provisional else None
    if len(counted) >= rule.count:
        reason = f"{label}发布{len(counted)}条信息，达到{rule.words()}的要求"
        return make_verdict("on_time", reason, facts, evidence, guessed=guessed)
    opening = f"{label}仅发布{len(counted)}条信息（{rule.words()}），最新信息{dated_words(facts.newest)}"
    return late_verdict(opening, end, as_of, facts, evidence, guessed)


def rate_span(rule: MinRate, as_of: date, workdays: Workdays) -> tuple[date, date, str, bool]:
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


def judge_item_lag(rule: ItemLag, facts: ColumnFacts, as_of: date, policy: Policy, evidence: dict) -> Verdict:
    since = as_of - timedelta(days=rule.lookback_days)
    recent = [d for d in facts.dated if d.effective >= since]
    lags = [_Lag(d, *policy.workdays.add_span(d.item.written, rule.within)) for d in recent if d.item.written]
    late = [lag for lag in lags if lag.days_late > 0]
    evidence["judged"] = len(lags)
    evidence["no_written_date"] = len(recent) - len(lags)
    evidence["late_items"] = [
        {**item_json(lag.dated), "deadline": str(lag.deadline), "days_late": lag.days_late} for lag in late
    ]
    window = f"近{rule.lookback_days}天"
    if not recent:
        return make_verdict("on_time", f"{window}未发布新信息，无需核对公开时限", facts, evidence)
    if not lags:
        reason = f"{window}发布的{len(recent)}条信息均无成文日期，无法核对公开时限"
        return make_verdict("on_time", reason, facts, evidence)
    guessed = max((lag.deadline.year for lag in late or lags if lag.provisional), default=None)
    if not late:
        reason = f"{window}发布的{len(lags)}条有成文日期的信息均按时公开（{rule.words()}）"
        return make_verdict("on_time", reason, facts, evidence, guessed=guessed)
    worst = max(late, key=lambda lag: lag.days_late)
    first = min(late, key=lambda lag: lag.deadline)
    reason = (
        f"{window}发布的信息中有{len(late)}条超过公开时限（{rule.words()}），其中《{worst.dated.item.title}》"
        f"成文于{worst.dated.item.written}，应于{worst.deadline}前公开，实际{dated_words(worst.dated)}，"
        f"逾期{worst.days_late}天"
    )
    return make_verdict(
        "late", reason, facts, evidence, due=first.deadline, days_late=worst.days_late,
        late_since=first.deadline + timedelta(days=1), guessed=guessed,
    )


@dataclass(frozen=True)
class _Lag:
    """An item judged against its own deadline (ItemLag)."""

    dated: Dated
    deadline: date
    provisional: bool

    @property
    def days_late(self) -> int:
        return (self.dated.effective - self.deadline).days
