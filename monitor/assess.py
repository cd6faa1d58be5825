"""After a crawl: judge each column from its stored history, keep the verdict, move its notice.

This is the glue between the store and the pure parts (``judge``, ``notices.decide``): it reads
history, calls them, and writes what they decided, one column at a time in one transaction.

Verdicts are recomputed from history on every sweep, so a provisional deadline (a year whose
holiday arrangement was not known) is recomputed as soon as the calendar knows the year; a verdict
that changes because of it says so in its reason and evidence (``recomputed``). A notice opened
with a provisional rectification deadline gets its deadline recomputed too, with an audit row.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date

from monitor.config import Catalog, Column, Unit
from monitor.judge import judge
from monitor.judge_model import ColumnHistory, Policy, Verdict
from monitor.notices import ActiveNotice, decide
from monitor.policy import policy_for
from monitor.review import raise_draft
from monitor.store import Store

# A deadline counted in a year the calendar does not know may come up to a 春节 week (and its make-up days)
# too early: a verdict late by no more than this, on such a count, neither drafts nor moves a notice.
PROVISIONAL_MARGIN_DAYS = 10

STATE_WORDS = {
    "on_time": "按时", "due_soon": "临近期限", "late": "逾期", "blank": "空白栏目",
    "unreachable": "无法访问", "blocked": "被防火墙拦截", "broken": "读取失败", "unknown": "未检查",
}


@dataclass(frozen=True)
class ColumnResult:
    column: Column
    verdict: Verdict
    notice_action: str | None  # 'draft' | 'withdraw_draft' | 'rectify' | 'overdue' | None


def assess_unit(store: Store, catalog: Catalog, unit: Unit, as_of: date, sweep_id: int | None,
                column_ids: set[str] | None = None, by: str = "sweep") -> list[ColumnResult]:
    """Judge the unit's columns (or the chosen ones) as of `as_of` and act on their notices."""
    policy = policy_for(catalog)
    results = []
    for column in unit.columns:
        if column_ids and column.id not in column_ids:
            continue
        with store.atomic():
            history = store.column_history(unit.slug, column.id, as_of)
            verdict = judge(column.rule, history, as_of, policy)
            previous = store.previous_verdict(unit.slug, column.id, as_of)
            if previous and previous["provisional"] and not verdict.provisional:
                verdict = _note_recomputed(verdict, previous, column, history, as_of, policy)
            store.save_verdict(unit.slug, column.id, as_of, verdict, column.rule.words(), sweep_id)
            action = _act_on_notice(store, catalog, column, verdict, previous["state"] if previous else None, as_of, policy, by)
        results.append(ColumnResult(column, verdict, action))
    return results


def _act_on_notice(store: Store, catalog: Catalog, column: Column, verdict: Verdict, previous_state: str | None,
                   as_of: date, policy: Policy, by: str) -> str | None:
    row = store.active_notice(column.unit, column.id, "lateness")
    if row and row["state"] != "draft":  # a draft's deadline is counted when it is issued
        row = _recompute_deadline(store, catalog, row, as_of, policy, by)
    active = ActiveNotice(row["id"], row["state"], date.fromisoformat(row["deadline"])) if row else None
    state = verdict.state
    if verdict.provisional and state == "late" and (verdict.days_late or 0) <= PROVISIONAL_MARGIN_DAYS:
        state = "unknown"  # late only by a guessed calendar, by less than a holiday it may not know: no move
    action = decide(state, previous_state, active, as_of)
    if action == "draft":
        evidence = {**verdict.evidence, "last_fetch": store.last_list_fetch(column.unit, column.id, as_of)}
        raise_draft(store, catalog, column, "lateness", verdict.reason, evidence, as_of, by, days_late=verdict.days_late,
                    why=f"连续两次检查为{STATE_WORDS[verdict.state]}：{verdict.reason}")
    elif action == "withdraw_draft":
        why = f"尚未发布，栏目已恢复正常，无需督办：{verdict.reason}"
        store.move_notice(active.id, as_of, "withdrawn", by, why, withdrawn_day=as_of.isoformat(),
                          withdraw_reason="发布前栏目已恢复正常")
    elif action == "rectify":
        late_fix = as_of > active.deadline
        store.move_notice(
            active.id, as_of, "rectified", by, f"检查显示已整改：{verdict.reason}" + ("（逾期后整改）" if late_fix else ""),
            rectified_day=as_of.isoformat(),
        )
    elif action == "overdue":
        store.move_notice(active.id, as_of, "overdue", by, f"整改期限{active.deadline}已过，仍{STATE_WORDS[verdict.state]}",
                          overdue_day=as_of.isoformat())
    return action


