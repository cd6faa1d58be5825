"""Notices, signals and evidence in a generated province (bench/history_world.py): a column's
faked-disclosure signal, a notice moved through its states with its audit rows (as sweeps and inspectors would
have moved it), and a stand-in evidence pack laid out as monitor.evidence lays it out."""

from __future__ import annotations

import hashlib
import json
import random
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from history_items import Item, item_json
from history_plan import Timeline
from monitor.rules import Span

if TYPE_CHECKING:
    from history_columns import Generated

INSPECTORS = ["inspector:李明", "inspector:王丽", "inspector:陈刚"]


def column_signals(rng: random.Random, out: Generated, slug: str, column_id: str, profile: str,
                    items: list[Item], t: Timeline) -> None:
    """At most one signal of the column (none found after the last judged day: the detector runs after the judge)."""
    found = len(out.signals)
    in_window = [i for i in items if i.first_seen >= t.first_day + timedelta(days=1)]
    if profile == "backdated":
        b = next((i for i in items if i.backdated), None)
        if b:
            out.signals.append(_signal(slug, column_id, b.first_seen, "backdated",
                                       f"《{b.title}》标注发布于{b.published}，但{b.first_seen - timedelta(days=1)}检查时尚未出现",
                                       [dict(item_json(b), absent_on=(b.first_seen - timedelta(days=1)).isoformat())]))
    elif profile == "burst" and in_window:
        last = in_window[-1].first_seen
        burst = [i for i in in_window if (last - i.first_seen).days <= 3][-8:]
        if len(burst) >= 5:
            out.signals.append(_signal(slug, column_id, last, "burst",
                                       f"沉寂30天以上后{len(burst)}条信息在3天内集中发布",
                                       [dict(item_json(i), appeared=i.first_seen.isoformat()) for i in burst]))
    elif in_window and rng.random() < 0.004:
        item = rng.choice(in_window)
        kind = rng.choice(["repost", "empty_item", "date_changed", "vanished"])
        day = item.first_seen if kind in ("repost", "empty_item") \
            else min(t.as_of, item.first_seen + timedelta(days=rng.randint(3, 20)))
        extra = {"repost": {"original": {"title": item.title, "url": item.url + "?old", "published": "2026-03-02"}},
                 "empty_item": {"body_chars": rng.randint(0, 29)},
                 "date_changed": {"changed_on": day.isoformat(), "old": str(item.published), "new": day.isoformat()},
                 "vanished": {"unlisted_on": day.isoformat()}}[kind]
        summary = {"repost": "同一正文以新地址重复发布", "empty_item": "信息正文不足30字且无附件",
                   "date_changed": "已发布信息的发布日期被改动", "vanished": "信息未到公开期限即被撤下"}[kind]
        out.signals.append(_signal(slug, column_id, day, kind, summary, [dict(item_json(item), **extra)]))
    if len(out.signals) > found and out.signals[-1]["day"] > t.judged_until.isoformat():
        out.signals.pop()


def _signal(slug: str, column_id: str, day: date, kind: str, summary: str,
            items: list[dict[str, Any]]) -> dict[str, Any]:
    for n, i in enumerate(items):
        i["key"] = f"{kind}:{i['url']}:{n}"
    return {"unit": slug, "column_id": column_id, "day": day.isoformat(), "kind": kind, "summary": summary,
            "detail": json.dumps({"items": len(items)}, ensure_ascii=False),
            "items": json.dumps(items, ensure_ascii=False),
            "found_at": f"{day.isoformat()}T05:30:00+08:00"}


