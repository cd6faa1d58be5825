"""The 公开时限 language: the Chinese wording of real catalogs, read into a structured cadence.

``parse_cadence(text)`` turns what a clerk pasted into a catalog's 公开时限 cell into a ``Cadence``:
one of the kinds of ``KINDS``, with its figures (``within``, ``period`` and ``due``, ``month`` and
``day``, ``count`` and ``per``...), the phrase's ``display_window`` (公示期, never a deadline) and
``retention`` (公开满5年后撤下) kept apart, and ``raw``. Wording it cannot read is returned as kind
``unparsed`` with the reason: it is never guessed. ``monitor.cadence_rules`` turns a cadence into
the rule the judge applies.

Pure text work: no I/O. What is read, in order of precedence within one clause:
same_as_above (同上) · annual (每年1月31日前) · min_rate (每个工作日更新1条以上) · periodic with a due
(每季度结束后15日内, 每月10日前公开上月) · max_gap (最大更新间隔不得超过6个月) · event (信息形成或者变更之日起
20个工作日内) · periodic (每月 / 按年 / 一季度一公开) · phased (逐段) · immediate (实时 / 即时 / 随时) ·
standing (长期 / 常年 / 固定) · timely (及时: the 20-working-day default, marked ``default``).
Clauses split on ；。 and 其中 make a ``compound`` when more than one carries a rule; each part says
what it applies to (``applies_to``; None for "everything else").
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import asdict, dataclass, replace
from typing import Any

KINDS = ("event", "periodic", "annual", "max_gap", "min_rate", "standing", "phased", "immediate", "timely",
         "same_as_above", "compound", "unparsed")
KIND_WORDS = {
    "event": "事后限期公开", "periodic": "定期公开", "annual": "每年固定日期前公开", "max_gap": "最大更新间隔",
    "min_rate": "最低更新频率", "standing": "长期公开", "phased": "逐段公开", "immediate": "即时公开", "timely": "及时公开",
    "same_as_above": "同上", "compound": "复合时限", "unparsed": "无法识别",
}
TIMELY_DEFAULT = {"n": 20, "unit": "workday"}  # 政府信息公开条例 art. 26

# ---------------------------------------------------------------- the result


@dataclass(frozen=True)
class Cadence:
    kind: str
    raw: str
    within: dict[str, Any] | None = None  # {"n": 20, "unit": "workday"}: deadline (event...) or gap (max_gap, phased)
    trigger: str | None = None  # event: formed_or_changed | approval | decision | spot_check_end | ... | other
    event: str | None = None  # event: the words naming the trigger, as written
    period: str | None = None  # periodic, min_rate is per: month | quarter | half_year | year
    due: dict[str, Any] | None = None  # periodic: {"after_end": {"n", "unit"}} or {"day_of_month": 10}
    month: int | None = None  # annual
    day: int | None = None  # annual
    count: int | None = None  # min_rate: at least this many items ...
    per: str | None = None  # min_rate: ... per workday | day | week | month | quarter | year
    default: bool = False  # no figure was written: the figure is the legal default (timely, immediate)
    applies_to: str | None = None  # what the rule covers when the wording names it (行政许可、行政处罚事项)
    parts: tuple[Cadence, ...] = ()  # compound
    display_window: dict[str, Any] | None = None  # 公示7个工作日: how long it stays up, not when it is due
    retention: dict[str, Any] | None = None  # 公开满5年后撤下: an item may vanish after this
    reason: str | None = None  # unparsed: why
    notes: tuple[str, ...] = ()

    @property
    def parsed(self) -> bool:
        return self.kind != "unparsed"

    def to_json(self) -> dict[str, Any]:
        """A JSON object of the fields that are set (``kind`` and ``raw`` always)."""
        data = asdict(self)
        data["parts"] = [p.to_json() for p in self.parts]
        out = {k: v for k, v in data.items() if v not in (None, (), [], False) or k in ("kind", "raw")}
        if self.kind in ("timely", "immediate"):
            out["default"] = self.default
        if "notes" in out:
            out["notes"] = list(out["notes"])
        return out


# ---------------------------------------------------------------- normalising the text

_TYPOS = (
    ("工做日", "工作日"), ("工作曰", "工作日"), ("工祚日", "工作日"), ("个工日", "个工作日"), ("工作天", "工作日"),
    ("個", "个"), ("內", "内"), ("變更", "变更"), ("变跟", "变更"), ("変更", "变更"), ("季渡", "季度"), ("日曰", "日"),
    ("之内", "内"), ("以内", "内"), ("期滿", "期满"), ("公佈", "公布"),
    ("星期", "周"), ("礼拜", "周"),
)
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_NUMBER = re.compile(r"[零〇一二两三四五六七八九十百]+(?=个|日|天|工作日|月|年|周|季|条|篇|次|期)")


def _cn_to_int(word: str) -> int:
    """二十 → 20, 十五 → 15, 一百零五 → 105, 三 → 3, 二〇 → 20 (digit by digit)."""
    if all(ch in _CN_DIGITS for ch in word):
        return int("".join(str(_CN_DIGITS[ch]) for ch in word))
    total = current = 0
    for ch in word:
        if ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        else:  # 十 or 百
            total += (current or 1) * (10 if ch == "十" else 100)
            current = 0
    return total + current


def normalise(text: str) -> str:
    """Full-width to half-width, no whitespace or line breaks, known typos fixed, 二十 → 20."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"\s+", "", text)
    for typo, fix in _TYPOS:
        text = text.replace(typo, fix)

    def arabic(m: re.Match[str]) -> str:
        return str(_cn_to_int(m.group(0)))

    return _CN_NUMBER.sub(arabic, text)


