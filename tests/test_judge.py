"""The timeliness judgement, rule by rule, at its boundaries. The clock is ``as_of``: frozen by construction."""

import pytest

from monitor.judge import horizon, judge
from monitor.judge_model import CONTENT_STATES, MONITOR_STATES, ColumnHistory, Policy
from monitor.periods import Period, Schedule, period_of
from monitor.rules import ItemLag, MaxGap, Periodic, Span, Standing
from monitor.workdays import Workdays
from tests.judge_facts import D, TWO_WEEKS, daily, history, item


# ------------------------------------------------------------------ monitor side


@pytest.mark.parametrize(
    "outcome, state",
    [("unreachable", "unreachable"), ("blocked", "blocked"), ("broken", "broken"), ("not_found", "broken")],
)
def test_monitor_failures_are_never_late(outcome, state):
    v = judge(TWO_WEEKS, history(item(D(2025, 1, 1)), outcome=outcome, detail="超时"), D(2026, 10, 27))
    assert (v.state, v.due, v.days_late, v.late_since) == (state, None, None, None)
    assert state in MONITOR_STATES
    assert "本次不作时效判断" in v.reason and "超时" in v.reason


def test_never_checked_column_is_unknown():
    v = judge(TWO_WEEKS, ColumnHistory((), (), None), D(2026, 10, 27))
    assert v.state == "unknown" and v.days_late is None


def test_failed_check_of_empty_column_is_not_blank():
    assert judge(Standing(), history(outcome="blocked"), D(2026, 10, 27)).state == "blocked"


# ------------------------------------------------------------------ blank, standing, undated, future


def test_column_that_never_had_items_is_blank():
    for rule in (TWO_WEEKS, Standing(), Periodic("month"), ItemLag(Span(20, "workday"))):
        v = judge(rule, history(), D(2026, 10, 27))
        assert v.state == "blank" and v.state in CONTENT_STATES and "空白栏目" in v.reason


def test_standing_column_with_items_is_on_time_even_without_dates():
    assert judge(Standing(), history(item(None)), D(2026, 10, 27)).state == "on_time"


def test_column_whose_items_all_lack_dates_counts_as_not_updated():
    # Their own pages were read and show no date either: the national rule applies.
    col = history(item(None, D(2026, 9, 1), read=True), item(None, D(2026, 9, 2), title="二", read=True))
    v = judge(TWO_WEEKS, col, D(2026, 10, 27))
    assert (v.state, v.days_late, v.late_since, v.newest) == ("late", None, None, None)
    assert "未标注发布日期" in v.reason and "按未更新计" in v.reason
    assert (v.evidence["undated"], v.evidence["undated_unread"]) == (2, 0)


@pytest.mark.parametrize("read", [(False, False), (True, False)])
def test_undated_column_whose_article_pages_were_not_read_is_broken_not_late(read):
    col = history(item(None, D(2026, 9, 1), read=read[0]), item(None, D(2026, 9, 2), title="二", read=read[1]))
    v = judge(TWO_WEEKS, col, D(2026, 10, 27))
    assert (v.state, v.due, v.days_late, v.late_since) == ("broken", None, None, None)
    assert v.state in MONITOR_STATES
    assert v.reason == "条目无发布日期，且详情页未能读取，本次不作时效判断"
    assert v.evidence["undated_unread"] == read.count(False)


def test_undated_items_are_ignored_for_freshness_and_counted():
    v = judge(TWO_WEEKS, history(item(D(2026, 10, 20)), item(None, D(2026, 10, 26))), D(2026, 10, 27))
    assert v.state == "on_time" and v.newest.published == D(2026, 10, 20)
    assert v.evidence["undated"] == 1


def test_future_dated_item_counts_from_its_first_sighting_and_is_listed():
    # Seen on Oct 20 although it claims Dec 1: the column was updated on Oct 20 (due Nov 3), not late.
    v = judge(TWO_WEEKS, history(item(D(2026, 10, 1)), item(D(2026, 12, 1), D(2026, 10, 20))), D(2026, 10, 27))
    assert (v.state, v.due, v.days_late) == ("on_time", D(2026, 11, 3), None)
    assert v.newest.published == D(2026, 12, 1) and v.evidence["newest"]["effective"] == "2026-10-20"
    assert "日期有误" in v.reason and "按首次发现日2026-10-20计" in v.reason
    assert [f["published"] for f in v.evidence["future_dated"]] == ["2026-12-01"]