def notice_history(rng: random.Random, run: dict[str, Any], notice_id: int, digest: str, workdays: Any, t: Timeline,
                   kind: str = "lateness", opened: date | None = None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A notice and its audit rows, moved as sweeps and inspectors would have moved it up to the last judged day."""
    opened = opened or t.days[run["open"]]
    back = t.days[run["back"]] if run.get("back") is not None else None
    events: list[tuple[date, str | None, str, str, str]] = []
    fields: dict[str, Any] = {}

    def move(day: date, old: str | None, new: str, by: str, why: str) -> bool:
        if day > t.judged_until:
            return False
        events.append((day, old, new, by, why))
        return True

    move(opened, None, "draft", "sweep" if kind == "lateness" else "detect",
         f"连续两次检查为{'逾期' if run['state'] == 'late' else '空白栏目'}：{run['reason']}" if kind == "lateness"
         else run["reason"])
    auto = kind == "lateness" and run["kind"] in ("max_gap", "periodic")
    issued = None
    if auto:
        issued = opened
        move(opened, "draft", "issued", "sweep", f"按[notices] auto_issue自动发布（规则类型 {run['kind']}）")
    else:
        r = rng.random()
        later = opened + timedelta(days=rng.randint(1, 3))
        if r < (0.6 if kind == "lateness" else 0.35) \
                and move(later, "draft", "issued", rng.choice(INSPECTORS), "经审核发布"):
            issued = later
        elif r < 0.8 and move(later, "draft", "withdrawn", rng.choice(INSPECTORS), "经核实栏目已按规定公开，撤回"):
            fields.update(withdrawn_day=later.isoformat(), withdraw_reason="经核实栏目已按规定公开")
    deadline = (issued or opened) + timedelta(days=7)
    if issued:
        deadline, _ = workdays.add_span(issued, Span(5, "workday"))
        fields.update(issued_day=issued.isoformat(), issued_by=events[-1][3])
    state = events[-1][2]
    if issued and kind == "lateness":
        overdue = deadline + timedelta(days=1)
        if back is not None and back <= deadline:
            if move(back, "issued", "rectified", "sweep", "栏目已更新，整改完成"):
                fields["rectified_day"] = back.isoformat()
                closed = back + timedelta(days=rng.randint(2, 10))
                if rng.random() < 0.5 and move(closed, "rectified", "closed", rng.choice(INSPECTORS), "复核通过，办结"):
                    fields["closed_day"] = closed.isoformat()
        elif move(overdue, "issued", "overdue", "sweep", f"整改期限{deadline}已过，仍未更新"):
            fields["overdue_day"] = overdue.isoformat()
            escalated = overdue + timedelta(days=rng.randint(2, 8))
            if back is not None and move(back, "overdue", "rectified", "sweep", "栏目已更新，逾期整改"):
                fields["rectified_day"] = back.isoformat()
            elif rng.random() < 0.35 and move(escalated, "overdue", "escalated", rng.choice(INSPECTORS), "逾期未整改，约谈"):
                fields.update(escalated_day=escalated.isoformat(), escalation_level=rng.choice(["约谈", "通报批评", "追究责任"]))
    elif issued and rng.random() < 0.4:
        closed = issued + timedelta(days=rng.randint(3, 15))
        if move(closed, "issued", "closed", rng.choice(INSPECTORS), "单位已说明情况，办结"):
            fields["closed_day"] = closed.isoformat()
    state = events[-1][2]
    notice = {
        "id": notice_id, "unit": run["unit"], "column_id": run["column_id"], "state": state,
        "opened_day": opened.isoformat(), "deadline": deadline.isoformat(), "days_late_at_open": rng.randint(1, 30),
        "rule_words": run.get("words", ""), "reason": run["reason"],
        "evidence": json.dumps({"state": run["state"], "reason": run["reason"]}, ensure_ascii=False),
        "opened_at": f"{opened.isoformat()}T04:10:00+08:00",
        "updated_at": f"{events[-1][0].isoformat()}T04:10:00+08:00",
        "kind": kind, "catalog_digest": digest, **fields,
    }
    rows = [{"notice_id": notice_id, "day": d.isoformat(), "at": f"{d.isoformat()}T04:{n:02d}:00+08:00",
             "old_state": old, "new_state": new, "by": by, "why": why}
            for n, (d, old, new, by, why) in enumerate(events)]
    return notice, rows


def write_pack(root: Path, rng: random.Random, notice: dict[str, Any], unit_name: str, column: Any,
               items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A stand-in evidence pack (WARC, screenshot, manifest, SHA256SUMS) as monitor.evidence lays it out."""
    folder = root / "evidence" / f"notice-{notice['id']}"
    folder.mkdir(parents=True, exist_ok=True)
    files = {"fetches.warc.gz": rng.randbytes(rng.randint(20_000, 80_000)),
             "screenshot.png": rng.randbytes(rng.randint(150_000, 450_000))}
    sums = {}
    for name, body in files.items():
        (folder / name).write_bytes(body)
        sums[name] = (hashlib.sha256(body).hexdigest(), len(body))
    manifest = {
        "notice": {k: notice[k] for k in ("id", "kind", "state", "opened_day", "opened_at", "deadline",
                                          "days_late_at_open", "reason")}
        | {"evidence": json.loads(notice["evidence"])},
        "unit": {"slug": notice["unit"], "name": unit_name, "site": column.url.split("xxgk")[0]},
        "column": {"id": column.id, "name": column.name, "url": column.url, "endpoint": None, "type": column.type},
        "rule": {"words": column.rule.words(), "name": column.rule_name, "kind": column.rule.kind,
                 "wording": column.wording},
        "catalog": None, "lagging_checks": [notice["opened_day"]],
        "verdicts": [{"day": notice["opened_day"], "state": "late", "reason": notice["reason"]}],
        "fetches": [{"as_of": notice["opened_day"], "fetched_at": notice["opened_at"], "url": column.url,
                     "kind": "list", "status": 200, "outcome": "ok", "detail": "", "bytes": 30_000 + n,
                     "sha256": "0" * 64, "verified": True} for n in range(3)],
        "items": [{k: i[k] for k in ("url", "title", "published", "published_source", "written", "written_source",
                                     "first_seen")} for i in items],
        "screenshot": {"file": "screenshot.png", "taken": True, "at": notice["opened_at"], "url": column.url,
                       "width": 1280, "blocked_requests": []},
        "files": {name: {"sha256": d, "bytes": size} for name, (d, size) in sums.items()},
        "recheck": f"scrapy crawl {notice['unit']} -a column={column.id}", "built_at": notice["opened_at"],
        "software": "DisclosureMonitor/bench",
    }
    body = (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode()
    (folder / "manifest.json").write_bytes(body)
    sums["manifest.json"] = (hashlib.sha256(body).hexdigest(), len(body))
    (folder / "SHA256SUMS").write_text("".join(f"{d}  {name}\n" for name, (d, _) in sums.items()), encoding="utf-8")
    kinds = {"fetches.warc.gz": "warc", "screenshot.png": "screenshot", "manifest.json": "manifest"}
    return [{"notice_id": notice["id"], "kind": kinds[name], "path": f"evidence/notice-{notice['id']}/{name}",
             "sha256": d, "bytes": size, "created_at": notice["opened_at"]} for name, (d, size) in sums.items()]
