"""The demo world's scenario, as data: rule templates, units, columns and what goes wrong where.

Every timing is an offset in days from the world's end date E (negative = before E); the item generator
(``items.py``), the catalog writer and the expected verdicts (``catalog.py``) all read these definitions, so a
timing is written once. The stories:

- fgw, jyj (GBK), zjj (Hanweb), wjw (a JavaScript list), zrzyj's other columns, xq's other columns: on time.
- czj ``czsz``: one monthly report missed, posted late at E-2 (``MissedMonth``).
- swj: the site times out from E-2 (``Outage``); its ``gzdt`` would be late from E-2 (``Stale(-17)``).
- rsj: a 瑞数 firewall answers 412 from E-10; its ``gzdt`` would be late from E-5 (``Stale(-20)``).
- scjgj: ``zdxm`` blank, ``gzdt`` stale since E-34, ``tzgg`` silent E-30..E-4 then posts again.
- zrzyj ``zcwj``: items posted from E-5 on carry a 发布日期 35-45 days earlier (``Backdated``).
- xq ``dsx_gzdt``: the page is redesigned at E-4 and has no list any more (``Redesign``).
- jtj (Guangdong gkmlpt: every column read from the JSON API): on time, but ``gzdt`` stale since E-22.
- hbj: ``hjzl`` sits behind a WZWS firewall from E-8 (its pages redirect to ``/WZWSREL...``); ``xzcf``
  answers 200 with 页面不存在 from E-6 (``Gone``, a soft 404); the other columns are on time.
- sfj: a 加速乐 firewall answers HTTP 521 with a cookie-setting script from E-6 (site-wide ``Outage``).
- wlj ``tzgg`` (a one-month rule): silent E-49..E-15, late, noticed, then 8 items at E-14/E-13 (``Burst``, 一阵风).
- slj ``tzgg``: re-posts, an empty item, an attachment-only item, an old item re-dated at E-8 (``Hollow``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal, Union

TEMPLATES: dict[str, dict] = {
    "dynamic_2w": {"kind": "max_gap", "within": {"n": 14, "unit": "day"}},
    "notice_6m": {"kind": "max_gap", "within": {"n": 6, "unit": "month"}},
    "policy_20wd": {"kind": "item_lag", "within": {"n": 20, "unit": "workday"}, "lookback_days": 30},
    "personnel_12m": {"kind": "max_gap", "within": {"n": 12, "unit": "month"}},
    "plan_12m": {"kind": "max_gap", "within": {"n": 12, "unit": "month"}},
    "monthly_15d": {"kind": "periodic", "period": "month", "due": {"n": 15, "unit": "day"}},
    "quarterly_15d": {"kind": "periodic", "period": "quarter", "due": {"n": 15, "unit": "day"}},
    "annual_report": {"kind": "periodic", "period": "year", "due_date": {"month": 1, "day": 31}},
    "budget_yearly": {"kind": "periodic", "period": "year", "due_date": {"month": 3, "day": 31}},
    "standing": {"kind": "standing"},
}


@dataclass(frozen=True)
class Stale:
    """The column's newest item is dated E+newest; nothing follows."""

    newest: int


@dataclass(frozen=True)
class Resumes:
    """Silent after E+newest, one new item at E+again."""

    newest: int
    again: int


@dataclass(frozen=True)
class Blank:
    """The column has never carried an item (空白栏目)."""


@dataclass(frozen=True)
class MissedMonth:
    """The month whose due date is the latest one <= E+due_by is missed, then posted at E+posted.

    The next month's report, if it would come out before E+posted, is held back to E+posted as well,
    so that nothing is posted between the missed due date and the fix.
    """

    due_by: int = -6
    posted: int = -2


@dataclass(frozen=True)
class Backdated:
    """Items posted at E+p (p in posts) were written lag days before and show 发布日期 = written + shown_after 工作日."""

    posts: tuple[int, ...] = (-5, -1)
    lag: tuple[int, int] = (35, 45)
    shown_after: int = 3


@dataclass(frozen=True)
class Redesign:
    """From E+at the list page is a new layout with no list at all; the content's newest item is E+newest."""

    at: int
    newest: int


@dataclass(frozen=True)
class Gone:
    """From E+at the list page answers status 200 with a 页面不存在 page (a soft 404); items are unchanged."""

    at: int


@dataclass(frozen=True)
class Burst:
    """一阵风: silent after E+newest, then ``count`` items over ``days`` days from E+at; the normal cadence
    resumes after them. Posted right after the column's lateness notice (see ``catalog.expected``)."""

    newest: int
    at: int
    count: int = 8
    days: int = 2


