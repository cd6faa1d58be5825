"""Chromium as a fallback, for real: a list filled by JavaScript is learned and remembered, a firewall
challenge a browser passes is read, and one it cannot pass stays 'blocked' (never lateness)."""

from __future__ import annotations

import sqlite3
from http.server import BaseHTTPRequestHandler

import pytest

from tests.conftest import one_unit_catalog, serve_loopback, sweep_cli

SITE = "127.0.0.23"
WALL_SITE = "127.0.0.26"  # its own host: a firewall is tried in the browser once per host, whichever column asks first
ITEMS = [("关于印发2026年重点工作安排的通知", "2026-11-25"), ("市卫健委召开安全生产专题会议", "2026-11-20"),
         ("关于开展健康义诊活动的通知", "2026-11-12")]
LIST_HTML = "<ul class='list'>" + "".join(
    f"<li><a href='/a/{i}.html' title='{t}'>{t}</a><span>{d}</span></li>" for i, (t, d) in enumerate(ITEMS)) + "</ul>"
JS_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>工作动态</title></head><body>
<div class="nav"><a href="/">首页</a><a href="/xxgk/">信息公开</a></div><ul id="list"></ul>
<script>document.addEventListener('DOMContentLoaded', function () {
  var data = %s;
  var ul = document.getElementById('list');
  data.forEach(function (d, i) { var li = document.createElement('li');
    li.innerHTML = '<a href="/a/' + i + '.html" title="' + d[0] + '">' + d[0] + '</a><span>' + d[1] + '</span>';
    ul.appendChild(li); });
});</script></body></html>""" % [list(i) for i in ITEMS]
CHALLENGE = """<!doctype html><html><head><meta charset="utf-8"></head><body>
<script>var $_ts = window['$_ts'] || {}; $_ts.nsd = 48213; document.cookie = "passed=1; path=/";
location.reload();</script></body></html>"""
WALL = """<!doctype html><html><head><meta charset="utf-8"></head><body>
<script>var $_ts = window['$_ts'] || {}; $_ts.nsd = 48213; $_ts.cd = "qEcrrr";</script></body></html>"""


class Site(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _send(self, status: int, body: str) -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/js/":
            self._send(200, JS_PAGE)
        elif self.path == "/guarded/":
            passed = "passed=1" in (self.headers.get("Cookie") or "")
            self._send(200, f"<html><body>{LIST_HTML}</body></html>") if passed else self._send(412, CHALLENGE)
        elif self.path == "/wall/":
            self._send(412, WALL)
        else:
            self._send(404, "<html><body>页面不存在</body></html>")


@pytest.fixture()
def site():
    with serve_loopback(Site, SITE, WALL_SITE) as port:
        yield port


def test_chromium_fallback_learns_js_lists_and_passes_what_a_browser_passes(site, tmp_path):
    base = f"http://{SITE}:{site}"
    catalog = one_unit_catalog(tmp_path / "catalog.toml", f"{base}/", [
        ("gzdt", "工作动态", f"{base}/js/"), ("tzgg", "通知公告", f"{base}/guarded/"), ("wall", "防护墙后", f"http://{WALL_SITE}:{site}/wall/"),
    ])
    db = tmp_path / "monitor.db"
    sweep_cli(catalog, db, "2026-11-27")
    conn = sqlite3.connect(db)
    fetches = conn.execute("select column_id, rendered, outcome, detail from fetches where kind = 'list' order by id")
    by_column: dict[str, list] = {}
    for column, rendered, outcome, detail in fetches:
        by_column.setdefault(column, []).append((rendered, outcome, detail))
    assert by_column["gzdt"][0][:2] == (0, "broken") and "改用浏览器重试" in by_column["gzdt"][0][2]
    assert by_column["gzdt"][1][:2] == (1, "ok")
    assert by_column["tzgg"][0][:2] == (0, "blocked") and by_column["tzgg"][1][:2] == (1, "ok")
    assert [f[:2] for f in by_column["wall"]] == [(0, "blocked"), (1, "blocked")]
    assert conn.execute("select column_id from column_hints").fetchall() == [("gzdt",)]  # a firewall is not learned
    titles = {t for (t,) in conn.execute("select title from items where column_id = 'gzdt'")}
    assert titles == {t for t, _ in ITEMS}
    verdicts = dict(conn.execute("select column_id, state from verdicts"))
    assert verdicts == {"gzdt": "on_time", "tzgg": "on_time", "wall": "blocked"}

    sweep_cli(catalog, db, "2026-11-28")  # remembered: rendered at once, no plain fetch first
    second = conn.execute("select f.rendered, f.outcome from fetches f join sweeps s on s.id = f.sweep_id"
                          " where s.as_of = '2026-11-28' and f.column_id = 'gzdt' and f.kind = 'list'").fetchall()
    assert second == [(1, "ok")]


SIDEBAR_EMPTY = """<!doctype html><html><head><meta charset="utf-8"><title>通知公告</title></head><body>
<div class="side"><h3>在线访谈</h3><p>暂无数据</p></div><ul id="list"></ul>
<script>document.addEventListener('DOMContentLoaded', function () {
  document.getElementById('list').innerHTML = '<li><a href="/a/1.html">关于开展调研的通知</a><span>2026-11-26</span></li>'
    + '<li><a href="/a/2.html">关于调整办公时间的通知</a><span>2026-11-20</span></li>'
    + '<li><a href="/a/3.html">关于公布考核结果的通知</a><span>2026-11-12</span></li>';
});</script></body></html>"""
TRULY_EMPTY = """<!doctype html><html><head><meta charset="utf-8"><title>重大项目</title></head><body>
<div class="nav"><a href="/">首页</a></div><div class="list"><p>暂无信息</p></div></body></html>"""


class Sidebar(Site):
    def do_GET(self):
        self._send(200, SIDEBAR_EMPTY if self.path == "/side/" else TRULY_EMPTY)


def test_a_blank_column_is_confirmed_in_chromium_before_it_is_called_blank(tmp_path):
    with serve_loopback(Sidebar, SITE) as port:
        base = f"http://{SITE}:{port}"
        catalog = one_unit_catalog(tmp_path / "catalog.toml", f"{base}/", [
            ("tzgg", "通知公告", f"{base}/side/"), ("zdxm", "重大项目", f"{base}/empty/")])
        db = tmp_path / "monitor.db"
        sweep_cli(catalog, db, "2026-11-27")
    conn = sqlite3.connect(db)
    verdicts = dict(conn.execute("select column_id, state from verdicts"))
    assert verdicts == {"tzgg": "on_time", "zdxm": "blank"}  # the side box's 暂无数据 did not make tzgg blank
    rendered = dict(conn.execute("select column_id, max(rendered) from fetches group by column_id"))
    assert rendered == {"tzgg": 1, "zdxm": 1}
