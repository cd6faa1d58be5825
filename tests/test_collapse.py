"""A first page whose list collapsed overnight is not believed: the check is broken (the monitor's), not a column
gone stale nor items taken down. A list that stays short past COLLAPSE_MEMORY_DAYS is taken as the column's shape."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler

from spiders.unit import COLLAPSE_MEMORY_DAYS
from tests.conftest import one_unit_catalog, send_page, serve_loopback, sweep_cli

SITE = "127.0.0.24"


class Shrinking(BaseHTTPRequestHandler):
    items = 15

    def log_message(self, *args):
        pass

    def do_GET(self):
        rows = "".join(f'<li><a href="/tzgg/2026{10 - k // 28:02d}/t_{k}.html">关于第{k}批事项的通知</a>'
                       f"<span>2026-{10 - k // 28:02d}-{28 - k % 28:02d}</span></li>" for k in range(Shrinking.items))
        body = (f'<!doctype html><html><head><meta charset="utf-8"><title>通知公告</title></head><body>'
                f'<div class="nav"><a href="/">首页</a></div><ul class="list">{rows}</ul></body></html>')
        send_page(self, 200, body)


def test_a_collapsed_list_is_broken_until_it_has_been_short_for_a_month(tmp_path):
    with serve_loopback(Shrinking, SITE) as port:
        base = f"http://{SITE}:{port}"
        catalog = one_unit_catalog(tmp_path / "catalog.toml", f"{base}/", [("tzgg", "通知公告", f"{base}/tzgg/")],
                                   extract="browser_fallback = false")
        db = tmp_path / "monitor.db"
        Shrinking.items = 15
        sweep_cli(catalog, db, "2026-10-28")
        Shrinking.items = 2
        sweep_cli(catalog, db, "2026-10-29")
        sweep_cli(catalog, db, "2026-10-30")
        later = (date(2026, 10, 29) + timedelta(days=COLLAPSE_MEMORY_DAYS + 1)).isoformat()
        sweep_cli(catalog, db, later)
    conn = sqlite3.connect(db)
    checks = conn.execute("select day, outcome, items_found, detail from checks order by day").fetchall()
    assert [(d, o) for d, o, _, _ in checks] == [("2026-10-28", "ok"), ("2026-10-29", "broken"),
                                                 ("2026-10-30", "broken"), (later, "ok")]
    assert "骤减（上次15条，本次2条）" in checks[1][3]
    assert dict(conn.execute("select day, state from verdicts"))["2026-10-29"] == "broken"
    assert conn.execute("select count(*) from notices where opened_day < ?", (later,)).fetchone()[0] == 0


def test_a_column_pointed_at_another_page_is_not_held_to_the_old_pages_count(tmp_path):
    with serve_loopback(Shrinking, SITE) as port:
        base = f"http://{SITE}:{port}"
        catalog = one_unit_catalog(tmp_path / "catalog.toml", f"{base}/", [("tzgg", "通知公告", f"{base}/tzgg/")])
        db = tmp_path / "monitor.db"
        Shrinking.items = 15
        sweep_cli(catalog, db, "2026-10-28")
        catalog.write_text(catalog.read_text(encoding="utf-8").replace("/tzgg/", "/tzgg2/"), encoding="utf-8")
        Shrinking.items = 2
        sweep_cli(catalog, db, "2026-10-29")
    outcomes = sqlite3.connect(db).execute("select day, outcome from checks order by day").fetchall()
    assert outcomes == [("2026-10-28", "ok"), ("2026-10-29", "ok")]
