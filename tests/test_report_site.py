"""The weekly report as a site: overview, unit pages, big screen, print view and exports, built from a real
SQLite store and opened in Debian's Chromium (offline, no console error, hostile titles shown as text).
Screenshots of the overview, a unit page and the big screen are left in tests/artifacts/ for a person."""

from __future__ import annotations

import csv
import os
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from monitor.assess import assess_unit
from monitor.config import load_catalog
from monitor.store import Store
from reports.weekly import build_weekly, gather
from tests.conftest import ARTIFACTS, offline_page
from tests.test_report import HOSTILE, RULES

FORMULA = '=HYPERLINK("http://203.0.113.9/","点我")'
AS_OF = date(2026, 11, 27)  # a Friday, ISO week 48
DAYS = [AS_OF - timedelta(days=k) for k in reversed(range(21))]  # three weeks of daily sweeps
CATALOG = RULES + """
[[units]]
slug = "hostile"
name = "某某局"
site = "http://127.0.0.1:9/"

  [[units.columns]]
  id = "gzdt"
  name = "工作动态"
  url = "http://127.0.0.1:9/gzdt/"
  type = "动态要闻"
  rule = "dynamic_2w"

  [[units.columns]]
  id = "czyjs"
  name = "部门预决算"
  url = "http://127.0.0.1:9/czyjs/"
  type = "财政预决算"
  focus = true
  rule = "dynamic_2w"

[[units]]
slug = "unread"
name = "某某办"
site = "http://127.0.0.3:9/"

  [[units.columns]]
  id = "gzdt"
  name = "工作动态"
  url = "http://127.0.0.3:9/gzdt/"
  rule = "dynamic_2w"

[[units]]
slug = "steady"
name = "某某委"
site = "http://127.0.0.2:9/"

  [[units.columns]]
  id = "tzgg"
  name = "通知公告"
  url = "http://127.0.0.2:9/tzgg/"
  rule = "dynamic_2w"
"""


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def item(unit_ip: str, column: str, k: int, title: str, published: date) -> dict:
    return {"url": f"http://{unit_ip}:9/{column}/t{k}.html", "title": title, "published": published.isoformat(),
            "published_source": "list"}


def site_store(tmp_path: Path) -> tuple[Store, object]:
    """Three weeks: 某某局's 工作动态 shows only a hostile old item (late from the second week on), its 部门预决算
    (a focus column) publishes in a burst of 3 on one day; 某某委 publishes every day (one title a formula)."""
    path = tmp_path / "catalog.toml"
    path.write_text(CATALOG, encoding="utf-8")
    catalog = load_catalog(path)
    store = Store(tmp_path / "monitor.db")
    store.record_catalog(catalog)
    burst_day = AS_OF - timedelta(days=10)
    for day in DAYS:
        sweep = store.begin_sweep(day, "sweep", catalog.digest, 2)
        store.save_items("hostile", "gzdt", day, sweep, [
            {"url": "javascript:alert(2)", "title": HOSTILE, "published": (AS_OF - timedelta(days=30)).isoformat(),
             "published_source": "list"}])
        budget = [item("127.0.0.1", "czyjs", 0, "2025年部门决算", AS_OF - timedelta(days=200))]
        if day >= burst_day:
            budget += [item("127.0.0.1", "czyjs", k, f"2026年部门预算（{k}）", burst_day) for k in (1, 2, 3)]
        store.save_items("hostile", "czyjs", day, sweep, budget)
        store.save_items("steady", "tzgg", day, sweep, [
            item("127.0.0.2", "tzgg", d.toordinal(), FORMULA if d == AS_OF else f"关于{d.month}月{d.day}日工作的通知", d)
            for d in DAYS if d <= day])
        for unit, column in (("hostile", "gzdt"), ("hostile", "czyjs"), ("steady", "tzgg")):
            store.add_check({"sweep_id": sweep, "unit": unit, "column_id": column, "day": day.isoformat(),
                             "outcome": "ok", "items_found": 1, "newest_date": None, "oldest_date": None,
                             "pages": 1, "detail": "", "checked_at": f"{day}T08:00:00+08:00"})
        for unit in catalog.units:
            if unit.slug != "unread":  # its site never answered: nothing of it is judged
                assess_unit(store, catalog, unit, day, sweep)
        store.finish_sweep(sweep, "finished")
    return store, catalog


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("site")
    store, catalog = site_store(tmp)
    build_weekly(store, catalog, AS_OF - timedelta(days=7), tmp / "report")  # last week's, kept
    return build_weekly(store, catalog, AS_OF, tmp / "report").parent


