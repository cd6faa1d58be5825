"""Calendar files: strict loading, the catalog's pointer to them, `calendar show/check`, and what happens to
provisional verdicts and notice deadlines once a year's arrangement is known (real Store, tmp SQLite)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from monitor import clock
from monitor.assess import assess_unit
from monitor.calendar_file import load_calendar_file
from monitor.cli import main
from monitor.config import load_catalog
from monitor.errors import CatalogError, UsageError
from monitor.store import Store
from monitor.workdays import Workdays

REPO = Path(__file__).resolve().parents[1]

# TEST DATA, NOT the State Council's arrangement for 2027: Monday January 4 is made a day off so that
# deadlines move against the Monday-Friday guess.
FILE_2027 = """
[2027]
source = "测试数据（非官方安排）"
holidays = ["2027-01-01..2027-01-04", "2027-02-05..2027-02-12", 2027-05-03, "2027-10-01..2027-10-07"]
workdays = ["2027-02-20", "2027-10-09"]
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------- loading


def test_a_year_in_the_file_is_known_and_follows_it(tmp_path):
    years = load_calendar_file(write(tmp_path / "h.toml", FILE_2027))
    y = years[2027]
    assert y.source == "测试数据（非官方安排）" and y.file.endswith("h.toml")
    assert date(2027, 2, 8) in y.holidays and date(2027, 5, 3) in y.holidays  # a range; a TOML date
    w = Workdays(years=years)
    assert w.is_workday(date(2027, 1, 4)) == (False, False)
    assert w.is_workday(date(2027, 1, 5)) == (True, False)  # not listed: Monday-Friday
    assert w.is_workday(date(2027, 2, 20)) == (True, False)  # a make-up Saturday
    assert w.is_workday(date(2027, 2, 21)) == (False, False)
    assert w.knows(2027) and not w.knows(2028)


def test_the_inline_table_does_not_apply_to_a_year_the_file_knows(tmp_path):
    years = load_calendar_file(write(tmp_path / "h.toml", FILE_2027))
    w = Workdays({date(2027, 1, 5): False, date(2028, 1, 3): False}, years)
    assert w.is_workday(date(2027, 1, 5)) == (True, False)
    assert w.is_workday(date(2028, 1, 3)) == (False, False)  # still read for a year nobody knows


@pytest.mark.parametrize("body, message", [
    ('[2027]\nsource = "x"\nholidays = ["2027-01-01", "2028-01-03"]',
     "year 2027, holidays entry '2028-01-03': not in 2027"),
    ('[2027]\nsource = "x"\nholidays = ["2027-01-01", "2026-12-31..2027-01-02"]',
     "year 2027, holidays entry '2026-12-31..2027-01-02': not in 2027"),
    ('[2027]\nsource = "x"\nholidays = ["2027-01-01..2027-01-03"]\nworkdays = ["2027-01-02"]',
     "year 2027, workdays entry '2027-01-02': listed both as a holiday and as a working day"),
    ('[2027]\nsource = "x"\nholidays = ["2027-01-01", "2027-02-11..2027-02-05"]',
     "year 2027, holidays entry '2027-02-11..2027-02-05': the range ends before it starts"),
    ('[2027]\nsource = "x"\nholidays = ["2027-01-01", "2027-02-05..2027-02-30"]',
     "year 2027, holidays entry '2027-02-05..2027-02-30': not a date"),
    ('[2027]\nsource = "x"\nholidays = ["2027-01-01", "2027-02-05 - 2027-02-11"]',
     "year 2027, holidays entry '2027-02-05 - 2027-02-11': not a day"),
    ('[2027]\nsource = "x"\nholidays = ["2027-01-01", "2027-02-05..2027-12-11"]',
     "year 2027, holidays entry '2027-02-05..2027-12-11': a range of more than 31 days"),
    ('[2027]\nsource = "x"\nholidays = ["2027-01-01"]\nholiday = ["2027-02-05"]',
     "year 2027, key 'holiday': unknown key"),
    ('[calendar]\nsource = "x"', "top level: unknown key 'calendar'"),
    ('[2027]\nholidays = ["2027-01-01"]', "year 2027, key 'source': missing"),
    ('[2027]\nsource = "x"\nholidays = []', "year 2027, key 'holidays': missing or empty"),
    ('[2027]\nsource = "x"\nholidays = "2027-01-01"', "year 2027, key 'holidays': not a list"),
    ('[2027]\nsource = "x"\nholidays = ["2027-01-01"]\nworkdays = ["2027-02-15"]',
     "year 2027, workdays entry '2027-02-15': a 星期一 is a working day anyway"),
    ('[2027]\nsource = "x"\nholidays = ["2027-02-05..2027-02-11"]',
     "year 2027, key 'holidays': 2027-01-01 (元旦, 星期五) is a statutory holiday but is not listed"),
    ("2027 = 1", "year 2027: not a table"),
    ("[2027\n", "not valid TOML"),
    ("", "no year in the file"),
])
def test_a_broken_file_names_the_file_the_year_and_the_entry(tmp_path, body, message):
    path = write(tmp_path / "holidays.toml", body)
    with pytest.raises(CatalogError) as err:
        load_calendar_file(path)
    assert str(err.value).startswith(f"{path}: ")
    assert message in str(err.value)


