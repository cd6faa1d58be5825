"""The national inspection verdict of a unit (国办秘函〔2019〕19号 单项否决 indicators): 合格 / 不合格.

Pure functions over what the monitor already knows: each column's latest verdict (its newest dated
item by effective date, its undated and back-dated items) and the availability probes of the unit's
site. Any failed indicator fails the unit; an indicator the monitor lacks the facts for is
``unknown`` and leaves the verdict undecided (暂无法判定) rather than passing it. Columns the monitor
could not read are left out of the counts, and said to be.

Indicators (figures from ../shared/DOMAIN.md):
- ``availability``: probes over the 7 whole days before the day judged, at least 20 a day; fails at
  5 % failed probes or more. A probe stopped by a firewall is counted apart, not as a failure.
- ``home``: no new dated item on the home page for 2 weeks (columns typed 首页; without one, the
  newest item of any column: the rule for a navigation-only home page).
- ``columns``: (a) 动态要闻 columns silent for 2 weeks plus 通知公告 / 政策文件 columns silent for 6 months,
  together >= 5; (b) >= 10 columns that should be updated and are not (late by their own rule, or
  silent past their type's preset); (c) >= 5 blank columns. A column whose items all lack a date is
  not updated.
- ``backdated``: any item whose published date was found forged (疑似倒签) fails the site by itself.
- ``interaction``: not watched by this monitor; shown as such, it does not decide the verdict.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

from monitor.rules import Span
from monitor.workdays import Workdays

PRESETS: Mapping[str, Span] = {
    "动态要闻": Span(2, "week"), "通知公告": Span(6, "month"), "政策文件": Span(6, "month"),
    "人事": Span(12, "month"), "规划计划": Span(12, "month"),
}
DYNAMIC_TYPES = ("动态要闻",)  # class (a), the 2-week part
NOTICE_POLICY_TYPES = ("通知公告", "政策文件")  # class (a), the 6-month part
HOME_TYPE = "首页"
HOME_SILENCE = Span(2, "week")
STALE_A, SHOULD_UPDATE_B, BLANK_C = 5, 10, 5
PROBES_PER_DAY, PROBE_DAYS, PROBE_FAIL_RATIO = 20, 7, 0.05
CONTENT = frozenset({"on_time", "due_soon", "late", "blank"})

RESULT_WORDS = {"pass": "合格", "fail": "不合格", "incomplete": "暂无法判定"}
STATE_WORDS = {"pass": "达标", "fail": "不达标", "unknown": "数据不足", "not_monitored": "未监测"}


@dataclass(frozen=True)
class ColumnStanding:
    """What the inspection needs of a column: its type and its latest verdict's facts."""

    id: str
    name: str
    type: str
    state: str  # the latest verdict's state; a monitor state means the column could not be read
    newest: date | None = None  # newest dated item, by effective date
    items: int = 0
    undated: int = 0
    backdated: tuple[dict[str, Any], ...] = ()
    url: str = ""

    @property
    def read(self) -> bool:
        return self.state in CONTENT


@dataclass(frozen=True)
class ProbeDay:
    day: date
    total: int
    failed: int
    blocked: int = 0


@dataclass(frozen=True)
class Indicator:
    key: str
    name: str
    state: str  # pass | fail | unknown | not_monitored
    summary: str  # one sentence in Chinese, with the figures
    figures: dict[str, Any] = field(default_factory=dict)
    items: tuple[dict[str, Any], ...] = ()  # what the figures are made of


@dataclass(frozen=True)
class Inspection:
    unit: str
    as_of: date
    result: str  # pass | fail | incomplete
    indicators: tuple[Indicator, ...]

    @property
    def failed(self) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if i.state == "fail")

    def words(self) -> str:
        if self.failed:
            return f"不合格（{'、'.join(i.name for i in self.failed)}）"
        if self.result == "incomplete":
            missing = [i.name for i in self.indicators if i.state == "unknown"]
            return f"暂无法判定（{'、'.join(missing)}数据不足）"
        return "合格"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["as_of"] = self.as_of.isoformat()
        data["words"] = self.words()
        return data


