"""Benchmark: building the inspectors' weekly report over a province-sized world.

    .venv/bin/python bench/bench_report.py [--units 1000] [--columns 10] [--out DIR] [--seed 1]
        [--notices 5] [--tracemalloc] [--profile N] [--keep]

1. Generates, in a temporary folder, a catalog of ``--units`` units (u0001 第1局 http://10.1.0.1/ ...) with
   ``--columns`` columns each (every type, focus areas, rule templates, overrides, rules of a column's own,
   公开时限 wording and 同上), loaded and validated by ``monitor.config.load_catalog``; and a database as 12
   weeks of daily sweeps would leave it: a year of items per column (long silences, bursts, back-dated
   items), one check and one verdict per column and day (mostly on time; late and blank ones with their
   days late; unreachable, blocked and broken ones), notices moved through draft / issued / rectified /
   overdue / escalated / closed / withdrawn with their audit rows and a few evidence packs, faked-disclosure
   signals, and a national inspection verdict per unit and week (``monitor.inspection.inspect_unit`` over the
   generated standings, kept with ``save_inspection``). Rows go in with executemany: no crawl, no network.
   States follow a simple gap model (the newest item against the rule's span), not the judge: the report
   only reads them. Tables the report does not read (fetches, probes, flips, item_changes) stay empty.
2. Times ``reports.weekly.build_weekly(store, catalog, 2026-11-27, out_dir)`` in a fresh process, so that
   its memory is its own: a first build into an empty folder, then a second one over the same folder.

Prints the generation time and what it made (rows per table, database size, today's states, notices), then
for each build its wall and CPU time (the machine may be shared: CPU time is the steadier figure), its peak
RSS (Linux VmHWM, reset before each build; getrusage elsewhere), the files and bytes under the report folder,
and the largest files. ``--tracemalloc`` adds a build under tracemalloc (its traced peak; many times slower),
``--profile N`` one under cProfile (its N costliest calls). ``--out DIR`` writes the report into a new or
empty folder and keeps it; ``--keep`` keeps the world (catalog.toml, monitor.db, evidence/).
Repeatable: fixed seed (``--seed``), no network, temporary files.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import random
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from monitor.config import Catalog, load_catalog  # noqa: E402
from monitor.inspection import ColumnStanding, ProbeDay, inspect_unit  # noqa: E402
from monitor.policy import policy_for  # noqa: E402
from monitor.rules import Span  # noqa: E402
from monitor.store import Store  # noqa: E402

AS_OF = date(2026, 11, 27)
SWEEP_DAYS = 84  # 12 weeks of daily sweeps, ending on AS_OF
HISTORY_DAYS = 365  # items published over the last year
FIRST_DAY = AS_OF - timedelta(days=SWEEP_DAYS - 1)
DAYS = [FIRST_DAY + timedelta(days=k) for k in range(SWEEP_DAYS)]
WEEK_START = AS_OF - timedelta(days=6)
FLUSH_UNITS = 25  # units generated between two bulk inserts

HEADER = """\
# bench/bench_report.py: a generated province-sized catalog ({units} units, {columns} columns each)

[monitor]
download_timeout = 15
retries = 2
download_delay = 1.0
concurrency_per_host = 2
warn_days = 3
rectify_workdays = 5
backdate_tolerance_days = 2
contact = "https://example.gov.cn/monitor"

[notices]
auto_issue = ["max_gap", "periodic"]
remind_days = 2

[rules.dynamic_2w]
kind = "max_gap"
within = {{ n = 14, unit = "day" }}

[rules.dynamic_weekly]
kind = "min_rate"
count = 1
per = "week"

[rules.notice_6m]
kind = "max_gap"
within = {{ n = 6, unit = "month" }}

[rules.policy_20wd]
kind = "item_lag"
within = {{ n = 20, unit = "workday" }}
lookback_days = 30

[rules.personnel_12m]
kind = "max_gap"
within = {{ n = 12, unit = "month" }}

[rules.plan_12m]
kind = "max_gap"
within = {{ n = 12, unit = "month" }}

[rules.monthly_15d]
kind = "periodic"
period = "month"
due = {{ n = 15, unit = "day" }}

[rules.quarterly_15d]
kind = "periodic"
period = "quarter"
due = {{ n = 15, unit = "day" }}

[rules.annual_report]
kind = "periodic"
period = "year"
due_date = {{ month = 1, day = 31 }}

[rules.budget_yearly]
kind = "periodic"
period = "year"
due_date = {{ month = 3, day = 31 }}

[rules.standing]
kind = "standing"

[rules.project]
kind = "phased"
within = {{ n = 3, unit = "month" }}
until = 2027-06-30