def test_column_with_only_future_dated_items_counts_from_first_sighting():
    v = judge(TWO_WEEKS, history(item(D(2026, 12, 1), D(2026, 10, 20))), D(2026, 11, 4))
    assert (v.state, v.due, v.days_late, v.late_since) == ("late", D(2026, 11, 3), 1, D(2026, 11, 4))
    assert "日期有误" in v.reason


def test_future_dated_item_counts_from_its_claimed_date_once_that_date_has_come():
    v = judge(TWO_WEEKS, history(item(D(2026, 12, 1), D(2026, 10, 20))), D(2026, 12, 5))
    assert (v.state, v.due, v.evidence["future_dated"]) == ("on_time", D(2026, 12, 15), [])

def test_items_first_seen_after_as_of_are_not_known_yet():
    v = judge(TWO_WEEKS, history(item(D(2026, 10, 1)), item(D(2026, 10, 20), D(2026, 10, 30))), D(2026, 10, 27))
    assert (v.state, v.days_late) == ("late", 12)


# ------------------------------------------------------------------ MaxGap


def test_max_gap_days_last_on_time_day():
    v = judge(TWO_WEEKS, history(item(D(2026, 10, 1))), D(2026, 10, 15))
    assert (v.state, v.due, v.days_late) == ("due_soon", D(2026, 10, 15), None)  # due day: not late yet
    assert "今天到期" in v.reason


def test_max_gap_days_first_late_day():
    v = judge(TWO_WEEKS, history(item(D(2026, 10, 1))), D(2026, 10, 16))
    assert (v.state, v.due, v.days_late, v.late_since) == ("late", D(2026, 10, 15), 1, D(2026, 10, 16))


def test_max_gap_reason_names_newest_date_gap_and_delay():
    v = judge(TWO_WEEKS, history(item(D(2026, 10, 1))), D(2026, 10, 27))
    assert v.reason == "最新信息发布于2026-10-01，已超过最大更新间隔14天，逾期12天"
    assert v.evidence["newest"]["published"] == "2026-10-01" and not v.provisional


def test_max_gap_months_clamp_to_month_end():
    rule = MaxGap(Span(6, "month"))
    col = history(item(D(2026, 8, 31)))
    last_day = judge(rule, col, D(2027, 2, 28))
    assert (last_day.state, last_day.due, last_day.provisional) == ("due_soon", D(2027, 2, 28), False)
    late = judge(rule, col, D(2027, 3, 1))
    assert (late.state, late.days_late, late.late_since) == ("late", 1, D(2027, 3, 1))


@pytest.mark.parametrize("as_of, state", [(D(2026, 10, 11), "on_time"), (D(2026, 10, 12), "due_soon"),
                                          (D(2026, 10, 15), "due_soon"), (D(2026, 10, 16), "late")])
def test_max_gap_due_soon_window_is_warn_days_before_due(as_of, state):
    assert judge(TWO_WEEKS, history(item(D(2026, 10, 1))), as_of).state == state


def test_max_gap_in_working_days_of_unknown_year_is_provisional():
    v = judge(MaxGap(Span(1, "workday")), history(item(D(2027, 1, 8))), D(2027, 1, 12))  # Fri -> Mon
    assert (v.state, v.due, v.days_late, v.provisional) == ("late", D(2027, 1, 11), 1, True)
    assert v.reason.endswith("（2027年节假日安排未公布，按周一至周五（除元旦、劳动节、国庆）暂计）")
    assert "provisional_note" in v.evidence


# ------------------------------------------------------------------ Periodic

MONTHLY_15D = Periodic("month", due=Span(15, "day"))


def test_periodic_monthly_plus_15_days_last_on_time_day():
    v = judge(MONTHLY_15D, history(item(D(2026, 10, 10))), D(2026, 11, 15))
    assert (v.state, v.due) == ("due_soon", D(2026, 11, 15))  # October's report due Nov 15, not late yet