# ---------------------------------------------------------------- the phrase shapes

_UNIT = r"(?P<unit>个?工作日|日|天|个?周|个?月|年)"
_UNIT_OF = {"工作日": "workday", "日": "day", "天": "day", "周": "week", "月": "month", "年": "year"}
_PERIOD = r"(?P<period>月度?|季度?|半年度?|年度?)"
_PERIOD_OF = {"月": "month", "季": "quarter", "半年": "half_year", "年": "year"}
_PER_OF = {"工作日": "workday", "日": "day", "天": "day", "周": "week", **_PERIOD_OF}

_SAME_AS_ABOVE = re.compile(r"^(同上|同上栏|同上一栏|同上行)[。.]?$")
_DISPLAY = re.compile(r"公示(?:期|时间|期限)?(?:为|不少于|不得少于|不低于|至少)?(?P<n>\d+)" + _UNIT + r"(?![内后以])")
_RETENTION = re.compile(
    r"(?:公开|发布|保留|上网)?(?:期)?满?(?P<n>\d+)" + _UNIT + r"(?:后|以后)?(?:予以)?(?:撤下|撤除|撤销|删除|下线|下架)"
    r"|(?:保留|公开)(?:期|期限|时间)?(?:为|不少于)?(?P<n2>\d+)(?P<unit2>个?月|年)(?![内后以])"
)
_ANNUAL = re.compile(r"(?:每年|次年|于每年|每年度|年度)?(?P<month>\d{1,2})月(?:(?P<day>\d{1,2})日|(?P<end>底|末))(?:前|之前|以前)")
_MIN_RATE = re.compile(
    r"每(?:个)?(?P<per>工作日|日|天|周|月|季度?|半年|年)(?:至少|不少于|应|须)?(?:更新|发布|公开|上传|报送)?"
    r"(?:信息)?(?:至少|不少于|不低于)?(?P<n>\d+)(?:条|篇)(?:信息)?(?:以上|及以上)?"
)
_PERIODIC_DUE = re.compile(
    r"每?(?:个)?" + _PERIOD + r"(?:结束|期满|终了|末)(?:之日)?(?:后|起)(?P<n>\d+)" + _UNIT + r"内?"
)
_PERIODIC_DAY = re.compile(
    r"(?:每(?:个)?(?P<period>月|季度?|半年|年)|次月|下月)(?:首月)?(?P<day>\d{1,2})日(?:前|之前|以前)"
)
_MAX_GAP = re.compile(
    r"(?:最大|最长)?(?:更新)?(?:间隔|周期)(?:时间)?(?:不得|不能|不应|不宜|不)?(?:超过|大于|多于|长于)(?P<n>\d+)" + _UNIT
    + r"|至少每(?P<n2>\d+)(?P<unit2>个?工作日|日|天|个?周|个?月|年)(?:更新|发布|公开)"
)
_EVENT = re.compile(r"(?P<pre>.*?)(?P<n>\d+)" + _UNIT + r"(?P<inside>内)?")
_PERIODIC = re.compile(
    r"(?:每|按|逐)(?:个)?" + _PERIOD + r""
    r"|(?P<period2>月度|季度|年度|半年度)(?:公开|公布|更新|发布)"
)
_ONCE_PER = re.compile(r"(?:(?:1|一)(?P<period>年|季度?|月)|(?P<half>半年))(?:1|一)(?:公开|次|更新|公布)")
_PHASED = re.compile(r"逐段|阶段性|分阶段|按阶段|(?:按|按照|随|根据)(?:项目|工作)?(?:进度|进展)")
_ON_REQUEST = re.compile(r"(?:收到|受理|接到)(?:公开)?申请.*(?:答复|回复|告知)|申请.*(?:答复|回复)")
_IMMEDIATE = re.compile(r"实时|即时|随时|立即|第一时间")
_STANDING = re.compile(r"长期|常年|固定|常态|永久")
_TIMELY = re.compile(r"及时")