[rules.art26_text]
text = "信息形成或者变更之日起20个工作日内"
"""


@dataclass(frozen=True)
class Variant:
    """One way a column slot can look: its catalog entry, and how the generator fills it."""

    id: str
    name: str
    type: str
    rule: str  # the TOML value of ``rule``
    pattern: str  # poisson | monthly | quarterly | yearly | budget | rare
    rate: float = 0.0  # items a year (poisson), or how many (rare)
    limit: int | None = None  # days after the newest item before the column is late (None: never)
    focus: bool = False


SLOTS: list[list[Variant]] = [
    [Variant("jgzn", "机构职能", "其他", '"standing"', "rare", 4),
     Variant("ldxx", "领导信息", "其他", '"standing"', "rare", 3)],
    [Variant("gzdt", "工作动态", "动态要闻", '"dynamic_2w"', "poisson", 130, 14),
     Variant("gzdt", "工作动态", "动态要闻", '"dynamic_weekly"', "poisson", 150, 14),
     Variant("bmdt", "部门动态", "动态要闻", '{ template = "dynamic_2w", within = { n = 7, unit = "day" } }',
             "poisson", 160, 7)],
    [Variant("tzgg", "通知公告", "通知公告", '"notice_6m"', "poisson", 30, 183),
     Variant("tzgg", "通知公告", "通知公告", '{ template = "notice_6m", within = { n = 1, unit = "month" } }',
             "poisson", 40, 31),
     Variant("gsgg", "公示公告", "通知公告", '"信息形成之日起二十日内"', "poisson", 35, 60)],
    [Variant("zcwj", "政策文件", "政策文件", '"policy_20wd"', "poisson", 20, 120),
     Variant("zcwj", "政策文件", "政策文件", '"art26_text"', "poisson", 22, 120)],
    [Variant("rsxx", "人事信息", "人事", '"personnel_12m"', "poisson", 6, 365)],
    [Variant("ghjh", "规划计划", "规划计划", '"plan_12m"', "poisson", 4, 365),
     Variant("ghzj", "规划总结", "规划计划", '{ kind = "max_gap", within = { n = 1, unit = "year" } }', "poisson", 5, 365)],
    [Variant("czyjs", "财政预决算", "财政预决算", '"budget_yearly"', "budget", 2, 455, True),
     Variant("czzj", "财政资金", "财政预决算", '"quarterly_15d"', "quarterly", 4, 107, True)],
    [Variant("hjzl", "环境质量", "其他", '"monthly_15d"', "monthly", 12, 46, True),
     Variant("xzcf", "行政处罚", "其他", '"notice_6m"', "poisson", 25, 183, True),
     Variant("jyxx", "教育信息", "其他", '{ kind = "max_gap", within = { n = 1, unit = "month" } }', "poisson", 30, 31, True),
     Variant("shjz", "社会救助", "其他", '"每季度结束后15日内"', "quarterly", 4, 107, True)],
    [Variant("zdxm", "重大建设项目", "规划计划", '"project"', "poisson", 8, 92, True),
     Variant("xzxk", "行政许可", "其他", '"同上"', "poisson", 25, None, True),  # limit: the slot above's
     Variant("ssj", "双随机一公开", "其他", '{ kind = "min_rate", count = 1, per = "month" }', "poisson", 20, 45, True)],
    [Variant("ndbg", "政府信息公开年度报告", "其他", '"annual_report"', "yearly", 1, 455)],
]
EXTRA = Variant("zt", "专题专栏", "其他", '{ kind = "max_gap", within = { n = 3, unit = "month" } }', "poisson", 10, 92)

TOPICS = ["安全生产", "营商环境", "乡村振兴", "城市更新", "就业创业", "生态环境保护", "数字政府", "防汛抗旱", "民生实事",
          "招商引资", "科技创新", "义务教育", "医疗保障", "养老服务", "文明城市创建", "森林防火", "消防安全", "农田水利",
          "食品安全", "优化营商环境", "稳岗就业", "老旧小区改造", "河湖长制", "粮食安全"]
PEOPLE = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "赵磊", "黄敏", "周杰", "吴婷"]
INSPECTORS = ["inspector:李明", "inspector:王丽", "inspector:陈刚"]


def _title(rng: random.Random, unit_name: str, variant: Variant, published: date) -> str:
    topic = rng.choice(TOPICS)
    y = published.year
    match variant.type:
        case "动态要闻":
            return rng.choice([f"{unit_name}召开{topic}工作推进会", f"{topic}专项行动取得阶段性成效",
                               f"{unit_name}主要负责同志赴基层调研{topic}工作", f"{unit_name}部署{topic}重点工作"])
        case "通知公告":
            return rng.choice([f"关于开展{topic}专项检查的通知", f"关于{topic}有关事项的公告", f"{topic}项目公示"])
        case "政策文件":
            return rng.choice([f"关于印发《{topic}实施方案》的通知", f"关于进一步加强{topic}工作的意见"])
        case "人事":
            return rng.choice([f"关于{rng.choice(PEOPLE)}等同志任职的通知", f"{y}年公开招聘工作人员拟聘用人员公示"])
        case "规划计划":
            return rng.choice([f"{y}年{topic}工作计划", f"“十五五”{topic}专项规划", f"{topic}项目建设进展情况"])
        case "财政预决算":
            return rng.choice([f"{unit_name}{y}年部门预算", f"{unit_name}{y - 1}年部门决算",
                               f"{y}年第{(published.month - 1) // 3 + 1}季度财政资金使用情况"])
    if variant.id == "ndbg":
        return f"{unit_name}{y - 1}年政府信息公开工作年度报告"
    if variant.pattern == "rare":
        return rng.choice([f"{unit_name}主要职责", f"{unit_name}内设机构", f"{unit_name}领导简介", "办公地址及联系方式"])
    return f"{y}年{published.month}月{variant.name}：{topic}"


# ---------------------------------------------------------------- the catalog


def catalog_text(units: int, columns: int, rng: random.Random) -> tuple[str, dict[tuple[str, str], Variant]]:
    """The catalog's TOML, and each column's variant (for the generator)."""
    lines = [HEADER.format(units=units, columns=columns)]
    plan: dict[tuple[str, str], Variant] = {}
    for k in range(1, units + 1):
        slug, site = f"u{k:04d}", f"http://10.1.{k // 250}.{k % 250}/"
        lines += ["[[units]]", f'slug = "{slug}"', f'name = "第{k}局"', f'site = "{site}"']
        if k % 7 == 0:
            lines.append(f'contacts = ["mailto://{slug}-office@example.gov.cn"]')
        lines.append("")
        above: Variant | None = None
        for c in range(columns):
            if c < len(SLOTS):
                variant = rng.choice(SLOTS[c])
            else:
                variant = Variant(f"zt{c}", f"{EXTRA.name}{c}", EXTRA.type, EXTRA.rule, EXTRA.pattern, EXTRA.rate,
                                  EXTRA.limit)
            if variant.rule == '"同上"':  # the column above's rule: its span too
                limit = above.limit if above else None
                variant = Variant(variant.id, variant.name, variant.type, variant.rule, variant.pattern, variant.rate,
                                  limit, variant.focus)
            above = variant
            plan[(slug, variant.id)] = variant
            lines += ["  [[units.columns]]", f'  id = "{variant.id}"', f'  name = "{variant.name}"',
                      f'  url = "{site}xxgk/{variant.id}/"', f'  type = "{variant.type}"',
                      f"  focus = {'true' if variant.focus else 'false'}", f"  rule = {variant.rule}", ""]
    return "\n".join(lines), plan


# ---------------------------------------------------------------- items


def _publish_days(rng: random.Random, variant: Variant) -> list[date]:
    start = AS_OF - timedelta(days=HISTORY_DAYS - 1)
    out: list[date] = []
    if variant.pattern == "poisson":
        p = variant.rate / 365
        out = [start + timedelta(days=d) for d in range(HISTORY_DAYS) for _ in range(3) if rng.random() < p / 3]
    elif variant.pattern == "rare":
        out = [AS_OF - timedelta(days=rng.randint(200, 1500)) for _ in range(int(variant.rate))]
    elif variant.pattern == "monthly":  # last month's figures, between the 3rd and the 14th
        out = [date(y, m, rng.randint(3, 14)) for y, m in _months(start)]
    elif variant.pattern == "quarterly":
        out = [date(y, m, rng.randint(3, 14)) for y, m in _months(start) if m in (1, 4, 7, 10)]
    elif variant.pattern == "budget":  # the budget in March, the final accounts in August
        out = [date(y, m, rng.randint(10, 28)) for y, m in _months(start) if m in (3, 8)]
    elif variant.pattern == "yearly":
        out = [date(y, 1, rng.randint(10, 30)) for y, m in _months(start) if m == 1]
    return sorted(d for d in out if d <= AS_OF)


def _months(start: date) -> list[tuple[int, int]]:
    y, m, out = start.year, start.month, []
    while (y, m) <= (AS_OF.year, AS_OF.month):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


@dataclass
class Item:
    url: str
    title: str
    published: date | None
    first_seen: date
    written: date | None = None
    backdated: bool = False


def column_items(rng: random.Random, unit_name: str, slug: str, variant: Variant, url: str,
                 profile: str) -> tuple[list[Item], date | None]:
    """The column's items (sorted by first sighting) under its profile, and the day a silent column resumes."""
    if profile == "blank":
        return [], None
    days = _publish_days(rng, variant)
    resume = None
    if profile == "silent" and variant.limit:
        late_from = FIRST_DAY + timedelta(days=rng.randint(-40, SWEEP_DAYS - 3))
        stop = late_from - timedelta(days=variant.limit + 1)
        days = [d for d in days if d <= stop] or [stop]
        if rng.random() < 0.45:  # the unit catches up (rectification)
            resume = late_from + timedelta(days=rng.randint(3, 20))
            if resume <= AS_OF:
                days.append(resume)
            else:
                resume = None
    elif profile == "burst":  # 一阵风: 30-60 days of silence, then 5-8 items within 3 days
        burst = AS_OF - timedelta(days=rng.randint(0, 6)) if rng.random() < 0.2 else \
            FIRST_DAY + timedelta(days=rng.randint(40, SWEEP_DAYS - 8))
        quiet = burst - timedelta(days=rng.randint(30, 60))
        days = [d for d in days if d <= quiet or d > burst + timedelta(days=3)]
        days += [min(AS_OF, burst + timedelta(days=rng.randint(0, 2))) for _ in range(rng.randint(5, 8))]
        days.sort()
    items = []
    for n, published in enumerate(days):
        seen = max(FIRST_DAY, published + timedelta(days=rng.choice((0, 0, 0, 1))))
        if seen > AS_OF:
            continue
        undated = rng.random() < 0.01
        written = published - timedelta(days=rng.randint(1, 25)) if variant.type == "政策文件" else None
        items.append(Item(f"{url}{published:%Y%m}/t{published:%Y%m%d}_{slug}{n:04d}.html",
                          _title(rng, unit_name, variant, published), None if undated else published, seen, written))
    if profile == "backdated" and len(items) > 3:  # an item first seen weeks after the date it claims
        seen = FIRST_DAY + timedelta(days=rng.randint(20, SWEEP_DAYS - 1))
        claimed = seen - timedelta(days=rng.randint(10, 40))
        items.append(Item(f"{url}{claimed:%Y%m}/t{claimed:%Y%m%d}_{slug}bd.html",
                          _title(rng, unit_name, variant, claimed), claimed, seen, backdated=True))
    items.sort(key=lambda i: (i.first_seen, i.published or i.first_seen))
    return items, resume