def test_periodic_monthly_plus_15_days_first_late_day():
    v = judge(MONTHLY_15D, history(item(D(2026, 10, 10))), D(2026, 11, 16))
    assert (v.state, v.due, v.days_late, v.late_since) == ("late", D(2026, 11, 15), 1, D(2026, 11, 16))
    assert "2026年10月" in v.reason


def test_periodic_item_in_window_is_on_time_with_next_due():
    v = judge(MONTHLY_15D, history(item(D(2026, 10, 10)), item(D(2026, 11, 14))), D(2026, 11, 16))
    assert (v.state, v.due) == ("on_time", D(2026, 12, 15))
    assert "late_fix" not in v.evidence


def test_periodic_late_fix_is_on_time_and_noted():
    v = judge(MONTHLY_15D, history(item(D(2026, 10, 10)), item(D(2026, 11, 20))), D(2026, 11, 25))
    assert v.state == "on_time"
    assert v.evidence["late_fix"]["period"] == "2026年10月" and "逾期后补发" in v.reason


def test_periodic_lateness_runs_from_first_missed_deadline():
    v = judge(MONTHLY_15D, history(item(D(2026, 7, 10)), item(D(2026, 8, 10))), D(2026, 12, 20))
    assert (v.due, v.days_late, v.late_since) == (D(2026, 9, 15), 96, D(2026, 9, 16))  # August's report
    assert v.evidence["missed_periods"] == ["2026年8月", "2026年9月", "2026年10月", "2026年11月"]
    assert "2026年8月至2026年11月" in v.reason


def test_periodic_missed_periods_skip_those_before_the_oldest_item():
    # The only item (Sep 10) fills August's window; July's window (Aug 1-15) predates it: not blamed.
    v = judge(MONTHLY_15D, history(item(D(2026, 9, 10))), D(2026, 11, 20))
    assert v.evidence["missed_periods"] == ["2026年9月", "2026年10月"]


def test_periodic_quarterly_plus_15_workdays_counts_national_day_and_make_up_saturday():
    rule = Periodic("quarter", due=Span(15, "workday"))  # Q3 2026: Oct 1-7 off, Sat Oct 10 worked -> Oct 27
    col = history(item(D(2026, 7, 10)))
    last_day = judge(rule, col, D(2026, 10, 27))
    assert (last_day.state, last_day.due, last_day.provisional) == ("due_soon", D(2026, 10, 27), False)
    late = judge(rule, col, D(2026, 10, 28))
    assert (late.state, late.due, late.days_late, late.late_since) == ("late", D(2026, 10, 27), 1, D(2026, 10, 28))
    assert "2026年第3季度" in late.reason


def test_periodic_quarterly_due_in_unknown_year_is_provisional():
    rule = Periodic("quarter", due=Span(15, "workday"))  # Q4 2026 is due in January 2027
    v = judge(rule, history(item(D(2026, 10, 20))), D(2026, 12, 1))
    assert (v.state, v.due, v.provisional) == ("on_time", D(2027, 1, 22), True)  # Fri Jan 1 (元旦) is no working day
    assert "2027年节假日安排未公布" in v.reason


def test_periodic_half_year_within_period():
    rule = Periodic("half_year")
    col = history(item(D(2025, 12, 1)))
    last_day = judge(rule, col, D(2026, 6, 30))
    assert (last_day.state, last_day.due) == ("due_soon", D(2026, 6, 30))
    late = judge(rule, col, D(2026, 7, 1))
    assert (late.state, late.due, late.days_late, late.late_since) == ("late", D(2026, 6, 30), 1, D(2026, 7, 1))
    assert "2026年上半年" in late.reason


def test_periodic_yearly_report_due_january_31():
    rule = Periodic("year", due_date=(1, 31))
    col = history(item(D(2025, 1, 20), title="2024年年度报告"))
    last_day = judge(rule, col, D(2026, 1, 31))
    assert (last_day.state, last_day.due) == ("due_soon", D(2026, 1, 31))
    late = judge(rule, col, D(2026, 2, 1))
    assert (late.state, late.due, late.days_late, late.late_since) == ("late", D(2026, 1, 31), 1, D(2026, 2, 1))
    assert "2025年的信息" in late.reason