@dataclass(frozen=True)
class Hollow:
    """为公开而公开 on the column's normal cadence:
    - ``reposts``: (original, copy): the item posted at E+original is posted again at E+copy, same title and
      text, under a new address and 发布日期;
    - ``empty``: the item posted at E+empty has no body text at all;
    - ``attachment_only``: the item posted at E+k is only an attachment link (not empty: never signalled);
    - ``redated``: (posted, at): the item posted at E+posted shows 发布日期 E+at from E+at on, same address.
    """

    reposts: tuple[tuple[int, int], ...] = ((-15, -6), (-13, -10), (-13, -3))
    empty: int = -9
    attachment_only: int = -11
    redated: tuple[int, int] = (-60, -8)


Scenario = Union[Stale, Resumes, Blank, MissedMonth, Backdated, Redesign, Gone, Burst, Hollow]


@dataclass(frozen=True)
class Outage:
    """Trouble from E+start to E, on a whole site (``UnitSpec.outage``) or on one column's pages
    (``ColumnSpec.outage``): a 30 s stall on every request, or a firewall's challenge instead of the page —
    瑞数 (HTTP 412 with a ``$_ts`` script), WZWS (a 302 to ``/WZWSREL...``, a script page there) or 加速乐
    (HTTP 521 with a script that sets the ``__jsl_clearance`` cookie)."""

    kind: Literal["timeout", "ruishu", "wzws", "jiasule"]
    start: int
    delay_s: float = 30.0


@dataclass(frozen=True)
class ColumnSpec:
    id: str
    name: str
    type: str                     # 动态要闻 | 通知公告 | 政策文件 | 人事 | 规划计划 | 财政预决算 | 其他
    rule: str | dict              # a template name, or an inline table (template + overrides, or own kind)
    cadence: str                  # how the generator posts (items.CADENCES)
    kind: str                     # which titles (texts.title)
    focus: bool = False
    scenario: Scenario | None = None
    path: str = ""                # TRS directory; default /xxgk/{id}/
    colid: int = 0                # Hanweb column number; gkmlpt category id
    browser: bool = False         # the list is filled by JavaScript
    endpoint: bool = False        # catalog points at the Hanweb dataproxy endpoint (gkmlpt columns always do)
    selectors: dict | None = None  # explicit extract selectors in the catalog
    speaker: tuple[str, str] | None = None  # (org, short) of a township hosted by the portal
    outage: Outage | None = None  # trouble on this column's pages only (a firewall in front of one application)


@dataclass(frozen=True)
class UnitSpec:
    slug: str
    name: str                     # the catalog's name
    org: str                      # the name the site shows
    short: str
    abbr: str                     # 文号 prefix
    family: Literal["trs", "hanweb", "gkmlpt"]
    date_style: Literal["iso", "bracket", "cn"]
    per_page: int
    topics: tuple[str, ...]
    columns: tuple[ColumnSpec, ...]
    encoding: str = "utf-8"
    list_markup: Literal["ul", "table"] = "ul"
    outage: Outage | None = None


def resolve_rule(rule: str | dict) -> dict:
    """The effective rule table: a template, a template with overrides, or an inline rule."""
    if isinstance(rule, str):
        return dict(TEMPLATES[rule])
    if "template" in rule:
        merged = dict(TEMPLATES[rule["template"]])
        merged.update({k: v for k, v in rule.items() if k != "template"})
        return merged
    return dict(rule)


def C(id: str, name: str, type: str, rule: str | dict, cadence: str, kind: str | None = None, **kw) -> ColumnSpec:
    """Shorthand for a column; ``kind`` defaults to the id."""
    return ColumnSpec(id=id, name=name, type=type, rule=rule, cadence=cadence, kind=kind or id, **kw)


JGZN = C("jgzn", "机构职能", "其他", "standing", "standing")
LDXX = C("ldxx", "领导信息", "其他", "standing", "standing")
GZDT = C("gzdt", "工作动态", "动态要闻", "dynamic_2w", "daily")
TZGG = C("tzgg", "通知公告", "通知公告", "notice_6m", "notices")
ZCWJ = C("zcwj", "政策文件", "政策文件", "policy_20wd", "policy")
RSXX = C("rsxx", "人事信息", "人事", "personnel_12m", "sparse")
GHJH = C("ghjh", "规划计划", "规划计划", "plan_12m", "sparse")
CZYJS = C("czyjs", "财政预决算", "财政预决算", "budget_yearly", "budget", kind="budget", focus=True)
NDBG = C("ndbg", "政府信息公开年度报告", "其他", "annual_report", "annual")


