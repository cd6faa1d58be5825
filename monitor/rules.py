"""Catalog rules (公开时限) as plain data.

A rule says how often, or how soon, a column must carry new items. Rules are built
by the config loader from the catalog file and judged by ``monitor.judge``; they
hold no behaviour beyond describing themselves in plain Chinese words.

Kinds judged today:
- ``MaxGap``: the newest item may be at most ``within`` old (动态 two weeks, 人事 12 months...).
- ``Periodic``: one item per month / quarter / half-year / year, due ``due`` after the period
  ends, or by a fixed date (``due_date``) in the following year (annual report by January 31).
- ``ItemLag``: each item goes online within ``within`` of its written date (条例 art. 26).
- ``Standing``: the column must exist and carry at least one item.
- ``MinRate``: at least ``count`` items every working day / week / month (每个工作日更新1条以上).
- ``Phased``: by the stages of a project (逐段): a gap rule while the project runs, standing after.
- ``Compound``: one rule for most items and others for named sub-types (其中行政许可……7个工作日内).

A rule read from 公开时限 wording keeps that wording (``wording``) so that the report can quote it;
a figure the wording did not give (及时 with no number) is marked ``assumed`` and says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal, Union

SpanUnit = Literal["day", "workday", "week", "month", "year"]
PeriodName = Literal["month", "quarter", "half_year", "year"]

UNIT_WORDS = {"day": "天", "workday": "个工作日", "week": "周", "month": "个月", "year": "年"}
PERIOD_WORDS = {"month": "每月", "quarter": "每季度", "half_year": "每半年", "year": "每年"}
PER_WORDS = {"workday": "每个工作日", "day": "每天", "week": "每周", "month": "每月", "quarter": "每季度",
             "half_year": "每半年", "year": "每年"}
TRIGGER_WORDS = {
    "formed_or_changed": "信息形成或者变更之日", "approval": "批准之日", "decision": "作出决定之日",
    "spot_check_end": "抽查结束之日", "signed": "签订之日", "issued": "印发之日", "received": "受理之日",
    "completed": "完成之日", "other": "相关事件发生之日",
}


@dataclass(frozen=True)
class Span:
    """A length of time: ``n`` days, working days, weeks, months or years."""

    n: int
    unit: SpanUnit

    def words(self) -> str:
        return f"{self.n}{UNIT_WORDS[self.unit]}"


@dataclass(frozen=True)
class MaxGap:
    within: Span
    kind: Literal["max_gap"] = "max_gap"

    def words(self) -> str:
        return f"最大更新间隔不超过{self.within.words()}"


@dataclass(frozen=True)
class Periodic:
    period: PeriodName
    due: Span | None = None  # offset after the period ends; None and no due_date: due at period end
    due_date: tuple[int, int] | None = None  # (month, day) in the period that follows (yearly rules)
    kind: Literal["periodic"] = "periodic"

    def words(self) -> str:
        if self.due_date:
            return f"{PERIOD_WORDS[self.period]}公开，次年{self.due_date[0]}月{self.due_date[1]}日前"
        if self.due:
            return f"{PERIOD_WORDS[self.period]}公开，期满后{self.due.words()}内"
        return f"{PERIOD_WORDS[self.period]}至少公开一次"


@dataclass(frozen=True)
class ItemLag:
    """Each item within ``within`` of its trigger; the item's written date (成文日期) stands for it."""

    within: Span
    lookback_days: int = 30  # publications of the last N days are judged
    trigger: str = "formed_or_changed"
    assumed: bool = False  # the wording gave no figure (及时 / 即时): ``within`` is the legal default
    kind: Literal["item_lag"] = "item_lag"

    def words(self) -> str:
        event = TRIGGER_WORDS.get(self.trigger, TRIGGER_WORDS["other"])
        if self.assumed:
            return f"及时公开（未写明时限，按条例默认{event}起{self.within.words()}内）"
        return f"{event}起{self.within.words()}内公开"


@dataclass(frozen=True)
class MinRate:
    count: int
    per: Literal["workday", "day", "week", "month", "quarter", "half_year", "year"]
    kind: Literal["min_rate"] = "min_rate"

    def words(self) -> str:
        return f"{PER_WORDS[self.per]}至少更新{self.count}条"


@dataclass(frozen=True)
class Phased:
    """By the stages of a project: at most ``within`` between items until ``until`` (the project's end)."""

    within: Span
    until: date | None = None
    assumed: bool = False  # the wording gave no gap: ``within`` is the catalog's default
    kind: Literal["phased"] = "phased"

    def words(self) -> str:
        gap = f"项目进行期间最大更新间隔{self.within.words()}" + ("（默认值）" if self.assumed else "")
        end = f"，项目于{self.until}结束" if self.until else ""
        return f"逐段公开：{gap}{end}"


@dataclass(frozen=True)
class Part:
    """One rule of a compound: ``keywords`` pick its items by title; none: every other item."""

    rule: Rule
    applies_to: str | None = None
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class Compound:
    parts: tuple[Part, ...]
    kind: Literal["compound"] = "compound"

    def words(self) -> str:
        return "；".join(
            (f"{p.applies_to}：" if p.applies_to else ("其他信息：" if i else "")) + p.rule.words()
            for i, p in enumerate(self.parts)
        )


@dataclass(frozen=True)
class Standing:
    kind: Literal["standing"] = "standing"

    def words(self) -> str:
        return "长期公开，栏目不得为空"


Rule = Union[MaxGap, Periodic, ItemLag, Standing, MinRate, Phased, Compound]


def needs_written_dates(rule: Rule) -> bool:
    """Whether judging the rule needs the items' written dates (成文日期), read from their own pages."""
    if isinstance(rule, Compound):
        return any(needs_written_dates(p.rule) for p in rule.parts)
    return isinstance(rule, ItemLag)