def _item_json(item: Item) -> dict[str, Any]:
    return {"title": item.title, "url": item.url, "published": item.published and item.published.isoformat(),
            "written": item.written and item.written.isoformat(), "first_seen": item.first_seen.isoformat()}


def _stamp(day: date, rng: random.Random, hour: int = 2) -> str:
    seconds = int(rng.random() * 14400)
    return f"{day.isoformat()}T{hour + seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}+08:00"


def bulk(store: Store, table: str, rows: list[dict[str, Any]]) -> None:
    """Insert rows in one transaction (executemany: a benchmark's generator, not product code)."""
    if not rows:
        return
    keys = list(dict.fromkeys(k for row in rows[:1] + [r for r in rows if len(r) != len(rows[0])] for k in row))
    sql = f"insert into {table} ({', '.join(keys)}) values ({', '.join('?' for _ in keys)})"
    with store.db.conn:
        store.db.conn.executemany(sql, [[row.get(k) for k in keys] for row in rows])


# ---------------------------------------------------------------- one unit's history


@dataclass
class Generated:
    items: list[dict[str, Any]]
    checks: list[dict[str, Any]]
    verdicts: list[dict[str, Any]]
    lagging_runs: list[dict[str, Any]]  # notice candidates
    signals: list[dict[str, Any]]
    standings: dict[date, list[ColumnStanding]]
    outages: set[date]
    blocked: set[date]


