"""Judging the rule kinds that 公开时限 wording adds: minimum rate, phased, compound."""

from datetime import timedelta

from judge_facts import D, history, item
from monitor.judge import horizon, judge
from monitor.rules import Compound, ItemLag, MaxGap, MinRate, Part, Periodic, Phased, Span

EVERY_WORKDAY = MinRate(1, "workday")


def test_min_rate_met_on_the_last_working_day():
    # 2026-11-27 is a Friday; judged on Monday 2026-11-30 the last working day is that Friday
    v = judge(EVERY_WORKDAY, history(item(D(2026, 11, 27))), D(2026, 11, 30))
    assert v.state == "on_time"
    assert v.evidence["rate_span"] == ["2026-11-27", "2026-11-27"] and v.evidence["rate_count"] == 1


def test_min_rate_missed_is_late_from_the_end_of_that_day():
    v = judge(EVERY_WORKDAY, history(item(D(2026, 11, 26))), D(2026, 11, 30))
    assert v.state == "late" and v.due == D(2026, 11, 27) and v.days_late == 3
    assert "仅发布0条" in v.reason and "每个工作日至少更新1条" in v.reason


def test_min_rate_skips_holidays_and_counts_make_up_saturdays():
    # 2026-10-01..07 is the National Day holiday: on 2026-10-08 the last working day is 2026-09-30
    v = judge(EVERY_WORKDAY, history(item(D(2026, 9, 30))), D(2026, 10, 8))
    assert v.state == "on_time" and v.evidence["rate_span"][0] == "2026-09-30"
    # Saturday 2026-10-10 is a make-up working day (调休): on Monday 2026-10-12 it is the day counted
    v = judge(EVERY_WORKDAY, history(item(D(2026, 10, 9))), D(2026, 10, 12))
    assert v.state == "late" and v.due == D(2026, 10, 10)


def test_min_rate_per_week_counts_the_last_full_week():
    rule = MinRate(2, "week")
    week = [item(D(2026, 11, 16), title="a"), item(D(2026, 11, 22), title="b")]  # Monday and Sunday
    assert judge(rule, history(*week), D(2026, 11, 25)).state == "on_time"
    v = judge(rule, history(week[0]), D(2026, 11, 25))
    assert v.state == "late" and v.due == D(2026, 11, 22)


def test_min_rate_horizon_reaches_the_counted_span():
    assert horizon(MinRate(1, "month"), D(2026, 11, 28)) == D(2026, 10, 1)
    assert horizon(MinRate(1, "week"), D(2026, 11, 25)) == D(2026, 11, 16)


def test_phased_is_a_gap_while_the_project_runs():
    rule = Phased(Span(3, "month"), until=D(2027, 6, 30))
    h = history(item(D(2026, 7, 1)))
    assert judge(rule, h, D(2026, 9, 15)).state == "on_time"
    late = judge(rule, h, D(2026, 11, 28))
    assert late.state == "late" and late.due == D(2026, 10, 1)


def test_phased_after_the_project_ends_is_standing():
    rule = Phased(Span(3, "month"), until=D(2026, 8, 31))
    v = judge(rule, history(item(D(2026, 7, 1))), D(2026, 11, 28))
    assert v.state == "on_time" and "项目已于2026-08-31结束" in v.reason


LICENCE = Part(ItemLag(Span(7, "workday")), "行政许可、行政处罚事项", ("行政许可", "行政处罚"))
GENERAL = Part(ItemLag(Span(20, "workday")))
PERMITS = Compound((GENERAL, LICENCE))


def test_compound_judges_each_sub_type_on_its_own_items():
    # a licence decision published 10 working days after it was written: late under 7, fine under 20
    written = D(2026, 11, 2)
    licence = item(D(2026, 11, 16), written=written, title="关于某公司行政许可决定的公示")
    notice = item(D(2026, 11, 16), written=written, title="关于开展安全检查的通知")
    on_time = judge(PERMITS, history(notice), D(2026, 11, 20))
    assert on_time.state == "on_time"
    late = judge(PERMITS, history(notice, licence), D(2026, 11, 20))
    assert late.state == "late" and late.reason.startswith("行政许可、行政处罚事项：")
    assert [p["state"] for p in late.evidence["parts"]] == ["on_time", "late"]


def test_compound_part_with_no_items_of_its_kind_is_not_judged():
    monthly_finance = Part(Periodic("month"), "财务收支情况", ("财务收支",))
    rule = Compound((Part(Periodic("quarter")), monthly_finance))
    v = judge(rule, history(item(D(2026, 11, 2), title="村务公开：第三季度工作")), D(2026, 11, 28))
    assert v.state == "on_time"
    assert "未发现财务收支情况类信息，该项不核对" in v.reason
    assert [p["judged"] for p in v.evidence["parts"]] == [True, False]


def test_compound_of_a_blank_column_is_blank():
    assert judge(PERMITS, history(), D(2026, 11, 20)).state == "blank"


def test_compound_monitor_failure_is_never_late():
    v = judge(PERMITS, history(item(D(2025, 1, 1)), outcome="unreachable"), D(2026, 11, 20))
    assert v.state == "unreachable"


def test_compound_horizon_is_the_deepest_part():
    rule = Compound((Part(MaxGap(Span(14, "day"))), Part(ItemLag(Span(7, "workday"), lookback_days=45), "x", ("x",))))
    assert horizon(rule, D(2026, 11, 28)) == D(2026, 11, 28) - timedelta(days=45)


def test_compound_evidence_describes_the_whole_column():
    """The inspection reads a column's newest item from its verdict: a compound's is the column's, not the worst part's."""
    old_licence = item(D(2025, 1, 20), written=D(2025, 1, 2), title="行政许可决定公示")
    fresh = item(D(2026, 11, 25), written=D(2026, 11, 20), title="工作动态")
    v = judge(Compound((Part(MaxGap(Span(14, "day"))), Part(MaxGap(Span(30, "day")), "行政许可", ("行政许可",)))),
              history(old_licence, fresh), D(2026, 11, 28))
    assert v.state == "late" and v.evidence["newest"]["published"] == "2026-11-25" and v.evidence["items"] == 2
