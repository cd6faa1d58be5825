"""Making a verdict: its Chinese wording, its JSON evidence, the note on a guessed year's working days."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from monitor.backdating import ColumnFacts, Dated, column_facts
from monitor.judge_model import ColumnHistory, ItemFact, Verdict
from monitor.rules import Rule


def make_verdict(
    state: str, reason: str, facts: ColumnFacts, evidence: dict[str, Any], *, due: date | None = None,
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


def late_verdict(
    opening: str, due: date, as_of: date, facts: ColumnFacts, evidence: dict, guessed: int | None,
) -> Verdict:
    days_late = (as_of - due).days
    return make_verdict(
        "late", f"{opening}，逾期{days_late}天", facts, evidence, due=due, days_late=days_late,
        late_since=due + timedelta(days=1), guessed=guessed,
    )


def left_words(days_left: int) -> str:
    return "今天到期" if days_left == 0 else f"还剩{days_left}天"


def dated_words(dated: Dated) -> str:
    if dated.future:
        return f"标注发布于{dated.item.published}（晚于检查日，日期有误），按首次发现日{dated.effective}计"
    if dated.absent_on is None:
        return f"发布于{dated.effective}"
    return (
        f"标注发布于{dated.item.published}，但{dated.absent_on}检查时尚未出现，"
        f"疑似倒签，按{dated.effective}计"
    )


def base_evidence(rule: Rule, facts: ColumnFacts, as_of: date) -> dict[str, Any]:
    """The evidence every verdict carries: the rule, the day, the column's items."""
    return {
        "rule": rule.words(),
        "kind": rule.kind,
        "as_of": as_of.isoformat(),
        "items": facts.count,
        "dated": len(facts.dated),
        "undated": facts.undated,
        "undated_unread": facts.unread,
        "newest": item_json(facts.newest) if facts.newest else None,
        "backdated": _backdated_json(facts),
        "future_dated": [_fact_json(i) for i in facts.future],
        "site_change_days": [d.isoformat() for d in facts.site_changes],
    }


def backdated_items(history: ColumnHistory, as_of: date, tolerance: int) -> list[dict[str, Any]]:
    """The column's items suspected back-dated on ``as_of``, as a verdict's evidence lists them (``backdated``),
    whatever the rule: a compound rule's verdict carries only its worst part's evidence."""
    return _backdated_json(column_facts(history, as_of, tolerance))


def _backdated_json(facts: ColumnFacts) -> list[dict[str, Any]]:
    return [{**item_json(d), "absent_on": d.absent_on.isoformat()} for d in facts.dated if d.absent_on]


def item_json(dated: Dated) -> dict[str, Any]:
    return {**_fact_json(dated.item), "effective": dated.effective.isoformat()}


def _fact_json(item: ItemFact) -> dict[str, Any]:
    dates = {"published": item.published, "written": item.written, "first_seen": item.first_seen}
    return {"title": item.title, "url": item.url, **{k: d and d.isoformat() for k, d in dates.items()}}