FAIL_DETAIL = {"unreachable": "超时（TimeoutError）", "blocked": "防火墙拦截（安全狗，HTTP 403）",
               "broken": "页面无法解析（列表中未找到信息）"}


def generate_unit(rng: random.Random, catalog: Catalog, unit_index: int, plan: dict[tuple[str, str], Variant],
                  inspection_days: set[date]) -> Generated:
    unit = catalog.units[unit_index]
    outages = {d for d in DAYS if rng.random() < 0.012}
    blocked: set[date] = set()
    if rng.random() < 0.03:
        start = rng.randrange(SWEEP_DAYS)
        blocked = set(DAYS[start:start + rng.randint(2, 9)])
    out = Generated([], [], [], [], [], {d: [] for d in inspection_days}, outages, blocked)
    for column in unit.columns:
        variant = plan[(unit.slug, column.id)]
        r = rng.random()
        profile = ("blank" if r < 0.006 else "silent" if r < 0.05 and variant.limit and variant.limit <= 200
                   else "burst" if r < 0.065 and variant.pattern == "poisson"
                   else "backdated" if r < 0.072 else "regular")
        items, _ = column_items(rng, unit.name, unit.slug, variant, column.url, profile)
        words, kind = column.rule.words(), column.rule.kind
        for item in items:
            article = rng.random() < 0.9
            out.items.append({
                "unit": unit.slug, "column_id": column.id, "url": item.url, "title": item.title,
                "published": item.published and item.published.isoformat(),
                "published_source": "list" if item.published else "",
                "written": item.written and item.written.isoformat(),
                "written_source": "article" if item.written else "",
                "date_evidence": json.dumps({"candidates": [["发布时间", str(item.published)]], "conflict": False},
                                            ensure_ascii=False) if article else None,
                "first_seen": item.first_seen.isoformat(), "first_seen_at": _stamp(item.first_seen, rng),
                "first_sweep_id": (item.first_seen - FIRST_DAY).days + 1, "last_seen": AS_OF.isoformat(),
                "still_listed": 1, "body_chars": rng.randint(200, 6000) if article else None,
                "body_sha256": hashlib.sha256(item.url.encode()).hexdigest() if article else None,
                "body_attachments": rng.randint(0, 2) if article else None,
            })
        states = _column_days(rng, out, unit.slug, column.id, variant, items, words, kind, inspection_days, column.name,
                              column.type, column.url)
        _lagging_runs(out, unit.slug, column.id, kind, states)
        _column_signals(rng, out, unit.slug, column.id, profile, items)
    return out


