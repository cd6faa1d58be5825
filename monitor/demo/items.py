"""Generating the demo world's items: about two years of history per column, then the scenario's twist.

A column's items come from a cadence (how often this kind of column posts) and a ``random.Random`` seeded by
``"{unit}/{column}"``, laid out backwards from the end date E, so the same E always gives the same world.
An item has a posted day (when it goes online) and a shown day (the 发布日期 on its pages); they differ only for
back-dated items. Ids grow in posting order, as a CMS's document ids do.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Callable

from . import texts
from .units import (Backdated, Blank, Burst, ColumnSpec, Gone, Hollow, MissedMonth, Redesign, Resumes, Stale, UnitSpec,
                    resolve_rule)
from monitor.workdays import Workdays

_WORKDAYS = Workdays()


def add_workdays(start, n):
    """The monitor's own working-day count, so the demo and the judge agree day for day."""
    return _WORKDAYS.add_workdays(start, n)[0]

HISTORY_DAYS = 730


@dataclass
class DemoItem:
    """One published item (a list entry and its article page)."""

    title: str
    posted: date                  # online from this day on
    shown: date                   # 发布日期 on the list and the article (== posted unless back-dated)
    time: str                     # HH:MM of the 发布时间
    written: date | None = None   # 成文日期 (item_lag columns)
    doc_no: str = ""              # 文号
    index_no: str = ""            # 索引号
    id: int = 0
    path: str = ""                # article path on the unit's host
    column: str = ""
    period: tuple[int, int] | None = None  # (year, month / quarter / 1) a periodic report covers
    body: str = "text"            # 'text' | 'empty' (no body text at all) | 'attachment' (only an attachment link)
    copy_of: DemoItem | None = None  # a re-post: the same title and text as this earlier item
    reshown: tuple[date, date] | None = None  # (from, new): from that day on, pages show this 发布日期 instead

    def as_on(self, day: date) -> DemoItem:
        """The item as its pages show it on ``day`` (a re-dated item shows its new date)."""
        if self.reshown and day >= self.reshown[0]:
            return replace(self, shown=self.reshown[1])
        return self


@dataclass
class DemoColumn:
    spec: ColumnSpec
    path: str                     # list page path (TRS directory, Hanweb /col/colN/index.html, gkmlpt /gkmlpt/index#N)
    rule: dict                    # the effective rule table
    items: list[DemoItem] = field(default_factory=list)  # newest first, by shown date

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def name(self) -> str:
        return self.spec.name


@dataclass
class DemoUnit:
    spec: UnitSpec
    index: int
    ip: str
    site_code: str                # 网站标识码
    org_code: str                 # prefix of 索引号
    columns: list[DemoColumn]

    @property
    def slug(self) -> str:
        return self.spec.slug

    @property
    def name(self) -> str:
        return self.spec.name

    def column(self, column_id: str) -> DemoColumn:
        return next(c for c in self.columns if c.id == column_id)


@dataclass
class Plan:
    day: date
    period: tuple[int, int] | None = None
    kind: str | None = None
    time: str | None = None
    backdated: bool = False
    body: str = "text"
    copy_of: date | None = None   # a re-post of the item posted that day
    reshown: date | None = None   # pages show this 发布日期 from that day on


def _weekday(d: date) -> date:
    while d.weekday() >= 5:
        d += timedelta(days=1)
    return d


def _walk(lo: int, hi: int, burst: float = 0.0) -> Callable[[random.Random, date, date], list[Plan]]:
    """Posts every lo..hi days (moved off weekends), sometimes two on one day; gaps never exceed hi + 2."""
    def cadence(rng: random.Random, first: date, end: date) -> list[Plan]:
        out, d = [], _weekday(first + timedelta(days=rng.randint(0, hi)))
        while d <= end:
            out.append(Plan(d))
            if rng.random() < burst:
                out.append(Plan(d))
            d = _weekday(d + timedelta(days=rng.randint(lo, hi)))
        return out
    return cadence


def _months(first: date, end: date) -> list[tuple[int, int]]:
    y, m, out = first.year, first.month, []
    while (y, m) <= (end.year, end.month):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _next_month(y: int, m: int) -> tuple[int, int]:
    return (y + 1, 1) if m == 12 else (y, m + 1)


def _monthly(rng: random.Random, first: date, end: date) -> list[Plan]:
    """One report per month, posted on a weekday between the 3rd and the 10th of the next month."""
    return [Plan(_weekday(date(*_next_month(y, m), rng.randint(3, 8))), (y, m)) for y, m in _months(first, end)]


