"""Facts for the judgement tests: items, column histories, runs of daily checks."""

from datetime import date, timedelta

from monitor.judge_model import CheckFact, ColumnHistory, ItemFact
from monitor.rules import MaxGap, Span

D = date
TWO_WEEKS = MaxGap(Span(14, "day"))


def item(published, first_seen=None, written=None, title="信息", read=False):
    seen = first_seen or published or D(2026, 1, 1)
    return ItemFact(f"http://example.gov.cn/{title}/{published}", title, published, written, seen, read)


def history(*items, ok_days=(), depth=None, outcome="ok", detail="", check_day=D(2026, 1, 1)):
    """``depth``: the oldest date every ok check read down to (a date), or per check day (a dict)."""
    depths = depth if isinstance(depth, dict) else {d: depth for d in ok_days} if depth else {}
    return ColumnHistory(tuple(items), tuple(ok_days), CheckFact(check_day, outcome, detail), depths)


def daily(first, last):
    return [first + timedelta(days=k) for k in range((last - first).days + 1)]