def inspect_unit(unit: str, columns: Sequence[ColumnStanding], probes: Sequence[ProbeDay], as_of: date,
                 presets: Mapping[str, Span] = PRESETS, workdays: Workdays | None = None) -> Inspection:
    workdays = workdays or Workdays()
    indicators = (
        availability(probes, as_of),
        home_page(columns, as_of, workdays),
        stale_columns(columns, as_of, presets, workdays),
        backdated(columns),
        Indicator("interaction", "互动回应", "not_monitored", "本监测不检查互动交流栏目的留言答复情况"),
    )
    states = {i.state for i in indicators}
    result = "fail" if "fail" in states else "incomplete" if "unknown" in states else "pass"
    return Inspection(unit, as_of, result, indicators)


def availability(probes: Sequence[ProbeDay], as_of: date) -> Indicator:
    window = [as_of - timedelta(days=k) for k in range(PROBE_DAYS, 0, -1)]
    by_day = {p.day: p for p in probes}
    days = [by_day.get(d, ProbeDay(d, 0, 0)) for d in window]
    total = sum(d.total - d.blocked for d in days)
    failed = sum(d.failed for d in days)
    blocked = sum(d.blocked for d in days)
    short = [d.day.isoformat() for d in days if d.total - d.blocked < PROBES_PER_DAY]
    figures = {"from": window[0].isoformat(), "to": window[-1].isoformat(), "probes": total, "failed": failed,
               "blocked": blocked, "fail_ratio": round(failed / total, 4) if total else None, "short_days": short}
    items = tuple({"day": d.day.isoformat(), "probes": d.total, "failed": d.failed, "blocked": d.blocked} for d in days)
    span = f"{window[0]}至{window[-1]}"
    if short:
        summary = (f"{span}共探测{total}次（失败{failed}次），其中{len(short)}天不足每天{PROBES_PER_DAY}次，"
                   "可用性无法判定")
        return Indicator("availability", "网站可用性", "unknown", summary, figures, items)
    ratio = failed / total
    state = "fail" if ratio >= PROBE_FAIL_RATIO else "pass"
    summary = f"{span}共探测{total}次，失败{failed}次（{ratio:.1%}），{'达到' if state == 'fail' else '低于'}5%的否决线"
    if blocked:
        summary += f"；另有{blocked}次被网站防护拦截，不计入"
    return Indicator("availability", "网站可用性", state, summary, figures, items)


def home_page(columns: Sequence[ColumnStanding], as_of: date, workdays: Workdays) -> Indicator:
    home = [c for c in columns if c.type == HOME_TYPE]
    basis = "首页栏目" if home else "各栏目（未配置首页栏目，按导航型首页口径）"
    pool = home or list(columns)
    read = [c for c in pool if c.read]
    if not read:
        return Indicator("home", "首页更新", "unknown", f"{basis}均未能读取，无法判定", {"basis": basis})
    dated = [c for c in read if c.newest]
    newest = max((c.newest for c in dated), default=None)
    figures = {"basis": basis, "newest": newest and newest.isoformat(), "unread": [c.id for c in pool if not c.read]}
    items = tuple(_column_json(c) for c in sorted(dated, key=lambda c: c.newest, reverse=True)[:1])
    if newest is None:
        return Indicator("home", "首页更新", "fail", f"{basis}没有任何带发布日期的信息（按未更新计）", figures)
    silent_until, _ = workdays.add_span(newest, HOME_SILENCE)
    unread = [c for c in pool if not c.read]
    if as_of > silent_until and unread:  # a column the monitor could not read may carry a newer item
        return Indicator("home", "首页更新", "unknown",
                         f"{basis}已读取的最新信息发布于{newest}，另有{len(unread)}个栏目未能读取，无法判定", figures, items)
    if as_of > silent_until:
        days = (as_of - newest).days
        return Indicator("home", "首页更新", "fail", f"{basis}最新信息发布于{newest}，已{days}天未更新（超过2周）",
                         figures, items)
    if len(read) < len(pool) and home:
        return Indicator("home", "首页更新", "pass",
                         f"{basis}最新信息发布于{newest}，2周内有更新（另有{len(pool) - len(read)}个未能读取）", figures, items)
    return Indicator("home", "首页更新", "pass", f"{basis}最新信息发布于{newest}，2周内有更新", figures, items)


