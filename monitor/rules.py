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
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Union

SpanUnit = Literal["day", "workday", "week", "month", "year"]
PeriodName = Literal["month", "quarter", "half_year", "year"]

UNIT_WORDS = {"day": "天", "workday": "个工作日", "week": "周", "month": "个月", "year": "年"}
PERIOD_WORDS = {"month": "每月", "quarter": "每季度", "half_year": "每半年", "year": "每年"}


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
    within: Span
    lookback_days: int = 30  # publications of the last N days are judged
    kind: Literal["item_lag"] = "item_lag"

    def words(self) -> str:
        return f"信息形成（成文）之日起{self.within.words()}内公开"


@dataclass(frozen=True)
class Standing:
    kind: Literal["standing"] = "standing"

    def words(self) -> str:
        return "长期公开，栏目不得为空"


Rule = Union[MaxGap, Periodic, ItemLag, Standing]
