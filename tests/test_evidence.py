"""A notice's evidence pack, for real: two sweeps over real HTTP find a column lagging, the sweep builds the
pack (the fetches' WARC records, a Chromium screenshot, the manifest, SHA256SUMS), and the pack stands up:
the archived bodies hash to what the fetches rows say, the items carry where their dates came from, and
the screenshot was taken without loading anything from a host the catalog does not name."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
import sys
import time
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from monitor.config import load_catalog
from monitor.evidence import png_size
from monitor.store import Store
from monitor.warc import records
from reports.site import build_weekly
from tests.conftest import REPO, one_unit_catalog, send_page, serve_loopback, sweep_cli

SITE, ELSEWHERE = "127.0.0.26", "127.0.0.27"
D1, D2 = "2026-11-27", "2026-11-28"
ITEMS = [("/tzgg/202609/t20260910_1.html", "关于开展秋季安全生产大检查的通知", "2026-09-10"),
         ("/tzgg/202609/t20260902_2.html", "关于公布年度考核结果的通知", "2026-09-02"),
         ("/tzgg/202608/t20260825_3.html", "关于调整办公时间的通知", "2026-08-25"),
         ("/tzgg/a4.html", "关于征集意见建议的公告", "")]  # no date on the list: its page is read
ARTICLE = """<!doctype html><html><head><meta charset="utf-8"><meta name="PubDate" content="2026-08-20 10:00">
<title>关于征集意见建议的公告</title></head><body><table><tr><td>成文日期：</td><td>2026年08月18日</td></tr>
<tr><td>发布日期：</td><td>2026年08月20日</td></tr></table><p>正文。</p></body></html>"""


def list_page(port: int) -> str:
    rows = "\n".join(f'<li><a href="{u}" title="{t}">{t}</a><span>{d}</span></li>' for u, t, d in ITEMS)
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>通知公告</title>
<style>body {{ font-size: 18px; }} li {{ margin: 8px 0; }}</style></head><body>
<div class="nav"><a href="/">首页</a><a href="/xxgk/">信息公开</a></div>
<h1>某某局 · 通知公告</h1><img src="http://{ELSEWHERE}:{port}/x.png" alt="外部图片">
<ul class="list">
{rows}
</ul></body></html>"""


class Site(BaseHTTPRequestHandler):
    elsewhere: list[str] = []

    def log_message(self, *args):
        pass

    def do_GET(self):
        host, port = self.server.server_address[:2]
        if host == ELSEWHERE:
            Site.elsewhere.append(self.path)
            send_page(self, 200, b"\x89PNG\r\n\x1a\n", "image/png")
        elif self.path == "/tzgg/":
            send_page(self, 200, list_page(port))
        elif self.path == "/tzgg/a4.html":
            send_page(self, 200, ARTICLE)
        elif self.path == "/slow/":
            time.sleep(3)
            send_page(self, 200, list_page(port))
        else:
            send_page(self, 404, "<html><body>页面不存在</body></html>")



