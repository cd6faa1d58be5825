"""Conditional requests over real HTTP (spiders.cache): a world where nothing changed is not downloaded again.

Two worlds on loopback: bench/province.py (a synthetic unit of 40 columns whose server sends ETag and
Last-Modified and answers 304, counting requests and body bytes per status), swept with ``python -m monitor
sweep`` as the daily job runs it; and a small site whose columns send a one-year max-age, no validator,
``no-store``, or only Last-Modified, and can fail on demand.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import time
import urllib.request
import zlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from monitor.warc import read_fetch
from tests.conftest import REPO, free_port, one_unit_catalog, province_server, serve_loopback, sweep_cli

sys.path.insert(0, str(REPO / "bench"))
import province  # noqa: E402 - bench/ is not a package

DAY1, DAY2 = "2026-11-20", "2026-11-27"
HOST = province.address(0)
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


# ---------------------------------------------------------------- the province's unit


def server_stats(port: int) -> dict:
    with _DIRECT.open(f"http://{HOST}:{port}/__stats", timeout=5) as r:
        return json.load(r)


def reset_stats(port: int) -> None:
    _DIRECT.open(urllib.request.Request(f"http://{HOST}:{port}/__stats", method="POST"), timeout=5).read()


def rows(db: Path, sql: str, *args) -> list[dict]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, args)]
    finally:
        conn.close()


def snapshot(db: Path, sweep_id: int, day: str) -> dict:
    """What a sweep concluded: its checks, the day's verdicts, the items known (first sightings included)."""
    return {
        "checks": rows(db, "select column_id, outcome, items_found, newest_date, oldest_date, pages, detail"
                           " from checks where sweep_id = ? order by column_id", sweep_id),
        "verdicts": rows(db, "select column_id, state, due, days_late, late_since, newest_published, newest_title,"
                             " newest_url, provisional, reason from verdicts where day = ? order by column_id", day),
        "items": rows(db, "select column_id, url, title, published, published_source, written, written_source,"
                          " date_evidence, first_seen from items order by column_id, url"),
    }


@dataclass
class ProvinceRuns:
    db: Path
    stats: list[dict]  # the server's counts per sweep (1 and 2 on DAY1, 3 on DAY2)
    snapshots: list[dict]
    port: int


@pytest.fixture(scope="module")
def province_runs(tmp_path_factory) -> ProvinceRuns:
    folder = tmp_path_factory.mktemp("province")
    port = free_port([HOST])
    catalog = folder / "province.toml"
    catalog.write_text(province.catalog_text(1, port), encoding="utf-8")
    db = folder / "monitor.db"
    stats, snapshots = [], []
    with province_server(1, DAY1, port):
        for sweep in (1, 2):
            reset_stats(port)
            sweep_cli(catalog, db, DAY1)
            stats.append(server_stats(port))
            snapshots.append(snapshot(db, sweep, DAY1))
    with province_server(1, DAY2, port):  # a week later: some columns published
        sweep_cli(catalog, db, DAY2)
        stats.append(server_stats(port))
        snapshots.append(snapshot(db, 3, DAY2))
    return ProvinceRuns(db, stats, snapshots, port)