def _quarterly(rng: random.Random, first: date, end: date, kind: str | None = None) -> list[Plan]:
    """One report per quarter, posted between the 3rd and the 10th of the month after the quarter."""
    return [Plan(_weekday(date(*_next_month(y, m), rng.randint(3, 8))), (y, (m + 2) // 3), kind)
            for y, m in _months(first, end) if m % 3 == 0]


def _yearly(month: int, lo: int, hi: int) -> Callable[[random.Random, date, date], list[Plan]]:
    """The previous year's report, posted in ``month`` between days lo and hi (+2 for a weekend)."""
    def cadence(rng: random.Random, first: date, end: date) -> list[Plan]:
        return [Plan(_weekday(date(y, month, rng.randint(lo, hi))), (y - 1, 1)) for y in range(first.year, end.year + 1)]
    return cadence


def _budget(rng: random.Random, first: date, end: date) -> list[Plan]:
    """The year's budget in February, the last year's final accounts (决算) in August."""
    out = []
    for y in range(first.year, end.year + 1):
        out.append(Plan(_weekday(date(y, 2, rng.randint(10, 24))), (y, 1)))
        out.append(Plan(_weekday(date(y, 8, rng.randint(10, 24))), (y - 1, 2)))
    return out


def _standing(rng: random.Random, first: date, end: date) -> list[Plan]:
    out, d = [], _weekday(first + timedelta(days=rng.randint(5, 40)))
    while d <= end:
        out.append(Plan(d))
        d = _weekday(d + timedelta(days=rng.randint(150, 320)))
    return out


def _stats(rng: random.Random, first: date, end: date) -> list[Plan]:
    """Seven to nine monthly figures posted through the following month, plus the quarterly review."""
    out = []
    for y, m in _months(first, end):
        ny, nm = _next_month(y, m)
        out += [Plan(_weekday(date(ny, nm, rng.randint(1, 26))), (y, m)) for _ in range(rng.randint(7, 9))]
    return out + _quarterly(rng, first, end, kind="tj_quarter")


CADENCES: dict[str, Callable[[random.Random, date, date], list[Plan]]] = {
    "daily": _walk(1, 4, burst=0.3), "weekly": _walk(3, 8), "notices": _walk(8, 45), "policy": _walk(6, 28),
    "sparse": _walk(40, 130), "standing": _standing, "monthly": _monthly, "quarterly": _quarterly,
    "annual": _yearly(1, 8, 20), "annual_county": _yearly(3, 10, 22), "budget": _budget, "stats": _stats,
    "none": lambda rng, first, end: [],
}


def missed_month_dates(end: date, s: MissedMonth) -> tuple[tuple[int, int], date, date]:
    """(missed month, its due date D = latest 15th <= E+due_by, the next month's due date)."""
    cutoff = end + timedelta(days=s.due_by)
    due = cutoff.replace(day=15) if cutoff.day >= 15 else (cutoff.replace(day=1) - timedelta(days=1)).replace(day=15)
    missed = (due.year - 1, 12) if due.month == 1 else (due.year, due.month - 1)
    return missed, due, date(*_next_month(due.year, due.month), 15)


def _ensure(plan: list[Plan], d: date) -> list[Plan]:
    return plan if any(p.day == d for p in plan) else plan + [Plan(d)]


def apply_scenario(spec: ColumnSpec, plan: list[Plan], end: date) -> list[Plan]:
    """The column's story laid over its normal cadence."""
    s, at = spec.scenario, (lambda off: end + timedelta(days=off))
    if s is None or isinstance(s, Gone):
        return plan
    if isinstance(s, Blank):
        return []
    if isinstance(s, (Stale, Redesign)):
        return _ensure([p for p in plan if p.day <= at(s.newest)], at(s.newest))
    if isinstance(s, Resumes):
        return _ensure([p for p in plan if p.day <= at(s.newest)], at(s.newest)) + [Plan(at(s.again))]
    if isinstance(s, Backdated):
        return [p for p in plan if p.day < at(min(s.posts))] + [Plan(at(p), backdated=True) for p in s.posts]
    if isinstance(s, Burst):
        last = at(s.at + s.days - 1)
        burst = [Plan(at(s.at + k % s.days)) for k in range(s.count)]
        return _ensure([p for p in plan if p.day <= at(s.newest)], at(s.newest)) + burst + \
            [p for p in plan if p.day > last]
    if isinstance(s, Hollow):
        for off in [o for o, _ in s.reposts] + [s.empty, s.attachment_only, s.redated[0]]:
            plan = _ensure(plan, at(off))
        for p in plan:
            if p.day == at(s.empty):
                p.body = "empty"
            elif p.day == at(s.attachment_only):
                p.body = "attachment"
            elif p.day == at(s.redated[0]):
                p.reshown = at(s.redated[1])
        return plan + [Plan(at(copy), copy_of=at(original)) for original, copy in s.reposts]
    if isinstance(s, MissedMonth):
        missed, due, _ = missed_month_dates(end, s)
        late = at(s.posted)
        for p in plan:
            if p.period == missed:
                p.day, p.time = late, "09:12"
            elif p.period == _next_month(*missed) and due < p.day < late:
                # Held back too: nothing is posted between the missed due date and E+posted. When the next
                # due date falls before E+posted (E on the 18th-20th), that month is late as well, in the
                # same late streak, and both are fixed at E+posted.
                p.day, p.time = late, "09:40"
        return plan
    raise TypeError(f"unknown scenario {s!r}")


def voice(unit: UnitSpec, col: ColumnSpec) -> texts.Voice:
    """Who speaks in a column: the unit, or the township the county portal hosts."""
    org, short = col.speaker or (unit.org, unit.short)
    return texts.Voice(org=org, short=short, abbr=unit.abbr, topics=unit.topics)


def build_items(unit: UnitSpec, col: ColumnSpec, end: date) -> list[DemoItem]:
    """The column's items over HISTORY_DAYS up to ``end``, in posting order."""
    rng = random.Random(f"{unit.slug}/{col.id}")
    first = end - timedelta(days=HISTORY_DAYS)
    plan = [p for p in CADENCES[col.cadence](rng, first, end) if first <= p.day <= end]
    plan = sorted(apply_scenario(col, plan, end), key=lambda p: (p.day, p.time or ""))
    lagged = resolve_rule(col.rule)["kind"] == "item_lag"
    speaker, out, posted_on = voice(unit, col), [], {}
    for p in plan:
        if p.day > end:
            continue
        time = p.time or f"{rng.randint(8, 17):02d}:{rng.randint(0, 59):02d}"
        shown, written = p.day, None
        original = posted_on.get(p.copy_of) if p.copy_of else None
        if original is not None:  # a re-post: the same document under a new address and date
            out.append(DemoItem(original.title, p.day, shown, time, original.written, original.doc_no,
                                column=col.id, copy_of=original))
            continue
        if p.backdated and isinstance(col.scenario, Backdated):
            written = p.day - timedelta(days=rng.randint(*col.scenario.lag))
            shown = add_workdays(written, col.scenario.shown_after)
        elif lagged:
            written = add_workdays(p.day, -rng.randint(3, 12))
        title = texts.title(p.kind or col.kind, rng, speaker, written or shown, p.period)
        doc_no = texts.doc_number(rng, speaker, written) if written and col.type == "政策文件" else ""
        out.append(DemoItem(title, p.day, shown, time, written, doc_no, column=col.id,
                            period=p.period if col.cadence not in ("budget", "stats") or p.kind else None,
                            body=p.body, reshown=(p.reshown, p.reshown) if p.reshown else None))
        posted_on.setdefault(p.day, out[-1])
    return out


def _column_path(unit: UnitSpec, col: ColumnSpec) -> str:
    """The column's page for a reader: a Hanweb col page, the gkmlpt app on its category, a TRS directory."""
    if unit.family == "hanweb":
        return f"/col/col{col.colid}/index.html"
    if unit.family == "gkmlpt":
        return f"/gkmlpt/index#{col.colid}"
    return col.path or f"/xxgk/{col.id}/"


def build_unit(spec: UnitSpec, index: int, ip: str, end: date) -> DemoUnit:
    """A unit with every column's items, ids, 索引号 and article paths."""
    rng = random.Random(f"{spec.slug}/ids")
    org_code = f"11331{index:03d}MB{rng.randint(1000000, 9999999)}{rng.choice('0123456789X')}"
    columns = [DemoColumn(c, _column_path(spec, c), resolve_rule(c.rule), build_items(spec, c, end))
               for c in spec.columns]
    posting = sorted(((it.posted, it.time, ci, k), it)
                     for ci, col in enumerate(columns) for k, it in enumerate(col.items))
    next_id, per_year, by_id = rng.randint(120000, 480000), {}, {c.id: c for c in columns}
    for _, it in posting:
        next_id += rng.randint(1, 40)
        it.id = next_id
        per_year[it.shown.year] = per_year.get(it.shown.year, 0) + 1
        it.index_no = texts.index_number(org_code, it.shown, per_year[it.shown.year])
        s, col = it.shown, by_id[it.column]
        if spec.family == "hanweb":
            it.path = f"/art/{s.year}/{s.month}/{s.day}/art_{col.spec.colid}_{it.id}.html"
        elif spec.family == "gkmlpt":
            it.path = f"/gkmlpt/content/{it.id // 1000000}/{it.id // 1000}/post_{it.id}.html"
        else:
            it.path = f"{col.path}{s:%Y%m}/t{s:%Y%m%d}_{it.id}.html"
    for col in columns:
        col.items.sort(key=lambda it: (it.shown, it.time, it.id), reverse=True)
    return DemoUnit(spec, index, ip, f"3310{index + 1:02d}{rng.randint(1000, 9999)}", org_code, columns)
