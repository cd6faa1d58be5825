"""Faked and hollow disclosure: each detector on small facts, and what never makes a signal (no false accusation)."""

from __future__ import annotations

from datetime import date, timedelta

from monitor.judge_model import CheckFact, ColumnHistory, ItemFact
from monitor.rules import Span
from monitor.signals import Change, IssuedNotice, ItemRecord, SignalPolicy, backdated, burst, date_changed, \
    detect_column, empty_item, repost, vanished

D = date
E = D(2026, 11, 27)
POLICY = SignalPolicy()


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=k) for k in range((last - first).days + 1)]


def rec(n: int | str, published: date | None, first_seen: date | None = None, column: str = "tzgg", title: str = "",
        last_seen: date | None = None, read: bool = False, chars: int | None = None, sha: str | None = None,
        attachments: int | None = 0, changes: tuple[Change, ...] = ()) -> ItemRecord:
    seen = first_seen or published
    return ItemRecord(column, f"http://x.gov.cn/{column}/{n}.html", title or f"关于第{n}项工作的通知", published, seen,
                      last_seen or E, read, chars, sha, attachments, changes)


# ---------------------------------------------------------------- burst (一阵风)

CHECKS = days(E - timedelta(days=60), E)  # the column read every day for 60 days
BASE = CHECKS[0]


def history_of(items: list[ItemRecord]) -> list[ItemRecord]:
    """Old items seen on the first check: the column's history."""
    return [rec(f"old{k}", BASE - timedelta(days=40 * k + 5), BASE) for k in range(1, 4)] + items


def test_five_items_within_three_days_after_a_month_of_silence_are_a_burst():
    quiet = rec("q", E - timedelta(days=50), E - timedelta(days=50))
    start = E - timedelta(days=12)
    group = [rec(k, start + timedelta(days=k % 2), start + timedelta(days=k % 2)) for k in range(5)]
    signal = burst("u", "tzgg", history_of([quiet, *group]), CHECKS, [], E, POLICY)
    assert signal is not None and signal.kind == "burst"
    assert {i["url"] for i in signal.items} == {g.url for g in group}
    assert signal.figures["silence_days"] == 38 and signal.figures["items"] == 5
    assert "一阵风" in signal.summary and "after_notice" not in signal.figures


def test_no_burst_with_four_items_or_after_a_shorter_silence_or_while_the_window_is_open():
    start = E - timedelta(days=12)
    four = [rec(k, start, start) for k in range(4)]
    quiet = rec("q", E - timedelta(days=50), E - timedelta(days=50))
    assert burst("u", "tzgg", history_of([quiet, *four]), CHECKS, [], E, POLICY) is None
    five = [rec(k, start, start) for k in range(5)]
    recent = rec("r", start - timedelta(days=29), start - timedelta(days=29))
    assert burst("u", "tzgg", history_of([recent, *five]), CHECKS, [], E, POLICY) is None
    assert burst("u", "tzgg", history_of([quiet, *five]), CHECKS, [], start + timedelta(days=1), POLICY) is None
    assert burst("u", "tzgg", history_of([quiet, *five]), CHECKS, [], start + timedelta(days=2), POLICY) is not None


def test_the_first_check_is_history_not_a_burst_and_a_monitor_gap_is_not_one_either():
    old = [rec(k, BASE - timedelta(days=k % 2), BASE) for k in range(8)]  # eight items seen on the first check
    assert burst("u", "tzgg", [rec("q", BASE - timedelta(days=90), BASE), *old], CHECKS, [], E, POLICY) is None
    # the column could not be read for 10 days: the items that appeared meanwhile are dated across them
    gap = [d for d in CHECKS if not E - timedelta(days=15) < d < E - timedelta(days=4)]
    back = E - timedelta(days=4)
    spread = [rec(k, back - timedelta(days=2 * k + 1), back) for k in range(5)]
    quiet = rec("q", E - timedelta(days=50), E - timedelta(days=50))
    assert burst("u", "tzgg", history_of([quiet, *spread]), gap, [], E, POLICY) is None


def test_a_site_moving_its_addresses_is_no_burst():
    """After a month of silence, 8 items at new addresses claiming their old dates: a re-index, not 一阵风."""
    quiet = rec("q", E - timedelta(days=50), E - timedelta(days=50))
    moved = [rec(k, E - timedelta(days=60 + k), E - timedelta(days=10)) for k in range(8)]
    assert burst("u", "tzgg", history_of([quiet, *moved]), CHECKS, [], E, POLICY) is None