def test_an_unchanged_world_is_revalidated_not_downloaded(province_runs):
    db, (first, second, _) = province_runs.db, province_runs.stats
    fetched1 = rows(db, "select * from fetches where sweep_id = 1 order by id")
    fetched2 = rows(db, "select * from fetches where sweep_id = 2 order by id")
    lists1 = [f for f in fetched1 if f["kind"] == "list"]
    assert len(lists1) >= 40 and any(f["kind"] == "article" for f in fetched1)
    assert first["requests"] == {"200": len(fetched1)}  # the first crawl downloads everything it reads
    # The second: one request per list page and no article page again. A column safely on time (its due day
    # more than warn_days ahead) is asked conditionally: a 304, no body. The others are downloaded in full: a
    # verdict that could name the unit never rests on a stored copy.
    margin = (date.fromisoformat(DAY1) + timedelta(days=3)).isoformat()  # the catalog's warn_days
    safe = {v["column_id"] for v in province_runs.snapshots[0]["verdicts"]
            if v["state"] == "on_time" and (v["due"] is None or v["due"] > margin)}
    assert 0 < len(safe) < 40  # both kinds are in this world
    full = [f for f in lists1 if f["column_id"] not in safe]
    assert second["requests"] == {"304": len(lists1) - len(full), "200": len(full)}
    assert second["body_bytes"] == {"304": 0, "200": sum(f["bytes"] for f in full)}
    assert sorted(f["url"] for f in fetched2) == sorted(f["url"] for f in lists1)  # in whatever order they came
    by_url = {f["url"]: f for f in lists1}
    for f in fetched2:
        before = by_url[f["url"]]
        if f["column_id"] not in safe:
            assert (f["kind"], f["status"], f["outcome"]) == ("list", 200, "ok") and "HTTP 304" not in f["detail"]
            continue
        assert (f["kind"], f["status"], f["outcome"], f["error"]) == ("list", 304, "ok", "")
        assert "HTTP 304" in f["detail"] and "下载的副本" in f["detail"]
        # the body read is the one downloaded by the first crawl, byte for byte
        assert (f["bytes"], f["sha256"], f["items_found"], f["newest_date"]) == \
               (before["bytes"], before["sha256"], before["items_found"], before["newest_date"])
    # ... and it concludes exactly what the first crawl concluded
    one, two = province_runs.snapshots[:2]
    assert one["checks"] == two["checks"] and one["verdicts"] == two["verdicts"] and one["items"] == two["items"]
    assert {c["outcome"] for c in two["checks"]} == {"ok"}


def test_the_archive_says_the_body_is_the_stored_copy_confirmed_by_a_304(province_runs):
    db = province_runs.db
    fetch = rows(db, "select * from fetches where sweep_id = 2 and status = 304 order by id limit 1")[0]
    original = rows(db, "select * from fetches where sweep_id = 1 and url = ?", fetch["url"])[0]
    path = db.parent / fetch["warc_file"]
    with open(path, "rb") as f:
        f.seek(fetch["warc_offset"])
        record = next(iter(ArchiveIterator(f)))
        labels = {k: v for k, v in record.rec_headers.headers if k.startswith("Monitor-")}
        assert record.http_headers.get_statuscode() == "200"  # the stored answer, as first received
    assert labels["Monitor-Revalidated"].startswith(f"304 Not Modified at {fetch['fetched_at']}")
    downloaded = datetime.fromisoformat(labels["Monitor-Stored-Copy-Downloaded"])
    assert abs((downloaded - datetime.fromisoformat(original["fetched_at"])).total_seconds()) <= 2
    assert labels["Monitor-Stored-Copy-Downloaded"] in fetch["detail"]
    stored = read_fetch(path, fetch["warc_offset"])  # what an evidence pack copies: body and the request
    assert stored.body and stored.body == read_fetch(db.parent / original["warc_file"], original["warc_offset"]).body
    assert b"\r\nIf-None-Match: " in _gunzip_members(stored.raw)  # the request record: it was asked conditionally


def _gunzip_members(data: bytes) -> bytes:
    out = b""
    while data:
        d = zlib.decompressobj(zlib.MAX_WBITS | 16)
        out += d.decompress(data)
        data = d.unused_data
    return out


def test_a_page_that_changed_is_downloaded_and_its_new_items_found(province_runs):
    db, third = province_runs.db, province_runs.stats[2]
    d1, d2 = date.fromisoformat(DAY1), date.fromisoformat(DAY2)
    new_items = {province.column_id(c): [i for i in province.column_items(0, c, d2) if d1 < i.published <= d2]
                 for c in range(province.COLUMNS_PER_UNIT)}
    changed = {c for c, items in new_items.items() if items}
    assert changed and len(changed) < province.COLUMNS_PER_UNIT  # the week changed some columns, not all
    fetched = rows(db, "select * from fetches where sweep_id = 3 order by id")
    first_pages = {f["column_id"]: f for f in fetched if f["kind"] == "list" and f["page"] == 0}
    assert set(first_pages) == {province.column_id(c) for c in range(province.COLUMNS_PER_UNIT)}
    for column, f in first_pages.items():
        assert f["outcome"] == "ok"
        assert f["status"] == (200 if column in changed else 304), column
    # the new items were found, on the day they appeared; only their article pages were read
    items = rows(db, "select column_id, title, published, first_seen, url from items where first_seen = ?", DAY2)
    found = {(i["column_id"], i["published"]) for i in items}
    assert found == {(c, i.published.isoformat()) for c, its in new_items.items() for i in its}
    articles = {f["url"] for f in fetched if f["kind"] == "article"}
    assert articles <= {i["url"] for i in items}
    assert third["body_bytes"].get("304", 0) == 0
    assert third["requests"]["200"] == sum(f["status"] == 200 for f in fetched)
    assert third["requests"]["304"] == sum(f["status"] == 304 for f in fetched)


