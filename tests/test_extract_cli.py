"""``python -m monitor extract``: what the monitor reads from one page, from a file or over real HTTP.

The library (:func:`monitor.inspect_page.inspect_source`) and the command (``monitor.cli.main``) are both
called; the real pages are the development set in /work/shared/real-pages (or ``$REAL_PAGES``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from monitor.cli import main
from monitor.inspect_page import InspectError, inspect_source
from spiders.settings import USER_AGENT

REPO = Path(__file__).resolve().parents[1]
REAL_PAGES = Path(os.environ.get("REAL_PAGES") or REPO.parent / "shared" / "real-pages")
TRUTH = json.loads((REAL_PAGES / "truth.json").read_text(encoding="utf-8"))
TODAY = "2026-11-28"
KEYS = {"kind", "items", "published", "written", "candidates", "conflict", "encoding", "page_count", "next_url",
        "empty_marker", "soft_404", "challenge"}

TITLES = ["关于开展2026年度安全生产大检查的通知", "清河市教育局召开校园安全工作推进会", "关于义务教育招生工作有关事项的公告"]
GBK_LIST = ("<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\">"
            "<title>通知公告_清河市教育局</title></head><body><div class=\"nav\"><a href=\"/\">首页</a></div>"
            "<ul class=\"list\">"
            + "".join(f'<li><a href="./202611/t2026112{k}_{900 + k}.html" title="{t}">{t}</a>'
                      f"<span>2026年11月2{k}日</span></li>" for k, t in enumerate(TITLES))
            + "</ul></body></html>")


def run_cli(capsys, *argv: str) -> tuple[int, dict | None, str]:
    """(exit code, parsed JSON on stdout or None, stderr) of the command run in this process."""
    code = main(["extract", *argv])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if code == 0 else None), err


# ---------------------------------------------------------------- a tiny site over real HTTP


class _Site(BaseHTTPRequestHandler):
    """GBK pages whose header says UTF-8, a redirect to a WZWS challenge, and what the client sent."""

    seen_agents: list[str] = []

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        _Site.seen_agents.append(self.headers.get("User-Agent", ""))
        if self.path.startswith("/xxgk/tzgg/"):
            self._send(200, GBK_LIST.encode("gbk"), {"Content-Type": "text/html; charset=utf-8"})
        elif self.path == "/xxgk/gzdt/":
            self._send(302, b"", {"Location": "/WZWSRELL3h4Z2svZ3pkdC8=?wzwsrandom=1"})
        elif self.path.startswith("/WZWSREL"):
            self._send(200, b'<html><script>var wzwschallenge="abc";location.href="/";</script></html>',
                       {"Content-Type": "text/html"})
        else:
            self._send(404, b"<html><title>404</title></html>", {"Content-Type": "text/html"})

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def catalog(tmp_path: Path, site: str) -> Path:
    """A catalog with one column that needs help: a GBK page without a meta charset, and selectors."""
    path = tmp_path / "catalog.toml"
    path.write_text(f"""
[[units]]
slug = "jyj"
name = "市教育局"
site = "{site}/"

  [[units.columns]]
  id = "tzgg"
  name = "通知公告"
  url = "{site}/xxgk/tzgg/"
  rule = {{ kind = "max_gap", within = {{ n = 6, unit = "month" }} }}

  [units.columns.extract]
  encoding = "gbk"
  items = "ul.wanted > li"
  link = "a"
  date = "em"
