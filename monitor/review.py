"""The review step of public supervision notices: drafts raised by sweeps, decisions made by people.

``raise_draft`` is the one way a notice comes into being (a lagging column, or a faked-disclosure
signal); it is issued at once only when the catalog lets that rule's notices issue themselves
(``[notices] auto_issue``), never for a signal. ``issue``, ``withdraw``, ``escalate`` and ``close``
are what a reviewer does (``python -m monitor notices ...``); each writes its audit row: when, by
whom, why. The rectification deadline counts from the day a notice is issued.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from monitor.config import Catalog, Column
from monitor.errors import UsageError
from monitor.notices import KIND_WORDS, person_move
from monitor.policy import policy_for
from monitor.store import Store


def raise_draft(store: Store, catalog: Catalog, column: Column, kind: str, reason: str, evidence: dict[str, Any],
                as_of: date, by: str, *, days_late: int | None = None, why: str = "") -> int:
    """Draft a notice of ``kind`` for the column (or return the active one of that kind); issue it at once
    when the catalog allows it for the column's rule. Returns the notice's id."""
    active = store.active_notice(column.unit, column.id, kind)
    if active:
        return active["id"]
    deadline, provisional = policy_for(catalog).workdays.add_workdays(as_of, catalog.settings.rectify_workdays)
    record = {
        "unit": column.unit, "column_id": column.id, "kind": kind, "opened_day": as_of.isoformat(),
        "deadline": deadline.isoformat(),  # preliminary: counted again from the day it is issued
        "days_late_at_open": days_late, "rule_words": column.rule.words(), "reason": reason,
        "catalog_digest": catalog.digest,
        "evidence": json.dumps({**evidence, "column_url": column.url, "deadline_provisional": provisional,
                                "rectify_workdays": catalog.settings.rectify_workdays},
                               ensure_ascii=False, default=str),
    }
    notice_id = store.draft_notice(record, by, why or f"{KIND_WORDS.get(kind, kind)}：{reason}")
    if kind == "lateness" and auto_issues(catalog, column):
        issue(store, catalog, notice_id, as_of, "auto",
              f"目录规定“{column.rule_name or column.rule.words()}”类督办自动发布")
    return notice_id


def auto_issues(catalog: Catalog, column: Column) -> bool:
    """Whether the catalog lets the column's lateness notices issue without a reviewer: its rule's template
    name or kind is listed in ``[notices] auto_issue``, or "*" is."""
    allowed = catalog.notices.auto_issue
    return "*" in allowed or column.rule.kind in allowed or (column.rule_name != "" and column.rule_name in allowed)


def issue(store: Store, catalog: Catalog, notice_id: int, day: date, by: str, note: str = "") -> dict[str, Any]:
    """Publish a draft: the rectification deadline counts from ``day``."""
    n = catalog.settings.rectify_workdays
    with store.atomic():  # the state is read and moved in one transaction: a sweep cannot move it in between
        notice = _checked(store, notice_id, "issue", day)
        deadline, provisional = policy_for(catalog).workdays.add_workdays(day, n)
        evidence = {**json.loads(notice["evidence"] or "{}"), "deadline_provisional": provisional,
                    "rectify_workdays": n}
        why = f"审核发布，限{deadline}前整改" + (f"（{note}）" if note else "")
        store.move_notice(notice_id, day, "issued", by, why, issued_day=day.isoformat(), issued_by=by,
                          deadline=deadline.isoformat(), evidence=json.dumps(evidence, ensure_ascii=False, default=str))
    return _notice(store, notice_id)


def withdraw(store: Store, notice_id: int, day: date, by: str, why: str) -> dict[str, Any]:
    """A false alarm (误报): withdrawn with its reason; a draft never reaches the board."""
    with store.atomic():
        _checked(store, notice_id, "withdraw", day, why=why)
        store.move_notice(notice_id, day, "withdrawn", by, why, withdrawn_day=day.isoformat(), withdraw_reason=why)
    return _notice(store, notice_id)


def escalate(store: Store, notice_id: int, day: date, by: str, level: str, why: str) -> dict[str, Any]:
    """追究责任: the level (约谈 / 通报批评 / 追究责任) and why."""
    with store.atomic():
        _checked(store, notice_id, "escalate", day, why=why, level=level)
        store.move_notice(notice_id, day, "escalated", by, f"{level}：{why}", escalated_day=day.isoformat(),
                          escalation_level=level)
    return _notice(store, notice_id)


def close(store: Store, notice_id: int, day: date, by: str, why: str) -> dict[str, Any]:
    with store.atomic():
        _checked(store, notice_id, "close", day, why=why)
        store.move_notice(notice_id, day, "closed", by, why, closed_day=day.isoformat())
    return _notice(store, notice_id)


def _checked(store: Store, notice_id: int, action: str, day: date, **details: Any) -> dict[str, Any]:
    """The notice, once the move is allowed from its state on ``day``: never before its last move."""
    notice = _notice(store, notice_id)
    person_move(action, notice["state"], **details)
    last = max(e["day"] for e in store.notice_history(notice_id))
    if day.isoformat() < last:
        raise UsageError(f"--as-of {day} is before the notice's last move ({last}): its history cannot be rewritten")
    return notice


def _notice(store: Store, notice_id: int) -> dict[str, Any]:
    notice = store.notice(notice_id)
    if notice is None:
        raise UsageError(f"no notice #{notice_id}")
    return notice