@pytest.fixture()
def site():
    Site.elsewhere = []
    with serve_loopback(Site, SITE, ELSEWHERE) as port:
        yield port


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_notice_gets_an_evidence_pack_that_stands_up(site, tmp_path):
    base = f"http://{SITE}:{site}"
    catalog_path = one_unit_catalog(tmp_path / "catalog.toml", f"{base}/", [("tzgg", "通知公告", f"{base}/tzgg/")])
    db = tmp_path / "monitor.db"
    sweep_cli(catalog_path, db, D1)
    sweep_cli(catalog_path, db, D2)  # late twice: a notice, and its pack built at the end of the sweep
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    [notice] = conn.execute("select * from notices where unit = 'bureau' and column_id = 'tzgg'").fetchall()
    assert notice["opened_day"] == D2
    pack = tmp_path / "evidence" / f"notice-{notice['id']}"
    assert sorted(p.name for p in pack.iterdir()) == ["SHA256SUMS", "fetches.warc.gz", "manifest.json", "screenshot.png"]
    registered = {r["kind"]: r for r in conn.execute("select * from evidence_files where notice_id = ?", [notice["id"]])}
    assert set(registered) == {"warc", "screenshot", "manifest"}
    for row in registered.values():
        assert (tmp_path / row["path"]).stat().st_size == row["bytes"] and _sha(tmp_path / row["path"]) == row["sha256"]

    # every list fetch of both sweeps sits in its sweep's WARC file, at its offset, with the body's hash
    fetches = conn.execute("select f.*, s.as_of from fetches f join sweeps s on s.id = f.sweep_id"
                           " where f.kind = 'list' order by f.id").fetchall()
    assert [f["as_of"] for f in fetches] == [D1, D2]
    for f in fetches:
        assert f["warc_file"].startswith(f"warc/{f['as_of']}/") and f["warc_file"].endswith("-bureau.warc.gz")
        at = {r["offset"]: r for r in records(tmp_path / f["warc_file"])}
        record = at[f["warc_offset"]]
        assert record["type"] == "response" and record["uri"] == f"{base}/tzgg/" and record["status"] == 200
        assert record["sha256"] == f["sha256"] == hashlib.sha256(list_page(site).encode()).hexdigest()

    # the pack's WARC holds both lagging checks' responses (and their requests), hashes matching the rows
    in_pack = records(pack / "fetches.warc.gz")
    responses = [r for r in in_pack if r["type"] == "response" and r["uri"] == f"{base}/tzgg/"]
    assert [r["sha256"] for r in responses] == [f["sha256"] for f in fetches]
    assert sum(r["type"] == "request" for r in in_pack) == len([r for r in in_pack if r["type"] == "response"])
    sums = dict(reversed(line.split("  ")) for line in (pack / "SHA256SUMS").read_text().splitlines())
    assert set(sums) == {"fetches.warc.gz", "manifest.json", "screenshot.png"}
    assert all(_sha(pack / name) == digest for name, digest in sums.items())

    manifest = json.loads((pack / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["notice"]["id"] == notice["id"] and manifest["unit"]["slug"] == "bureau"
    assert manifest["column"]["url"] == f"{base}/tzgg/" and manifest["rule"]["words"] == notice["rule_words"]
    assert manifest["lagging_checks"] == [D2, D1]
    assert [v["state"] for v in manifest["verdicts"]] == ["late", "late"]
    digest = conn.execute("select digest from catalog_versions").fetchone()[0]
    assert manifest["catalog"]["digest"] == digest == load_catalog(catalog_path).digest
    list_fetches = [f for f in manifest["fetches"] if f["kind"] == "list"]
    assert [(f["as_of"], f["sha256"], f["verified"]) for f in list_fetches] == [
        (f["as_of"], f["sha256"], True) for f in fetches]
    assert all(f["status"] == 200 and f["fetched_at"] and f["warc"]["offset"] >= 0 for f in list_fetches)
    items = {i["title"]: i for i in manifest["items"]}
    assert {t for _, t, _ in ITEMS} == set(items)
    assert items["关于开展秋季安全生产大检查的通知"]["published"] == "2026-09-10"
    assert items["关于开展秋季安全生产大检查的通知"]["published_source"] == "list"
    read_from_page = items["关于征集意见建议的公告"]
    assert read_from_page["published"] == "2026-08-20" and read_from_page["published_source"] == "article"
    assert read_from_page["written"] == "2026-08-18" and read_from_page["written_source"] == "article"
    assert read_from_page["date_evidence"]["candidates"]
    article = [f for f in manifest["fetches"] if f["kind"] == "article"]
    assert [a["url"] for a in article] == [f"{base}/tzgg/a4.html"] and article[0]["verified"]
    assert manifest["recheck"] == "scrapy crawl bureau -a column=tzgg"

    # the screenshot: a real PNG of the page, taken without touching the other host
    shot = manifest["screenshot"]
    assert shot["taken"] and shot["file"] == "screenshot.png" and shot["status"] == 200
    width, height = png_size(pack / "screenshot.png")
    assert width == 1280 and height >= 300 and (pack / "screenshot.png").stat().st_size > 10_000
    assert any(u.startswith(f"http://{ELSEWHERE}:{site}/x.png") for u in shot["blocked_requests"])
    assert Site.elsewhere == []

    # on demand: the CLI rebuilds it and prints every file with its size and SHA-256
    proc = subprocess.run([sys.executable, "-m", "monitor", "evidence", str(notice["id"]), "--db", str(db),
                           "--config", str(catalog_path)], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert str(pack.resolve()) in proc.stdout
    for name in ("fetches.warc.gz", "manifest.json", "screenshot.png", "SHA256SUMS"):
        line = next(line for line in proc.stdout.splitlines() if name in line)
        assert _sha(pack / name) in line and str((pack / name).stat().st_size) in line
    assert Site.elsewhere == []

    # the report links each notice to its pack, copied next to it
    store = Store(db)
    out = tmp_path / "report"
    (out / "evidence" / "notice-999").mkdir(parents=True)  # left by an earlier report: not listed now
    build_weekly(store, load_catalog(catalog_path), date.fromisoformat(D2), out)
    assert not (out / "evidence" / "notice-999").exists()
    copied = out / "evidence" / f"notice-{notice['id']}"
    assert (copied / "manifest.json").read_bytes() == (pack / "manifest.json").read_bytes()
    assert (copied / "index.html").exists() and "screenshot.png" in (copied / "index.html").read_text(encoding="utf-8")
    for page in ("index.html", "notices.html"):
        assert f'href="evidence/notice-{notice["id"]}/index.html"' in (out / page).read_text(encoding="utf-8"), page


def test_a_fetch_that_timed_out_leaves_no_warc_record(site, tmp_path):
    base = f"http://{SITE}:{site}"
    catalog_path = one_unit_catalog(tmp_path / "catalog.toml", f"{base}/", [("slow", "工作动态", f"{base}/slow/")],
                                    monitor="download_timeout = 1\nretries = 0")
    db = tmp_path / "monitor.db"
    sweep_cli(catalog_path, db, D2)
    conn = sqlite3.connect(db)
    rows = conn.execute("select outcome, status, warc_file, warc_offset, sha256, error from fetches").fetchall()
    assert len(rows) == 1
    outcome, status, warc_file, offset, digest, error = rows[0]
    assert outcome == "unreachable" and status is None and "Timeout" in error
    assert (warc_file, offset, digest) == (None, None, None)
    assert not list(tmp_path.glob("warc/**/*.warc.gz"))  # nothing came back, so no file was opened


def test_a_pack_a_killed_sweep_left_unbuilt_is_built_by_the_next_days_sweep(site, tmp_path):
    """Notices are written before their packs: a sweep killed between the two leaves a notice without evidence,
    which the next day's sweep builds (not only a re-run of the same day)."""
    base = f"http://{SITE}:{site}"
    catalog_path = one_unit_catalog(tmp_path / "catalog.toml", f"{base}/", [("tzgg", "通知公告", f"{base}/tzgg/")])
    db = tmp_path / "monitor.db"
    sweep_cli(catalog_path, db, D1)
    sweep_cli(catalog_path, db, D2)
    conn = sqlite3.connect(db)
    [(notice_id,)] = conn.execute("select id from notices").fetchall()
    conn.execute("delete from evidence_files")  # as if the sweep had been killed before building the pack
    conn.commit()
    shutil.rmtree(tmp_path / "evidence")
    next_day = (date.fromisoformat(D2) + timedelta(days=1)).isoformat()
    sweep_cli(catalog_path, db, next_day)
    kinds = {k for (k,) in conn.execute("select kind from evidence_files where notice_id = ?", [notice_id])}
    assert "manifest" in kinds and (tmp_path / "evidence" / f"notice-{notice_id}" / "manifest.json").exists()