def test_a_burst_right_after_a_notice_and_before_an_inspection_says_so():
    start = E - timedelta(days=12)
    group = [rec(k, start, start) for k in range(6)]
    quiet = rec("q", E - timedelta(days=45), E - timedelta(days=45))
    notices = [IssuedNotice(7, "lateness", start - timedelta(days=3)),
               IssuedNotice(3, "lateness", start - timedelta(days=40))]
    policy = SignalPolicy(inspection_days=(start + timedelta(days=10),))
    signal = burst("u", "tzgg", history_of([quiet, *group]), CHECKS, notices, E, policy)
    assert signal.figures["after_notice"] == {"id": 7, "kind": "lateness", "issued": str(start - timedelta(days=3)),
                                              "days_after": 3}
    assert signal.figures["before_inspection"]["days_before"] == 10
    assert "距督办通知" in signal.summary and "检查仅10天" in signal.summary
    assert burst("u", "tzgg", history_of([quiet, *group]), CHECKS, notices, E, policy, seen={group[0].url}) is None


# ---------------------------------------------------------------- re-posts

def test_the_same_text_under_a_later_date_and_address_is_a_repost():
    original = rec("a", E - timedelta(days=20), read=True, chars=300, sha="h1")
    copy = rec("b", E - timedelta(days=5), read=True, chars=300, sha="h1")
    other = rec("c", E - timedelta(days=4), read=True, chars=300, sha="h2", title=original.title)  # same title only
    signal = repost("u", "tzgg", [original, copy, other], E, POLICY)
    assert [i["url"] for i in signal.items] == [copy.url]
    assert signal.items[0]["original"]["url"] == original.url and signal.items[0]["same_title"] is False
    assert repost("u", "tzgg", [original, copy], E, POLICY, seen={copy.url}) is None


def test_filed_in_two_columns_at_once_short_bodies_and_unread_pages_are_no_reposts():
    a = rec("a", E - timedelta(days=9), column="tzgg", read=True, chars=300, sha="h1")
    b = rec("a", E - timedelta(days=8), column="zcwj", read=True, chars=300, sha="h1")  # the next day: within tolerance
    assert repost("u", "zcwj", [a, b], E, POLICY) is None
    short1 = rec("s1", E - timedelta(days=30), read=True, chars=12, sha="h3")
    short2 = rec("s2", E - timedelta(days=3), read=True, chars=12, sha="h3")  # "详见附件" twice: no evidence
    assert repost("u", "tzgg", [short1, short2], E, POLICY) is None
    same_title = [rec("t1", E - timedelta(days=30), title="市水利局党组理论学习中心组开展集中学习"),
                  rec("t2", E - timedelta(days=3), title="市水利局党组理论学习中心组开展集中学习")]
    assert repost("u", "tzgg", same_title, E, POLICY) is None  # a recurring meeting: bodies unknown


def test_a_repost_in_another_column_of_the_unit_counts_for_the_later_column():
    a = rec("a", E - timedelta(days=40), column="zcwj", read=True, chars=300, sha="h1")
    b = rec("b", E - timedelta(days=2), column="tzgg", read=True, chars=300, sha="h1")
    assert repost("u", "zcwj", [a, b], E, POLICY) is None
    assert repost("u", "tzgg", [a, b], E, POLICY).items[0]["original"]["column"] == "zcwj"


# ---------------------------------------------------------------- empty items

def test_an_item_with_no_text_and_no_attachment_is_empty_but_never_a_guess():
    empty = rec("e", E - timedelta(days=3), read=True, chars=0)
    short = rec("s", E - timedelta(days=3), read=True, chars=29)
    pdf = rec("p", E - timedelta(days=3), read=True, chars=6, attachments=1)  # 附件：名单.pdf
    unknown = rec("u", E - timedelta(days=3), read=True, chars=None)  # no body box told apart
    unread = rec("n", E - timedelta(days=3), read=False, chars=None)
    fine = rec("f", E - timedelta(days=3), read=True, chars=30)
    signal = empty_item("u", "tzgg", [empty, short, pdf, unknown, unread, fine], E, POLICY)
    assert [i["url"] for i in signal.items] == sorted([empty.url, short.url])
    assert signal.figures["threshold_chars"] == 30


# ---------------------------------------------------------------- dates changed

def changed(n, old: date, new: date, on: date, first_seen: date | None = None) -> ItemRecord:
    return rec(n, old, first_seen or old, changes=(Change(on, "published", old.isoformat(), new.isoformat()),))


def test_an_old_items_date_moved_is_signalled_once_per_change():
    item = changed("a", E - timedelta(days=60), E - timedelta(days=8), E - timedelta(days=8))
    signal = date_changed("u", "tzgg", [item], E, POLICY)
    assert signal.items[0]["days"] == 52 and signal.items[0]["key"] == f"{item.url}@{E - timedelta(days=8)}"
    assert "推后52天" in signal.summary
    assert date_changed("u", "tzgg", [item], E - timedelta(days=9), POLICY) is None  # not yet changed then
    assert date_changed("u", "tzgg", [item], E, POLICY, seen={signal.items[0]["key"]}) is None