""", encoding="utf-8")
    return path


# ---------------------------------------------------------------- real pages


@pytest.mark.parametrize("name", sorted(TRUTH["list_pages"]))
def test_a_real_list_page_is_a_list_with_the_true_item_count(name: str) -> None:
    truth = TRUTH["list_pages"][name]
    got = inspect_source(str(REAL_PAGES / name), url=truth["base_url"], today=date.fromisoformat(TODAY))
    assert got["kind"] == "list"
    assert len(got["items"]) == truth["item_count"]
    assert [i["title"] for i in got["items"]] == [t["title"] for t in truth["items"]]  # page order
    assert got["published"] is None and got["written"] is None


@pytest.mark.parametrize("name", sorted(n for n, t in TRUTH["detail_pages"].items() if t["pub_date"]))
def test_a_real_article_gives_its_published_date(name: str) -> None:
    truth = TRUTH["detail_pages"][name]
    got = inspect_source(str(REAL_PAGES / name), url=truth["url"], today=date.fromisoformat(TODAY))
    assert got["kind"] == "article" and got["items"] == []
    assert got["published"] == truth["pub_date"]


def test_the_command_prints_the_documented_json(capsys) -> None:
    name = "cn_listpage_pingtan_fj_trs_1.html"
    base = TRUTH["list_pages"][name]["base_url"]
    code, out, _ = run_cli(capsys, str(REAL_PAGES / name), "--url", base, "--as-of", TODAY)
    assert code == 0 and KEYS <= set(out)
    assert out["kind"] == "list" and out["encoding"] == "utf-8" and out["challenge"] is None
    first = out["items"][0]
    assert set(first) == {"title", "url", "published", "date_source"}
    assert first["published"] == "2025-11-11" and first["date_source"] == "list"
    assert first["url"].startswith("https://www.pingtan.gov.cn/zwgk/")  # resolved against --url

    code, out, _ = run_cli(capsys, str(REAL_PAGES / "cn_detail_wanzai_county_1.html"))
    assert code == 0 and out["kind"] == "article" and out["published"] == "2017-05-15"
    assert out["conflict"] is True and ["meta:PubDate", "2022-04-24"] in out["candidates"]


def test_the_command_runs_as_a_module() -> None:
    name = "cn_detail_wanzai_county_1.html"
    proc = subprocess.run([sys.executable, "-m", "monitor", "extract", str(REAL_PAGES / name)],
                          capture_output=True, text=True, encoding="utf-8", cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    assert '\n  "published": "2017-05-15",\n' in proc.stdout  # indented JSON
    assert '"visible:发布日期"' in proc.stdout  # Chinese kept as is, not \u escapes


# ---------------------------------------------------------------- encodings


def test_a_gbk_file_with_only_a_meta_charset_decodes_to_the_right_titles(tmp_path: Path, capsys) -> None:
    page = tmp_path / "tzgg.html"
    page.write_bytes(GBK_LIST.encode("gbk"))
    code, out, _ = run_cli(capsys, str(page), "--url", "http://www.example.gov.cn/xxgk/tzgg/", "--as-of", TODAY)
    assert code == 0 and out["encoding"] == "gb18030"
    assert [i["title"] for i in out["items"]] == TITLES
    assert out["items"][0]["url"] == "http://www.example.gov.cn/xxgk/tzgg/202611/t20261120_900.html"
    assert out["items"][2]["published"] == "2026-11-22"


def test_a_url_with_a_utf8_header_over_a_gbk_body(site: str, capsys) -> None:
    _Site.seen_agents.clear()
    code, out, _ = run_cli(capsys, f"{site}/xxgk/tzgg/", "--as-of", TODAY)
    assert code == 0 and out["encoding"] == "gb18030" and out["status"] == 200
    assert [i["title"] for i in out["items"]] == TITLES
    assert out["items"][1]["url"] == f"{site}/xxgk/tzgg/202611/t20261121_901.html"
    # the monitor's own user agent, as UTF-8 bytes (http.server reads header bytes as latin-1)
    assert [a.encode("latin-1") for a in _Site.seen_agents] == [USER_AGENT.encode("utf-8")]


def test_a_url_redirected_to_a_wzws_challenge_is_reported(site: str) -> None:
    got = inspect_source(f"{site}/xxgk/gzdt/", today=date.fromisoformat(TODAY))
    assert got["challenge"] == "wzws" and got["items"] == []
    assert got["url"].startswith(f"{site}/WZWSREL")


# ---------------------------------------------------------------- --column


def test_column_hints_pick_the_list_the_encoding_and_the_base(tmp_path: Path, catalog: Path, site: str,
                                                              capsys) -> None:
    wanted = "".join(f'<li><a href="a{k}.html">{t}</a><em>2026-11-0{k + 1}</em></li>' for k, t in enumerate(TITLES))
    other = "".join(f'<li><a href="/x/b{k}.html">其他栏目的一条较长的信息标题第{k}条</a><span>2026-10-{10 + k}</span></li>'
                    for k in range(10))
    page = tmp_path / "page.html"  # no meta charset: only the catalog knows it is GBK
    page.write_bytes(f'<html><body><ul class="other">{other}</ul><ul class="wanted">{wanted}</ul></body></html>'
                     .encode("gbk"))
    code, guessed, _ = run_cli(capsys, str(page), "--as-of", TODAY)
    assert code == 0 and len(guessed["items"]) == 10  # alone, the reader takes the bigger list

    code, out, _ = run_cli(capsys, str(page), "--column", "jyj/tzgg", "--config", str(catalog), "--as-of", TODAY)
    assert code == 0 and out["encoding"] == "gbk" and out["kind"] == "list"
    assert out["items"] == [{"title": t, "url": f"{site}/xxgk/tzgg/a{k}.html", "published": f"2026-11-0{k + 1}",
                             "date_source": "list"} for k, t in enumerate(TITLES)]


def test_column_alone_fetches_the_columns_page(catalog: Path, site: str) -> None:
    got = inspect_source(None, column="jyj/tzgg", config=catalog, today=date.fromisoformat(TODAY))
    assert got["url"] == f"{site}/xxgk/tzgg/" and got["kind"] == "list" and got["encoding"] == "gbk"
    assert got["items"] == []  # the column's selectors (ul.wanted) find nothing on this page, as in a crawl


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize("argv, message", [
    (["no-such-page.html"], "cannot read no-such-page.html"),
    (["ftp://www.example.gov.cn/a.html"], "not an http(s) URL"),
    (["page.html", "--url", "javascript:alert(1)"], "not an http(s) URL"),
    (["page.html", "--column", "nosuch/gzdt"], "unknown unit 'nosuch'"),
    (["page.html", "--column", "jyj/nosuch"], "unit 'jyj' has no column 'nosuch'"),
    (["page.html", "--column", "jyj"], "--column wants UNIT/COLUMN"),
    ([], "name a file or URL"),
])
def test_errors_exit_2_with_a_clear_message(argv: list[str], message: str, catalog: Path, tmp_path: Path,
                                            capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "page.html").write_text("<html></html>", encoding="utf-8")
    code, out, err = run_cli(capsys, *argv, "--config", str(catalog))
    assert code == 2 and out is None
    assert err.startswith("error: ") and message in err


def test_a_network_failure_exits_1(capsys) -> None:
    code, _, err = run_cli(capsys, "http://127.0.0.1:9/xxgk/")
    assert code == 1 and "cannot fetch" in err


def test_the_library_raises_what_the_command_reports() -> None:
    with pytest.raises(InspectError, match="not an http"):
        inspect_source("file:///etc/passwd")
