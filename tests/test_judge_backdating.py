"""Back-dating (疑似倒签) in the judgement, and the history the store hands the judge."""

import json
from datetime import timedelta

import pytest

from monitor.judge import judge
from monitor.judge_model import ColumnHistory, Policy
from monitor.rules import ItemLag, Periodic, Span, Standing
from tests.judge_facts import D, TWO_WEEKS, daily, history, item


# ------------------------------------------------------------------ back-dating


def backdated_column(ok_days, depth=D(2026, 8, 20)):
    """A 2-week column silent since Sep 1; on Oct 20 an item appears that claims Oct 10.

    Every check read the list down to ``depth`` (an older item, not listed here, sits there).
    """
    return history(item(D(2026, 9, 1), title="旧信息"), item(D(2026, 10, 10), D(2026, 10, 20), title="补发"),
                   ok_days=ok_days, depth=depth)


def test_backdated_item_counts_from_the_check_that_missed_it():
    # It may have appeared on Oct 19 after that day's check: Oct 19 is the earliest day it can count from.
    v = judge(TWO_WEEKS, backdated_column(daily(D(2026, 9, 1), D(2026, 10, 20))), D(2026, 10, 30))
    assert (v.state, v.due) == ("due_soon", D(2026, 11, 2))  # Oct 19 + 14, not Oct 10 + 14
    assert "疑似倒签" in v.reason and "2026-10-19检查时尚未出现" in v.reason and "按2026-10-19计" in v.reason
    [entry] = v.evidence["backdated"]
    assert (entry["title"], entry["absent_on"], entry["effective"]) == ("补发", "2026-10-19", "2026-10-19")


def test_no_prior_ok_check_means_no_backdating_suspicion():
    v = judge(TWO_WEEKS, backdated_column([]), D(2026, 10, 30))
    assert (v.state, v.due, v.evidence["backdated"]) == ("late", D(2026, 10, 24), [])
    assert "疑似倒签" not in v.reason


@pytest.mark.parametrize(
    "claimed, tolerance, suspected",
    [(D(2026, 10, 17), 2, True), (D(2026, 10, 18), 2, False), (D(2026, 10, 19), 0, True), (D(2026, 10, 17), 3, False)],
)
def test_backdating_tolerance(claimed, tolerance, suspected):
    ok_days = daily(D(2026, 9, 1), D(2026, 10, 19))  # last check without the item: Oct 19
    col = history(item(D(2026, 9, 1)), item(claimed, D(2026, 10, 20)), ok_days=ok_days, depth=D(2026, 9, 1))
    v = judge(TWO_WEEKS, col, D(2026, 10, 20), Policy(backdate_tolerance_days=tolerance))
    assert bool(v.evidence["backdated"]) is suspected


def test_item_older_than_everything_read_before_is_not_suspected():
    # The list had only been read down to Oct 1: an item claiming Sep 20 may simply sit deeper.
    ok_days = daily(D(2026, 10, 1), D(2026, 10, 20))
    col = history(item(D(2026, 10, 1)), item(D(2026, 9, 20), D(2026, 10, 20)), ok_days=ok_days, depth=D(2026, 10, 1))
    assert judge(TWO_WEEKS, col, D(2026, 10, 20)).evidence["backdated"] == []


def test_item_deeper_than_the_check_that_missed_it_is_not_suspected_whatever_was_read_before():
    # Sep 1 was read once (first sweep, deep); the Oct 19 check read only down to Oct 5. An item
    # claiming Sep 25 first seen Oct 20 sat below what that check read: it is not new.
    ok_days = daily(D(2026, 9, 1), D(2026, 10, 19))
    depths = {d: D(2026, 10, 5) for d in ok_days} | {D(2026, 9, 1): D(2026, 9, 1)}
    col = history(item(D(2026, 9, 1)), item(D(2026, 9, 25), D(2026, 10, 20)), ok_days=ok_days, depth=depths)
    v = judge(TWO_WEEKS, col, D(2026, 10, 20))
    assert v.evidence["backdated"] == [] and "疑似倒签" not in v.reason


def test_item_on_the_oldest_date_the_check_saw_is_not_suspected():
    # Other items of Oct 5 may have sat on the next, unread page of the Oct 19 check.
    ok_days = daily(D(2026, 9, 1), D(2026, 10, 19))
    col = history(item(D(2026, 10, 5)), item(D(2026, 10, 5), D(2026, 10, 20), title="同日"),
                  ok_days=ok_days, depth=D(2026, 10, 5))
    assert judge(TWO_WEEKS, col, D(2026, 10, 20)).evidence["backdated"] == []


def test_only_the_depth_of_the_check_that_missed_the_item_counts():
    ok_days = daily(D(2026, 9, 1), D(2026, 10, 19))
    shallow_on_19 = {d: D(2026, 9, 1) for d in ok_days} | {D(2026, 10, 19): D(2026, 10, 15)}
    assert judge(TWO_WEEKS, backdated_column(ok_days, shallow_on_19), D(2026, 10, 20)).evidence["backdated"] == []
    deep_on_19 = {D(2026, 10, 19): D(2026, 9, 1)}  # other days unknown: they do not matter
    assert judge(TWO_WEEKS, backdated_column(ok_days, deep_on_19), D(2026, 10, 20)).evidence["backdated"]


