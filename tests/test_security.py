"""Security, end to end: a hostile unit site served on loopback, swept twice by the CLI (--as-of), its late
column's draft notice issued through the CLI, the weekly report, the board and the evidence pages built, and
every HTML page opened in Debian's Chromium.

- Scripts in scraped titles and URLs never run (no dialog, ``window.__xss`` undefined, no ``on*`` attribute,
  no script but the templates' own) and the titles are shown as text;
- a scraped URL whose scheme is not http(s) is never a link (shown as text) and never fetched: a canary file
  that such URLs (and a redirect) point at is read by nothing;
- no secret of the catalog's notification settings (mail passwords, bot tokens, webhook keys) reaches any
  file the report or the board writes;
- a unit slug cannot make a writer put a file outside its folder.
"""

from __future__ import annotations

import dataclasses
import gzip
import io
import sqlite3
import subprocess
import sys
import zipfile
from datetime import date
from html import escape
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from monitor.config import load_catalog
from monitor.store import Store
from monitor.warc import sweep_file
from reports.site import build_weekly
from tests.conftest import REPO, free_port, offline_page, send_page, serve_loopback, sweep_cli

SITE = "127.0.0.77"
D1, D2 = "2026-11-25", "2026-11-26"
CANARY = "CANARY-3e1f-READ-BY-NOBODY"
UNIT_NAME = "某某局<svg onload=window.__xss=20>"  # configured, not scraped: escaped all the same (charts too)
SECRETS = ["MailPass-5ecret-9f2d", "OfficePass-5ecret-77aa", "DtToken5ecret31bb", "DtSign5ecret0c0d",
           "WeComKey-5ecret-4e4e", "JsonHookToken5ecret8a8a"]
# (href, title, date): titles are written escaped into the page, so the monitor reads them as this text
TITLES = ['<script>window.__xss=1</script>关于开展安全检查的通知',
          '"><img src=x onerror="window.__xss=2">年度工作报告',
          "<svg onload=window.__xss=3>工作动态</svg>",
          "{{7*7}}{% raw %}模板{{ config }}&amp;&lt;b&gt;",  # neither evaluated nor decoded twice
          "'><iframe src=javascript:alert(11)></iframe>简报",
          "</td></tr></table><img src=x onerror=alert(12)>信息"]
ITEMS = [("/gzdt/t1.html", TITLES[0], "2026-09-01"), ("/gzdt/t2.html", TITLES[1], "2026-08-28"),
         ("/gzdt/t3.html", TITLES[2], "2026-08-25"), ("/gzdt/t4.html", TITLES[3], "2026-08-20"),
         ("javascript:window.__xss=4", "脚本链接", "2026-08-19"),
         ("data:text/html,<script>window.__xss=6</script>", "数据链接", "2026-08-18"),
         ("vbscript:msgbox(7)", "VB链接", "2026-08-17"),
         ("java\tscript:window.__xss=8", "制表符链接", "2026-08-16"),
         ('/gzdt/"onmouseover="window.__xss=5".html', "引号链接", "2026-08-15"),
         ("/gzdt/<script>window.__xss=9</script>.html", "路径脚本", "2026-08-14")]
NOT_LINKS = {"VB链接": "vbscript:", "制表符链接": "javascript:"}  # not documents: never items, never links
BAD_SCHEMES = ("javascript:", "data:", "vbscript:", "file:", "ftp:")
ALL_HTML_URL_ATTRS = """() => [...document.querySelectorAll('*')].flatMap(e => [...e.attributes]
    .filter(a => ['href', 'src', 'action', 'formaction', 'xlink:href', 'srcdoc', 'poster', 'data'].includes(a.name))
    .map(a => a.value.trim().toLowerCase()))"""
EVENT_ATTRS = """() => [...document.querySelectorAll('*')].flatMap(e => [...e.attributes].map(a => a.name))
    .filter(n => n.startsWith('on'))"""
TZGG = [("/tzgg/t7.html", "<b>加粗</b>&amp;通知", "2026-09-05"),
        ("/tzgg/t8.html", "关于征集意见的公告", "2026-08-25"), ("/tzgg/t9.html", "关于调整办公时间的通知", "2026-08-15")]


def late_items(port: int, canary: Path) -> list[tuple[str, str, str]]:
    """Items that appear in 通知公告 on the second day, back-dated: new in a column read before, so their
    pages are read (and two are suspected of back-dating: a signal, with its items listed in the report)."""
    return [("/tzgg/t5.html", TITLES[4], "2026-08-30"), ("/tzgg/t6.html", TITLES[5], "2026-08-29"),
            (f"ftp://{SITE}:{port}/pub/x.txt", "FTP链接", "2026-08-03"),
            (f"file://{SITE}{canary}", "文件链接", "2026-08-02"),
            (canary.as_uri(), "本地文件", "2026-08-01")]  # older than the first reading's oldest: not suspects