def _column_days(rng: random.Random, out: Generated, slug: str, column_id: str, variant: Variant, items: list[Item],
                 words: str, kind: str, inspection_days: set[date], column_name: str, column_type: str,
                 column_url: str) -> list[tuple[str, str]]:
    """One check and one verdict per day; returns each day's (state, reason)."""
    states = []
    k, count, undated = 0, 0, 0
    newest: Item | None = None
    seen: list[date] = []
    backdated: list[Item] = []
    head = json.dumps({"rule": words, "kind": kind}, ensure_ascii=False)[:-1]
    tail = ""
    for index, day in enumerate(DAYS):
        fresh = False
        while k < len(items) and items[k].first_seen <= day:
            item = items[k]
            count += 1
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
                "newest": dict(_item_json(newest), effective=newest.published.isoformat()) if newest else None,
                "backdated": [dict(_item_json(b), effective=b.first_seen.isoformat(),
                                   absent_on=(b.first_seen - timedelta(days=1)).isoformat()) for b in backdated],
                "future_dated": [], "site_change_days": []}, ensure_ascii=False)[1:]
        outcome = ("unreachable" if day in out.outages else "blocked" if day in out.blocked
                   else "broken" if rng.random() < 0.001 else "ok")
        pages = 1 + (count > 20) + (count > 40)
        listed = min(count - undated, 20 * pages)
        stamp = _stamp(day, rng)
        out.checks.append({
            "sweep_id": index + 1, "unit": slug, "column_id": column_id, "day": day.isoformat(), "outcome": outcome,
            "items_found": listed if outcome == "ok" else 0,
            "newest_date": seen[0].isoformat() if outcome == "ok" and seen else None,
            "oldest_date": seen[listed - 1].isoformat() if outcome == "ok" and listed else None,
            "pages": pages if outcome == "ok" else 0, "detail": FAIL_DETAIL.get(outcome, ""), "checked_at": stamp,
        })
        due = days_late = late_since = None
        if outcome != "ok":
            state, reason = outcome, f"本次未能读取栏目：{FAIL_DETAIL[outcome]}"
            evidence = json.dumps({"outcome": outcome, "detail": FAIL_DETAIL[outcome]}, ensure_ascii=False)
        else:  # the judge's evidence, as it would be written (the newest item's part kept between days)
            evidence = (f'{head}, "as_of": "{day.isoformat()}", "items": {count}, "dated": {count - undated}, '
                        f'"undated": {undated}, "undated_unread": 0, {tail}')
            opening = f"最新信息《{newest.title}》发布于{newest.published}" if newest else ""
            if count == 0:
                state, reason = "blank", "栏目从未发布过信息（空白栏目）"
            elif variant.limit is None or newest is None:
                state, reason = "on_time", f"栏目保留{count}条信息（{words}）"
            else:
                due = newest.published + timedelta(days=variant.limit)
                if day > due:
                    state, days_late, late_since = "late", (day - due).days, due + timedelta(days=1)
                    reason = f"{opening}，已超过{words}"
                elif (due - day).days <= 3:
                    state, reason = "due_soon", f"{opening}，{words}，应于{due}前更新，还剩{(due - day).days}天"
                else:
                    state, reason = "on_time", f"{opening}，未超过{words}，下次应于{due}前更新"
        out.verdicts.append({
            "unit": slug, "column_id": column_id, "day": day.isoformat(), "state": state,
            "due": due and due.isoformat(), "days_late": days_late, "late_since": late_since and late_since.isoformat(),
            "newest_published": newest.published.isoformat() if newest else None,
            "newest_title": newest.title if newest else None, "newest_url": newest.url if newest else None,
            "provisional": 0, "reason": reason, "evidence": evidence,
            "rule_words": words, "sweep_id": index + 1, "judged_at": stamp,
        })
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


