"""Safe by default, over real HTTP: only the catalog's hosts are fetched, redirects elsewhere are not
followed, the monitor says who it is, and every fetch leaves a record."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.conftest import REPO, free_port

SITE, ELSEWHERE = "127.0.0.21", "127.0.0.22"
LIST_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>通知公告</title></head><body>
<div class="nav"><a href="/">首页</a><a href="/xxgk/">信息公开</a></div>
<ul class="list">
<li><a href="/tzgg/202611/t20261120_1.html" title="关于开展安全生产检查的通知">关于开展安全生产检查的通知</a><span>2026-11-20</span></li>
<li><a href="/tzgg/202611/t20261110_2.html" title="关于公布年度考核结果的通知">关于公布年度考核结果的通知</a><span>2026-11-10</span></li>
<li><a href="/tzgg/202610/t20261030_3.html" title="关于调整办公时间的通知">关于调整办公时间的通知</a><span>2026-10-30</span></li>
</ul></body></html>"""


class Recorder(BaseHTTPRequestHandler):
    seen: list[tuple[str, str, str]] = []

    def log_message(self, *args):
        pass

    def do_GET(self):
        host = self.server.server_address[0]
        Recorder.seen.append((host, self.path, self.headers.get("User-Agent", "")))
        port = self.server.server_address[1]
        if self.path == "/moved/":
            self.send_response(302)
            self.send_header("Location", f"http://{ELSEWHERE}:{port}/list/")
        elif self.path == "/old/":
            self.send_response(301)
            self.send_header("Location", f"http://{SITE}:{port}/tzgg/")
        elif self.path == "/ftp/":
            self.send_response(302)
            self.send_header("Location", "file:///etc/passwd")
        elif self.path == "/tzgg/":
            body = LIST_PAGE.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        else:
            self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture()
def sites():
    port = free_port([SITE, ELSEWHERE])
    servers = [ThreadingHTTPServer((ip, port), Recorder) for ip in (SITE, ELSEWHERE)]
    for s in servers:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    Recorder.seen = []
    yield port
    for s in servers:
        s.shutdown()
        s.server_close()


def test_only_configured_hosts_are_fetched_and_every_fetch_is_recorded(sites, tmp_path):
    port = sites
    catalog = tmp_path / "catalog.toml"
    catalog.write_text(f"""
[monitor]
download_delay = 0
contact = "https://monitor.example.gov.cn/about"

[rules.m]
kind = "max_gap"
within = {{ n = 14, unit = "day" }}

[[units]]
slug = "bureau"
name = "某某局"
site = "http://{SITE}:{port}/"
columns = [
  {{ id = "tzgg", name = "通知公告", url = "http://{SITE}:{port}/tzgg/", rule = "m" }},
  {{ id = "moved", name = "搬走的栏目", url = "http://{SITE}:{port}/moved/", rule = "m" }},
  {{ id = "ftp", name = "跳到本地文件", url = "http://{SITE}:{port}/ftp/", rule = "m" }},
  {{ id = "gone", name = "不存在的栏目", url = "http://{SITE}:{port}/gone/", rule = "m" }},
  {{ id = "old", name = "旧地址", url = "http://{SITE}:{port}/old/", rule = "m" }},
]
""", encoding="utf-8")
    db = tmp_path / "monitor.db"
    proc = subprocess.run([sys.executable, "-m", "monitor", "sweep", "--as-of", "2026-11-28", "--config", str(catalog),
                           "--db", str(db)], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert {host for host, _, _ in Recorder.seen} == {SITE}  # never the other host
    assert all(ua.startswith("DisclosureMonitor/") and "monitor.example.gov.cn" in ua for _, _, ua in Recorder.seen)
    conn = sqlite3.connect(db)
    checks = dict(conn.execute("select column_id, outcome from checks"))
    assert checks == {"tzgg": "ok", "moved": "broken", "ftp": "broken", "gone": "not_found", "old": "ok"}
    fetches = conn.execute("select column_id, url, outcome from fetches order by id").fetchall()
    assert {c for c, _, _ in fetches} == {"tzgg", "moved", "ftp", "gone", "old"}
    verdicts = dict(conn.execute("select column_id, state from verdicts"))
    assert verdicts == {"tzgg": "on_time", "moved": "broken", "ftp": "broken", "gone": "broken", "old": "on_time"}
    assert conn.execute("select count(*) from notices").fetchone()[0] == 0