def _note_recomputed(verdict: Verdict, previous: dict, column: Column, history: ColumnHistory, as_of: date,
                     policy: Policy) -> Verdict:
    """The previous verdict guessed a year's working days and this one does not: when the year's
    arrangement (not new items) changed the deadline or the state, say so.

    The guess is judged again on today's history with that year forgotten; only what differs
    from it is the calendar's doing.
    """
    year = _guessed_year(previous)
    if year is None or not policy.workdays.knows(year):
        return verdict
    guess = judge(column.rule, history, as_of, replace(policy, workdays=policy.workdays.forgetting(year)))
    if not guess.provisional or (guess.due, guess.state) == (verdict.due, verdict.state):
        return verdict
    changes = []
    if guess.due and verdict.due and guess.due != verdict.due:
        changes.append(f"期限由{guess.due}改为{verdict.due}")
    if guess.state != verdict.state:
        changes.append(f"结论由{STATE_WORDS[guess.state]}改为{STATE_WORDS[verdict.state]}")
    note = f"（{year}年节假日安排已公布，{'，'.join(changes) or '已按该年安排重新计算'}）"
    recomputed = {"year": year, "old_due": guess.due and guess.due.isoformat(), "old_state": guess.state,
                  "new_due": verdict.due and verdict.due.isoformat(), "new_state": verdict.state}
    return replace(verdict, reason=verdict.reason + note, evidence={**verdict.evidence, "recomputed": recomputed})


def _guessed_year(previous: dict) -> int | None:
    """The year whose working days the previous verdict guessed (its evidence names it; else its due's year)."""
    year = json.loads(previous["evidence"] or "{}").get("provisional_year")
    if year:
        return int(year)
    return int(previous["due"][:4]) if previous["due"] else None


def _recompute_deadline(store: Store, catalog: Catalog, row: dict, as_of: date, policy: Policy, by: str) -> dict:
    """A notice whose rectification deadline was provisional: count it again with today's calendar.

    The deadline moves (with an audit row) when it changes or stops being provisional; a notice
    marked overdue by the guess whose real deadline has not passed goes back to open.
    """
    evidence = json.loads(row["evidence"] or "{}")
    if not evidence.get("deadline_provisional"):
        return row
    old = date.fromisoformat(row["deadline"])
    n = evidence.get("rectify_workdays", catalog.settings.rectify_workdays)
    start = date.fromisoformat(row["issued_day"] or row["opened_day"])  # the deadline counts from the issue day
    new, provisional = policy.workdays.add_workdays(start, n)
    if provisional and new == old:
        return row
    years = "、".join(sorted({str(old.year), str(new.year)}))
    if provisional:
        why = f"整改期限按更新的{years}年工作日表重新计算（仍为暂计）：{old}→{new}"
    else:
        why = f"整改期限按{years}年节假日安排重新计算：{old}→{new}"
    evidence.update(deadline_provisional=provisional, deadline_recomputed={"old": old.isoformat(), "new": new.isoformat()})
    store.change_notice_deadline(row["id"], as_of, new, by, why,
                                 evidence=json.dumps(evidence, ensure_ascii=False, default=str))
    if row["state"] == "overdue" and as_of <= new:
        store.move_notice(row["id"], as_of, "issued", by, f"按重新计算的整改期限{new}，尚未逾期", overdue_day=None)
    return store.active_notice(row["unit"], row["column_id"])