def test_small_changes_corrected_typos_and_site_wide_changes_are_not_signalled():
    on = E - timedelta(days=5)
    within = changed("t", E - timedelta(days=20), E - timedelta(days=18), on)
    typo = changed("y", D(2062, 11, 1), E - timedelta(days=30), on, first_seen=E - timedelta(days=30))
    assert date_changed("u", "tzgg", [within, typo], E, POLICY) is None
    migrated = [changed(k, E - timedelta(days=40 + k), on, on, first_seen=E - timedelta(days=30)) for k in range(6)]
    assert date_changed("u", "tzgg", migrated, E, POLICY) is None  # a CMS migration re-stamping the list


# ---------------------------------------------------------------- vanished

def unlisted(n, published: date, on: date, title: str = "") -> ItemRecord:
    return rec(n, published, published, title=title, last_seen=on - timedelta(days=1),
               changes=(Change(on, "listed", "1", "0"),))


def test_an_item_gone_before_its_retention_is_signalled_an_old_one_is_not():
    on = E - timedelta(days=3)
    young = unlisted("y", E - timedelta(days=100), on)
    old = unlisted("o", E - timedelta(days=6 * 365), on)
    signal = vanished("u", "tzgg", [young, old], [young, old], E, POLICY, retention=Span(5, "year"))
    assert [i["url"] for i in signal.items] == [young.url] and "5年" in signal.summary
    assert signal.items[0]["unlisted_on"] == str(on)
    every = vanished("u", "tzgg", [young, old], [young, old], E, POLICY)  # no retention: every item should stay
    assert len(every.items) == 2 and "未规定撤下期限" in every.summary


def test_moved_items_display_windows_and_readdressed_sites_are_not_losses():
    on = E - timedelta(days=3)
    gone = unlisted("a", E - timedelta(days=30), on, title="关于某地块征收土地的公告")
    moved = rec("a2", E - timedelta(days=30), on, title="关于某地块征收土地的公告")
    assert vanished("u", "tzgg", [gone, moved], [gone, moved], E, POLICY) is None
    notice = unlisted("n", E - timedelta(days=20), on)
    assert vanished("u", "tzgg", [notice], [notice], E, POLICY, display_window=Span(7, "workday")) is None
    site = [unlisted(k, E - timedelta(days=10 + k), on) for k in range(5)] + \
           [rec(f"new{k}", E - timedelta(days=10 + k), on) for k in range(5)]
    assert vanished("u", "tzgg", site, site, E, POLICY) is None
    back = rec("b", E - timedelta(days=30), E - timedelta(days=30),
               changes=(Change(on, "listed", "1", "0"), Change(E, "listed", "0", "1")))
    assert vanished("u", "tzgg", [back], [back], E, POLICY) is None  # listed again
    assert vanished("u", "tzgg", [back], [back], E - timedelta(days=1), POLICY) is not None


# ---------------------------------------------------------------- back-dating: the judge's finding

def test_backdated_items_come_from_the_judge_with_its_site_change_guard():
    checks = days(E - timedelta(days=10), E - timedelta(days=1))
    faked = ItemFact("http://x.gov.cn/zcwj/f.html", "关于印发某方案的通知", E - timedelta(days=40), None, E - timedelta(days=2))
    history = ColumnHistory((faked,), tuple(checks), CheckFact(E, "ok"), {d: E - timedelta(days=300) for d in checks})
    signal = backdated("u", "zcwj", history, E, POLICY)
    assert signal.items[0]["key"] == faked.url and signal.items[0]["absent_on"] == str(E - timedelta(days=3))
    assert backdated("u", "zcwj", history, E, POLICY, seen={faked.url}) is None
    moved = tuple(ItemFact(f"http://x.gov.cn/zcwj/{k}.html", f"文件{k}", E - timedelta(days=40 + k), None,
                           E - timedelta(days=2)) for k in range(6))
    readdressed = ColumnHistory(moved, tuple(checks), CheckFact(E, "ok"), {d: E - timedelta(days=300) for d in checks})
    assert backdated("u", "zcwj", readdressed, E, POLICY) is None


def test_a_plain_column_raises_nothing():
    items = [rec(k, E - timedelta(days=3 * k), E - timedelta(days=3 * k), read=True, chars=200, sha=f"h{k}")
             for k in range(20)]
    history = ColumnHistory(tuple(ItemFact(i.url, i.title, i.published, None, i.first_seen) for i in items),
                            tuple(CHECKS), CheckFact(E, "ok"), {d: E - timedelta(days=200) for d in CHECKS})
    assert detect_column("u", "tzgg", items, items, history, [], E, POLICY) == []