def test_periodic_yearly_report_published_in_time_points_to_next_year():
    rule = Periodic("year", due_date=(1, 31))
    v = judge(rule, history(item(D(2025, 1, 20)), item(D(2026, 1, 25))), D(2026, 2, 1))
    assert (v.state, v.due) == ("on_time", D(2027, 1, 31))


def test_periodic_monthly_within_period_boundaries():
    rule = Periodic("month")
    col = history(item(D(2026, 9, 15)))
    last_day = judge(rule, col, D(2026, 10, 31))
    assert (last_day.state, last_day.due) == ("due_soon", D(2026, 10, 31)) and "今天到期" in last_day.reason
    late = judge(rule, col, D(2026, 11, 1))
    assert (late.state, late.due, late.days_late, late.late_since) == ("late", D(2026, 10, 31), 1, D(2026, 11, 1))


@pytest.mark.parametrize(
    "period, due, expected",
    [
        (Period("month", 2026, 2), Span(1, "month"), D(2026, 3, 31)),  # not Mar 28
        (Period("month", 2026, 4), Span(1, "month"), D(2026, 5, 31)),  # not May 30
        (Period("month", 2026, 1), Span(1, "month"), D(2026, 2, 28)),
        (Period("month", 2028, 1), Span(1, "month"), D(2028, 2, 29)),
        (Period("month", 2026, 2), Span(2, "month"), D(2026, 4, 30)),  # not Apr 28
        (Period("quarter", 2026, 2), Span(1, "month"), D(2026, 7, 31)),  # not Jul 30
        (Period("half_year", 2026, 1), Span(3, "month"), D(2026, 9, 30)),
        (Period("month", 2027, 2), Span(1, "year"), D(2028, 2, 29)),  # not Feb 28
        (Period("month", 2026, 2), Span(15, "day"), D(2026, 3, 15)),  # days still count from the last day
        (Period("month", 2026, 2), Span(2, "week"), D(2026, 3, 14)),
    ],
)
def test_periodic_due_in_months_counts_whole_months_after_the_period(period, due, expected):
    assert Schedule(Periodic(period.kind, due=due), Workdays()).due(period) == (expected, False)


def test_periodic_one_month_after_february_is_not_late_on_march_29():
    rule = Periodic("month", due=Span(1, "month"))
    v = judge(rule, history(item(D(2026, 2, 10))), D(2026, 3, 29))  # January's item; February's due Mar 31
    assert (v.state, v.due, v.days_late) == ("due_soon", D(2026, 3, 31), None)


def test_periodic_due_soon_only_while_next_period_is_missing():
    rule = Periodic("month")
    assert judge(rule, history(item(D(2026, 9, 15))), D(2026, 10, 27)).state == "on_time"  # 4 days left
    assert judge(rule, history(item(D(2026, 9, 15))), D(2026, 10, 28)).state == "due_soon"  # 3 days left
    done = judge(rule, history(item(D(2026, 9, 15)), item(D(2026, 10, 5))), D(2026, 10, 28))
    assert (done.state, done.due) == ("on_time", D(2026, 10, 31))


# ------------------------------------------------------------------ ItemLag

ART26 = ItemLag(Span(20, "workday"))


def test_item_lag_20_workdays_across_spring_festival_last_on_time_day():
    v = judge(ART26, history(item(D(2026, 3, 12), written=D(2026, 2, 6))), D(2026, 3, 20))
    assert (v.state, v.due, v.days_late, v.provisional) == ("on_time", None, None, False)


def test_item_lag_20_workdays_across_spring_festival_first_late_day():
    v = judge(ART26, history(item(D(2026, 3, 13), written=D(2026, 2, 6), title="政策文件")), D(2026, 3, 20))
    assert (v.state, v.due, v.days_late, v.late_since) == ("late", D(2026, 3, 12), 1, D(2026, 3, 13))
    assert "《政策文件》" in v.reason and v.evidence["late_items"][0]["deadline"] == "2026-03-12"