# ---------------------------------------------------------------- a small site with every kind of answer


SITE = "127.0.0.31"
FAR = format_datetime(datetime(2036, 1, 1, tzinfo=timezone.utc), usegmt=True)


def list_page(days: list[str]) -> str:
    rows_ = "".join(f'<li><a href="/a/t{d.replace("-", "")}_1.html" title="关于做好{d[5:7]}月{d[8:]}日工作的通知">'
                    f"关于做好{d[5:7]}月{d[8:]}日工作的通知</a><span>{d}</span></li>" for d in days)
    return (f'<!doctype html><html><head><meta charset="utf-8"><title>通知公告</title></head><body>'
            f'<div class="nav"><a href="/">首页</a></div><ul class="list">{rows_}</ul></body></html>')


OLD = ["2026-11-20", "2026-11-10", "2026-10-30"]
NEW = ["2026-11-27", *OLD]


class Site(BaseHTTPRequestHandler):
    """/year/: ETag and a one-year max-age; /plain/: no validator; /nostore/: ETag and no-store;
    /lm/: Last-Modified only. Every request is logged: (path, status, its conditional headers)."""

    pages: dict[str, tuple[str, datetime]] = {}  # path → (html, last change)
    failing: set[str] = set()
    moved: dict[str, str] = {}  # path → where it now redirects (301)
    log: list[tuple[str, int, str, str]] = []

    def log_message(self, *args):
        pass

    def do_GET(self):
        inm, ims = self.headers.get("If-None-Match", ""), self.headers.get("If-Modified-Since", "")
        if self.path in Site.failing:
            return self._answer(500, {}, b"<html><body>error</body></html>", inm, ims)
        if self.path in Site.moved:
            return self._answer(301, {"Location": Site.moved[self.path]}, b"", inm, ims)
        if self.path not in Site.pages:
            return self._answer(404, {}, b"", inm, ims)
        html, changed = Site.pages[self.path]
        body = html.encode()
        etag = f'"{zlib.crc32(body):08x}"'
        headers = {"Content-Type": "text/html; charset=utf-8"}
        if self.path == "/year/":
            headers.update({"ETag": etag, "Cache-Control": "public, max-age=31536000", "Expires": FAR})
        elif self.path == "/nostore/":
            headers.update({"ETag": etag, "Cache-Control": "no-store, no-cache, must-revalidate"})
        elif self.path.startswith("/lm"):
            headers["Last-Modified"] = format_datetime(changed, usegmt=True)
        if "ETag" in headers and inm == etag or "Last-Modified" in headers and ims and \
                parsedate_to_datetime(ims) >= changed:
            return self._answer(304, {k: v for k, v in headers.items() if k != "Content-Type"}, b"", inm, ims)
        return self._answer(200, headers, body, inm, ims)

    def _answer(self, status: int, headers: dict[str, str], body: bytes, inm: str, ims: str) -> None:
        Site.log.append((self.path, status, inm, ims))
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def set_pages(days: list[str], at: datetime) -> None:
    Site.pages = {p: (list_page(days), at) for p in ("/year/", "/plain/", "/nostore/", "/lm/")}


@pytest.fixture()
def site():
    set_pages(OLD, datetime(2026, 11, 20, 2, tzinfo=timezone.utc))
    Site.log, Site.failing, Site.moved = [], set(), {}
    with serve_loopback(Site, SITE) as port:
        yield port


