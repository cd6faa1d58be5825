"""From a parsed 公开时限 (``monitor.cadence.Cadence``) to the rule the judge applies (``monitor.rules``).

The wording often leaves a figure out (及时 has no number, 逐段 has no gap); ``Defaults`` supplies it,
from the catalog's ``[monitor]`` settings, and the rule is marked ``assumed`` so that it says so.
``同上`` takes the rule of the row above, which only the caller knows (``above``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from monitor.cadence import Cadence
from monitor.rules import Compound, ItemLag, MaxGap, MinRate, Part, Periodic, Phased, Rule, Span, Standing


class CadenceError(ValueError):
    """The wording cannot become a rule (unparsed, or 同上 with nothing above)."""


@dataclass(frozen=True)
class Defaults:
    timely_workdays: int = 20  # 及时 / 即时 with no number: 政府信息公开条例 art. 26
    lookback_days: int = 30  # ItemLag: publications of the last N days are judged
    phased_gap: Span = Span(3, "month")  # 逐段 with no gap: the longest silence while the project runs


def rule_from_cadence(cadence: Cadence, defaults: Defaults = Defaults(), *, above: Rule | None = None,
                      lookback_days: int | None = None, until: date | None = None) -> Rule:
    """The rule for ``cadence``; raises ``CadenceError`` when there is none."""
    lookback = lookback_days or defaults.lookback_days
    match cadence.kind:
        case "unparsed":
            raise CadenceError(cadence.reason or "无法识别的公开时限")
        case "same_as_above":
            if above is None:
                raise CadenceError("“同上”但上面没有可沿用的公开时限")
            return above
        case "event":
            return ItemLag(_span(cadence.within), lookback, cadence.trigger or "other")
        case "timely" | "immediate":
            return ItemLag(Span(defaults.timely_workdays, "workday"), lookback, "formed_or_changed", assumed=True)
        case "periodic":
            due = None
            if cadence.due and "after_end" in cadence.due:
                due = _span(cadence.due["after_end"])
            elif cadence.due:  # by day D of the month after the period: D days after its last day
                due = Span(cadence.due["day_of_month"], "day")
            return Periodic(cadence.period, due)
        case "annual":
            return Periodic("year", None, (cadence.month, cadence.day))
        case "max_gap":
            return MaxGap(_span(cadence.within))
        case "min_rate":
            return MinRate(cadence.count, cadence.per)
        case "standing":
            return Standing()
        case "phased":
            if cadence.within:
                return Phased(_span(cadence.within), until)
            return Phased(defaults.phased_gap, until, assumed=True)
        case "compound":
            parts = tuple(
                Part(rule_from_cadence(p, defaults, above=above, lookback_days=lookback_days, until=until),
                     p.applies_to, keywords_of(p.applies_to))
                for p in cadence.parts
            )
            return Compound(tuple(sorted(parts, key=lambda p: p.applies_to is not None)))
    raise CadenceError(f"unknown cadence kind {cadence.kind!r}")


def keywords_of(applies_to: str | None) -> tuple[str, ...]:
    """Title keywords of a sub-type: ``行政许可、行政处罚事项`` → (行政许可, 行政处罚)."""
    if not applies_to:
        return ()
    words = re.split(r"[、,，/和及与或]", applies_to)
    stripped = (re.sub(r"^(关于|有关|涉及)|(的)?(事项|情况|信息|内容|类|结果|工作)$|的$", "", w.strip()) for w in words)
    return tuple(w for w in stripped if len(w) >= 2)


def _span(data: dict | None) -> Span:
    assert data is not None
    return Span(int(data["n"]), data["unit"])
