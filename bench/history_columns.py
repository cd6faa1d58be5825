"""One unit's history in a generated province (bench/history_world.py): per column, its items' rows, one
check per day and one verdict per judged day (a simple gap model: the newest item against the rule's span), the
runs where it lagged (notice candidates), its signal, and the standings the weekly inspection reads."""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from history_items import CLOCK, Item, column_items, item_json, sweep_stamp
from history_notices import column_signals
from history_plan import Timeline, Variant
from monitor.config import Catalog
from monitor.inspection import ColumnStanding

ITEM_KEYS = ("unit", "column_id", "url", "title", "published", "published_source", "written", "written_source",
             "date_evidence", "first_seen", "first_seen_at", "first_sweep_id", "last_seen", "still_listed",
             "body_chars", "body_sha256", "body_attachments")
CHECK_KEYS = ("sweep_id", "unit", "column_id", "day", "outcome", "items_found", "newest_date", "oldest_date", "pages",
              "detail", "checked_at")
VERDICT_KEYS = ("unit", "column_id", "day", "state", "due", "days_late", "late_since", "newest_published",
                "newest_title", "newest_url", "provisional", "reason", "evidence", "rule_words", "sweep_id",
                "judged_at")


@dataclass
class Generated:
    items: list[tuple[Any, ...]]  # ITEM_KEYS
    checks: list[tuple[Any, ...]]  # CHECK_KEYS
    verdicts: list[tuple[Any, ...]]  # VERDICT_KEYS
    lagging_runs: list[dict[str, Any]]  # notice candidates
    signals: list[dict[str, Any]]
    standings: dict[date, list[ColumnStanding]]
    outages: set[date]
    blocked: set[date]


FAIL_DETAIL = {"unreachable": "超时（TimeoutError）", "blocked": "防火墙拦截（安全狗，HTTP 403）",
               "broken": "页面无法解析（列表中未找到信息）"}


def generate_unit(rng: random.Random, catalog: Catalog, unit_index: int, plan: dict[tuple[str, str], Variant],
                  t: Timeline) -> Generated:
    unit = catalog.units[unit_index]
    days = t.days
    outages = {d for d in days if rng.random() < 0.012}
    blocked: set[date] = set()
    if rng.random() < 0.03:
        start = rng.randrange(t.sweep_days)
        blocked = set(days[start:start + rng.randint(2, 9)])
    out = Generated([], [], [], [], [], {d: [] for d in t.inspection_days}, outages, blocked)
    last_seen, first_day = t.as_of.isoformat(), t.first_day
    for column in unit.columns:
        variant = plan[(unit.slug, column.id)]
        r = rng.random()
        profile = ("blank" if r < 0.006 else "silent" if r < 0.05 and variant.limit and variant.limit <= 200
                   else "burst" if r < 0.065 and variant.pattern == "poisson"
                   else "backdated" if r < 0.072 else "regular")
        items, _ = column_items(rng, unit.name, unit.slug, variant, column.url, profile, t)
        words, kind = column.rule.words(), column.rule.kind
        for item in items:
            article = rng.random() < 0.9
            out.items.append((
                unit.slug, column.id, item.url, item.title, item.published and item.published.isoformat(),
                "list" if item.published else "", item.written and item.written.isoformat(),
                "article" if item.written else "",
                json.dumps({"candidates": [["发布时间", str(item.published)]], "conflict": False},
                           ensure_ascii=False) if article else None,
                item.first_seen.isoformat(), sweep_stamp(item.first_seen, rng), (item.first_seen - first_day).days + 1,
                last_seen, 1, rng.randint(200, 6000) if article else None,
                hashlib.sha256(item.url.encode()).hexdigest() if article else None,
                rng.randint(0, 2) if article else None,
            ))
        states = _column_days(rng, out, unit.slug, column.id, variant, items, words, kind, t, column.name,
                              column.type, column.url)
        _lagging_runs(out, unit.slug, column.id, kind, states)
        column_signals(rng, out, unit.slug, column.id, profile, items, t)
    return out