def site_catalog(folder: Path, port: int, monitor: str = "retries = 0") -> Path:
    base = f"http://{SITE}:{port}"
    return one_unit_catalog(folder / "catalog.toml", f"{base}/", [
        ("year", "一年有效期", f"{base}/year/"), ("plain", "无校验信息", f"{base}/plain/"),
        ("nostore", "禁止存储", f"{base}/nostore/"), ("lm", "仅有修改时间", f"{base}/lm/"),
    ], monitor=monitor)


def list_log(path: str) -> list[tuple[int, bool]]:
    """(status, whether the request was conditional) of each request for a list page."""
    return [(status, bool(inm or ims)) for p, status, inm, ims in Site.log if p == path]


def sweep_fetches(db: Path, sweep_id: int) -> dict[str, dict]:
    return {f["column_id"]: f for f in rows(db, "select * from fetches where sweep_id = ? and kind = 'list'", sweep_id)}


def test_a_year_of_max_age_is_still_asked_every_crawl_and_no_validator_means_a_full_fetch(site, tmp_path):
    catalog, db = site_catalog(tmp_path, site), tmp_path / "monitor.db"
    day = "2026-11-28"
    sweep_cli(catalog, db, day)
    sweep_cli(catalog, db, day)
    first, second = sweep_fetches(db, 1), sweep_fetches(db, 2)
    assert {c: f["status"] for c, f in first.items()} == {"year": 200, "plain": 200, "nostore": 200, "lm": 200}
    # stored copies are revalidated (ETag, or Last-Modified alone), whatever Cache-Control says
    assert {c: f["status"] for c, f in second.items()} == {"year": 304, "plain": 200, "nostore": 304, "lm": 304}
    assert all(f["outcome"] == "ok" and f["items_found"] == 3 for f in second.values())
    assert "HTTP 304" not in second["plain"]["detail"]
    assert list_log("/year/") == [(200, False), (304, True)]
    assert list_log("/plain/") == [(200, False), (200, False)]  # nothing to ask with: downloaded in full
    assert list_log("/lm/") == [(200, False), (304, True)]
    checks = [rows(db, "select column_id, outcome, items_found, newest_date, oldest_date, pages, detail from checks"
                       " where sweep_id = ? order by column_id", s) for s in (1, 2)]
    assert checks[0] == checks[1]
    with sqlite3.connect(tmp_path / "monitor.httpcache.db") as conn:
        stored = sorted(url.rstrip("/").rsplit("/", 1)[1] for (url,) in conn.execute(
            "select url from entries where unit = 'bureau'"))
    assert stored == ["lm", "nostore", "year"]  # never the page without validators

    # The site publishes: the one-year max-age does not hide it for a day.
    set_pages(NEW, datetime(2026, 11, 27, 2, tzinfo=timezone.utc))
    sweep_cli(catalog, db, day)
    third = sweep_fetches(db, 3)
    assert {c: (f["status"], f["items_found"], f["newest_date"]) for c, f in third.items()} == {
        c: (200, 4, "2026-11-27") for c in ("year", "plain", "nostore", "lm")}
    assert list_log("/year/")[-1] == (200, True)  # asked conditionally, answered in full
    found = rows(db, "select column_id from items where published = '2026-11-27' order by column_id")
    assert [r["column_id"] for r in found] == ["lm", "nostore", "plain", "year"]


def test_a_stored_copy_never_stands_in_for_a_failure(tmp_path):
    set_pages(OLD, datetime(2026, 11, 20, 2, tzinfo=timezone.utc))
    Site.log, Site.failing, Site.moved = [], set(), {}
    catalog, db = None, tmp_path / "monitor.db"
    with serve_loopback(Site, SITE) as port:
        catalog = site_catalog(tmp_path, port)
        sweep_cli(catalog, db, "2026-11-28")  # stores year, nostore and lm
        Site.failing = {"/year/"}
        sweep_cli(catalog, db, "2026-11-28")
    assert list_log("/year/") == [(200, False), (500, True)]
    failed = sweep_fetches(db, 2)["year"]
    assert (failed["status"], failed["outcome"]) == (500, "unreachable")
    assert rows(db, "select outcome from checks where sweep_id = 2 and column_id = 'year'")[0]["outcome"] == "unreachable"
    sweep_cli(catalog, db, "2026-11-28")  # the server is gone: refused connections, not yesterday's page
    down = rows(db, "select column_id, status, outcome from fetches where sweep_id = 3 and kind = 'list'")
    assert {(f["column_id"], f["status"], f["outcome"]) for f in down} == {
        (c, None, "unreachable") for c in ("year", "plain", "nostore", "lm")}