def test_a_file_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "h.toml"
    path.write_bytes('[2027]\nsource = "国办"\n'.encode("gbk"))
    with pytest.raises(CatalogError, match="not UTF-8"):
        load_calendar_file(path)


# ---------------------------------------------------------------- the catalog's pointer

CATALOG = """
[monitor]
warn_days = 3
{calendar}

[notices]
auto_issue = ["*"]

[rules.five]
kind = "max_gap"
within = {{ n = 5, unit = "workday" }}

[rules.two_weeks]
kind = "max_gap"
within = {{ n = 14, unit = "day" }}

[[units]]
slug = "bureau"
name = "某某局"
site = "http://127.0.0.9/"
columns = [
  {{ id = "news", name = "工作动态", url = "http://127.0.0.9/news/", rule = "five" }},
  {{ id = "tzgg", name = "通知公告", url = "http://127.0.0.9/tzgg/", rule = "two_weeks" }},
]
"""


def catalog_file(folder: Path, calendar: str = "") -> Path:
    return write(folder / "catalog.toml", CATALOG.format(calendar=calendar))


def test_the_catalog_names_its_calendar_file_relative_to_its_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(REPO)  # not the catalog's folder
    write(tmp_path / "cal" / "h.toml", FILE_2027)
    catalog = load_catalog(catalog_file(tmp_path, '[calendar]\nfile = "cal/h.toml"'))
    assert catalog.calendar_file == tmp_path / "cal" / "h.toml"
    assert set(catalog.calendar_years) == {2027}


def test_monitor_calendar_is_used_only_when_the_catalog_names_no_file(tmp_path, monkeypatch):
    env_file = write(tmp_path / "env.toml", FILE_2027.replace("测试数据", "环境变量"))
    write(tmp_path / "own.toml", FILE_2027)
    monkeypatch.setenv("MONITOR_CALENDAR", str(env_file))
    assert load_catalog(catalog_file(tmp_path / "a")).calendar_years[2027].source.startswith("环境变量")
    named = load_catalog(catalog_file(tmp_path, '[calendar]\nfile = "own.toml"'))
    assert named.calendar_years[2027].source.startswith("测试数据")


def test_a_catalog_naming_a_missing_or_broken_calendar_file_does_not_load(tmp_path, monkeypatch):
    monkeypatch.delenv("MONITOR_CALENDAR", raising=False)
    with pytest.raises(CatalogError, match="missing.toml: cannot read the calendar file"):
        load_catalog(catalog_file(tmp_path, '[calendar]\nfile = "missing.toml"'))
    write(tmp_path / "bad.toml", '[2027]\nsource = "x"\nholidays = ["2027-01-01"]\nworkday = []')
    with pytest.raises(CatalogError, match="bad.toml: year 2027, key 'workday': unknown key"):
        load_catalog(catalog_file(tmp_path, '[calendar]\nfile = "bad.toml"'))
    with pytest.raises(CatalogError, match="field 'calendar.fil'"):
        load_catalog(catalog_file(tmp_path, '[calendar]\nfil = "bad.toml"'))