def _column_signals(rng: random.Random, out: Generated, slug: str, column_id: str, profile: str,
                    items: list[Item]) -> None:
    in_window = [i for i in items if i.first_seen >= FIRST_DAY + timedelta(days=1)]
    if profile == "backdated":
        b = next((i for i in items if i.backdated), None)
        if b:
            out.signals.append(_signal(slug, column_id, b.first_seen, "backdated",
                                       f"《{b.title}》标注发布于{b.published}，但{b.first_seen - timedelta(days=1)}检查时尚未出现",
                                       [dict(_item_json(b), absent_on=(b.first_seen - timedelta(days=1)).isoformat())]))
    elif profile == "burst" and in_window:
        last = in_window[-1].first_seen
        burst = [i for i in in_window if (last - i.first_seen).days <= 3][-8:]
        if len(burst) >= 5:
            out.signals.append(_signal(slug, column_id, last, "burst",
                                       f"沉寂30天以上后{len(burst)}条信息在3天内集中发布",
                                       [dict(_item_json(i), appeared=i.first_seen.isoformat()) for i in burst]))
    elif in_window and rng.random() < 0.004:
        item = rng.choice(in_window)
        kind = rng.choice(["repost", "empty_item", "date_changed", "vanished"])
        day = item.first_seen if kind in ("repost", "empty_item") \
            else min(AS_OF, item.first_seen + timedelta(days=rng.randint(3, 20)))
        extra = {"repost": {"original": {"title": item.title, "url": item.url + "?old", "published": "2026-03-02"}},
                 "empty_item": {"body_chars": rng.randint(0, 29)},
                 "date_changed": {"changed_on": day.isoformat(), "old": str(item.published), "new": day.isoformat()},
                 "vanished": {"unlisted_on": day.isoformat()}}[kind]
        summary = {"repost": "同一正文以新地址重复发布", "empty_item": "信息正文不足30字且无附件",
                   "date_changed": "已发布信息的发布日期被改动", "vanished": "信息未到公开期限即被撤下"}[kind]
        out.signals.append(_signal(slug, column_id, day, kind, summary, [dict(_item_json(item), **extra)]))


def _signal(slug: str, column_id: str, day: date, kind: str, summary: str,
            items: list[dict[str, Any]]) -> dict[str, Any]:
    for n, i in enumerate(items):
        i["key"] = f"{kind}:{i['url']}:{n}"
    return {"unit": slug, "column_id": column_id, "day": day.isoformat(), "kind": kind, "summary": summary,
            "detail": json.dumps({"items": len(items)}, ensure_ascii=False),
            "items": json.dumps(items, ensure_ascii=False),
            "found_at": f"{day.isoformat()}T05:30:00+08:00"}


# ---------------------------------------------------------------- notices