_TRIGGERS = (
    ("spot_check_end", r"抽查|检查结束|核查结束"),
    ("approval", r"批准|批复|审批|核准|审定|审议通过|通过后"),
    ("decision", r"决定|作出|做出|裁决"),
    ("formed_or_changed", r"形成|变更|制作|制定|获取|产生|更新"),
    ("signed", r"签订|签署"),
    ("issued", r"印发|出台|发文"),
    ("received", r"受理|收到|接到"),
    ("completed", r"结束|完成|竣工|办结"),
)
_FILLER = re.compile(r"^(?:其中|并|且|另|但|对|对于)|(?:应当|应该|应|须|必须|需要|需|要|均|都|由|在|于|至少|一律|的|,|、)+$")
_GENERAL = re.compile(r"^(一般|其他|其余|其它|常规|日常)(事项|信息|内容)?$")
_SUBJECT_END = re.compile(r"(事项|情况|信息|内容|项目|文件|结果|类|工作|公告|预算|决算|报告)$")
_RULE_WORDS = re.compile(r"\d|公开|公布|更新|发布|公示|及时|即时|实时|随时|长期|常年|固定|定期|逐段|阶段|每|按年|按月|按季")


# ---------------------------------------------------------------- parsing


def parse_cadence(text: str) -> Cadence:
    """Read one 公开时限 cell. Never raises; unreadable wording comes back as kind ``unparsed``."""
    raw = text if isinstance(text, str) else str(text)
    norm = normalise(raw)
    if not norm:
        return Cadence("unparsed", raw, reason="空白：未填写公开时限")
    if _SAME_AS_ABOVE.match(norm):
        return Cadence("same_as_above", raw)
    if _ON_REQUEST.search(norm):
        return Cadence("unparsed", raw, reason="这是依申请公开的答复期限，不是主动公开的时限，请人工确认")
    if m := re.search(r"\d+(?:[-~～至到]|或)\d+" + _UNIT, norm):
        return Cadence("unparsed", raw, reason=f"“{m.group(0)}”是一个区间，不是确定的期限，请人工确认")
    if m := re.search(r"(?<!\d)0" + _UNIT, norm):
        return Cadence("unparsed", raw, reason=f"“{m.group(0)}”：期限为0，请人工确认")
    alternatives = [a for a in re.split(r"/|／|或者?(?=定期|固定|即时|长期|及时|实时|依申请|按)", norm) if a]
    if len(alternatives) > 1:
        readings = [_parse_clauses(a, raw) for a in alternatives]
        unread = [a for a, r in zip(alternatives, readings) if not r.parsed]
        if unread:
            return Cadence("unparsed", raw, reason=f"并列了几种表述，其中“{unread[0]}”无法识别，无法确定适用哪一种，请人工确认")
        if len({_shape(r) for r in readings}) > 1:
            kinds = "、".join(KIND_WORDS[r.kind] for r in readings)
            return Cadence("unparsed", raw, reason=f"并列了几种不同的公开时限（{kinds}），无法确定适用哪一种，请人工确认")
    return _parse_clauses(norm, raw)


def _shape(c: Cadence) -> tuple:
    return (c.kind, str(c.within), c.period, str(c.due), c.month, c.day, c.count, c.per)


