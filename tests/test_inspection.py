"""The national inspection verdict per unit (monitor.inspection, pure) and its figures."""

from datetime import date, timedelta

import pytest

from monitor.inspection import ColumnStanding, ProbeDay, inspect_unit
from monitor.rules import Span

AS_OF = date(2026, 11, 28)


def col(cid, type_="其他", state="on_time", newest=AS_OF - timedelta(days=3), items=10, undated=0, backdated=()):
    return ColumnStanding(cid, f"栏目{cid}", type_, state, newest, items, undated, tuple(backdated),
                          f"http://example.gov.cn/{cid}/")


def week(total=20, failed=0, blocked=0, days=7):
    return [ProbeDay(AS_OF - timedelta(days=k), total, failed, blocked) for k in range(1, days + 1)]


HEALTHY = [col("gzdt", "动态要闻"), col("tzgg", "通知公告"), col("zcwj", "政策文件"), col("home", "首页")]


def indicator(inspection, key):
    return next(i for i in inspection.indicators if i.key == key)


def test_a_healthy_unit_passes():
    v = inspect_unit("u", HEALTHY, week(), AS_OF)
    assert v.result == "pass" and v.words() == "合格"
    assert [i.state for i in v.indicators] == ["pass", "pass", "pass", "pass", "not_monitored"]


def test_availability_fails_at_five_percent():
    probes = week()  # 140 probes
    probes[0] = ProbeDay(probes[0].day, 20, 7)  # 7 / 140 = 5.0 %
    v = inspect_unit("u", HEALTHY, probes, AS_OF)
    a = indicator(v, "availability")
    assert a.state == "fail" and a.figures["failed"] == 7 and a.figures["probes"] == 140
    assert "5.0%" in a.summary and v.result == "fail" and v.words() == "不合格（网站可用性）"
    probes[0] = ProbeDay(probes[0].day, 20, 6)  # 4.3 %
    assert indicator(inspect_unit("u", HEALTHY, probes, AS_OF), "availability").state == "pass"


def test_availability_needs_twenty_probes_every_day_of_the_week_before():
    probes = week()
    probes[3] = ProbeDay(probes[3].day, 19, 0)
    v = inspect_unit("u", HEALTHY, probes, AS_OF)
    a = indicator(v, "availability")
    assert a.state == "unknown" and a.figures["short_days"] == [probes[3].day.isoformat()]
    assert v.result == "incomplete" and v.words() == "暂无法判定（网站可用性数据不足）"
    # probes of the day judged itself are not part of the week
    assert inspect_unit("u", HEALTHY, week(days=6) + [ProbeDay(AS_OF, 20, 0)], AS_OF).result == "incomplete"


def test_blocked_probes_are_neither_failures_nor_counted():
    probes = [ProbeDay(p.day, 30, 0, blocked=10) for p in week()]
    a = indicator(inspect_unit("u", HEALTHY, probes, AS_OF), "availability")
    assert a.state == "pass" and a.figures["probes"] == 140 and a.figures["blocked"] == 70 and "不计入" in a.summary
    all_blocked = [ProbeDay(p.day, 20, 0, blocked=20) for p in week()]
    assert indicator(inspect_unit("u", HEALTHY, all_blocked, AS_OF), "availability").state == "unknown"


def test_home_page_silent_two_weeks_fails():
    cols = [col("home", "首页", newest=AS_OF - timedelta(days=15)), col("gzdt", "动态要闻")]
    h = indicator(inspect_unit("u", cols, week(), AS_OF), "home")
    assert h.state == "fail" and "15天未更新" in h.summary and h.figures["basis"] == "首页栏目"
    cols[0] = col("home", "首页", newest=AS_OF - timedelta(days=14))
    assert indicator(inspect_unit("u", cols, week(), AS_OF), "home").state == "pass"


def test_without_a_home_column_the_newest_item_of_any_column_counts():
    cols = [col("gzdt", "动态要闻", newest=AS_OF - timedelta(days=20)), col("x", newest=AS_OF - timedelta(days=2))]
    h = indicator(inspect_unit("u", cols, week(), AS_OF), "home")
    assert h.state == "pass" and "导航型首页" in h.figures["basis"]


def test_home_column_that_could_not_be_read_is_unknown_not_failed():
    cols = [col("home", "首页", state="unreachable", newest=AS_OF - timedelta(days=40))]
    assert indicator(inspect_unit("u", cols, week(), AS_OF), "home").state == "unknown"


def test_five_stale_columns_of_class_a_fail():
    stale = [col(f"d{k}", "动态要闻", newest=AS_OF - timedelta(days=15)) for k in range(3)]
    stale += [col(f"n{k}", "通知公告", newest=AS_OF - timedelta(days=200)) for k in range(2)]
    c = indicator(inspect_unit("u", stale + HEALTHY, week(), AS_OF), "columns")
    assert c.state == "fail" and c.figures["a_dynamic"] == 3 and c.figures["a_notice_policy"] == 2
    assert "合计5个" in c.summary and len([i for i in c.items if i["why"]]) == 5
    c4 = indicator(inspect_unit("u", stale[:4] + HEALTHY, week(), AS_OF), "columns")
    assert c4.state == "pass" and c4.figures["a_total"] == 4


