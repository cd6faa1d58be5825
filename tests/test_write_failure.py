"""A record the monitor fails to write is the monitor's failure: the unit is left unjudged and the sweep says
it failed, rather than judging the columns on what happened to be written (a lost check reads as 'unknown',
a lost list page as items gone). The failure is a real SQLite one: a trigger that aborts one column's check."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from http.server import BaseHTTPRequestHandler

from tests.conftest import REPO, one_unit_catalog, send_page, serve_loopback, sweep_cli

SITE = "127.0.0.23"
PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>{name}</title></head><body>
<ul class="list">
<li><a href="/{col}/202611/t20261120_1.html">关于开展安全生产检查的通知</a><span>2026-11-20</span></li>
<li><a href="/{col}/202611/t20261110_2.html">关于公布年度考核结果的通知</a><span>2026-11-10</span></li>
<li><a href="/{col}/202610/t20261030_3.html">关于调整办公时间的通知</a><span>2026-10-30</span></li>
</ul></body></html>"""


class Site(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        col = self.path.strip("/").split("/")[0]
        send_page(self, 200, PAGE.format(name=col, col=col) if self.path.count("/") == 2 else "<html></html>")


def test_a_lost_write_leaves_the_unit_unjudged_and_the_sweep_failed(tmp_path):
    with serve_loopback(Site, SITE) as port:
        base = f"http://{SITE}:{port}"
        catalog = one_unit_catalog(tmp_path / "catalog.toml", f"{base}/", [
            ("tzgg", "通知公告", f"{base}/tzgg/"), ("gzdt", "工作动态", f"{base}/gzdt/")])
        db = tmp_path / "monitor.db"
        sweep_cli(catalog, db, "2026-11-26")
        conn = sqlite3.connect(db)
        conn.execute("create trigger lose_a_check before insert on checks when new.column_id = 'gzdt'"
                     " begin select raise(abort, 'disk I/O error (test trigger)'); end")
        conn.commit()
        proc = subprocess.run([sys.executable, "-m", "monitor", "sweep", "--as-of", "2026-11-27", "--config",
                               str(catalog), "--db", str(db), "--quiet"],
                              capture_output=True, text=True, cwd=REPO, timeout=300)
    assert proc.returncode != 0
    assert "disk I/O error (test trigger)" in proc.stderr and "not judged" in proc.stderr
    day2 = conn.execute("select id, status from sweeps where as_of = '2026-11-27'").fetchall()
    assert [status for _, status in day2] == ["failed"]
    assert conn.execute("select count(*) from verdicts where day = '2026-11-27'").fetchone()[0] == 0
    assert conn.execute("select column_id from checks where sweep_id = ?", (day2[0][0],)).fetchall() == [("tzgg",)]
    assert conn.execute("select count(*) from verdicts where day = '2026-11-26'").fetchone()[0] == 2  # untouched
    assert conn.execute("select count(*) from notices").fetchone()[0] == 0
