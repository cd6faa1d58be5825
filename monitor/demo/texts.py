"""Wording for the demo world: item titles, 文号, 索引号 and article bodies.

Everything is drawn from a ``random.Random`` the caller seeds, so a title depends only on the seed and the
date. The vocabulary is plain GB2312 (the GBK site encodes it), and the places are fictional (清河市, 云溪县).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

CITY = "清河市"
COUNTY = "云溪县"
PLACES = ("东山乡", "城关镇", "白沙镇", "青石镇", "南岭街道", "高新区", "临江区", "北湖区", "清河经开区")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏"
GIVEN = ("建国", "志强", "晓东", "海燕", "丽华", "文杰", "国庆", "红梅", "振华", "秀英", "立新", "春燕",
         "伟", "静", "敏", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "霞", "平", "刚", "桂英")
QUARTERS = ("一", "二", "三", "四")
TJ_MONTHLY = ("规模以上工业生产情况", "居民消费价格变动情况", "社会消费品零售总额", "固定资产投资情况",
              "主要农产品价格监测", "全社会用电量情况", "外贸进出口情况", "金融机构存贷款情况")

GZDT = ("{short}召开{topic}工作推进会", "{short}党组理论学习中心组开展集中学习", "{leader}赴{place}调研{topic}工作",
        "{short}举办{topic}业务培训班", "{place}{topic}工作取得阶段性成效", "{short}部署开展{topic}专项行动",
        "{short}召开{month}月份局务会议", "{short}开展“{topic}”主题党日活动", "{leader}带队督导{topic}工作",
        "全市{topic}工作现场会在{place}召开", "{short}与{place}座谈交流{topic}工作", "{short}组织开展{topic}宣传活动")
TZGG = ("关于开展{year}年度{topic}工作的通知", "关于{topic}有关事项的公告", "关于{year}年{topic}项目的公示",
        "关于征求《{city}{topic}管理办法（征求意见稿）》意见的公告", "关于调整{topic}业务办理时间的通知",
        "关于做好{year}年{topic}申报工作的通知", "{short}关于{topic}检查情况的通报", "关于{topic}专项资金拟安排项目的公示")
ZCWJ = ("{org}关于印发《{city}{topic}实施方案》的通知", "{org}关于进一步加强{topic}工作的意见",
        "{org}关于印发《{city}{topic}管理办法》的通知", "{org}关于印发《{city}{topic}三年行动计划（{year}—{year2}年）》的通知",
        "{org}关于推进{topic}高质量发展的若干措施", "{org}关于规范{topic}有关工作的通知")
RSXX = ("{org}关于{name}等同志任职前公示的公告", "{org}{year}年公开招聘事业单位工作人员公告",
        "{org}{year}年公开遴选公务员拟录用人员名单公示", "{org}关于{name}同志职务任免的通知",
        "{org}{year}年度考核优秀等次人员名单公示")
GHJH = ("{org}{year}年工作要点", "{city}“十五五”{topic}发展规划", "{org}{year}年上半年工作总结和下半年工作计划",
        "{org}{year}年度重点工作任务清单", "{city}{topic}专项规划（{year}—{year2}年）")
SJCC = ("{org}关于{year}年第{n}批“双随机、一公开”抽查结果的公示", "{org}{topic}领域“双随机、一公开”抽查情况公示")
ZDCQ = ("{city}{year}年度第{n}批次城镇建设用地征收土地公告", "关于{place}地块征收土地预公告", "{place}集体土地征收补偿安置方案公告")
XZCF = ("{org}行政处罚决定信息公开表（{year}年第{n}号）", "{short}关于{place}一企业违法行为的行政处罚决定",
        "{org}{year}年第{n}批行政处罚案件信息")
FIXED = {
    "jgzn": ("{org}主要职责", "{org}内设机构", "{org}机构概况"),
    "ldxx": ("{org}领导信息", "{org}领导班子分工"),
}
BODY = ("为深入贯彻落实党中央、国务院和省委、省政府关于{topic}工作的决策部署，进一步提升工作质效，现将有关情况公布如下。",
        "会议强调，要坚持问题导向和目标导向，压紧压实工作责任，确保{topic}各项任务按期完成。",
        "各有关单位要高度重视，加强统筹协调，认真组织实施，及时报送工作进展情况。",
        "下一步，{short}将持续加大{topic}工作力度，健全长效机制，不断提升群众获得感和满意度。",
        "本次工作覆盖{place}等地，共涉及企业和群众办事事项若干项，相关情况已按规定进行公示。",
        "如对上述内容有异议，请在公示期内以书面形式向{org}反映，联系电话：0571-8{tel}。")


@dataclass(frozen=True)
class Voice:
    """Who speaks: the unit as its pages name it."""

    org: str            # 清河市发展和改革委员会
    short: str          # 市发改委
    abbr: str           # 清发改 (文号 prefix)
    topics: tuple[str, ...]


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _fill(template: str, rng: random.Random, v: Voice, d: date) -> str:
    return template.format(
        org=v.org, short=v.short, city=CITY, topic=rng.choice(v.topics), place=rng.choice(PLACES),
        leader=rng.choice(("主要负责同志", "局长" + person(rng), "分管负责同志", "主任" + person(rng))),
        name=person(rng), year=d.year, year2=d.year + 2, month=d.month, n=rng.randint(1, 12),
        tel=f"{rng.randint(0, 9999999):07d}")


def title(kind: str, rng: random.Random, v: Voice, d: date, period: tuple[int, int] | None = None) -> str:
    """A title for an item of ``kind`` posted on ``d``; ``period`` is (year, month or quarter) for reports."""
    pool = {"gzdt": GZDT, "tzgg": TZGG, "zcwj": ZCWJ, "rsxx": RSXX, "ghjh": GHJH, "sjcc": SJCC, "zdcq": ZDCQ,
            "xzcf": XZCF}
    if kind in pool:
        return _fill(rng.choice(pool[kind]), rng, v, d)
    if kind in FIXED:
        return _fill(rng.choice(FIXED[kind]), rng, v, d)
    y, p = period if period else (d.year, d.month)
    if kind == "czsz":
        return f"{y}年{p}月{CITY}财政收支情况"
    if kind == "jyxx":
        return f"{y}年{p}月{CITY}城镇新增就业和失业登记情况"
    if kind == "hjzl":
        return f"{y}年{p}月{CITY}环境空气质量和地表水水质状况"
    if kind == "jtyx":
        return f"{y}年{p}月{CITY}交通运输经济运行情况"
    if kind == "tj_month":
        return f"{y}年{p}月{COUNTY}{rng.choice(TJ_MONTHLY)}"
    if kind == "tj_quarter":
        return f"{y}年第{QUARTERS[p - 1]}季度{COUNTY}经济运行情况"
    if kind == "bzxzf":
        return f"{y}年第{QUARTERS[p - 1]}季度{CITY}保障性住房建设进展情况"
    if kind == "shbz":
        return f"{y}年第{QUARTERS[p - 1]}季度{CITY}社会保险基金收支情况"
    if kind == "ndbg":
        return f"{v.org}{y}年政府信息公开工作年度报告"
    if kind == "budget":
        return f"{v.org}{y}年部门预算公开" if p == 1 else f"{v.org}{y}年部门决算公开"
    if kind == "sgjf":
        return f"{v.org}{y}年“三公”经费预算情况说明" if p == 1 else f"{v.org}{y}年“三公”经费决算情况说明"
    raise ValueError(f"unknown title kind {kind!r}")


def doc_number(rng: random.Random, v: Voice, d: date) -> str:
    """A 文号 such as 清发改规〔2026〕12号."""
    return f"{v.abbr}{rng.choice(('', '规', '发', '函'))}〔{d.year}〕{rng.randint(1, 180)}号"


def index_number(org_code: str, d: date, seq: int) -> str:
    """A 索引号 such as 11331000MB1234567X/2026-00123."""
    return f"{org_code}/{d.year}-{seq:05d}"


def body(rng: random.Random, v: Voice, n: int = 4) -> list[str]:
    """``n`` paragraphs of plausible official prose."""
    d = date(2000, 1, 1)
    return [_fill(t, rng, v, d) for t in rng.sample(BODY, min(n, len(BODY)))]
