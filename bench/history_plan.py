"""The plan of a generated province (bench/history_world.py): the days it covers and its catalog.

``Timeline``: the daily sweeps a world covers and the days its items are published over. ``catalog_text``: the
catalog's TOML (``HEADER``'s settings and rule templates, then ``units`` units of ``columns`` columns), each
column drawn from its slot's ``Variant``s (``SLOTS``; past them, ``EXTRA``), which also say how the column's
items are generated (their pattern, rate and the span after which the column is late).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

AS_OF = date(2026, 11, 27)
SWEEP_DAYS = 84  # 12 weeks of daily sweeps, ending on AS_OF
HISTORY_DAYS = 365  # items published over the last year


@dataclass(frozen=True)
class Timeline:
    """The days a world covers: ``sweep_days`` daily sweeps ending on ``as_of``, items published over the
    ``history_days`` days ending then; ``pending``: the last sweep is crawled but not judged."""

    as_of: date = AS_OF
    sweep_days: int = SWEEP_DAYS
    history_days: int = HISTORY_DAYS
    pending: bool = False

    @cached_property
    def first_day(self) -> date:
        return self.as_of - timedelta(days=self.sweep_days - 1)

    @cached_property
    def days(self) -> list[date]:
        return [self.first_day + timedelta(days=k) for k in range(self.sweep_days)]

    @cached_property
    def isos(self) -> list[str]:
        return [d.isoformat() for d in self.days]

    @cached_property
    def judged_until(self) -> date:
        """The last day with verdicts (and notices moved, signals found, inspections)."""
        return self.as_of - timedelta(days=1) if self.pending else self.as_of

    @cached_property
    def inspection_days(self) -> set[date]:
        """The national inspection's days: weekly, the last 12 weeks up to the last judged day."""
        return {self.judged_until - timedelta(days=7 * w) for w in range(12)}


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
