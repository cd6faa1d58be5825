"""Safe by default, over real HTTP: only the catalog's hosts are fetched, redirects leave the site never (within
it, they are followed), the monitor says who it is, and every fetch leaves a record."""

from __future__ import annotations

import sqlite3
from http.server import BaseHTTPRequestHandler

import pytest

from tests.conftest import one_unit_catalog, send_page, serve_loopback, sweep_cli

SITE, ELSEWHERE = "127.0.0.21", "127.0.0.22"
LIST_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>通知公告</title></head><body>
<div class="nav"><a href="/">首页</a><a href="/xxgk/">信息公开</a></div>
<ul class="list">
<li><a href="/tzgg/202611/t20261120_1.html" title="关于开展安全生产检查的通知">关于开展安全生产检查的通知</a><span>2026-11-20</span></li>
<li><a href="/tzgg/202611/t20261110_2.html" title="关于公布年度考核结果的通知">关于公布年度考核结果的通知</a><span>2026-11-10</span></li>
<li><a href="/tzgg/202610/t20261030_3.html" title="关于调整办公时间的通知">关于调整办公时间的通知</a><span>2026-10-30</span></li>
</ul></body></html>"""


MOVED_LIST = """<!doctype html><html><head><meta charset="utf-8"><title>同站栏目</title></head><body>
<div class="nav"><a href="/">首页</a><a href="/xxgk/">信息公开</a></div><ul class="list">
<li><a href="/samesite/a1.html" title="关于开展2026年度冬季消防安全检查工作的通知">关于开展2026年度冬季消防安全检查工作的通知</a></li>
<li><a href="/samesite/a2.html" title="关于调整部分政务服务事项办事指南的通知">关于调整部分政务服务事项办事指南的通知</a></li>
<li><a href="/samesite/202610/t20261030_3.html" title="关于公布第三季度重点工作进展情况的公告">关于公布第三季度重点工作进展情况的公告</a>
<span>2026-10-30</span></li></ul></body></html>"""
ARTICLE = """<!doctype html><html><head><meta charset="utf-8"><meta name="PubDate" content="2026-11-2{n} 09:00">
<title>通知</title></head><body><h1>通知</h1><p>发布日期：2026-11-2{n}</p><p>正文内容。</p></body></html>"""


class Recorder(BaseHTTPRequestHandler):
    seen: list[tuple[str, str, str]] = []
    second_port = 0  # the site's other port: /samesite/ moves there

    def log_message(self, *args):
        pass

    def do_GET(self):
        host = self.server.server_address[0]
        port = self.server.server_address[1]
        Recorder.seen.append((host if port != Recorder.second_port else f"{host}:second", self.path,
                              self.headers.get("User-Agent", "")))
        if self.path == "/samesite/" and port != Recorder.second_port:  # same host, another port: same site
            self.send_response(301)
            self.send_header("Location", f"http://{SITE}:{Recorder.second_port}/samesite/")
        elif self.path == "/javascript/":
            self.send_response(302)
            self.send_header("Location", "javascript:alert(1)")
        elif self.path == "/moved/":
            self.send_response(302)
            self.send_header("Location", f"http://{ELSEWHERE}:{port}/list/")
        elif self.path == "/old/":
            self.send_response(301)
            self.send_header("Location", f"http://{SITE}:{port}/tzgg/")
        elif self.path == "/ftp/":
            self.send_response(302)
            self.send_header("Location", "file:///etc/passwd")
        elif self.path in ("/samesite/", "/samesite/a1.html", "/samesite/a2.html"):  # the other port
            send_page(self, 200, MOVED_LIST if self.path == "/samesite/" else ARTICLE.format(n=self.path[-6]))
            return
        elif self.path == "/tzgg/":
            send_page(self, 200, LIST_PAGE)
            return
        else:
            self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture()
def sites():
    Recorder.seen = []
    with serve_loopback(Recorder, SITE) as second, serve_loopback(Recorder, SITE, ELSEWHERE) as port:
        Recorder.second_port = second
        yield port


def test_only_configured_hosts_are_fetched_and_every_fetch_is_recorded(sites, tmp_path):
    port = sites
    base = f"http://{SITE}:{port}"
    catalog = one_unit_catalog(tmp_path / "catalog.toml", f"{base}/", [
        ("tzgg", "通知公告", f"{base}/tzgg/"), ("moved", "搬走的栏目", f"{base}/moved/"),
        ("ftp", "跳到本地文件", f"{base}/ftp/"), ("gone", "不存在的栏目", f"{base}/gone/"), ("old", "旧地址", f"{base}/old/"),
        ("samesite", "同站另一端口", f"{base}/samesite/"), ("js", "跳到脚本地址", f"{base}/javascript/"),
    ], monitor='contact = "https://monitor.example.gov.cn/about"')
    db = tmp_path / "monitor.db"
    sweep_cli(catalog, db, "2026-11-28")
    assert {host for host, _, _ in Recorder.seen} == {SITE, f"{SITE}:second"}  # never the other host
    # followed within the site, and the undated items' pages read where the column now is
    assert sorted(p for h, p, _ in Recorder.seen if h.endswith(":second")) == [
        "/samesite/", "/samesite/a1.html", "/samesite/a2.html"]
    assert all(ua.startswith("DisclosureMonitor/") and "monitor.example.gov.cn" in ua for _, _, ua in Recorder.seen)
    conn = sqlite3.connect(db)
    checks = dict(conn.execute("select column_id, outcome from checks"))
    assert checks == {"tzgg": "ok", "moved": "broken", "ftp": "broken", "gone": "not_found", "old": "broken",
                      "samesite": "ok", "js": "broken"}
    fetches = conn.execute("select column_id, url, outcome, error from fetches order by id").fetchall()
    assert {c for c, _, _, _ in fetches} == set(checks)
    refused = {c: e for c, _, o, e in fetches if e.startswith("OffsiteHost")}
    assert set(refused) == {"moved", "ftp", "js"}
    assert ELSEWHERE in refused["moved"] and "file:///etc/passwd" in refused["ftp"] and "javascript:" in refused["js"]
    verdicts = dict(conn.execute("select column_id, state from verdicts"))
    assert verdicts == {"tzgg": "on_time", "moved": "broken", "ftp": "broken", "gone": "broken", "old": "broken",
                        "samesite": "on_time", "js": "broken"}
    assert conn.execute("select count(*) from notices").fetchone()[0] == 0


def test_chromium_follows_no_redirect_off_the_site(sites, tmp_path):
    """Rendered columns: Chromium follows redirects without asking the route again, so the monitor walks a
    page load's redirect chain itself. Off the site, nothing is asked of the other host; within it, the page reads."""
    port = sites
    base = f"http://{SITE}:{port}"
    catalog = one_unit_catalog(tmp_path / "catalog.toml", f"{base}/", [
        ("moved", "搬走的栏目", f"{base}/moved/"), ("samesite", "同站另一端口", f"{base}/samesite/")],
        extract="browser = true")
    db = tmp_path / "monitor.db"
    sweep_cli(catalog, db, "2026-11-28")
    assert ELSEWHERE not in {host for host, _, _ in Recorder.seen}
    conn = sqlite3.connect(db)
    rendered = conn.execute("select column_id, rendered, outcome from fetches where kind = 'list'").fetchall()
    assert {(c, r) for c, r, _ in rendered} == {("moved", 1), ("samesite", 1)}
    checks = dict(conn.execute("select column_id, outcome from checks"))
    assert checks == {"moved": "broken", "samesite": "ok"}
    assert [p for h, p, _ in Recorder.seen if h.endswith(":second")][:1] == ["/samesite/"]