class Hostile(BaseHTTPRequestHandler):
    log: list[str] = []
    extra: list[tuple[str, str, str]] = []
    canary = Path("/nonexistent")

    def log_message(self, *args):
        pass

    def do_GET(self):
        Hostile.log.append(self.path)
        if self.path in ("/gzdt/", "/tzgg/"):
            items = ITEMS if self.path == "/gzdt/" else TZGG + Hostile.extra
            rows = "\n".join(f'<li><a href="{escape(u)}" title="{escape(t)}">{escape(t)}</a><span>{d}</span></li>'
                             for u, t, d in items)
            send_page(self, 200, f"""<!doctype html><html><head><meta charset="utf-8">
<title>&lt;script&gt;window.__xss=10&lt;/script&gt;工作动态</title></head><body>
<div class="nav"><a href="/">首页</a></div>
<ul class="list">
{rows}
</ul></body></html>""")
        elif self.path == "/jump/":
            self.send_response(302)
            self.send_header("Location", Hostile.canary.as_uri())
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/err/":
            send_page(self, 500, "<html><body><script>window.__xss=13</script>服务器错误</body></html>",
                       reason="<script>window.__xss=14</script>")
        elif self.path.startswith(("/gzdt/", "/tzgg/")):
            send_page(self, 200, '<!doctype html><html><head><meta charset="utf-8"><title>"><script>window.__xss=15'
                            '</script></title></head><body><div id="zoom"><p>发布日期：2026-08-09</p>'
                            '<p><img src=x onerror=alert(16)>'
                            "正文内容，关于安全检查工作的安排。</p></div></body></html>")
        else:
            send_page(self, 200, '<!doctype html><html><head><meta charset="utf-8"><title>首页</title></head>'
                            '<body><a href="/gzdt/">工作动态</a></body></html>')