def _parse_clauses(norm: str, raw: str) -> Cadence:
    clauses = [c for c in re.split(r"[;。,]|其中(?=.)", norm) if c.strip(",、")]
    marked_sub = re.search(r"其中", norm) is not None
    parts: list[Cadence] = []
    display = retention = None
    for i, clause in enumerate(clauses):
        clause, d, r = _modifiers(clause)
        display, retention = display or d, retention or r
        if not clause.strip(",、"):
            continue
        part = _parse_clause(clause, raw)
        if part is None:
            if marked_sub and i > 0:
                return Cadence("unparsed", raw, reason=f"“其中”之后的“{clause.strip(',、')}”未写明可识别的时限，请人工确认")
            if re.search(r"\d", clause):
                return Cadence("unparsed", raw, reason=f"无法理解“{clause}”中的数字与时限，请人工确认")
            continue  # a clause that carries no rule ("并在门户网站公开")
        if part.kind == "unparsed":
            return part
        if marked_sub and i > 0 and part.applies_to is None:
            return Cadence("unparsed", raw, reason=f"“其中”之后未写明适用的事项：“{clause}”，请人工确认")
        parts.append(replace(part, raw=clause))
    if not parts:
        if display:
            return Cadence("unparsed", raw, display_window=display,
                           reason="只写了公示期，未写公开时限（公示期不是公开期限），请人工确认")
        if retention:
            note = "只写了保留期限：按长期公开核对（栏目不得为空），期满撤下的信息不算缺失"
            return Cadence("standing", raw, retention=retention, notes=(note,))
        return Cadence("unparsed", raw, reason="未找到可识别的公开时限表述，请人工确认")
    extra = {"display_window": display, "retention": retention}
    if len(parts) == 1:
        part = parts[0]
        if part.applies_to and _GENERAL.match(part.applies_to):
            part = replace(part, applies_to=None)
        return replace(part, raw=raw, **extra)
    general = [p for p in parts if p.applies_to is None or _GENERAL.match(p.applies_to)]
    if len(general) > 1:
        return Cadence("unparsed", raw, reason="几条时限都没有写明适用的事项，无法区分，请人工确认")
    parts = [replace(p, applies_to=None) if p in general else p for p in parts]
    return Cadence("compound", raw, parts=tuple(parts), **extra)


def _modifiers(clause: str) -> tuple[str, dict | None, dict | None]:
    """Take the display window (公示7个工作日) and the retention (公开满5年后撤下) out of a clause."""
    display = retention = None
    if m := _DISPLAY.search(clause):
        display = _span(m.group("n"), m.group("unit"))
        clause = clause[: m.start()] + clause[m.end():]
    if m := _RETENTION.search(clause):
        retention = _span(m.group("n") or m.group("n2"), m.group("unit") or m.group("unit2"))
        clause = clause[: m.start()] + clause[m.end():]
    return clause, display, retention