def notice_history(rng: random.Random, run: dict[str, Any], notice_id: int, digest: str, workdays: Any,
                   kind: str = "lateness", opened: date | None = None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A notice and its audit rows, moved as sweeps and inspectors would have moved it up to AS_OF."""
    opened = opened or DAYS[run["open"]]
    back = DAYS[run["back"]] if run.get("back") is not None else None
    events: list[tuple[date, str | None, str, str, str]] = []
    fields: dict[str, Any] = {}

    def move(day: date, old: str | None, new: str, by: str, why: str) -> bool:
        if day > AS_OF:
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


# ---------------------------------------------------------------- the world


def generate(world: Path, units: int, columns: int, seed: int, notices_per_100: float) -> dict[str, Any]:
    rng = random.Random(seed)
    text, plan = catalog_text(units, columns, rng)
    path = world / "catalog.toml"
    path.write_text(text, encoding="utf-8")
    started = time.perf_counter()
    catalog = load_catalog(path)
    load_s = time.perf_counter() - started
    store = Store(world / "monitor.db")
    store.db.execute("PRAGMA synchronous = OFF")  # generating: nothing to lose
    store.record_catalog(catalog)
    workdays = policy_for(catalog).workdays
    bulk(store, "sweeps", [
        {"id": n + 1, "kind": "sweep", "as_of": d.isoformat(), "started_at": f"{d.isoformat()}T02:00:00+08:00",
         "finished_at": f"{d.isoformat()}T05:40:00+08:00", "status": "finished", "catalog_digest": catalog.digest,
         "units_total": units, "units_done": units, "columns_checked": units * columns, "pid": 1}
        for n, d in enumerate(DAYS)])
    inspection_days = {AS_OF - timedelta(days=7 * w) for w in range(12)}
    presets = catalog.inspection_presets
    runs: list[dict[str, Any]] = []
    signals: list[dict[str, Any]] = []
    inspections = 0
    pending: dict[str, list[dict[str, Any]]] = {"items": [], "checks": [], "verdicts": []}

    def flush() -> None:
        for table, rows in pending.items():
            bulk(store, table, rows)
            rows.clear()

    for index, unit in enumerate(catalog.units):
        g = generate_unit(rng, catalog, index, plan, inspection_days)
        pending["items"] += g.items
        pending["checks"] += g.checks
        pending["verdicts"] += g.verdicts
        words = {c.id: c.rule.words() for c in unit.columns}
        runs += [dict(r, words=words[r["column_id"]]) for r in g.lagging_runs]
        signals += g.signals
        for day in sorted(inspection_days):
            probes = []
            for k in range(7, 0, -1):
                d = day - timedelta(days=k)
                if d < FIRST_DAY:
                    continue
                blocked = 24 if d in g.blocked else 0
                failed = 24 if d in g.outages else int(rng.random() < 0.1)
                probes.append(ProbeDay(d, 24, failed, blocked))
            inspection = inspect_unit(unit.slug, g.standings[day], probes, day, presets, workdays)
            store.save_inspection(unit.slug, day, inspection.result, inspection.words(),
                                  inspection.to_json()["indicators"], catalog.digest)
            inspections += 1
        if (index + 1) % FLUSH_UNITS == 0:
            flush()
    flush()

    # notices: a few per 100 units from the lagging runs (one per column), and drafts from some signals
    wanted = max(1, round(units * notices_per_100 / 100))
    runs.sort(key=lambda r: (r["unit"], r["column_id"], r["open"]))
    chosen, taken = [], set()
    for run in rng.sample(runs, len(runs)):
        if len(chosen) >= wanted:
            break
        if (run["unit"], run["column_id"]) not in taken:
            taken.add((run["unit"], run["column_id"]))
            chosen.append(run)
    chosen.sort(key=lambda r: (r["open"], r["unit"], r["column_id"]))
    notices, events, packs = [], [], []
    for run in chosen:
        notice, rows = notice_history(rng, run, len(notices) + 1, catalog.digest, workdays)
        notices.append(notice)
        events += rows
    signal_rows = []
    for n, s in enumerate(sorted(signals, key=lambda s: (s["day"], s["unit"], s["column_id"], s["kind"]))):
        s = dict(s, id=n + 1)
        if rng.random() < 0.25 and (s["unit"], s["column_id"], s["kind"]) not in taken:
            taken.add((s["unit"], s["column_id"], s["kind"]))
            run = {"unit": s["unit"], "column_id": s["column_id"], "kind": s["kind"], "state": s["kind"],
                   "reason": s["summary"], "words": ""}
            notice, rows = notice_history(rng, run, len(notices) + 1, catalog.digest, workdays, kind=s["kind"],
                                          opened=date.fromisoformat(s["day"]))
            notices.append(notice)
            events += rows
            s["notice_id"] = notice["id"]
        signal_rows.append(s)
    events.sort(key=lambda e: (e["day"], e["notice_id"]))
    bulk(store, "notices", notices)
    bulk(store, "notice_events", events)
    bulk(store, "signals", signal_rows)
    for notice in notices:  # evidence packs of about a third of the issued lateness notices
        if notice["kind"] == "lateness" and notice.get("issued_day") and rng.random() < 0.35:
            unit = catalog.unit(notice["unit"])
            items = store.items_as_of(notice["unit"], notice["column_id"], date.fromisoformat(notice["opened_day"]))
            packs += write_pack(world, rng, notice, unit.name, unit.column(notice["column_id"]), items)
    bulk(store, "evidence_files", packs)
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    counts = {t: store.count(t) for t in ("units", "columns", "items", "checks", "verdicts", "notices",
                                          "notice_events", "signals", "inspections", "evidence_files")}
    states = dict(store.db.execute("select state, count(*) from notices group by state").fetchall())
    current = dict(store.db.execute("select state, count(*) from verdicts where day = ? group by state",
                                    [AS_OF.isoformat()]).fetchall())
    store.close()
    return {"counts": counts, "notice_states": states, "current": current, "load_s": load_s,
            "inspections": inspections, "catalog_bytes": path.stat().st_size}


def _tree(folder: Path) -> tuple[int, int, int]:
    """Files, HTML files, and bytes on disk: a file hard-linked twice (the latest week at the top) counts once."""
    files = size = html = 0
    seen: set[tuple[int, int]] = set()
    for dirpath, _, names in os.walk(folder):
        for name in names:
            files += 1
            html += name.endswith(".html")
            st = os.stat(os.path.join(dirpath, name))
            if (st.st_dev, st.st_ino) not in seen:
                seen.add((st.st_dev, st.st_ino))
                size += st.st_size
    return files, html, size


def _maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _status_mib(field: str) -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _reset_peak() -> tuple[float, str]:
    """Start measuring the peak RSS from now: Linux resets VmHWM on writing 5 to clear_refs (a spawned process
    otherwise inherits its parent's high-water mark); elsewhere, getrusage's max RSS."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        rss = _status_mib("VmRSS")
        if rss is not None:
            return rss, "VmHWM"
    except OSError:
        pass
    return _maxrss_mib(), "ru_maxrss"


def _peak(how: str) -> float:
    return (_status_mib("VmHWM") or 0.0) if how == "VmHWM" else _maxrss_mib()


def builds(world: str, out: str, traced: bool, profile: int) -> None:
    """In a fresh process: load the catalog, build the week, build it again over the same folder; then, if
    asked, once under tracemalloc and once under cProfile."""
    from reports.weekly import build_weekly

    out_dir = Path(out)
    started = time.perf_counter()
    catalog = load_catalog(Path(world) / "catalog.toml")
    store = Store(Path(world) / "monitor.db")
    print(f"report process: catalog loaded and store opened in {time.perf_counter() - started:.2f} s")
    for label in ("first build", "second build"):
        before, how = _reset_peak()
        started, cpu = time.perf_counter(), time.process_time()
        path = build_weekly(store, catalog, AS_OF, out_dir)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        peak = _peak(how)
        files, html, size = _tree(out_dir)
        print(f"{label}: {elapsed:.2f} s ({cpu:.2f} s CPU), peak RSS {peak:.0f} MiB ({how}; +{peak - before:.0f} MiB "
              f"over the {before:.0f} MiB before); {files:,} files ({html:,} HTML), {size / 2**20:.1f} MiB on disk under the "
              f"report folder; {path.name} {path.stat().st_size / 2**20:.2f} MiB")
    sizes = sorted(((p.stat().st_size, p.relative_to(out_dir).as_posix()) for p in out_dir.rglob("*") if p.is_file()),
                   reverse=True)
    print("largest files: " + ", ".join(f"{name} {size / 2**20:.2f} MiB" for size, name in sizes[:6]))
    if traced:
        tracemalloc.start()
        started = time.perf_counter()
        build_weekly(store, catalog, AS_OF, out_dir)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"build under tracemalloc: {elapsed:.2f} s (slowed by tracing), traced peak {peak / 2**20:.0f} MiB")
    if profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(build_weekly, store, catalog, AS_OF, out_dir)
        print(f"build under cProfile, the {profile} costliest calls (cumulative):")
        pstats.Stats(profiler, stream=sys.stdout).strip_dirs().sort_stats("cumulative").print_stats(profile)
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--columns", type=int, default=10)
    parser.add_argument("--out", type=Path, help="write the report into this new or empty folder (kept)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--notices", type=float, default=5.0, help="lateness notices per 100 units (default 5)")
    parser.add_argument("--tracemalloc", action="store_true", help="also build once under tracemalloc (much slower)")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="also build once under cProfile and print the N costliest calls")
    parser.add_argument("--keep", action="store_true", help="keep the generated catalog and database")
    args = parser.parse_args()
    if args.out and args.out.exists() and any(args.out.iterdir()):
        parser.error(f"--out {args.out}: not empty (the first build should start from nothing)")

    world = Path(tempfile.mkdtemp(prefix="bench-report-"))
    try:
        started, cpu = time.perf_counter(), time.process_time()
        made = generate(world, args.units, args.columns, args.seed, args.notices)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        db_bytes = sum(p.stat().st_size for p in world.glob("monitor.db*"))
        _, _, pack_bytes = _tree(world / "evidence") if (world / "evidence").exists() else (0, 0, 0)
        print(f"world: {args.units:,} units × {args.columns} columns, {SWEEP_DAYS} days of sweeps to {AS_OF}; "
              f"catalog {made['catalog_bytes'] / 2**20:.1f} MiB, loaded (validated) in {made['load_s']:.2f} s")
        print(f"generated in {elapsed:.1f} s ({cpu:.1f} s CPU, max RSS {_maxrss_mib():.0f} MiB): "
              + ", ".join(f"{n:,} {t}" for t, n in made["counts"].items()))
        print(f"database {db_bytes / 2**20:.0f} MiB (tables the report does not read left empty); "
              f"evidence packs {pack_bytes / 2**20:.1f} MiB")
        print(f"verdicts on {AS_OF}: " + ", ".join(f"{s} {n:,}" for s, n in sorted(made["current"].items()))
              + "; notices now: " + ", ".join(f"{s} {n}" for s, n in sorted(made["notice_states"].items())))
        sys.stdout.flush()
        out = args.out or world / "report"
        child = multiprocessing.get_context("spawn").Process(
            target=builds, args=(str(world), str(out), args.tracemalloc, args.profile))
        child.start()
        child.join()
        if child.exitcode:
            raise SystemExit(f"the report process failed (exit {child.exitcode})")
        if args.keep:
            print(f"world kept in {world}")
    finally:
        if not args.keep:
            shutil.rmtree(world, ignore_errors=True)


if __name__ == "__main__":
    main()