def test_the_week_is_kept_in_its_own_folder_and_older_weeks_stay(site):
    week = site / "weeks" / "2026-11-27"
    for name in ("index.html", "notices.html", "screen.html", "print.html", "verdicts.csv", "verdicts.xlsx",
                 "notices.csv", "notices.xlsx", "units/hostile.html", "units/steady.html"):
        assert (week / name).exists(), name
        assert (site / name).exists(), name  # the latest week, at the top
    last_week = (site / "weeks" / "2026-11-20" / "index.html").read_text(encoding="utf-8")
    assert "2026-11-14 至 2026-11-20" in last_week
    assert oct(week.stat().st_mode & 0o755) == oct(0o755 & ~_umask())  # publishable: not a private temp folder
    assert not [p for p in (site / "weeks").iterdir() if p.name.startswith(".")]  # nothing left of the building
    # the latest week at the top shares the archived files (hard links), and the archive kept its own
    assert (site / "units" / "hostile.html").stat().st_ino == (week / "units" / "hostile.html").stat().st_ino
    assert "2026-11-14 至 2026-11-20" in (site / "weeks" / "2026-11-20" / "units" / "hostile.html").read_text(encoding="utf-8")
    top = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="weeks/2026-11-20/index.html"' in top and "2026-11-21 至 2026-11-27" in top
    assert 'href="../2026-11-20/index.html"' in (week / "index.html").read_text(encoding="utf-8")


def test_the_trend_covers_12_weeks_and_each_unit_has_its_change_since_last_week(site):
    data = gather(Store(site.parent / "monitor.db"), load_catalog(site.parent / "catalog.toml"), AS_OF)
    assert len(data["trend"]) == 12
    assert [p.value is None for p in data["trend"]] == [True] * 9 + [False] * 3  # three weeks of history
    assert data["trend"][-1].label == "第48周" and data["trend"][-1].detail == "11月21日—11月27日"
    units = {u.slug: u for u in data["units"]}
    assert units["steady"].rate == 1.0 and units["steady"].change == 0
    # 50 % this week (工作动态 late, 部门预决算 on time since its burst) against 4 of 14 the week before
    assert units["hostile"].rate == 0.5 and units["hostile"].change == pytest.approx(0.5 - 4 / 14)
    assert units["hostile"].place == 2
    assert units["unread"].rate is None and units["unread"].place is None  # not ranked last: not ranked
    [focus] = data["focus"]
    assert focus["name"] == "财政预决算" and [r["column_id"] for r in focus["rows"]] == ["czyjs"]


