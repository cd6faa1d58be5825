"""After a crawl: judge each column from its stored history, keep the verdict, move its notice.

This is the glue between the store and the pure parts (``judge``, ``notices.decide``): it reads
history, calls them, and writes what they decided, one column at a time in one transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from monitor.config import Catalog, Column, Unit
from monitor.judge import Policy, Verdict, judge
from monitor.notices import ActiveNotice, decide
from monitor.store import Store
from monitor.workdays import Workdays

STATE_WORDS = {
    "on_time": "按时", "due_soon": "临近期限", "late": "逾期", "blank": "空白栏目",
    "unreachable": "无法访问", "blocked": "被防火墙拦截", "broken": "读取失败", "unknown": "未检查",
}


@dataclass(frozen=True)
class ColumnResult:
    column: Column
    verdict: Verdict
    notice_action: str | None  # 'open' | 'rectify' | 'overdue' | None


def policy_for(catalog: Catalog) -> Policy:
    return Policy(
        warn_days=catalog.settings.warn_days,
        backdate_tolerance_days=catalog.settings.backdate_tolerance_days,
        workdays=Workdays(catalog.calendar_overrides),
    )


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
            store.save_verdict(unit.slug, column.id, as_of, verdict, column.rule.words(), sweep_id)
            action = _act_on_notice(store, catalog, column, verdict, previous["state"] if previous else None, as_of, policy, by)
        results.append(ColumnResult(column, verdict, action))
    return results


def _act_on_notice(store: Store, catalog: Catalog, column: Column, verdict: Verdict, previous_state: str | None,
                   as_of: date, policy: Policy, by: str) -> str | None:
    row = store.active_notice(column.unit, column.id)
    active = ActiveNotice(row["id"], row["state"], date.fromisoformat(row["deadline"])) if row else None
    action = decide(verdict.state, previous_state, active, as_of)
    if action == "open":
        deadline, provisional = policy.workdays.add_workdays(as_of, catalog.settings.rectify_workdays)
        evidence = {
            **verdict.evidence,
            "column_url": column.url,
            "last_fetch": store.last_list_fetch(column.unit, column.id, as_of),
            "deadline_provisional": provisional,
        }
        store.open_notice(
            {
                "unit": column.unit, "column_id": column.id, "opened_day": as_of.isoformat(),
                "deadline": deadline.isoformat(), "days_late_at_open": verdict.days_late,
                "rule_words": column.rule.words(), "reason": verdict.reason,
                "evidence": json.dumps(evidence, ensure_ascii=False, default=str),
            },
            by=by,
            why=f"连续两次检查为{STATE_WORDS[verdict.state]}：{verdict.reason}",
        )
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
