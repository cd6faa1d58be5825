"""The glue: signals found from the store after a unit is judged, kept once, and drafted (never issued) as notices."""

from __future__ import annotations

from datetime import date, timedelta

from monitor.assess import assess_unit
from monitor.config import load_catalog
from monitor.detect import detect_unit
from monitor.store import Store

E = date(2026, 11, 27)
CATALOG = """
[monitor]
inspection_days = [2026-11-30]

[notices]
auto_issue = ["*"]

[rules.m]
kind = "max_gap"
within = { n = 6, unit = "month" }

[[units]]
slug = "bureau"
name = "某某局"
site = "http://127.0.0.1:9/"

  [[units.columns]]
  id = "tzgg"
  name = "通知公告"
  url = "http://127.0.0.1:9/tzgg/"
  rule = "m"
"""


def url(k: int | str) -> str:
    return f"http://127.0.0.1:9/tzgg/t{k}.html"


def sweep(store: Store, catalog, day: date, listed: list[tuple[str, str]]) -> list:
    """One day's sweep of the column showing ``listed`` (url, date), newest first; judged, then looked at."""
    sweep_id = store.begin_sweep(day, "sweep", catalog.digest, 1)
    store.save_items("bureau", "tzgg", day, sweep_id, [
        {"url": u, "title": f"关于{u[-7:-5]}的通知", "published": d, "published_source": "list"} for u, d in listed])
    store.add_check({"sweep_id": sweep_id, "unit": "bureau", "column_id": "tzgg", "day": day.isoformat(),
                     "outcome": "ok", "items_found": len(listed), "newest_date": listed[0][1],
                     "oldest_date": listed[-1][1], "pages": 1, "detail": "", "checked_at": f"{day}T08:00:00+08:00"})
    unit = catalog.unit("bureau")
    assess_unit(store, catalog, unit, day, sweep_id)
    found = detect_unit(store, catalog, unit, day)
    store.finish_sweep(sweep_id, "finished")
    return found


def test_a_burst_before_an_inspection_is_kept_once_and_drafted_never_issued(tmp_path):
    path = tmp_path / "catalog.toml"
    path.write_text(CATALOG, encoding="utf-8")
    catalog = load_catalog(path)
    assert catalog.settings.inspection_days == (date(2026, 11, 30),)
    store = Store(tmp_path / "m.db")
    store.record_catalog(catalog)
    old = [(url(f"o{k}"), (E - timedelta(days=40 + 30 * k)).isoformat()) for k in range(5)]
    start = E - timedelta(days=4)
    found = []
    for day in [E - timedelta(days=d) for d in range(8, -1, -1)]:
        new = [(url(f"n{k}"), start.isoformat()) for k in range(6)] if day >= start else []
        found += sweep(store, catalog, day, new + old)
    [burst] = found
    assert burst.signal.kind == "burst" and burst.signal.day == start + timedelta(days=2)
    assert burst.signal.figures["before_inspection"] == {"day": "2026-11-30", "days_before": 7}
    notice = store.notice(burst.notice_id)
    assert (notice["kind"], notice["state"], notice["issued_day"]) == ("burst", "draft", None)  # auto_issue: lateness only
    assert [s["kind"] for s in store.signals_between(E - timedelta(days=6), E)] == ["burst"]
    assert detect_unit(store, catalog, catalog.unit("bureau"), E) == []  # the same day again: nothing new


def test_an_item_taken_down_early_is_signalled_once(tmp_path):
    path = tmp_path / "catalog.toml"
    path.write_text(CATALOG, encoding="utf-8")
    catalog = load_catalog(path)
    store = Store(tmp_path / "m.db")
    store.record_catalog(catalog)
    items = [(url(k), (E - timedelta(days=10 * k + 5)).isoformat()) for k in range(6)]
    assert sweep(store, catalog, E - timedelta(days=2), items) == []
    [gone] = sweep(store, catalog, E - timedelta(days=1), items[:2] + items[3:])
    assert gone.signal.kind == "vanished" and [i["url"] for i in gone.signal.items] == [url(2)]
    assert gone.signal.items[0]["unlisted_on"] == str(E - timedelta(days=1))
    assert sweep(store, catalog, E, items[:2] + items[3:]) == []  # still gone: signalled already
    assert sweep(store, catalog, E, items[:4]) == []  # the oldest falls off the page read: no evidence