def test_item_lag_counts_make_up_saturday():
    # 20 working days after Sep 30 2026 end on Nov 3 because Sat Oct 10 is worked (else Nov 4).
    assert judge(ART26, history(item(D(2026, 11, 3), written=D(2026, 9, 30))), D(2026, 11, 10)).state == "on_time"
    late = judge(ART26, history(item(D(2026, 11, 4), written=D(2026, 9, 30))), D(2026, 11, 10))
    assert (late.state, late.days_late) == ("late", 1)


def test_item_lag_in_unknown_year_is_provisional():
    v = judge(ART26, history(item(D(2027, 2, 2), written=D(2027, 1, 4))), D(2027, 2, 10))
    assert (v.state, v.due, v.days_late, v.provisional) == ("late", D(2027, 2, 1), 1, True)
    assert v.reason.endswith("（2027年节假日安排未公布，按周一至周五（除元旦、劳动节、国庆）暂计）")


def test_item_lag_honours_overrides_in_unknown_year():
    policy = Policy(workdays=Workdays({D(2027, 1, 15): False}))  # one more day off pushes Feb 1 to Feb 2
    v = judge(ART26, history(item(D(2027, 2, 2), written=D(2027, 1, 4))), D(2027, 2, 10), policy)
    assert (v.state, v.provisional) == ("on_time", True)


def test_item_lag_reports_worst_delay_and_earliest_missed_deadline():
    col = history(
        item(D(2026, 3, 14), written=D(2026, 2, 6), title="甲"),  # due Mar 12, 2 days late
        item(D(2026, 3, 25), written=D(2026, 2, 13), title="乙"),  # due Mar 19 (Sat Feb 14, 28 worked), 6 days late
    )
    v = judge(ART26, col, D(2026, 3, 31))
    assert (v.due, v.days_late, v.late_since) == (D(2026, 3, 12), 6, D(2026, 3, 13))
    assert "《乙》" in v.reason and len(v.evidence["late_items"]) == 2


def test_item_lag_counts_items_without_written_date():
    v = judge(ART26, history(item(D(2026, 3, 10)), item(D(2026, 3, 11), written=D(2026, 3, 2))), D(2026, 3, 20))
    assert (v.state, v.evidence["no_written_date"], v.evidence["judged"]) == ("on_time", 1, 1)


def test_item_lag_with_nothing_new_in_lookback_is_on_time():
    v = judge(ART26, history(item(D(2026, 1, 5), written=D(2025, 10, 1))), D(2026, 3, 20))
    assert (v.state, v.due) == ("on_time", None) and "未发布新信息" in v.reason


def test_item_lag_backdated_item_is_judged_on_its_effective_date():
    col = history(item(D(2026, 2, 1)), item(D(2026, 3, 10), D(2026, 3, 20), written=D(2026, 2, 6), title="倒签"),
                  ok_days=daily(D(2026, 2, 1), D(2026, 3, 19)), depth=D(2026, 2, 1))
    v = judge(ART26, col, D(2026, 3, 20))  # claims Mar 10 (on time) but was absent on Mar 19: counts from Mar 19
    assert (v.state, v.days_late) == ("late", 7) and "疑似倒签" in v.reason


# ------------------------------------------------------------------ horizon, evidence, periods


def test_horizon_per_rule():
    as_of = D(2026, 11, 20)
    assert horizon(TWO_WEEKS, as_of) is None and horizon(Standing(), as_of) is None
    assert horizon(ART26, as_of) == D(2026, 10, 21)
    assert horizon(MONTHLY_15D, as_of) == D(2026, 9, 1)  # L = October, one period more
    assert horizon(Periodic("year", due_date=(1, 31)), D(2026, 3, 1)) == D(2024, 1, 1)


def test_period_labels_bounds_and_neighbours():
    q = period_of(D(2026, 8, 15), "quarter")
    assert (q.label, q.start, q.end) == ("2026年第3季度", D(2026, 7, 1), D(2026, 9, 30))
    assert period_of(D(2026, 12, 31), "month").next() == Period("month", 2027, 1)
    assert Period("half_year", 2026, 1).prev().label == "2025年下半年"
    assert (Period("month", 2028, 2).end, Period("year", 2026, 1).label) == (D(2028, 2, 29), "2026年")