def _with(col: ColumnSpec, **kw) -> ColumnSpec:
    return replace(col, **kw)


CGZ = ("云溪县城关镇人民政府", "城关镇")
DSX = ("云溪县东山乡人民政府", "东山乡")

UNITS: tuple[UnitSpec, ...] = (
    UnitSpec("fgw", "市发展和改革委员会", "清河市发展和改革委员会", "市发改委", "清发改", "trs", "iso", 20,
             ("重点项目建设", "价格监测", "粮食安全", "能源保供", "营商环境优化", "社会信用体系建设", "数字经济"),
             (JGZN, LDXX, GZDT, TZGG, ZCWJ, RSXX, GHJH, CZYJS, NDBG)),
    UnitSpec("czj", "市财政局", "清河市财政局", "市财政局", "清财", "trs", "bracket", 15,
             ("预算绩效管理", "政府采购", "国有资产管理", "惠企资金直达", "会计监督", "政府债务管理"),
             (JGZN, GZDT, TZGG, ZCWJ,
              C("czsz", "财政收支情况", "财政预决算", "monthly_15d", "monthly", focus=True, scenario=MissedMonth()),
              CZYJS, C("sgjf", "三公经费", "财政预决算", "budget_yearly", "budget", focus=True), NDBG)),
    UnitSpec("jyj", "市教育局", "清河市教育局", "市教育局", "清教", "trs", "cn", 20,
             ("义务教育招生", "校园安全", "课后服务", "教师队伍建设", "学前教育普惠", "职业教育"),
             (JGZN, LDXX, GZDT, TZGG, ZCWJ, RSXX, NDBG), encoding="gbk"),
    UnitSpec("zjj", "市住房和城乡建设局", "清河市住房和城乡建设局", "市住建局", "清建", "hanweb", "iso", 15,
             ("城镇老旧小区改造", "建筑施工安全", "物业服务管理", "保障性租赁住房", "城市更新", "燃气安全"),
             (_with(GZDT, colid=1001), _with(TZGG, colid=1002, endpoint=True), _with(ZCWJ, colid=1003, endpoint=True),
              C("bzxzf", "保障性住房", "其他", "quarterly_15d", "quarterly", focus=True, colid=1004),
              _with(RSXX, colid=1005), _with(JGZN, colid=1006), _with(NDBG, colid=1007))),
    UnitSpec("wjw", "市卫生健康委员会", "清河市卫生健康委员会", "市卫健委", "清卫健", "trs", "iso", 15,
             ("基层医疗卫生服务", "爱国卫生运动", "传染病防控", "家庭医生签约", "医疗质量安全", "健康教育"),
             (_with(GZDT, browser=True), TZGG, ZCWJ, JGZN, LDXX, RSXX, NDBG)),
    UnitSpec("swj", "市商务局", "清河市商务局", "市商务局", "清商", "trs", "iso", 20,
             ("外贸稳增长", "消费促进", "电子商务", "招商引资", "成品油流通管理", "单用途预付卡监管"),
             (_with(GZDT, scenario=Stale(-17)), TZGG, ZCWJ, JGZN, GHJH, NDBG),
             outage=Outage("timeout", -2)),
    UnitSpec("rsj", "市人力资源和社会保障局", "清河市人力资源和社会保障局", "市人社局", "清人社", "trs", "bracket", 15,
             ("稳就业", "根治欠薪", "职业技能培训", "社会保险扩面", "人才引进", "劳动人事争议调解"),
             (_with(GZDT, scenario=Stale(-20)), TZGG, ZCWJ,
              C("jyxx", "就业信息", "其他", "monthly_15d", "monthly", focus=True),
              C("shbz", "社会保障", "其他", "quarterly_15d", "quarterly", focus=True), RSXX, NDBG),
             outage=Outage("ruishu", -10)),
    UnitSpec("scjgj", "市市场监督管理局", "清河市市场监督管理局", "市市场监管局", "清市监", "trs", "iso", 15,
             ("食品安全", "特种设备安全", "知识产权保护", "价格监督检查", "计量监督", "个体工商户培育"),
             (_with(GZDT, scenario=Stale(-34)),
              _with(TZGG, rule={"template": "notice_6m", "within": {"n": 14, "unit": "day"}}, cadence="weekly",
                    scenario=Resumes(-30, -4)),
              C("zdxm", "重大项目", "其他", {"kind": "max_gap", "within": {"n": 3, "unit": "month"}}, "none",
                focus=True, scenario=Blank()),
              ZCWJ, C("sjcc", "双随机抽查", "其他", "policy_20wd", "policy"), JGZN, NDBG)),
    UnitSpec("zrzyj", "市自然资源和规划局", "清河市自然资源和规划局", "市自然资源和规划局", "清自然资源", "trs", "iso", 20,
             ("国土空间规划", "耕地保护", "不动产登记", "地质灾害防治", "矿产资源管理", "土地供应"),
             (GZDT, _with(TZGG, selectors={"items": "table.list-table tbody tr", "link": "a", "date": "td.date"}),
              _with(ZCWJ, scenario=Backdated()),
              C("zdcq", "征地拆迁", "其他", "notice_6m", "notices", focus=True), GHJH, JGZN, NDBG),
             list_markup="table"),
    UnitSpec("xq", "某某县人民政府", "云溪县人民政府", "县政府", "云政", "trs", "iso", 15,
             ("乡村振兴", "重点项目建设", "安全生产", "民生实事", "人居环境整治", "防汛防台"),
             (GZDT, TZGG, ZCWJ, C("tjxx", "统计信息", "其他", "quarterly_15d", "stats", kind="tj_month"), CZYJS,
              _with(NDBG, rule={"template": "annual_report", "due_date": {"month": 3, "day": 31}},
                    cadence="annual_county"),
              C("cgz_gzdt", "城关镇工作动态", "动态要闻", "dynamic_2w", "weekly", kind="gzdt",
                path="/xxgk/xzjd/cgz/gzdt/", speaker=CGZ),
              C("cgz_tzgg", "城关镇通知公告", "通知公告", "notice_6m", "notices", kind="tzgg",
                path="/xxgk/xzjd/cgz/tzgg/", speaker=CGZ),
              C("dsx_gzdt", "东山乡工作动态", "动态要闻", "dynamic_2w", "weekly", kind="gzdt",
                path="/xxgk/xzjd/dsx/gzdt/", speaker=DSX, scenario=Redesign(at=-4, newest=-16)),
              C("dsx_tzgg", "东山乡通知公告", "通知公告", "notice_6m", "notices", kind="tzgg",
                path="/xxgk/xzjd/dsx/tzgg/", speaker=DSX))),
    UnitSpec("jtj", "市交通运输局", "清河市交通运输局", "市交通运输局", "清交", "gkmlpt", "iso", 100,
             ("农村公路建设", "道路运输安全", "公交优先发展", "交通综合执法", "治超治限", "港航管理"),
             (_with(JGZN, colid=1), _with(GZDT, colid=3, scenario=Stale(-22)), _with(TZGG, colid=4),
              _with(ZCWJ, colid=5), _with(GHJH, colid=6),
              C("jtyx", "交通运输运行情况", "其他", "monthly_15d", "monthly", focus=True, colid=7),
              _with(NDBG, colid=9))),
    UnitSpec("hbj", "市生态环境局", "清河市生态环境局", "市生态环境局", "清环", "trs", "bracket", 20,
             ("大气污染防治", "水生态环境保护", "土壤污染防治", "环评审批服务", "生态环境执法", "碳达峰碳中和"),
             (JGZN, GZDT, TZGG, ZCWJ,
              C("hjzl", "环境质量", "其他", "monthly_15d", "monthly", focus=True, outage=Outage("wzws", -8)),
              C("xzcf", "行政处罚", "其他", "notice_6m", "notices", focus=True, scenario=Gone(-6)), NDBG)),
    UnitSpec("sfj", "市司法局", "清河市司法局", "市司法局", "清司", "trs", "cn", 15,
             ("法治政府建设", "公共法律服务", "人民调解", "普法宣传教育", "行政复议", "社区矫正"),
             (JGZN, GZDT, TZGG, ZCWJ, NDBG),
             outage=Outage("jiasule", -6)),
    UnitSpec("wlj", "市文化广电旅游局", "清河市文化广电旅游局", "市文广旅局", "清文旅", "trs", "iso", 20,
             ("文旅融合发展", "公共文化服务", "文物保护利用", "旅游市场监管", "非遗传承保护", "广播电视安全播出"),
             (JGZN, GZDT,
              _with(TZGG, rule={"template": "notice_6m", "within": {"n": 1, "unit": "month"}},
                    scenario=Burst(newest=-49, at=-14)),
              ZCWJ, NDBG)),
    UnitSpec("slj", "市水利局", "清河市水利局", "市水利局", "清水", "trs", "iso", 20,
             ("防汛抗旱", "水资源管理", "河湖长制", "农村饮水安全", "水土保持", "水利工程建设"),
             (JGZN, GZDT, _with(TZGG, scenario=Hollow()), ZCWJ, NDBG)),
)
