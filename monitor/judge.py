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

This module decides which judgement applies; the parts live beside it: ``monitor.judge_model``
(history, policy, verdict), ``monitor.backdating`` (effective dates), ``monitor.judge_kinds``
(one judgement per rule kind), ``monitor.verdicts`` (wording and evidence).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from monitor.backdating import ColumnFacts, column_facts
from monitor.judge_kinds import judge_item_lag, judge_max_gap, judge_min_rate, judge_periodic, rate_span
from monitor.judge_model import CONTENT_STATES, MONITOR_STATES, CheckFact, ColumnHistory, ItemFact, Policy, Verdict
from monitor.periods import Schedule
from monitor.rules import Compound, ItemLag, MaxGap, MinRate, Part, Periodic, Phased, Rule, Standing
from monitor.verdicts import base_evidence, make_verdict
from monitor.workdays import Workdays

# CONTENT_STATES and MONITOR_STATES are re-exported: reports/ and monitor/demo import them from here.
__all__ = ["CONTENT_STATES", "MONITOR_STATES", "horizon", "judge"]

_MONITOR_REASONS = {
    "unreachable": "栏目无法访问",
    "blocked": "栏目访问被网站防护拦截",
    "not_found": "栏目页面不存在",
    "broken": "栏目页面无法解析",
}


def judge(rule: Rule, history: ColumnHistory, as_of: date, policy: Policy = Policy()) -> Verdict:
    """Judge the column of ``history`` against ``rule`` on day ``as_of``."""
    if isinstance(rule, Compound):
        return _compound(rule, history, as_of, policy)
    facts = column_facts(history, as_of, policy.backdate_tolerance_days)
    evidence = base_evidence(rule, facts, as_of)
    check = history.last_check
    if check is None or check.outcome != "ok":
        return _monitor_verdict(check, facts, evidence)
    if not facts.count:
        return make_verdict("blank", "栏目从未发布过信息（空白栏目）", facts, evidence)
    if isinstance(rule, Standing):
        return make_verdict("on_time", f"栏目已有{facts.count}条信息（{rule.words()}）", facts, evidence)
    if not facts.dated:
        return _undated(facts, evidence)
    if isinstance(rule, Phased):
        if rule.until and as_of > rule.until:
            reason = f"项目已于{rule.until}结束，栏目保留{facts.count}条信息（按长期公开核对）"
            return make_verdict("on_time", reason, facts, evidence)
        return judge_max_gap(MaxGap(rule.within), facts, as_of, policy, evidence)
    if isinstance(rule, MaxGap):
        return judge_max_gap(rule, facts, as_of, policy, evidence)
    if isinstance(rule, MinRate):
        return judge_min_rate(rule, facts, as_of, policy, evidence)
    if isinstance(rule, Periodic):
        return judge_periodic(rule, facts, as_of, policy, evidence)
    return judge_item_lag(rule, facts, as_of, policy, evidence)


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
        return rate_span(rule, as_of, Workdays())[0]
    if isinstance(rule, Compound):
        return min((h for p in rule.parts if (h := horizon(p.rule, as_of))), default=None)
    return None


def _monitor_verdict(check: CheckFact | None, facts: ColumnFacts, evidence: dict[str, Any]) -> Verdict:
    if check is None:
        return make_verdict("unknown", "栏目尚未检查，暂无时效判断", facts, evidence)
    what = _MONITOR_REASONS.get(check.outcome, "栏目检查失败")
    detail = f"（{check.detail}）" if check.detail else ""
    state = check.outcome if check.outcome in ("unreachable", "blocked") else "broken"
    evidence["check"] = {"day": check.day.isoformat(), "outcome": check.outcome, "detail": check.detail}
    return make_verdict(state, f"{what}{detail}，本次不作时效判断", facts, evidence)


def _undated(facts: ColumnFacts, evidence: dict[str, Any]) -> Verdict:
    """No item has a date: late (national rule) only once every item's own page was read."""
    if facts.unread:
        return make_verdict("broken", "条目无发布日期，且详情页未能读取，本次不作时效判断", facts, evidence)
    reason = f"栏目共{facts.count}条信息，均未标注发布日期（详情页亦无），按未更新计"
    return make_verdict("late", reason, facts, evidence)


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
    whole = base_evidence(rule, column_facts(history, as_of, policy.backdate_tolerance_days), as_of)
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
