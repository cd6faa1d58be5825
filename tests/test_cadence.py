"""The 公开时限 parser: every kind and phrase shape, the wording of ../shared/DOMAIN.md, and the CLI."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from monitor.cadence import KINDS, normalise, parse_cadence
from monitor.cadence_rules import CadenceError, Defaults, keywords_of, rule_from_cadence
from monitor.rules import Compound, ItemLag, MaxGap, MinRate, Periodic, Phased, Span, Standing

REPO = Path(__file__).resolve().parents[1]
WD20 = {"n": 20, "unit": "workday"}


def parsed(text):
    c = parse_cadence(text)
    assert c.raw == text
    return c


# ---------------------------------------------------------------- the wording of DOMAIN.md, one by one


@pytest.mark.parametrize("text, trigger, within", [
    ("信息形成或者变更之日起20个工作日内", "formed_or_changed", WD20),
    ("自信息形成或者变更之日起20个工作日内予以公开", "formed_or_changed", WD20),
    ("信息形成或者变\n更之日起20个\n工作日内", "formed_or_changed", WD20),
    ("信息形成或变更之日起3个工作日内", "formed_or_changed", {"n": 3, "unit": "workday"}),
    ("制定或获取信息之日起10个工作日内", "formed_or_changed", {"n": 10, "unit": "workday"}),
    ("本级人民代表大会或其常务委员会批准后20日内", "approval", {"n": 20, "unit": "day"}),
    ("部门预算经本级财政部门批复后20日内公开", "approval", {"n": 20, "unit": "day"}),
    ("自抽查结束之日起20个工作日内", "spot_check_end", WD20),
    ("自决定做出起7个工作日", "decision", {"n": 7, "unit": "workday"}),
])
def test_event_deadlines_of_the_domain(text, trigger, within):
    c = parsed(text)
    assert (c.kind, c.trigger, c.within) == ("event", trigger, within)


def test_approval_deadline_is_in_calendar_days_and_names_the_budget():
    c = parsed("部门预算经本级财政部门批复后20日内公开")
    assert c.applies_to == "部门预算" and c.event == "本级财政部门批复"
    assert rule_from_cadence(c) == ItemLag(Span(20, "day"), 30, "approval")


@pytest.mark.parametrize("text, kind", [("按年公开", "periodic"), ("实时公开", "immediate"), ("及时公开", "timely"),
                                        ("即时公开", "immediate"), ("随时", "immediate")])
def test_wording_without_a_number(text, kind):
    c = parsed(text)
    assert c.kind == kind
    if kind == "periodic":
        assert c.period == "year" and c.due is None
    else:  # the 20-working-day default, and the rule says it is a default
        assert c.within == WD20 and c.default is True and "默认20个工作日" in c.notes[0]
        rule = rule_from_cadence(c)
        assert rule == ItemLag(Span(20, "workday"), 30, "formed_or_changed", assumed=True)
        assert "未写明时限" in rule.words()


def test_timely_default_comes_from_the_catalog_settings():
    rule = rule_from_cadence(parse_cadence("及时公开"), Defaults(timely_workdays=10))
    assert rule.within == Span(10, "workday") and rule.assumed


def test_compound_general_rule_and_a_sub_type():
    c = parsed("信息形成20个工作日内公开；其中行政许可、行政处罚事项应自作出行政决定之日起7个工作日内公示")
    assert c.kind == "compound"
    general, sub = c.parts
    assert (general.kind, general.within, general.applies_to) == ("event", WD20, None)
    assert (sub.kind, sub.within, sub.trigger) == ("event", {"n": 7, "unit": "workday"}, "decision")
    assert sub.applies_to == "行政许可、行政处罚事项"
    assert sub.display_window is None  # 7个工作日内公示 is a deadline, not a display window
    rule = rule_from_cadence(c)
    assert isinstance(rule, Compound)
    assert rule.parts[0].keywords == () and rule.parts[1].keywords == ("行政许可", "行政处罚")


def test_compound_of_three_cadences():
    c = parsed("一般事项至少每季度公布一次；财务收支情况应当每月公布一次；重大事项应当随时公布")
    assert [(p.kind, p.period, p.applies_to) for p in c.parts] == [
        ("periodic", "quarter", None), ("periodic", "month", "财务收支情况"), ("immediate", None, "重大事项")]


def test_alternatives_listed_together_are_not_guessed():
    c = parsed("固定公开(一年一公开)／定期公开(一季度一公开)／即时公开")
    assert c.kind == "unparsed" and "并列" in c.reason


@pytest.mark.parametrize("text, period", [("固定公开(一年一公开)", "year"), ("定期公开（一季度一公开）", "quarter")])
def test_a_bracketed_frequency_refines_the_class(text, period):
    c = parsed(text)
    assert (c.kind, c.period) == ("periodic", period)


def test_fixed_annual_date():
    c = parsed("每年1月31日前")
    assert (c.kind, c.month, c.day) == ("annual", 1, 31)
    assert rule_from_cadence(c) == Periodic("year", None, (1, 31))


def test_annual_date_at_month_end_and_with_a_subject():
    c = parsed("年度报告于每年3月底前公开")
    assert (c.kind, c.month, c.day, c.applies_to) == ("annual", 3, 31, "年度报告")


def test_max_gap():
    c = parsed("最大更新间隔不得超过6个月")
    assert (c.kind, c.within) == ("max_gap", {"n": 6, "unit": "month"})
    assert rule_from_cadence(c) == MaxGap(Span(6, "month"))


def test_min_rate():
    c = parsed("每个工作日更新1条以上")
    assert (c.kind, c.count, c.per) == ("min_rate", 1, "workday")
    assert rule_from_cadence(c) == MinRate(1, "workday")
    assert (parse_cadence("每周至少更新2条").count, parse_cadence("每周至少更新2条").per) == (2, "week")
    assert parse_cadence("每月不少于三条").to_json()["count"] == 3


def test_retention_alone_is_standing_and_kept_apart():
    c = parsed("公开满5年后撤下")
    assert c.kind == "standing" and c.retention == {"n": 5, "unit": "year"}
    assert "撤下的信息不算缺失" in c.notes[0]


def test_retention_next_to_a_deadline():
    c = parsed("信息形成之日起20个工作日内公开，公开满五年后撤下")
    assert (c.kind, c.within, c.retention) == ("event", WD20, {"n": 5, "unit": "year"})


def test_same_as_above():
    assert parsed("同上").kind == "same_as_above"
    assert parse_cadence(" 同 上。").kind == "same_as_above"
    above = MaxGap(Span(2, "week"))
    assert rule_from_cadence(parse_cadence("同上"), above=above) is above
    with pytest.raises(CadenceError):
        rule_from_cadence(parse_cadence("同上"))


# ---------------------------------------------------------------- other phrase shapes


@pytest.mark.parametrize("text, period, due", [
    ("每季度结束后15日内", "quarter", {"after_end": {"n": 15, "unit": "day"}}),
    ("每月10日前公开上月", "month", {"day_of_month": 10}),
    ("次月10日前", "month", {"day_of_month": 10}),
    ("年度结束后3个月内", "year", {"after_end": {"n": 3, "unit": "month"}}),
    ("每半年", "half_year", None),
    ("每季度", "quarter", None),
    ("按月公开", "month", None),
    ("季度公开", "quarter", None),
    ("每年公布一次", "year", None),
])
def test_periodic(text, period, due):
    c = parsed(text)
    assert (c.kind, c.period, c.due) == ("periodic", period, due)


def test_periodic_due_becomes_an_offset_after_the_period():
    assert rule_from_cadence(parse_cadence("每月10日前公开上月")) == Periodic("month", Span(10, "day"))
    assert rule_from_cadence(parse_cadence("每季度结束后15日内")) == Periodic("quarter", Span(15, "day"))


@pytest.mark.parametrize("text", ["长期", "长期公开", "常年公开", "固定公开"])
def test_standing(text):
    c = parsed(text)
    assert c.kind == "standing"
    assert rule_from_cadence(c) == Standing()


@pytest.mark.parametrize("text", ["逐段公开", "阶段性公开", "按项目进度公开"])
def test_phased_is_a_gap_with_the_catalog_default(text):
    c = parsed(text)
    assert c.kind == "phased"
    rule = rule_from_cadence(c, Defaults(phased_gap=Span(2, "month")))
    assert rule == Phased(Span(2, "month"), None, assumed=True) and "默认值" in rule.words()


def test_display_window_is_kept_apart_from_the_deadline():
    c = parsed("信息形成后7个工作日内公开，公示7个工作日")
    assert c.within == {"n": 7, "unit": "workday"}
    assert c.display_window == {"n": 7, "unit": "workday"}
    only = parsed("公示期不少于5个工作日")
    assert only.kind == "unparsed" and only.display_window == {"n": 5, "unit": "workday"}
    assert "公示期不是公开期限" in only.reason


@pytest.mark.parametrize("text, n, unit", [
    ("信息形成之日起二十日内", 20, "day"),
    ("自信息形成之日起五个工作日以内", 5, "workday"),
    ("信息形成之日起２０个工作日之内", 20, "workday"),
    ("信息形成之日起十五个工作日内", 15, "workday"),
    ("信息形成或者变更之日起20个工做日内", 20, "workday"),  # a typo
    ("信息形成或者变更之日起20 个工作曰內", 20, "workday"),  # typos, a stray space, a traditional 內
    ("信息形成之日起  20  个工作日内公开", 20, "workday"),
    ("自信息形成之日起一个月内", 1, "month"),
    ("信息形成之日起2周内", 2, "week"),
])
def test_numerals_digits_and_typos(text, n, unit):
    c = parsed(text)
    assert (c.kind, c.within) == ("event", {"n": n, "unit": unit})


def test_normalise():
    assert normalise("二十个工作日  之内") == "20个工作日内"
    assert normalise("一百零五日") == "105日"
    assert normalise("一般事项") == "一般事项"  # 一 of 一般 is not a number


@pytest.mark.parametrize("text", ["依法公开", "定期公开", "按规定时限公开", "", "  ", "公开", "每20条",
                                  "信息形成或者变更之日起20个工作日内；另有规定的10个工作日内"])
def test_wording_it_cannot_read_is_flagged_never_guessed(text):
    c = parse_cadence(text)
    assert c.kind == "unparsed"
    assert "请人工确认" in c.reason or "空白" in c.reason
    with pytest.raises(CadenceError):
        rule_from_cadence(c)


def test_event_without_a_named_trigger_says_so():
    c = parsed("20个工作日内")
    assert (c.kind, c.trigger) == ("event", "other") and "按信息形成（成文）日期起算" in c.notes[0]


@pytest.mark.parametrize("text, applies_to, keywords", [
    ("部门决算批复后20日内；其中三公经费决算信息自批复之日起10个工作日内", "三公经费决算信息", ("三公经费决算",)),
    ("信息形成之日起20个工作日内；其中关于价格的信息自批准之日起5个工作日内", "关于价格的信息", ("价格",)),
])
def test_words_like_jingfei_and_guanyu_do_not_cut_the_sub_type(text, applies_to, keywords):
    c = parsed(text)
    assert c.kind == "compound" and c.parts[1].applies_to == applies_to and c.parts[1].trigger == "approval"
    assert rule_from_cadence(c).parts[1].keywords == keywords


@pytest.mark.parametrize("text, month, day", [("每年6月底前", 6, 30), ("每年2月底前", 2, 28), ("每年12月底前", 12, 31)])
def test_month_end_is_the_months_last_day(text, month, day):
    c = parsed(text)
    assert (c.kind, c.month, c.day) == ("annual", month, day)


@pytest.mark.parametrize("text", ["半年一次", "半年一公开", "每半年公布一次"])
def test_half_yearly_shapes(text):
    assert (parsed(text).kind, parsed(text).period) == ("periodic", "half_year")


@pytest.mark.parametrize("text", ["随项目进度", "根据工作进展", "按照项目进度公开"])
def test_more_phased_shapes(text):
    assert parsed(text).kind == "phased"


def test_a_reply_deadline_on_request_is_not_a_publication_rule():
    c = parsed("收到申请之日起20个工作日内答复")
    assert c.kind == "unparsed" and "依申请公开" in c.reason


def test_a_sub_rule_after_qizhong_that_cannot_be_read_is_not_dropped():
    c = parsed("信息形成之日起20个工作日内；其中，政策解读材料与政策文件同步公开")
    assert c.kind == "unparsed" and "“政策解读材料与政策文件同步公开”" in c.reason


def test_keywords_of_a_sub_type():
    assert keywords_of("行政许可、行政处罚事项") == ("行政许可", "行政处罚")
    assert keywords_of("财务收支情况") == ("财务收支",)
    assert keywords_of(None) == ()


def test_json_has_the_documented_fields():
    kinds = set()
    for text in ("信息形成或者变更之日起20个工作日内", "每季度结束后15日内", "每年1月31日前", "最大更新间隔不得超过6个月",
                 "每个工作日更新1条以上", "长期", "逐段公开", "实时公开", "及时公开", "同上", "依法公开",
                 "信息形成20个工作日内公开；其中行政许可、行政处罚事项应自作出行政决定之日起7个工作日内公示"):
        data = parse_cadence(text).to_json()
        json.dumps(data, ensure_ascii=False)
        assert data["raw"] == text and data["kind"] in KINDS
        kinds.add(data["kind"])
        if data["kind"] in ("event", "max_gap", "timely", "immediate"):
            assert set(data["within"]) == {"n", "unit"}
        if data["kind"] == "compound":
            assert [p.get("applies_to") for p in data["parts"]] == [None, "行政许可、行政处罚事项"]
    assert kinds == set(KINDS)


# ---------------------------------------------------------------- the command


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "monitor", "cadence", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=60)


def test_cli_prints_one_json_object_and_exits_0():
    done = run_cli("每季度结束后15日内")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["kind"] == "periodic" and data["period"] == "quarter"
    assert data["due"] == {"after_end": {"n": 15, "unit": "day"}}
    assert data["words"] == "每季度公开，期满后15天内"


def test_cli_exits_3_on_wording_it_cannot_read():
    done = run_cli("依法公开")
    assert done.returncode == 3
    assert json.loads(done.stdout) == {"kind": "unparsed", "raw": "依法公开", "reason": "未找到可识别的公开时限表述，请人工确认"}


def test_cli_reads_standard_input():
    done = subprocess.run([sys.executable, "-m", "monitor", "cadence", "-"], cwd=REPO, input="信息形成之日起\n二十个工作日内\n",
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and json.loads(done.stdout)["within"] == WD20


@pytest.mark.parametrize("text, why", [
    ("依法公开/每月", "“依法公开”无法识别"), ("每月或依申请公开", "“依申请公开”无法识别"),
    ("1-2个工作日内", "是一个区间"), ("0个工作日内", "期限为0"),
    ("项目批准后7日内，实施过程中逐段公开", "几条时限都没有写明适用的事项"),
])
def test_wording_that_would_need_a_guess_is_refused(text, why):
    c = parse_cadence(text)
    assert c.kind == "unparsed" and why in c.reason


def test_a_comma_clause_with_only_a_display_window_or_retention_is_kept_apart():
    assert parse_cadence("每年1月31日前，公开满5年后撤下").retention == {"n": 5, "unit": "year"}
    assert parse_cadence("原则上20个工作日内").within == WD20