def test_check_without_recorded_depth_raises_no_suspicion():
    v = judge(TWO_WEEKS, backdated_column(daily(D(2026, 9, 1), D(2026, 10, 20)), depth=None), D(2026, 10, 30))
    assert (v.state, v.evidence["backdated"]) == ("late", []) and "疑似倒签" not in v.reason


def site_change_column(moved: int, new: int):
    """Daily checks down to Aug 20 until Oct 19; on Oct 20 ``moved`` old items reappear under new
    addresses (claims Sep 21-30, first seen Oct 20) next to ``new`` items really published that day."""
    moved_items = [item(D(2026, 9, 30) - timedelta(days=k), D(2026, 10, 20), title=f"旧{k}") for k in range(moved)]
    new_items = [item(D(2026, 10, 20), title=f"新{k}") for k in range(new)]
    return history(item(D(2026, 9, 1)), *moved_items, *new_items,
                   ok_days=daily(D(2026, 9, 1), D(2026, 10, 19)), depth=D(2026, 8, 20))


@pytest.mark.parametrize(
    "moved, new, site_change",
    [(3, 0, False), (4, 0, True), (4, 3, True), (4, 4, False), (30, 2, True)],
)
def test_many_items_sighted_at_once_are_a_site_change_not_backdating(moved, new, site_change):
    # More suspects than 3 and than half the items first seen that day: the site changed its addresses.
    v = judge(TWO_WEEKS, site_change_column(moved, new), D(2026, 10, 20))
    assert v.evidence["site_change_days"] == (["2026-10-20"] if site_change else [])
    assert len(v.evidence["backdated"]) == (0 if site_change else moved)
    assert not site_change or "疑似倒签" not in v.reason


def test_site_change_items_count_from_their_claimed_dates():
    v = judge(TWO_WEEKS, site_change_column(moved=10, new=0), D(2026, 10, 20))
    assert (v.state, v.due, v.days_late) == ("late", D(2026, 10, 14), 6)  # newest claims Sep 30
    assert "疑似倒签" not in v.reason and v.evidence["backdated"] == []


def test_site_change_is_judged_per_sighting_day():
    # A site change on Oct 20 does not excuse a lone back-dated item sighted on Oct 25.
    col = site_change_column(moved=10, new=0)
    lone = item(D(2026, 10, 15), D(2026, 10, 25), title="倒签")
    col = ColumnHistory(col.items + (lone,), tuple(daily(D(2026, 9, 1), D(2026, 10, 24))),
                        col.last_check, {d: D(2026, 8, 20) for d in daily(D(2026, 9, 1), D(2026, 10, 24))})
    v = judge(TWO_WEEKS, col, D(2026, 10, 25))
    assert v.evidence["site_change_days"] == ["2026-10-20"]
    assert [(b["title"], b["effective"]) for b in v.evidence["backdated"]] == [("倒签", "2026-10-24")]


# ------------------------------------------------------------------ the store's history for the judge


def test_store_column_history_fills_check_depth_and_article_read(tmp_path):
    from monitor.store import Store

    store = Store(tmp_path / "m.db")
    day = D(2026, 10, 19)

    def check(on, outcome="ok", oldest=None):
        sweep = store.begin_sweep(on, "sweep", "digest", 1)
        store.add_check({"sweep_id": sweep, "unit": "u", "column_id": "c", "day": on.isoformat(), "outcome": outcome,
                         "items_found": 1, "newest_date": None, "oldest_date": oldest and oldest.isoformat(),
                         "pages": 1, "detail": "", "checked_at": f"{on}T08:00:00+08:00"})
        store.finish_sweep(sweep, "finished")
        return sweep

    check(day, oldest=D(2026, 10, 5))
    sweep = check(day, oldest=D(2026, 10, 1))  # a second, deeper sweep the same day: the deeper one counts
    check(D(2026, 10, 18))  # ok, but no dated item seen: no depth
    check(D(2026, 10, 17), outcome="broken", oldest=D(2026, 9, 1))  # not ok: no depth
    check(D(2026, 10, 21), oldest=D(2026, 9, 1))  # after as_of
    store.save_items("u", "c", day, sweep, [
        {"url": "http://x/1.html", "title": "一", "published": None},
        {"url": "http://x/2.html", "title": "二", "published": None},
    ])
    store.save_article_dates("u", "c", "http://x/1.html", None, None, [], False)
    history = store.column_history("u", "c", D(2026, 10, 20))
    store.close()
    assert dict(history.check_depth) == {day: D(2026, 10, 1)}
    assert history.ok_check_days == (D(2026, 10, 18), day)
    assert {i.url: i.article_read for i in history.items} == {"http://x/1.html": True, "http://x/2.html": False}


def test_evidence_is_json_serialisable():
    col = backdated_column(daily(D(2026, 9, 1), D(2026, 10, 20)))
    for rule in (TWO_WEEKS, Periodic("month", due=Span(15, "day")), ItemLag(Span(20, "workday")), Standing()):
        json.dumps(judge(rule, col, D(2026, 12, 1)).evidence, ensure_ascii=False)