def test_the_overview_in_chromium_answers_who_lags_and_whether_it_gets_better(site):
    with offline_page() as (page, watch):
        page.set_viewport_size({"width": 1200, "height": 900})
        page.goto((site / "index.html").as_uri())
        trend = page.locator("#trend svg.chart.trend")
        assert trend.count() == 1
        labels = trend.locator("text").all_text_contents()
        assert "第48周" in labels and "第46周" in labels  # 12 weeks drawn, the last three with data
        assert trend.locator("circle").count() == 3
        caption = page.locator("#trend figcaption").inner_text()
        assert "第48周" in caption and "%" in caption  # the figures in words too, not only drawn
        ranking = page.locator("#ranking tbody tr")
        assert ranking.count() == 3
        assert page.locator('#ranking tr[data-unit="unread"] td').first.inner_text() == "—"
        steady = page.locator('#ranking tr[data-unit="steady"]')
        assert steady.locator("a").get_attribute("href") == "units/steady.html"
        hostile = page.locator('#ranking tr[data-unit="hostile"]')
        assert hostile.locator("td").nth(3).inner_text() == "↑21.4个百分点"  # better than last week: an arrow, not a colour
        focus = page.locator('table.focus[data-area="财政预决算"]')
        assert focus.count() == 1 and "部门预决算" in focus.inner_text()
        lagging = page.locator('#lagging tr[data-unit="hostile"][data-column="gzdt"]')
        assert HOSTILE in lagging.inner_text() and lagging.locator("a[href^='javascript']").count() == 0
        # tables sort: by 按时率, ascending then descending
        header = page.locator("#ranking thead th").nth(2)
        header.click()
        assert header.get_attribute("aria-sort") == "ascending"
        assert page.locator("#ranking tbody tr").nth(1).get_attribute("data-unit") == "hostile"  # after the unrated
        header.click()
        assert page.locator("#ranking tbody tr").first.get_attribute("data-unit") == "steady"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "report-overview.png"), full_page=True)
    watch.assert_offline_and_quiet()
    assert all(url.startswith(site.as_uri()) for url in watch.requests)  # nothing outside the report's folder


def test_a_unit_page_shows_each_column_a_year_of_publication_days_and_hostile_text_as_text(site):
    with offline_page() as (page, watch):
        page.set_viewport_size({"width": 1200, "height": 900})
        page.goto((site / "units" / "hostile.html").as_uri())
        rows = page.locator("table.columns tbody tr")
        assert rows.count() == 2
        gzdt = page.locator('table.columns tr[data-column="gzdt"]')
        assert gzdt.get_attribute("data-state") == "late"
        assert HOSTILE in gzdt.inner_text() and "最大更新间隔不超过14天" in gzdt.inner_text()
        assert gzdt.locator("a[href^='javascript']").count() == 0
        burst = (AS_OF - timedelta(days=10)).isoformat()
        cell = page.locator(f'svg.calendar rect[data-day="{burst}"]')
        assert cell.get_attribute("data-count") == "3"  # the burst: three items on one day
        assert page.locator('svg.calendar rect[data-count="0"]').count() > 300  # the year's silences
        assert page.locator(".year-items").inner_text() == "5"  # 1 hostile + 1 old budget + 3 in the burst
        assert page.locator("table.unit-notices tbody tr").count() >= 1  # its lateness notice
        assert page.evaluate("document.querySelectorAll('script:not([src])').length") == 1  # only the sorter
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "report-unit.png"), full_page=True)
        page.goto((site / "index.html").as_uri())
        page.locator('#ranking tr[data-unit="hostile"] a').click()  # linked from the overview
        assert page.url.endswith("/units/hostile.html")
    watch.assert_offline_and_quiet()
    assert all(url.startswith(site.as_uri()) for url in watch.requests)


def test_the_big_screen_fits_the_wall_and_turns_its_panels(site):
    with offline_page() as (page, watch):
        page.set_viewport_size({"width": 1920, "height": 1080})
        page.goto((site / "screen.html").as_uri())
        assert page.locator("body").get_attribute("data-panel") == "0"  # the overview first (15 s a panel)
        assert page.locator("#screen-rate").is_visible() and page.locator("#dots span").count() == 5
        page.goto((site / "screen.html").as_uri() + "?interval=0.3")
        seen = {page.locator("body").get_attribute("data-panel")}
        deadline = time.monotonic() + 10
        while len(seen) < 5 and time.monotonic() < deadline:
            page.wait_for_timeout(100)
            seen.add(page.locator("body").get_attribute("data-panel"))
        assert seen == {"0", "1", "2", "3", "4"}
        assert page.evaluate("document.documentElement.scrollHeight <= window.innerHeight + 1")  # no scrolling
        page.goto((site / "screen.html").as_uri() + "?panel=2")
        page.wait_for_timeout(700)
        assert page.locator("body").get_attribute("data-panel") == "2"  # held
        page.goto((site / "screen.html").as_uri() + "?interval=0")  # nonsense: the default 15 s, not a flicker
        page.wait_for_timeout(700)
        assert page.locator("body").get_attribute("data-panel") == "0"
        assert "某某办" not in page.locator('.panel[data-title="按时率排名"]').inner_text()  # not ranked, not shown
        ARTIFACTS.mkdir(exist_ok=True)
        page.goto((site / "screen.html").as_uri() + "?panel=0")
        page.screenshot(path=str(ARTIFACTS / "report-screen.png"))
    watch.assert_offline_and_quiet()