def test_ten_columns_that_should_be_updated_fail():
    late = [col(f"x{k}", "其他", state="late", newest=AS_OF - timedelta(days=100)) for k in range(10)]
    c = indicator(inspect_unit("u", late + HEALTHY, week(), AS_OF), "columns")
    assert c.state == "fail" and c.figures["b_should_update"] == 10
    assert indicator(inspect_unit("u", late[:9] + HEALTHY, week(), AS_OF), "columns").state == "pass"


def test_personnel_columns_follow_their_twelve_month_preset():
    old = [col(f"r{k}", "人事", newest=AS_OF - timedelta(days=370)) for k in range(10)]
    assert indicator(inspect_unit("u", old + HEALTHY, week(), AS_OF), "columns").figures["b_should_update"] == 10
    # an office may allow more
    loose = {"人事": Span(24, "month")}
    assert indicator(inspect_unit("u", old + HEALTHY, week(), AS_OF, presets=loose), "columns").state == "pass"


def test_five_blank_columns_fail():
    blank = [col(f"b{k}", state="blank", newest=None, items=0) for k in range(5)]
    c = indicator(inspect_unit("u", blank + HEALTHY, week(), AS_OF), "columns")
    assert c.state == "fail" and c.figures["c_blank"] == 5 and "空白栏目5个" in c.summary


def test_undated_items_count_as_not_updated():
    undated = [col(f"u{k}", "动态要闻", state="late", newest=None, items=8, undated=8) for k in range(5)]
    c = indicator(inspect_unit("u", undated + HEALTHY, week(), AS_OF), "columns")
    assert c.state == "fail" and c.figures["undated_only"] == 5 and c.figures["undated_items"] == 40


def test_columns_the_monitor_could_not_read_are_left_out_and_said_to_be():
    broken = [col(f"d{k}", "动态要闻", state=s, newest=AS_OF - timedelta(days=60))
              for k, s in enumerate(["unreachable", "blocked"])]
    c = indicator(inspect_unit("u", broken + HEALTHY, week(), AS_OF), "columns")
    assert c.state == "pass" and len(c.figures["unread"]) == 2 and "2个栏目未能读取，未计入" in c.summary
    assert c.figures["a_total"] == 0  # their old items are not counted against the unit


def test_unread_columns_that_could_tip_a_count_leave_the_indicator_undecided():
    stale = [col(f"d{k}", "动态要闻", newest=AS_OF - timedelta(days=30)) for k in range(3)]
    broken = [col(f"x{k}", "通知公告", state="unreachable", newest=None) for k in range(2)]
    c = indicator(inspect_unit("u", stale + broken + HEALTHY, week(), AS_OF), "columns")
    assert c.state == "unknown" and "暂无法判定" in c.summary
    assert inspect_unit("u", stale + broken + HEALTHY, week(), AS_OF).result == "incomplete"
    # nothing could be read at all: undecided, never "pass"
    nothing = [col(f"y{k}", state="unreachable") for k in range(6)]
    assert indicator(inspect_unit("u", nothing, week(), AS_OF), "columns").state == "unknown"


def test_a_back_dated_item_fails_the_site_by_itself():
    forged = {"title": "关于印发某办法的通知", "url": "http://example.gov.cn/a.html", "published": "2026-11-02",
              "first_seen": "2026-11-20", "absent_on": "2026-11-19", "effective": "2026-11-19"}
    cols = HEALTHY + [col("zcjd", "政策文件", backdated=[forged])]
    v = inspect_unit("u", cols, week(), AS_OF)
    b = indicator(v, "backdated")
    assert b.state == "fail" and b.items[0]["column"] == "zcjd" and "关于印发某办法的通知" in b.summary
    assert v.words() == "不合格（发稿日期真实性）"


@pytest.mark.parametrize("failed_keys", [("availability", "backdated")])
def test_every_failed_indicator_is_named(failed_keys):
    probes = week(failed=2)
    forged = {"title": "t", "published": "2026-11-02", "absent_on": "2026-11-19"}
    v = inspect_unit("u", HEALTHY + [col("z", backdated=[forged])], probes, AS_OF)
    assert tuple(i.key for i in v.failed) == failed_keys
    assert v.to_json()["words"] == "不合格（网站可用性、发稿日期真实性）"


def test_an_unread_column_that_may_carry_a_newer_item_leaves_the_home_page_undecided():
    cols = [col("zcwj", "政策文件", newest=AS_OF - timedelta(days=40)),
            col("gzdt", "动态要闻", state="blocked", newest=AS_OF - timedelta(days=1))]
    h = indicator(inspect_unit("u", cols, week(), AS_OF), "home")
    assert h.state == "unknown" and "1个栏目未能读取" in h.summary