def _parse_clause(clause: str, raw: str) -> Cadence | None:
    """One clause: its rule, or None when it names none."""
    if m := _ANNUAL.search(clause):
        month = int(m.group("month"))
        if not 1 <= month <= 12:
            return Cadence("unparsed", raw, reason=f"日期“{m.group(0)}”不存在，请人工确认")
        last = calendar.monthrange(2001, month)[1]  # 月底: the month's last day (February: 28)
        day = last if m.group("end") else int(m.group("day"))
        if not 1 <= day <= last:
            return Cadence("unparsed", raw, reason=f"日期“{m.group(0)}”不存在，请人工确认")
        return Cadence("annual", raw, month=month, day=day, applies_to=_subject(clause[: m.start()]))
    if m := _MIN_RATE.search(clause):
        count, per = int(m.group("n")), _PER_OF[_strip_period(m.group("per"))]
        if count < 1:
            return Cadence("unparsed", raw, reason="最低更新条数为0，请人工确认")
        return Cadence("min_rate", raw, count=count, per=per, applies_to=_subject(clause[: m.start()]))
    if m := _PERIODIC_DUE.search(clause):
        due = {"after_end": _span(m.group("n"), m.group("unit"))}
        return Cadence("periodic", raw, period=_PERIOD_OF[_strip_period(m.group("period"))], due=due,
                       applies_to=_subject(clause[: m.start()]))
    if m := _PERIODIC_DAY.search(clause):
        period = _PERIOD_OF[_strip_period(m.group("period"))] if m.group("period") else "month"
        day = int(m.group("day"))
        if not 1 <= day <= 31:
            return Cadence("unparsed", raw, reason=f"日期“{m.group(0)}”不存在，请人工确认")
        return Cadence("periodic", raw, period=period, due={"day_of_month": day},
                       applies_to=_subject(clause[: m.start()]))
    if m := _MAX_GAP.search(clause):
        within = _span(m.group("n") or m.group("n2"), m.group("unit") or m.group("unit2"))
        return Cadence("max_gap", raw, within=within, applies_to=_subject(clause[: m.start()]))
    if m := _ONCE_PER.search(clause):  # 一年一公开: before the event shape reads 1年 as a deadline
        return Cadence("periodic", raw, period=_PERIOD_OF[_strip_period(m.group("period") or m.group("half"))],
                       applies_to=_subject(clause[: m.start()]))
    if m := _EVENT.search(clause):
        return _event(m, clause, raw)
    if m := _PERIODIC.search(clause):
        word = m.group("period") or m.group("period2")
        return Cadence("periodic", raw, period=_PERIOD_OF[_strip_period(word)], applies_to=_subject(clause[: m.start()]))
    for kind, pattern, default in (("phased", _PHASED, None), ("immediate", _IMMEDIATE, TIMELY_DEFAULT),
                                   ("standing", _STANDING, None), ("timely", _TIMELY, TIMELY_DEFAULT)):
        if m := pattern.search(clause):
            notes = ()
            if default:
                notes = ("未写明具体时限，按《政府信息公开条例》第二十六条默认20个工作日",)
            if kind == "phased":
                notes = ("按项目阶段公开：项目进行期间按最大更新间隔核对（未写明间隔，用目录默认值）",)
            return Cadence(kind, raw, within=dict(default) if default else None, default=bool(default),
                           applies_to=_subject(clause[: m.start()]), notes=notes)
    if _RULE_WORDS.search(clause) and re.search(r"\d", clause):
        return Cadence("unparsed", raw, reason=f"无法理解“{clause}”，请人工确认")
    if re.search(r"定期", clause):
        return Cadence("unparsed", raw, reason="写了“定期”但没有写明周期（每月、每季度、每年……），请人工确认")
    return None


def _event(m: re.Match[str], clause: str, raw: str) -> Cadence:
    pre = m.group("pre")
    within = _span(m.group("n"), m.group("unit"))
    subject = None
    if (cut := re.search(r"(?:应当|应|须)?(?:自(?![然治主动])|从(?!事)|(?<!关|对|由|属|位|等|基)于|经(?![费济营])|在(?=收到|受理|作出|做出|批准|批复))", pre)) and cut.start() > 0:
        subject, pre = _subject(pre[: cut.start()]), pre[cut.end():]
    elif cut:
        pre = pre[cut.end():]
    event = re.sub(r"^(?:原则上|一般|其中|应当|应|须|经)|(?:之日起|之日|起|后|以后|之后|当日|日)$", "", pre)
    event = re.sub(r"(?:之日起|之日|起|后|以后|之后)$", "", event).strip(",、")
    trigger = next((name for name, pattern in _TRIGGERS if re.search(pattern, event)), "other")
    notes = ()
    if not m.group("inside") and not re.search(r"(起|后|之日)$", pre):
        # "公示7个工作日" was taken out already; a bare span with no 内 and no 起/后 is not a deadline
        return Cadence("unparsed", raw, reason=f"“{clause}”中的期限没有写明起算点或“内”，请人工确认")
    if not event:
        notes = ("未写明起算事件，按信息形成（成文）日期起算",)
    return Cadence("event", raw, within=within, trigger=trigger, event=event or None, applies_to=subject, notes=notes)


def _subject(prefix: str) -> str | None:
    """What a clause's rule covers, from the words before it (``财务收支情况应当`` → 财务收支情况)."""
    text = prefix
    for _ in range(3):
        text = _FILLER.sub("", text)
    text = re.sub(r"(每|按|逐)$", "", text).strip(",、")
    if not text or not _SUBJECT_END.search(text) or re.search(r"\d", text):
        return None
    return text


def _strip_period(word: str) -> str:
    word = word.removesuffix("度")
    return "季" if word.startswith("季") else word


def _span(n: str, unit: str) -> dict[str, Any]:
    unit = unit.removeprefix("个")
    return {"n": int(n), "unit": _UNIT_OF[unit]}