def test_print_starts_each_unit_on_a_new_page(site):
    with offline_page() as (page, watch):
        page.goto((site / "print.html").as_uri())
        page.emulate_media(media="print")
        breaks = page.evaluate("Array.from(document.querySelectorAll('section.unit-page'))"
                               ".map(s => getComputedStyle(s).breakBefore)")
        assert breaks == ["auto", "page", "page"]  # each unit after the first starts a new page
        assert page.evaluate("getComputedStyle(document.querySelector('nav.links')).display") == "none"
        assert page.pdf()[:4] == b"%PDF"
    watch.assert_offline_and_quiet()


def test_exports_hold_the_weeks_verdicts_and_notices_and_no_formula(site):
    with (site / "verdicts.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["单位代码"], r["栏目代码"], r["状态代码"]) for r in rows] == [
        ("hostile", "gzdt", "late"), ("hostile", "czyjs", "on_time"), ("steady", "tzgg", "on_time"), ("unread", "gzdt", "")]
    assert rows[0]["最新信息"] == HOSTILE and rows[0]["逾期天数"] != ""
    assert rows[2]["最新信息"] == "'" + FORMULA  # text, not a formula a spreadsheet would run
    book = load_workbook(site / "verdicts.xlsx")
    sheet = book["栏目判定"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][:3] == ["单位", "单位代码", "栏目"] and len(values) == 5
    assert values[3][7] == FORMULA and sheet.cell(4, 8).data_type == "s"  # typed as text, shown as written
    with (site / "notices.csv").open(encoding="utf-8-sig", newline="") as f:
        notices = list(csv.DictReader(f))
    assert [(n["栏目"], n["状态"], n["整改日期"]) for n in notices] == [
        ("工作动态", "逾期未整改", ""), ("部门预决算", "已整改", (AS_OF - timedelta(days=10)).isoformat())]
    assert load_workbook(site / "notices.xlsx")["督办事项"].max_row == 3


def test_a_past_week_rebuilt_leaves_the_top_to_the_newest_and_a_monday_report_is_last_weeks(tmp_path):
    store, catalog = site_store(tmp_path)
    out = tmp_path / "report"
    build_weekly(store, catalog, AS_OF, out)
    past = build_weekly(store, catalog, AS_OF - timedelta(days=7), out)
    assert past == out / "weeks" / "2026-11-20" / "index.html"
    assert "2026-11-21 至 2026-11-27" in (out / "index.html").read_text(encoding="utf-8")  # still the newest
    assert "2026-11-21 至 2026-11-27" in (out / "units" / "hostile.html").read_text(encoding="utf-8")
    monday = gather(store, catalog, date(2026, 11, 30))
    assert monday["trend"][-1].label == "第48周"  # 11月24日—11月30日: six of its days are in week 48


def test_exports_drop_control_characters_a_spreadsheet_cannot_hold(tmp_path):
    from reports.exports import write_exports

    row = {"unit": "u", "unit_name": "某局", "column_id": "c", "column_name": "栏目", "state": "late",
           "newest_title": "标题\x0b带控制符\x00", "days_late": 3}
    write_exports(tmp_path, [row], [])
    assert load_workbook(tmp_path / "verdicts.xlsx")["栏目判定"].cell(2, 8).value == "标题带控制符"
