"""A column's items in a generated province (bench/history_world.py): when they are published and first
seen under the column's profile (regular, silent, burst, back-dated, blank), their titles, and the nightly
sweep's clock (``sweep_stamp``, ``CLOCK``)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from history_plan import Timeline, Variant

TOPICS = ["安全生产", "营商环境", "乡村振兴", "城市更新", "就业创业", "生态环境保护", "数字政府", "防汛抗旱", "民生实事",
          "招商引资", "科技创新", "义务教育", "医疗保障", "养老服务", "文明城市创建", "森林防火", "消防安全", "农田水利",
          "食品安全", "优化营商环境", "稳岗就业", "老旧小区改造", "河湖长制", "粮食安全"]
PEOPLE = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "赵磊", "黄敏", "周杰", "吴婷"]


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


def _publish_days(rng: random.Random, variant: Variant, t: Timeline) -> list[date]:
    as_of = t.as_of
    start = as_of - timedelta(days=t.history_days - 1)
    out: list[date] = []
    if variant.pattern == "poisson":
        p, draw = variant.rate / 365 / 3, rng.random
        out = [start + timedelta(days=d) for d in range(t.history_days) for _ in (0, 1, 2) if draw() < p]
    elif variant.pattern == "rare":
        out = [as_of - timedelta(days=rng.randint(200, 1500)) for _ in range(int(variant.rate))]
    elif variant.pattern == "monthly":  # last month's figures, between the 3rd and the 14th
        out = [date(y, m, rng.randint(3, 14)) for y, m in _months(start, as_of)]
    elif variant.pattern == "quarterly":
        out = [date(y, m, rng.randint(3, 14)) for y, m in _months(start, as_of) if m in (1, 4, 7, 10)]
    elif variant.pattern == "budget":  # the budget in March, the final accounts in August
        out = [date(y, m, rng.randint(10, 28)) for y, m in _months(start, as_of) if m in (3, 8)]
    elif variant.pattern == "yearly":
        out = [date(y, 1, rng.randint(10, 30)) for y, m in _months(start, as_of) if m == 1]
    return sorted(d for d in out if d <= as_of)


def _months(start: date, end: date) -> list[tuple[int, int]]:
    y, m, out = start.year, start.month, []
    while (y, m) <= (end.year, end.month):
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
                 profile: str, t: Timeline) -> tuple[list[Item], date | None]:
    """The column's items (sorted by first sighting) under its profile, and the day a silent column resumes."""
    if profile == "blank":
        return [], None
    as_of, first_day, sweep_days = t.as_of, t.first_day, t.sweep_days
    days = _publish_days(rng, variant, t)
    resume = None
    if profile == "silent" and variant.limit:
        late_from = first_day + timedelta(days=rng.randint(-40, sweep_days - 3))
        stop = late_from - timedelta(days=variant.limit + 1)
        days = [d for d in days if d <= stop] or [stop]
        if rng.random() < 0.45:  # the unit catches up (rectification)
            resume = late_from + timedelta(days=rng.randint(3, 20))
            if resume <= as_of:
                days.append(resume)
            else:
                resume = None
    elif profile == "burst":  # 一阵风: 30-60 days of silence, then 5-8 items within 3 days
        burst = as_of - timedelta(days=rng.randint(0, 6)) if rng.random() < 0.2 else \
            first_day + timedelta(days=rng.randint(min(40, sweep_days - 8), sweep_days - 8))
        quiet = burst - timedelta(days=rng.randint(30, 60))
        days = [d for d in days if d <= quiet or d > burst + timedelta(days=3)]
        days += [min(as_of, burst + timedelta(days=rng.randint(0, 2))) for _ in range(rng.randint(5, 8))]
        days.sort()
    items = []
    for n, published in enumerate(days):
        seen = max(first_day, published + timedelta(days=rng.choice((0, 0, 0, 1))))
        if seen > as_of:
            continue
        undated = rng.random() < 0.01
        written = published - timedelta(days=rng.randint(1, 25)) if variant.type == "政策文件" else None
        items.append(Item(f"{url}{published:%Y%m}/t{published:%Y%m%d}_{slug}{n:04d}.html",
                          _title(rng, unit_name, variant, published), None if undated else published, seen, written))
    if profile == "backdated" and len(items) > 3:  # an item first seen weeks after the date it claims
        seen = first_day + timedelta(days=rng.randint(20, sweep_days - 1))
        claimed = seen - timedelta(days=rng.randint(10, 40))
        items.append(Item(f"{url}{claimed:%Y%m}/t{claimed:%Y%m%d}_{slug}bd.html",
                          _title(rng, unit_name, variant, claimed), claimed, seen, backdated=True))
    items.sort(key=lambda i: (i.first_seen, i.published or i.first_seen))
    return items, resume


def item_json(item: Item) -> dict[str, Any]:
    return {"title": item.title, "url": item.url, "published": item.published and item.published.isoformat(),
            "written": item.written and item.written.isoformat(), "first_seen": item.first_seen.isoformat()}


def sweep_stamp(day: date, rng: random.Random) -> str:
    """A time between 02:00 and 06:00 that day (when the nightly sweep runs)."""
    return f"{day.isoformat()}T{CLOCK[int(rng.random() * 14400)]}+08:00"


CLOCK = [f"{2 + s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(14400)]  # 02:00:00 + s seconds
