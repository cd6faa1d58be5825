"""The weekly report, built from a real SQLite store and opened in Debian's Chromium.

A unit whose newest item carries a hostile title and a javascript: URL is judged late two days
running (so it gets a notice); the report must show the title as text, run no script, link only
http(s) URLs and load nothing from the network. A screenshot is left in tests/artifacts/.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from monitor.assess import assess_unit
from monitor.config import load_catalog
from monitor.store import Store
from tests.conftest import ARTIFACTS, offline_page
from reports.weekly import build_weekly, gather

HOSTILE = """<script>alert("x")</script><img src=x onerror=alert(1)>"'&"""
AS_OF = date(2026, 11, 27)
RULES = """
[notices]
auto_issue = ["dynamic_2w"]

[rules.dynamic_2w]
kind = "max_gap"
within = { n = 14, unit = "day" }
"""
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
  id = "tzgg"
  name = "通知公告"
  url = "http://127.0.0.1:9/tzgg/"
  rule = "dynamic_2w"
"""


def judged_store(tmp_path: Path, days: list[date], fixed_on: date | None = None):
    """Two columns judged on `days`; gzdt's newest item is hostile and old (late) until `fixed_on`."""
    path = tmp_path / "catalog.toml"
    path.write_text(CATALOG, encoding="utf-8")
    catalog = load_catalog(path)
    store = Store(tmp_path / "monitor.db")
    store.record_catalog(catalog)
    unit = catalog.unit("hostile")
    for day in days:
        sweep = store.begin_sweep(day, "sweep", catalog.digest, 1)
        store.save_items("hostile", "gzdt", day, sweep, [
            {"url": "javascript:alert(2)", "title": HOSTILE, "published": "2026-10-01", "published_source": "list"}])
        if fixed_on and day >= fixed_on:
            store.save_items("hostile", "gzdt", day, sweep, [
                {"url": "http://127.0.0.1:9/gzdt/t9.html", "title": "新动态", "published": day.isoformat(),
                 "published_source": "list"}])
        store.save_items("hostile", "tzgg", day, sweep, [
            {"url": "http://127.0.0.1:9/tzgg/t1.html", "title": "关于开展调研的通知", "published": day.isoformat(),
             "published_source": "list"}])
        for column in ("gzdt", "tzgg"):
            store.add_check({"sweep_id": sweep, "unit": "hostile", "column_id": column, "day": day.isoformat(),
                             "outcome": "ok", "items_found": 1, "newest_date": None, "oldest_date": None,
                             "pages": 1, "detail": "", "checked_at": f"{day}T08:00:00+08:00"})
        assess_unit(store, catalog, unit, day, sweep)
        store.finish_sweep(sweep, "finished")
    return store, catalog


@pytest.fixture()
def report(tmp_path) -> Path:
    store, catalog = judged_store(tmp_path, [AS_OF - timedelta(days=1), AS_OF])
    data = gather(store, catalog, AS_OF)
    assert [r["column_id"] for r in data["lagging"]] == ["gzdt"] and len(data["opened"]) == 1
    return build_weekly(store, catalog, AS_OF, tmp_path / "report")


def test_report_in_chromium_escapes_scraped_text_and_stays_offline(report):
    with offline_page() as (page, watch):
        page.goto(report.as_uri())
        lagging = page.locator('#lagging tr[data-unit="hostile"][data-column="gzdt"]')
        assert lagging.count() == 1
        assert HOSTILE in lagging.inner_text()  # shown as text, not markup
        assert lagging.locator("a[href^='javascript']").count() == 0
        assert page.locator("#ranking tbody tr").count() == 1
        assert page.locator("#unit-count").inner_text() == "1"
        assert page.locator("#opened-count").inner_text() == "1"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "weekly-report.png"), full_page=True)
        page.goto((report.parent / "notices.html").as_uri())
        assert page.locator("#notices tr[data-state='issued']").count() == 1
    watch.assert_offline_and_quiet()


def test_a_past_weeks_report_shows_notices_as_they_stood_then(tmp_path):
    days = [AS_OF - timedelta(days=1), AS_OF, AS_OF + timedelta(days=1)]
    store, catalog = judged_store(tmp_path, days, fixed_on=days[2])
    then = gather(store, catalog, AS_OF)
    now = gather(store, catalog, days[2])
    assert [n["state"] for n in then["notices"]] == ["issued"] and then["notices"][0]["rectified_day"] is None
    assert [n["state"] for n in now["notices"]] == ["rectified"] and len(now["rectified"]) == 1
    assert gather(store, catalog, days[0])["notices"] == []  # not opened yet on the first day


def test_the_weeks_signals_are_listed_with_their_items_escaped(tmp_path):
    from monitor.signals import Signal

    store, catalog = judged_store(tmp_path, [AS_OF - timedelta(days=1), AS_OF])
    items = [{"key": "javascript:alert(3)", "url": "javascript:alert(3)", "title": HOSTILE, "published": "2026-11-20",
              "first_seen": "2026-11-20", "body_chars": 0},
             {"key": "http://127.0.0.1:9/tzgg/t2.html", "url": "http://127.0.0.1:9/tzgg/t2.html", "title": "通知",
              "published": "2026-11-21", "first_seen": "2026-11-21", "original": {
                  "url": "http://127.0.0.1:9/tzgg/t1.html", "title": "原通知", "published": "2026-10-01"}}]
    store.save_signal(Signal("empty_item", "hostile", "tzgg", AS_OF, f"《{HOSTILE}》正文为空", {"items": 2}, items))
    store.save_signal(Signal("burst", "hostile", "tzgg", AS_OF - timedelta(days=9), "上周的", {}, []))
    data = gather(store, catalog, AS_OF)
    assert [s["kind"] for s in data["signals"]] == ["empty_item"]  # the week's only
    html = build_weekly(store, catalog, AS_OF, tmp_path / "report").read_text(encoding="utf-8")
    assert 'data-unit="hostile" data-column="tzgg" data-kind="empty_item"' in html
    assert "<script>alert" not in html and 'href="javascript' not in html and "&lt;script&gt;" in html
    assert 'href="http://127.0.0.1:9/tzgg/t2.html"' in html and 'href="http://127.0.0.1:9/tzgg/t1.html"' in html
    assert "正文 0 字" in html and "空内容信息" in html