def catalog_text(base: str, closed: int) -> str:
    mail = f"mailto://monitor:{SECRETS[0]}@127.0.0.1:{closed}?from=monitor@example.gov.cn&to=bureau@example.gov.cn"
    office = f"mailtos://dujiban:{SECRETS[1]}@127.0.0.1:{closed}?from=monitor@example.gov.cn&to=dujiban@example.gov.cn"
    return f"""
[monitor]
download_delay = 0
contact = "https://example.gov.cn/monitor"

[notices]
office = ["{office}", "dingtalk://{SECRETS[3]}@{SECRETS[2]}/"]
board_url = "https://www.example.gov.cn/dujiban/board.html"

[rules.m]
kind = "max_gap"
within = {{ n = 14, unit = "day" }}

[[units]]
slug = "bureau"
name = "{UNIT_NAME}"
site = "{base}/"
contacts = ["{mail}", "wecombot://{SECRETS[4]}", "json://127.0.0.1:{closed}/hooks/{SECRETS[5]}"]
columns = [
  {{ id = "gzdt", name = "工作动态", url = "{base}/gzdt/", rule = "m" }},
  {{ id = "tzgg", name = "通知公告", url = "{base}/tzgg/", rule = "m" }},
  {{ id = "jump", name = "公示公告", url = "{base}/jump/", rule = "m" }},
  {{ id = "err", name = "政策文件", url = "{base}/err/", rule = "m" }},
]
"""


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "monitor", *args], capture_output=True, text=True, cwd=REPO,
                          timeout=300)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The hostile site swept on D1 and D2; the lateness draft issued; notify run; report and board built."""
    tmp = tmp_path_factory.mktemp("security")
    canary = tmp / "canary" / "secret.txt"
    canary.parent.mkdir()
    canary.write_text(CANARY, encoding="utf-8")
    Hostile.log, Hostile.extra, Hostile.canary = [], [], canary
    closed = free_port(["127.0.0.1"])  # nothing listens: every delivery fails at once, nothing leaves the machine
    with pytest.MonkeyPatch.context() as env, serve_loopback(Hostile, SITE) as port:
        for name in ("https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY", "ALL_PROXY", "all_proxy"):
            env.delenv(name, raising=False)
        env.setenv("HTTPS_PROXY", f"http://127.0.0.1:{closed}")  # bots (oapi.dingtalk.com...) go nowhere
        env.setenv("NO_PROXY", "127.0.0.1,127.0.0.77")
        work = tmp / "work"
        work.mkdir()
        catalog = work / "catalog.toml"
        catalog.write_text(catalog_text(f"http://{SITE}:{port}", closed), encoding="utf-8")
        db = work / "monitor.db"
        common = ["--config", str(catalog), "--db", str(db)]
        sweep_cli(catalog, db, D1)
        Hostile.extra = late_items(port, canary)
        sweep_cli(catalog, db, D2)
        conn = sqlite3.connect(db)
        conn.row_factory = sqlite3.Row
        drafts = conn.execute("select id from notices where column_id = 'gzdt' and kind = 'lateness'"
                              " and state = 'draft'").fetchall()
        assert len(drafts) == 1, [dict(r) for r in conn.execute("select id, column_id, kind, state from notices")]
        issued = cli("notices", "issue", str(drafts[0]["id"]), "--as-of", D2, "--by", "审核员", *common)
        assert issued.returncode == 0, issued.stderr[-2000:]
        notified = cli("notify", "--as-of", D2, *common)
        assert notified.returncode == 1, notified.stdout + notified.stderr[-2000:]  # every attempt failed
        for command, folder in (("report", "report"), ("board", "board")):
            done = cli(command, "--as-of", D2, "--out", str(tmp / "out" / folder), *common)
            assert done.returncode == 0, done.stderr[-2000:]
        yield {"tmp": tmp, "out": tmp / "out", "db": db, "conn": conn, "port": port, "canary": canary,
               "catalog": catalog, "notice": drafts[0]["id"], "delivery_errors": notified.stdout + notified.stderr}
        conn.close()


def html_pages(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*.html"))


def test_every_output_page_runs_no_scraped_script_and_links_only_http(world):
    out = world["out"]
    pages = html_pages(out)
    names = {p.relative_to(out).as_posix() for p in pages}
    notice = world["notice"]
    for expected in ("report/index.html", "report/notices.html", "report/print.html", "report/screen.html",
                     "report/units/bureau.html", f"report/evidence/notice-{notice}/index.html",
                     f"report/weeks/{D2}/index.html", "report/board.html", "board/board.html"):
        assert expected in names, sorted(names)
    with offline_page() as (page, watch):
        for path in pages:
            page.goto(path.as_uri())
            page.wait_for_timeout(150)  # onerror/onload handlers, had any been written, have fired
            where = path.relative_to(out).as_posix()
            assert page.evaluate("() => typeof window.__xss") == "undefined", where
            assert page.evaluate(EVENT_ATTRS) == [], where
            bad = [v for v in page.evaluate(ALL_HTML_URL_ATTRS) if v.replace("\t", "").startswith(BAD_SCHEMES)]
            assert bad == [], where
            scripts = page.evaluate("() => [...document.scripts].map(s => s.src + s.textContent)")
            assert all("__xss" not in s and "alert(" not in s and not s.startswith("http") for s in scripts), where
            assert page.locator("iframe, object, embed, svg [onload], form").count() == 0, where
    assert watch.dialogs == [] and watch.errors == []
    assert all(url.startswith("file://") for url in watch.requests)
    assert not [url for url in watch.requests if url.rsplit("/", 1)[-1] in ("x", "x.png")]  # no injected <img src=x>


def text_of(page, path: Path) -> str:
    page.goto(path.as_uri())
    return page.locator("body").inner_text()


def test_scraped_titles_are_shown_as_text_and_bad_urls_are_not_links(world):
    report, notice = world["out"] / "report", world["notice"]
    evidence = report / "evidence" / f"notice-{notice}" / "index.html"
    with offline_page() as (page, watch):
        for path in (report / "index.html", report / "units" / "bureau.html", report / "print.html"):
            assert TITLES[0] in text_of(page, path), path  # the newest item, shown where the report names it
        text = text_of(page, evidence)
        for title in TITLES[:4]:  # every item the column showed when the notice was opened
            assert title in text
        for title in NOT_LINKS:
            assert page.locator("#items tr", has_text=title).count() == 0, title  # not an item at all
        quoted = page.locator("#items a", has_text="引号链接")
        assert quoted.get_attribute("href") == f'http://{SITE}:{world["port"]}/gzdt/"onmouseover="window.__xss=5".html'
        scripted = page.locator("#items a", has_text="路径脚本")
        assert scripted.get_attribute("href").endswith("/gzdt/<script>window.__xss=9</script>.html")
        board = text_of(page, world["out"] / "board" / "board.html")
        assert UNIT_NAME in board and "工作动态" in board  # the issued notice is on the board
        signals = text_of(page, report / "index.html")
        assert TITLES[4] in signals and TITLES[5] in signals  # back-dated items (a signal) listed as text
    assert watch.dialogs == []
    stored = {r["title"]: r["url"] for r in world["conn"].execute("select title, url from items")}
    assert stored and not set(NOT_LINKS) & set(stored)  # a vbscript: or tab-split javascript: link is no item


def test_the_atom_feed_carries_titles_escaped(world):
    import xml.etree.ElementTree as ET

    for folder in ("board", "report"):
        raw = (world["out"] / folder / "board.atom").read_text(encoding="utf-8")
        ET.fromstring(raw)  # well-formed
        assert "<script" not in raw.lower() and "<img" not in raw.lower()


def test_no_url_other_than_http_was_ever_fetched(world):
    conn = world["conn"]
    fetched = conn.execute("select url, status, warc_file, sha256 from fetches").fetchall()
    assert any(r["url"].endswith("/gzdt/") for r in fetched)
    for r in fetched:
        if not r["url"].startswith(("http://", "https://")):
            assert r["status"] is None and r["warc_file"] is None and r["sha256"] is None, dict(r)
    articles = [p for p in Hostile.log if p.startswith("/tzgg/t")]
    assert "/tzgg/t5.html" in articles  # the back-dated new items' pages were read: so were the others offered
    assert all(p.startswith("/") for p in Hostile.log)
    assert not [f for f in scanned_files(world["tmp"], skip=world["canary"]) if CANARY in f[1]]  # nothing read it


def scanned_files(root: Path, skip: Path | None = None):
    """(path, text) of every file under root, gzip members and zip (xlsx) members opened."""
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p != skip):
        data = path.read_bytes()
        yield path, data.decode("utf-8", "replace")
        if data[:2] == b"\x1f\x8b":
            yield path, gzip.decompress(data).decode("utf-8", "replace")
        if zipfile.is_zipfile(io.BytesIO(data)):
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                for name in z.namelist():
                    yield path / name, z.read(name).decode("utf-8", "replace")


def test_no_secret_of_the_catalog_reaches_the_report_or_the_board(world):
    out = world["out"]
    files = list(scanned_files(out))
    names = {p.name for p, _ in files}
    assert {"index.html", "board.html", "board.atom", "notices.csv", "notices.xlsx", "verdicts.csv", "manifest.json",
            "fetches.warc.gz", "sheet1.xml"} <= names
    for path, text in files:
        for secret in SECRETS:
            assert secret.lower() not in text.lower(), (path, secret)
    catalog = world["catalog"].read_text(encoding="utf-8")
    assert all(secret in catalog for secret in SECRETS)  # the test's secrets were configured
    channels = {r[0] for r in world["conn"].execute("select channel from deliveries where status != 'sent'")}
    assert channels == {"mailto", "mailtos", "dingtalk", "wecombot", "json"}  # every address was in use (and failed)


def test_a_slug_cannot_lead_a_writer_out_of_its_folder(world, tmp_path):
    for slug in ("../etc", "/etc", "../../x", "a/../../b"):
        bad = world["catalog"].read_text(encoding="utf-8").replace('slug = "bureau"', f'slug = "{slug}"')
        (tmp_path / "bad.toml").write_text(bad, encoding="utf-8")
        with pytest.raises(Exception, match="slug"):
            load_catalog(tmp_path / "bad.toml")
        with pytest.raises(ValueError, match="unsafe"):
            sweep_file(D2, 1, slug)  # the archive of a unit's fetches: warc/<day>/<sweep>-<unit>.warc.gz
    assert sweep_file(D2, 7, "bureau").as_posix() == f"warc/{D2}/7-bureau.warc.gz"
    # the report's writer, given a catalog whose slug escaped validation (a unit renamed in memory)
    catalog = load_catalog(world["catalog"])
    db = tmp_path / "monitor.db"
    src = sqlite3.connect(world["db"])
    dst = sqlite3.connect(db)
    src.backup(dst)
    src.close()
    dst.close()
    store = Store(db)
    for slug in ("../../escaped", "/tmp/escaped-abs"):
        unit = dataclasses.replace(catalog.units[0], slug=slug)
        evil = dataclasses.replace(catalog, units=(unit,))
        out = tmp_path / "report" / "inner"
        with pytest.raises(ValueError, match="unsafe"):
            build_weekly(store, evil, date.fromisoformat(D2), out)
        assert not (tmp_path / "escaped.html").exists() and not Path("/tmp/escaped-abs.html").exists()
        assert not [p for p in tmp_path.rglob("*escaped*")]
        assert not [p for p in (out / "weeks").iterdir() if not p.name.startswith(".")]  # nothing half-written