# ---------------------------------------------------------------- the command line


def test_calendar_show_says_where_a_year_comes_from(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("MONITOR_CALENDAR", raising=False)
    write(tmp_path / "h.toml", FILE_2027)
    config = str(catalog_file(tmp_path, '[calendar]\nfile = "h.toml"'))
    assert main(["calendar", "show", "2026", "--config", config]) == 0
    out = capsys.readouterr().out
    assert "来源 chinese-calendar" in out and "2026-02-15（星期日） 至 2026-02-23（星期一），共9天（春节）" in out
    assert "2026-02-14（星期六）" in out.split("调休上班")[1] and "工作日：共248天" in out
    assert main(["calendar", "show", "2027", "--config", config]) == 0
    out = capsys.readouterr().out
    assert "h.toml（测试数据（非官方安排））" in out and "2027-02-20（星期六）" in out and "暂计" not in out
    assert main(["calendar", "show", "2028", "--config", config]) == 0
    out = capsys.readouterr().out
    assert "暂按周一至周五推算" in out and "未收录2028年" in out and "（暂计）" in out


def test_calendar_check(tmp_path, capsys):
    assert main(["calendar", "check", str(REPO / "docs" / "holidays.example.toml")]) == 0
    assert "2026年：chinese-calendar 已收录，文件中的该年数据不使用（与之一致）" in capsys.readouterr().out
    assert main(["calendar", "check", str(write(tmp_path / "h.toml", FILE_2027))]) == 0
    out = capsys.readouterr().out
    assert "2027年：来源 节假日文件" in out and "有效，共1年" in out
    mistyped = '[2026]\nsource = "x"\nholidays = ["2026-01-01..2026-01-03", "2026-05-01", "2026-10-01..2026-10-02"]'
    assert main(["calendar", "check", str(write(tmp_path / "2026.toml", mistyped))]) == 0
    assert "与之不同的日期：2026-01-04、2026-02-14、2026-02-16" in capsys.readouterr().out
    assert main(["calendar", "check", str(write(tmp_path / "bad.toml", "[2027]\n"))]) == 2
    assert "year 2027, key 'source': missing" in capsys.readouterr().err


# ---------------------------------------------------------------- recomputation on the next sweep

ITEM = {"title": "关于开展调研的通知", "published_source": "list"}


def sweep_day(store: Store, catalog, day: date, items: dict[str, list[str]]) -> dict:
    """What a sweep of `day` stores for the unit (every column read fine, showing `items`), then assess."""
    store.record_catalog(catalog)
    sweep_id = store.begin_sweep(day, "sweep", catalog.digest, 1)
    for column_id, published in items.items():
        rows = [{**ITEM, "url": f"http://127.0.0.9/{column_id}/{p}.html", "published": p} for p in published]
        store.save_items("bureau", column_id, day, sweep_id, rows)
        store.add_check({"sweep_id": sweep_id, "unit": "bureau", "column_id": column_id, "day": day.isoformat(),
                         "outcome": "ok", "items_found": len(rows), "newest_date": max(published),
                         "oldest_date": min(published), "pages": 1, "detail": "", "checked_at": clock.stamp()})
    results = assess_unit(store, catalog, catalog.unit("bureau"), day, sweep_id)
    store.finish_sweep(sweep_id, "finished")
    return {r.column.id: r for r in results}


@pytest.fixture
def catalogs(tmp_path, monkeypatch):
    """The same catalog before and after the office filled in 2027."""
    monkeypatch.delenv("MONITOR_CALENDAR", raising=False)
    write(tmp_path / "after" / "h.toml", FILE_2027)
    return load_catalog(catalog_file(tmp_path / "before")), load_catalog(
        catalog_file(tmp_path / "after", '[calendar]\nfile = "h.toml"'))


def test_a_verdict_changed_by_the_new_calendar_says_so(tmp_path, catalogs):
    before, after = catalogs
    store = Store(tmp_path / "m.db")
    news = {"news": ["2026-12-29"]}  # 5 working days: Dec 30, 31, then (guess) Jan 4, 5, 6; (file) Jan 5, 6, 7
    v = sweep_day(store, before, date(2027, 1, 4), news)["news"].verdict
    assert (v.state, v.due, v.provisional) == ("due_soon", date(2027, 1, 6), True)
    v = sweep_day(store, after, date(2027, 1, 5), news)["news"].verdict
    assert (v.state, v.due, v.provisional) == ("due_soon", date(2027, 1, 7), False)
    assert v.reason.endswith("（2027年节假日安排已公布，期限由2027-01-06改为2027-01-07）")
    assert v.evidence["recomputed"] == {"year": 2027, "old_due": "2027-01-06", "old_state": "due_soon",
                                        "new_due": "2027-01-07", "new_state": "due_soon"}
    stored = store.verdict_on("bureau", "news", date(2027, 1, 5))
    assert stored["provisional"] == 0 and "期限由2027-01-06改为2027-01-07" in stored["reason"]
    assert json.loads(stored["evidence"])["recomputed"]["new_due"] == "2027-01-07"
    # the day after, nothing is provisional any more: nothing to say
    v = sweep_day(store, after, date(2027, 1, 6), news)["news"].verdict
    assert "recomputed" not in v.evidence and "节假日安排已公布" not in v.reason


def test_the_state_change_is_named_too(tmp_path, catalogs):
    before, after = catalogs
    store = Store(tmp_path / "m.db")
    news = {"news": ["2026-12-29"]}
    assert sweep_day(store, before, date(2027, 1, 6), news)["news"].verdict.state == "due_soon"
    v = sweep_day(store, before, date(2027, 1, 7), news)["news"].verdict
    assert (v.state, v.provisional) == ("late", True)  # the guess: due Jan 6
    v = sweep_day(store, after, date(2027, 1, 7), news)["news"].verdict  # re-run of the day, calendar known
    assert (v.state, v.due) == ("due_soon", date(2027, 1, 7))
    assert "期限由2027-01-06改为2027-01-07，结论由逾期改为临近期限" in v.reason


def test_a_change_from_new_items_is_not_blamed_on_the_calendar(tmp_path, catalogs):
    before, after = catalogs
    store = Store(tmp_path / "m.db")
    sweep_day(store, before, date(2027, 1, 4), {"news": ["2026-12-29"]})
    # a new item on Jan 5: 5 working days later is Jan 12 with the file and with the guess alike
    v = sweep_day(store, after, date(2027, 1, 5), {"news": ["2026-12-29", "2027-01-05"]})["news"].verdict
    assert (v.due, v.provisional) == (date(2027, 1, 12), False)
    assert "recomputed" not in v.evidence and "节假日安排已公布" not in v.reason


def notice_events(store: Store) -> list[dict]:
    return store._rows("select day, old_state, new_state, why from notice_events order by id")


def test_a_provisional_rectification_deadline_is_recomputed_with_an_audit_row(tmp_path, catalogs):
    before, after = catalogs
    store = Store(tmp_path / "m.db")
    late = {"tzgg": ["2026-12-01"]}  # two weeks: late since Dec 16
    sweep_day(store, before, date(2026, 12, 28), late)
    assert sweep_day(store, before, date(2026, 12, 29), late)["tzgg"].notice_action == "draft"  # issued at once
    [notice] = store.notices()
    assert notice["deadline"] == "2027-01-06"  # Dec 30, 31, (guess) Jan 4, 5, 6
    assert json.loads(notice["evidence"])["deadline_provisional"] is True
    sweep_day(store, before, date(2026, 12, 30), late)  # nothing new known: nothing moves
    assert len(notice_events(store)) == 2  # drafted, issued
    sweep_day(store, after, date(2026, 12, 31), late)
    [notice] = store.notices()
    assert notice["deadline"] == "2027-01-07" and notice["state"] == "issued"
    evidence = json.loads(notice["evidence"])
    assert evidence["deadline_provisional"] is False
    assert evidence["deadline_recomputed"] == {"old": "2027-01-06", "new": "2027-01-07"}
    assert notice_events(store)[-1] == {"day": "2026-12-31", "old_state": "issued", "new_state": "issued",
                                        "why": "整改期限按2027年节假日安排重新计算：2027-01-06→2027-01-07"}
    sweep_day(store, after, date(2027, 1, 4), late)  # once known, never again
    assert len(notice_events(store)) == 3


def test_a_notice_made_overdue_by_the_guess_goes_back_to_issued(tmp_path, catalogs):
    before, after = catalogs
    store = Store(tmp_path / "m.db")
    late = {"tzgg": ["2026-12-01"]}
    sweep_day(store, before, date(2026, 12, 28), late)
    sweep_day(store, before, date(2026, 12, 29), late)
    assert sweep_day(store, before, date(2027, 1, 7), late)["tzgg"].notice_action == "overdue"
    assert sweep_day(store, after, date(2027, 1, 7), late)["tzgg"].notice_action is None  # the day re-run
    [notice] = store.notices()
    assert (notice["state"], notice["deadline"], notice["overdue_day"]) == ("issued", "2027-01-07", None)
    assert [(e["old_state"], e["new_state"]) for e in notice_events(store)] == [
        (None, "draft"), ("draft", "issued"), ("issued", "overdue"), ("overdue", "overdue"), ("overdue", "issued")]
    assert notice_events(store)[-1]["why"] == "按重新计算的整改期限2027-01-07，尚未逾期"
    assert sweep_day(store, after, date(2027, 1, 8), late)["tzgg"].notice_action == "overdue"


def test_a_recounted_deadline_counts_from_the_day_the_notice_was_issued(tmp_path, monkeypatch):
    """A draft reviewed days later: its provisional deadline is recounted from the issue day, not the draft day."""
    from monitor import review

    monkeypatch.delenv("MONITOR_CALENDAR", raising=False)
    write(tmp_path / "after" / "h.toml", FILE_2027)
    text = CATALOG.replace('auto_issue = ["*"]', "auto_issue = []")
    before = load_catalog(write(tmp_path / "before" / "catalog.toml", text.format(calendar="")))
    after = load_catalog(write(tmp_path / "after" / "catalog.toml", text.format(calendar='[calendar]\nfile = "h.toml"')))
    store = Store(tmp_path / "m.db")
    late = {"tzgg": ["2026-12-01"]}
    sweep_day(store, before, date(2026, 12, 21), late)
    sweep_day(store, before, date(2026, 12, 22), late)
    [draft] = store.notices(state="draft")
    issued = review.issue(store, before, draft["id"], date(2026, 12, 31), "张三")
    assert issued["deadline"] == "2027-01-08"  # 5 working days after Dec 31, guessed: Jan 4, 5, 6, 7, 8
    with pytest.raises(UsageError, match="before the notice's last move"):
        review.close(store, draft["id"], date(2026, 12, 30), "张三", "改写历史")
    sweep_day(store, after, date(2027, 1, 4), late)
    [notice] = store.notices()
    # the file: Jan 1-4 off, so Jan 5, 6, 7, 8, 11 (counted from the draft day it would be Dec 29: overdue)
    assert (notice["state"], notice["deadline"]) == ("issued", "2027-01-11")


def test_late_only_by_a_guessed_calendar_drafts_no_notice(tmp_path, catalogs):
    """Late by a few days on a count through an unknown year (which may hide a holiday): no notice yet."""
    before, _ = catalogs
    store = Store(tmp_path / "m.db")
    news = {"news": ["2026-12-29"]}  # due Jan 6 by the guess
    for day in (date(2027, 1, 7), date(2027, 1, 8)):
        result = sweep_day(store, before, day, news)["news"]
        assert result.verdict.state == "late" and result.verdict.provisional and result.notice_action is None
    assert store.notices() == []
    far = sweep_day(store, before, date(2027, 1, 18), news)["news"]  # 12 days late: beyond any holiday's reach
    assert far.verdict.provisional and far.notice_action == "draft"