def _column_days(rng: random.Random, out: Generated, slug: str, column_id: str, variant: Variant, items: list[Item],
                 words: str, kind: str, t: Timeline, column_name: str, column_type: str,
                 column_url: str) -> list[tuple[str, str]]:
    """One check per day and one verdict per judged day; returns each judged day's (state, reason)."""
    states = []
    k, count, undated = 0, 0, 0
    newest: Item | None = None
    seen: list[date] = []
    backdated: list[Item] = []
    head = json.dumps({"rule": words, "kind": kind}, ensure_ascii=False)[:-1]
    tail = ""
    judged_until, inspection_days, limit = t.judged_until, t.inspection_days, variant.limit
    checks, verdicts, outages, blocked, draw = out.checks, out.verdicts, out.outages, out.blocked, rng.random
    # what changes only with the column's items, kept between days
    pages = listed = 0
    top = bottom = newest_iso = newest_title = newest_url = due = due_iso = since_iso = None
    opening = kept = late_words = ""
    for index, (day, iso) in enumerate(zip(t.days, t.isos)):
        fresh = moved = False
        while k < len(items) and items[k].first_seen <= day:
            item = items[k]
            count += 1
            moved = True
            if item.published is None:
                undated += 1
            else:
                seen.append(item.published)
                fresh = True
                if newest is None or item.published > newest.published:
                    newest = item
            if item.backdated:
                backdated.append(item)
            k += 1
        if fresh or not tail:
            seen.sort(reverse=True)
            tail = json.dumps({
                "newest": dict(item_json(newest), effective=newest.published.isoformat()) if newest else None,
                "backdated": [dict(item_json(b), effective=b.first_seen.isoformat(),
                                   absent_on=(b.first_seen - timedelta(days=1)).isoformat()) for b in backdated],
                "future_dated": [], "site_change_days": []}, ensure_ascii=False)[1:]
            if newest:
                newest_iso, newest_title, newest_url = newest.published.isoformat(), newest.title, newest.url
                opening = f"最新信息《{newest.title}》发布于{newest.published}"
                late_words = f"{opening}，已超过{words}"
                if limit is not None:
                    due = newest.published + timedelta(days=limit)
                    due_iso, since_iso = due.isoformat(), (due + timedelta(days=1)).isoformat()
                    kept = f"{opening}，未超过{words}，下次应于{due}前更新"
        if moved or index == 0:
            pages = 1 + (count > 20) + (count > 40)
            listed = min(count - undated, 20 * pages)
            top = seen[0].isoformat() if seen else None
            bottom = seen[listed - 1].isoformat() if listed else None
        outcome = ("unreachable" if day in outages else "blocked" if day in blocked
                   else "broken" if draw() < 0.001 else "ok")
        stamp = f"{iso}T{CLOCK[int(draw() * 14400)]}+08:00"  # sweep_stamp(day, rng)
        ok = outcome == "ok"
        checks.append((index + 1, slug, column_id, iso, outcome, listed if ok else 0, top if ok else None,
                       bottom if ok else None, pages if ok else 0, FAIL_DETAIL.get(outcome, ""), stamp))
        if day > judged_until:
            continue  # crawled, not judged yet
        days_late = None
        if not ok:
            state, reason = outcome, f"本次未能读取栏目：{FAIL_DETAIL[outcome]}"
            evidence = json.dumps({"outcome": outcome, "detail": FAIL_DETAIL[outcome]}, ensure_ascii=False)
            judged_due = since = None
        else:  # the judge's evidence, as it would be written (the newest item's part kept between days)
            evidence = (f'{head}, "as_of": "{iso}", "items": {count}, "dated": {count - undated}, '
                        f'"undated": {undated}, "undated_unread": 0, {tail}')
            judged_due = since = None
            if count == 0:
                state, reason = "blank", "栏目从未发布过信息（空白栏目）"
            elif limit is None or newest is None:
                state, reason = "on_time", f"栏目保留{count}条信息（{words}）"
            else:
                judged_due = due_iso
                if day > due:
                    state, days_late, since, reason = "late", (day - due).days, since_iso, late_words
                elif (due - day).days <= 3:
                    state, reason = "due_soon", f"{opening}，{words}，应于{due}前更新，还剩{(due - day).days}天"
                else:
                    state, reason = "on_time", kept
        verdicts.append((slug, column_id, iso, state, judged_due, days_late, since, newest_iso, newest_title,
                         newest_url, 0, reason, evidence, words, index + 1, stamp))
        states.append((state, reason))
        if day in inspection_days:
            out.standings[day].append(ColumnStanding(
                column_id, column_name, column_type, state, newest.published if newest else None, count, undated,
                tuple(json.loads(evidence).get("backdated", ())) if backdated else (), column_url))
    return states


LAGGING, FINE = ("late", "blank"), ("on_time", "due_soon")


def _lagging_runs(out: Generated, slug: str, column_id: str, kind: str, states: list[tuple[str, str]]) -> None:
    """Where two checks in a row found the column lagging (a notice is drafted), and when it was fine again."""
    index = 1
    while index < len(states):
        if states[index][0] in LAGGING and states[index - 1][0] in LAGGING:
            back = next((j for j in range(index + 1, len(states)) if states[j][0] in FINE), None)
            out.lagging_runs.append({"unit": slug, "column_id": column_id, "kind": kind, "open": index, "back": back,
                                     "state": states[index][0], "reason": states[index][1]})
            if back is None:
                return
            index = back + 2
        else:
            index += 1