def stale_columns(columns: Sequence[ColumnStanding], as_of: date, presets: Mapping[str, Span],
                  workdays: Workdays) -> Indicator:
    read = [c for c in columns if c.read]
    unread = [c for c in columns if not c.read]

    def silent(c: ColumnStanding) -> bool:
        span = presets.get(c.type)
        if span is None or c.state == "blank":
            return False
        if c.newest is None:  # items without any date: not updated
            return True
        return as_of > workdays.add_span(c.newest, span)[0]

    dynamic = [c for c in read if c.type in DYNAMIC_TYPES and silent(c)]
    notice_policy = [c for c in read if c.type in NOTICE_POLICY_TYPES and silent(c)]
    should = [c for c in read if c.state == "late" or silent(c)]
    blank = [c for c in read if c.state == "blank"]
    undated_only = [c for c in read if c.items and c.newest is None]
    failed = []
    if len(dynamic) + len(notice_policy) >= STALE_A:
        failed.append(f"动态要闻类{len(dynamic)}个超过2周未更新、通知公告和政策文件类{len(notice_policy)}个超过6个月"
                      f"未更新，合计{len(dynamic) + len(notice_policy)}个（≥{STALE_A}）")
    if len(should) >= SHOULD_UPDATE_B:
        failed.append(f"应更新而未更新的栏目{len(should)}个（≥{SHOULD_UPDATE_B}）")
    if len(blank) >= BLANK_C:
        failed.append(f"空白栏目{len(blank)}个（≥{BLANK_C}）")
    figures = {
        "checked": len(read), "unread": [c.id for c in unread], "a_dynamic": len(dynamic),
        "a_notice_policy": len(notice_policy), "a_total": len(dynamic) + len(notice_policy),
        "b_should_update": len(should), "c_blank": len(blank), "undated_only": len(undated_only),
        "undated_items": sum(c.undated for c in read),
    }
    items = tuple(
        {**_column_json(c), "why": why}
        for group, why in ((dynamic, "动态要闻超过2周未更新"), (notice_policy, "超过6个月未更新"),
                           ([c for c in should if c not in dynamic and c not in notice_policy], "应更新未更新"),
                           (blank, "空白栏目"))
        for c in group
    )
    tail = f"（{len(unread)}个栏目未能读取，未计入）" if unread else ""
    if failed:
        return Indicator("columns", "栏目更新", "fail", "；".join(failed) + tail, figures, items)
    # the unread columns could carry a count over its line: then the monitor cannot say "pass"
    unread_a = sum(c.type in DYNAMIC_TYPES + NOTICE_POLICY_TYPES for c in unread)
    if unread and (figures["a_total"] + unread_a >= STALE_A or len(should) + len(unread) >= SHOULD_UPDATE_B
                   or len(blank) + len(unread) >= BLANK_C):
        summary = (f"{len(unread)}个栏目未能读取，已读取的{len(read)}个栏目中2周/6个月类未更新{figures['a_total']}个、"
                   f"应更新未更新{len(should)}个、空白{len(blank)}个，未读取的栏目可能改变结论，暂无法判定")
        return Indicator("columns", "栏目更新", "unknown", summary, figures, items)
    summary = (f"检查{len(read)}个栏目：2周/6个月类未更新{figures['a_total']}个，应更新未更新{len(should)}个，"
               f"空白{len(blank)}个，均未达到否决线{tail}")
    return Indicator("columns", "栏目更新", "pass", summary, figures, items)


def backdated(columns: Sequence[ColumnStanding]) -> Indicator:
    items = tuple({**item, "column": c.id, "column_name": c.name} for c in columns for item in c.backdated)
    figures = {"items": len(items), "columns": len({i["column"] for i in items})}
    if items:
        first = items[0]
        summary = (f"发现{len(items)}条疑似倒签（伪造发稿日期）的信息，如“{first.get('title', '')}”标注{first.get('published')}，"
                   f"但{first.get('absent_on')}检查时尚未出现")
        return Indicator("backdated", "发稿日期真实性", "fail", summary, figures, items)
    return Indicator("backdated", "发稿日期真实性", "pass", "未发现疑似倒签的信息", figures)


def _column_json(c: ColumnStanding) -> dict[str, Any]:
    return {"column": c.id, "column_name": c.name, "type": c.type, "state": c.state,
            "newest": c.newest and c.newest.isoformat(), "url": c.url}