def test_the_catalog_can_turn_conditional_requests_off(site, tmp_path):
    catalog = site_catalog(tmp_path, site, monitor="retries = 0\nconditional_requests = false")
    db = tmp_path / "monitor.db"
    sweep_cli(catalog, db, "2026-11-28")
    sweep_cli(catalog, db, "2026-11-28")
    assert all(not conditional and status == 200 for _, status, conditional in
               ((p, s, bool(i or m)) for p, s, i, m in Site.log))
    assert len(Site.log) == 8
    assert {f["status"] for f in rows(db, "select status from fetches")} == {200}
    assert not (tmp_path / "monitor.httpcache.db").exists()


def test_entries_unused_for_the_expiry_are_dropped_and_then_missed(tmp_path):
    """HTTPCACHE_EXPIRATION_SECS counts from last use: an old entry is a miss (no validators) and is pruned."""
    from scrapy.http import HtmlResponse, Request
    from scrapy.settings import Settings
    from scrapy.utils.request import RequestFingerprinter

    from spiders.cache import SqliteCacheStorage

    settings = Settings({"MONITOR_DB": str(tmp_path / "monitor.db"), "HTTPCACHE_DIR": "",
                         "HTTPCACHE_GZIP": True, "HTTPCACHE_EXPIRATION_SECS": 40 * 86400})
    storage = SqliteCacheStorage(settings)
    assert storage.path == tmp_path.resolve() / "monitor.httpcache.db"
    spider = type("S", (), {"name": "bureau"})()
    storage._fingerprinter = RequestFingerprinter()  # what open_spider takes from the crawler
    kept, old = Request("http://127.0.0.31/kept/"), Request("http://127.0.0.31/old/")
    for request in (kept, old):
        storage.store_response(spider, request, HtmlResponse(request.url, body=b"<html>x</html>", headers={
            "ETag": '"1"'}, request=request))
    again = storage.retrieve_response(spider, old)
    assert (type(again), again.body, again.headers[b"ETag"]) == (HtmlResponse, b"<html>x</html>", b'"1"')
    stale = time.time() - 41 * 86400
    storage._connect().execute("update entries set used_at = ? where url = ?", (stale, old.url))
    assert storage.retrieve_response(spider, Request(old.url)) is None
    assert storage.prune("bureau") == 1
    assert storage.retrieve_response(spider, Request(kept.url)) is not None
    assert storage._connect().execute("select count(*) from entries").fetchone() == (1,)


def test_a_redirect_does_not_carry_the_validators_of_the_page_it_left(site, tmp_path):
    """The column's address starts redirecting (here to its slash form): the new address, never stored, is
    fetched unconditionally (an If-Modified-Since copied from the old page would earn a bodiless 304)."""
    base = f"http://{SITE}:{site}"
    Site.pages["/lm-moved"] = Site.pages["/lm-moved/"] = Site.pages["/lm/"]
    catalog = one_unit_catalog(tmp_path / "catalog.toml", f"{base}/", [("lm", "改了地址", f"{base}/lm-moved")],
                               monitor="retries = 0")
    db = tmp_path / "monitor.db"
    sweep_cli(catalog, db, "2026-11-28")
    Site.moved = {"/lm-moved": "/lm-moved/"}
    sweep_cli(catalog, db, "2026-11-28")
    assert list_log("/lm-moved") == [(200, False), (301, True)]
    assert list_log("/lm-moved/") == [(200, False)]
    fetch = sweep_fetches(db, 2)["lm"]
    assert (fetch["status"], fetch["outcome"], fetch["items_found"]) == (200, "ok", 3)
