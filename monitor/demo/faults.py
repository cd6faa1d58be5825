"""The fault world: a unit for each way a site can fail the monitor, beside healthy units.

Every unit is an ordinary TRS site of the demo world with two columns that are on time (工作动态, daily, and
通知公告). Its fault starts on the day E-1: the sweep of E-2 reads the site whole, so a fault misread as a page
would show up as a column gone empty, late or taken down, and a second day of it as a notice (the clock-skewed
site is skewed from the start: its items are first seen with dates in the future). ``FAULTS`` says
what each fault must be recorded as; ``docs/faults.md`` is the same table for people, and ``tests/test_faults.py``
holds the monitor to it. Served by ``DemoServer`` like the demo world:

    world = FaultWorld(end=date(2026, 11, 27), port=8790, tls_dir=Path("tls"))
    with DemoServer(world) as server: ...   # restart it after set_today(): 'refused' stops listening at E-1
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

from . import firewalls, special
from .items import DemoUnit
from .tls import TestCA
from .units import GZDT, TZGG, UnitSpec
from .world import DemoResponse, DemoWorld


@dataclass(frozen=True)
class Fault:
    slug: str      # the unit's slug: f_<fault>
    org: str       # the unit's name (a 局 of 镜湖市)
    what: str      # the fault, for the docs table
    outcome: str   # what each list fetch on a fault day must be recorded as (monitor.outcomes)
    words: str     # what the column's check detail says (a substring)
    scope: str = "site"  # 'site': every path; 'list': the columns' list pages (articles stay whole)
    since: int = -1      # in force from E+since (the first sweep, at E-2, reads every other site whole)


FAULTS: tuple[Fault, ...] = (
    Fault("f_refused", "市统计局", "connection refused (nothing listens)", "unreachable", "连接被拒绝"),
    Fault("f_reset", "市审计局", "TCP reset half-way through the body", "unreachable", "中断"),
    Fault("f_stall", "市档案局", "no answer at all: timeout before the headers", "unreachable", "超时"),
    Fault("f_drip", "市信访局", "headers, then the body a byte every 0.5 s: timeout mid-body", "unreachable", "超时"),
    Fault("f_http500", "市民政局", "HTTP 500", "unreachable", "HTTP 500"),
    Fault("f_http502", "市司法局", "HTTP 502 (a proxy without its backend)", "unreachable", "HTTP 502"),
    Fault("f_http503", "市水利局", "HTTP 503 (maintenance)", "unreachable", "HTTP 503"),
    Fault("f_loop", "市林业局", "a redirect loop", "unreachable", "跳转次数过多"),
    Fault("f_offsite", "市粮食局", "the list redirects to a host the catalog does not name", "broken",
          "未配置的站点"),
    Fault("f_private", "市人防办", "the list redirects to a private address (192.168.1.1)", "broken", "未配置的站点"),
    Fault("f_file", "市机关事务局", "the list redirects to file:///etc/passwd", "broken", "未配置的站点"),
    Fault("f_jsurl", "市侨办", "the list redirects to a javascript: URL", "broken", "未配置的站点"),
    Fault("f_huge", "市气象局", "an endless page without Content-Length (past the size cap, max_page_mb)", "broken",
          "大小上限"),
    Fault("f_bomb", "市地震局", "a gzip bomb: 64 KiB that inflate to 64 MiB (past the size cap)", "broken", "大小上限"),
    Fault("f_badenc", "市外办", "bytes that are not valid UTF-8 in a page that says UTF-8", "ok", "", "list"),
    Fault("f_cut", "市科技局", "the list page cut off mid-item (Content-Length matches the cut)", "ok", "", "list"),
    Fault("f_tagsoup", "市工信局", "malformed HTML: unclosed and stray tags, a broken table", "ok", "", "list"),
    Fault("f_tls", "市国资委", "HTTPS with an expired certificate", "unreachable", "证书"),
    Fault("f_firewall", "市医保局", "a 瑞数 firewall challenge that never clears, not even in Chromium", "blocked",
          "浏览器亦未通过"),
    Fault("f_soft404", "市退役军人局", "status 200 with 页面不存在 (a soft 404)", "not_found", "软404", "list"),
    Fault("f_hard404", "市应急局", "HTTP 404 on the column", "not_found", "HTTP 404", "list"),
    Fault("f_forbidden", "市体育局", "HTTP 403", "blocked", "HTTP 403"),
    Fault("f_redesign", "市文旅局", "a redesign: the column page has cards, no list", "broken", "未能读出任何条目",
          "list"),
    Fault("f_binary", "市乡村振兴局", "an image where the list should be (Content-Type image/png)", "broken",
          "不是文本页面", "list"),
    Fault("f_empty", "市大数据局", "status 200 with an empty body", "broken", "未能读出任何条目", "list"),
    Fault("f_skew", "市城管局", "a clock-skewed CMS: every date on list and article pages 400 days ahead", "ok", "",
          since=-2),
)
HEALTHY = ("h_jiaoyu", "h_gongan")  # units beside the faults, which must read and judge as if alone
SKEW = timedelta(days=400)
MAX_PAGE_MB = 2.0  # the fault world's catalog caps pages here (the default is 16)
OFFSITE_PATH = "/moved-here/"  # where f_offsite points, on the first healthy unit's host (never to be asked)

_DATE = re.compile(r"(?<!\d)(20\d\d)([-/年.])(\d{1,2})([-/月.])(\d{1,2})")


def _spec(slug: str, org: str) -> UnitSpec:
    return UnitSpec(slug, org, f"镜湖{org}", org.removeprefix("市"), "镜", "trs", "iso", 15,
                    ("重点工作推进", "优化营商环境", "安全生产", "民生实事", "作风建设", "基层治理"), (GZDT, TZGG))


class FaultWorld(DemoWorld):
    """``HEALTHY`` and ``FAULTS`` units on 127.0.0.{first_ip}..; ``requests`` logs every (ip, path) asked."""

    def __init__(self, end: date, port: int, tls_dir: Path, first_ip: int = 100, days: int = 42) -> None:
        names = {"h_jiaoyu": "市教育局", "h_gongan": "市公安局"}
        specs = tuple(_spec(s, names[s]) for s in HEALTHY) + tuple(_spec(f.slug, f.org) for f in FAULTS)
        super().__init__(end=end, days=days, port=port, first_ip=first_ip, specs=specs)
        self.faults = {f.slug: f for f in FAULTS}
        self.requests: list[tuple[str, str]] = []
        ca, ip = TestCA(tls_dir), self.unit("f_tls").ip
        self.tls = {"valid": ca.issue("valid", [ip], days=(-30, 365)),
                    "expired": ca.issue("expired", [ip], days=(-730, -365))}

    def catalog_toml(self) -> str:
        """The demo catalog with a 2 MiB page cap (the endless page and the bomb pass it at once) and 8 s
        timeouts (the demo's 3 s would let a busy machine turn a size cap into a timeout)."""
        text = super().catalog_toml().replace("[monitor]\n", f"[monitor]\nmax_page_mb = {MAX_PAGE_MB}\n", 1)
        return text.replace("\ndownload_timeout = 3\n", "\ndownload_timeout = 8\n", 1)

    def in_force(self, unit: DemoUnit) -> Fault | None:
        fault = self.faults.get(unit.slug)
        return fault if fault and self.today >= self.at(fault.since) else None

    def scheme(self, unit: DemoUnit) -> str:
        return "https" if unit.slug == "f_tls" else "http"

    def listening(self, unit: DemoUnit) -> bool:
        fault = self.in_force(unit)
        return not (fault and fault.slug == "f_refused")

    def tls_files(self, unit: DemoUnit) -> tuple[Path, Path] | None:
        if unit.slug != "f_tls":
            return None
        return self.tls["expired"] if self.in_force(unit) else self.tls["valid"]

    def respond(self, host: str, path_and_query: str, method: str = "GET", body: bytes = b"") -> DemoResponse:
        ip = host.rsplit(":", 1)[0]
        self.requests.append((ip, path_and_query))
        unit = self._by_ip.get(ip)
        fault = self.in_force(unit) if unit else None
        path = path_and_query.split("?", 1)[0]
        on_list = unit is not None and any(path == c.path or re.fullmatch(re.escape(c.path) + r"index(_\d+)?\.html", path)
                                           for c in unit.columns)
        in_column = unit is not None and any(path.startswith(c.path) for c in unit.columns)
        if fault is None or not (on_list if fault.scope == "list" else in_column):
            return super().respond(host, path_and_query, method, body)
        return self._faulty(fault, unit, path_and_query, super().respond(host, path_and_query, method, body))

    def _faulty(self, fault: Fault, unit: DemoUnit, path: str, whole: DemoResponse) -> DemoResponse:
        """The answer ``whole`` as the fault breaks it."""
        html = {"Content-Type": "text/html; charset=utf-8", "Server": "nginx"}
        kind = fault.slug.removeprefix("f_")
        if kind in ("reset", "drip"):
            return DemoResponse(whole.status, whole.headers, whole.body, misbehave=kind)
        if kind == "stall":
            return DemoResponse(200, html, whole.body, delay_s=120.0)
        if kind.startswith("http") or kind in ("hard404", "forbidden"):
            status = {"hard404": 404, "forbidden": 403}.get(kind) or int(kind.removeprefix("http"))
            return DemoResponse(status, html, error_page(status))
        if kind in ("loop", "offsite", "private", "file", "jsurl"):
            return DemoResponse(302, {**html, "Location": self._redirect(kind, unit, path)}, b"")
        if kind == "huge":
            return DemoResponse(200, html, whole.body, misbehave="endless")
        if kind == "bomb":
            return DemoResponse(200, {**html, "Content-Encoding": "gzip"}, gzip_bomb())
        if kind == "badenc":
            return DemoResponse(200, whole.headers, spoil_utf8(whole.body))
        if kind == "cut":
            return DemoResponse(200, whole.headers, cut_mid_list(whole.body))
        if kind == "tagsoup":
            return DemoResponse(200, whole.headers, tag_soup(whole.body))
        if kind == "firewall":
            return DemoResponse(*firewalls.challenge("ruishu", path))
        if kind == "soft404":
            return DemoResponse(200, html, special.soft_not_found(unit).encode("utf-8"))
        if kind == "redesign":
            column = next(c for c in unit.columns if path.startswith(c.path))
            return DemoResponse(200, html, special.redesign_page(unit, column, []).encode("utf-8"))
        if kind == "binary":
            return DemoResponse(200, {"Content-Type": "image/png", "Server": "nginx"}, PNG)
        if kind == "empty":
            return DemoResponse(200, html, b"")
        if kind == "skew":
            return DemoResponse(whole.status, whole.headers, skew_dates(whole.body.decode("utf-8")).encode("utf-8"))
        if kind == "tls":  # the certificate is the fault; the pages are whole
            return whole
        raise ValueError(f"no fault {fault.slug!r}")

    def _redirect(self, kind: str, unit: DemoUnit, path: str) -> str:
        if kind == "loop":  # /x/ → /x/?from=loop → /x/ → ...
            return path.split("?")[0] if "?" in path else f"{path}?from=loop"
        if kind == "offsite":
            return self.url(self.unit(HEALTHY[0]), OFFSITE_PATH)
        return {"private": f"http://192.168.1.1{path}", "file": "file:///etc/passwd",
                "jsurl": "javascript:alert(document.cookie)"}[kind]


def error_page(status: int) -> bytes:
    """nginx's error page, with a date in its footer: nothing on it may be read as a list."""
    reason = {403: "Forbidden", 404: "Not Found", 500: "Internal Server Error", 502: "Bad Gateway",
              503: "Service Temporarily Unavailable"}[status]
    return (f"<html><head><title>{status} {reason}</title></head><body><center><h1>{status} {reason}</h1></center>"
            f"<hr><center>nginx</center><p>2019-05-12 08:30:00</p></body></html>").encode("ascii")


@lru_cache(maxsize=1)
def gzip_bomb() -> bytes:
    """64 MiB of spaces after an HTML head, gzipped to about 64 KiB."""
    return gzip.compress(b"<html><body>" + b" " * (64 * 1024 * 1024), compresslevel=9)


def spoil_utf8(body: bytes) -> bytes:
    """The page with bytes that are not UTF-8 in its navigation, its first item's title and its footer."""
    spoiled = body.replace(b"</title>", b"\xff\xfe</title>", 1).replace(b"<ul", b"\xc3\x28<ul", 1)
    return spoiled.replace(b"</body>", b"\xed\xa0\x80\xf8\x88\x80\x80\x80</body>", 1)


def cut_mid_list(body: bytes) -> bytes:
    """The page cut off inside its list's ninth item (the list is the ``ul`` after the column title)."""
    start = body.index(b'class="column-title"')
    at = start
    for _ in range(9):
        at = body.index(b"<li", at + 1)
    return body[: at + 40]


def tag_soup(body: bytes) -> bytes:
    """The page with its closing li/span tags gone, a stray table and closing divs, and an unclosed comment."""
    text = body.decode("utf-8").replace("</li>", "").replace("</span>", "")
    text = text.replace('<div class="list-box">', '<div class="list-box"><table><tr><td><b></div></div><p>', 1)
    return (text.replace("</body>", "<!-- 统计代码 <script>var _hm = [];</body>", 1)).encode("utf-8")


def skew_dates(text: str) -> str:
    """Every date written on the page moved ``SKEW`` ahead (the CMS clock is wrong; addresses are not)."""
    def ahead(m: re.Match) -> str:
        try:
            d = date(int(m.group(1)), int(m.group(3)), int(m.group(5))) + SKEW
        except ValueError:
            return m.group(0)
        return f"{d.year}{m.group(2)}{d.month:02d}{m.group(4)}{d.day:02d}"
    # only text and attribute values: an address (href/src) keeps its date, or it would lead nowhere
    parts = re.split(r'((?:href|src)="[^"]*")', text)
    return "".join(p if p.startswith(("href=", "src=")) else _DATE.sub(ahead, p) for p in parts)


PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")
