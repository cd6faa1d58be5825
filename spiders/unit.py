"""The base spider of every unit: fetch each column's list pages, read them, and say what happened.

A spider only fetches and extracts. For each column it reads the list page (or the configured endpoint; in
Chromium when the column needs it), follows pagination only as far as the rule's horizon needs, reads the
article page of a new item when the rule needs its written date or the list shows no date, and yields records:
a FetchRecord for every fetch (with the raw response, which the pipeline archives as WARC), SeenItems per list
page and one ColumnCheck per column. The pipeline writes them (monitor.ingest); the crawl's end judges.

List and endpoint pages of columns safely on time are asked for conditionally (spiders.cache): when the server
answers 304 the stored copy is read, and its FetchRecord says so (status 304, a detail naming the copy's date,
WARC labels ``Monitor-Revalidated``). Other columns, article pages and rendered pages are fetched in full.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response, TextResponse

from monitor import clock
from monitor.config import Catalog, Column, Unit, netloc
from monitor.extract import (
    ListHints,
    ListPage,
    detect_challenge,
    encoding_override,
    read_article,
    read_body,
    read_list,
    trs_page_url,
)
from monitor.judge import horizon
from monitor.outcomes import BLOCKED, BROKEN, NOT_FOUND, OK, UNREACHABLE, classify_failure, classify_status
from monitor.rules import needs_written_dates
from monitor.sites import may_fetch
from monitor.warc import Exchange
from spiders import browser
from spiders.cache import DOWNLOADED, FULL_DOWNLOAD, REVALIDATED
from spiders.challenges import ChallengeTrial, ChallengeTrials
from spiders.context import context_for
from spiders.middlewares import HostDown
from spiders.records import ArticleDates, BrowserLearned, ColumnCheck, FetchRecord, SeenItems


ERROR_STATUSES = list(range(400, 600))  # reach the callbacks, to be recorded; redirects are followed
CHALLENGE_STATUSES = (202, 403, 412, 521)


@dataclass
class _ColumnProgress:
    pages: int = 0
    items: int = 0
    dates: list[date] = field(default_factory=list)
    articles: int = 0


COLLAPSE_FROM = 6  # a first page that listed at least this many items and now lists under a third: misread
COLLAPSE_MEMORY_DAYS = 30  # ... compared with good readings this recent: a list short for longer is its shape
PINNED_AT_MOST = 3  # out-of-order steps a list may have (pinned 置顶 items at its top) and still be read as ordered


def read_depth(dates: list[date]) -> date | None:
    """The oldest date a check surely read down to: the last date of the list as read (lists run newest
    first; a pinned old item at the top says nothing of depth). None when the list is not in date order:
    then no item's absence is evidence of anything (back-dating, items taken down)."""
    if not dates:
        return None
    steps_up = sum(above < below for above, below in zip(dates, dates[1:]))  # a newer item below an older one
    return dates[-1] if steps_up <= PINNED_AT_MOST else None


class UnitSpider(ChallengeTrials, scrapy.Spider):
    """Made per unit by spiders.loader; `unit` and `catalog` are class attributes."""

    unit: ClassVar[Unit]
    catalog: ClassVar[Catalog]

    def __init__(self, column: str | None = None, as_of: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        chosen = [c.strip() for c in (column or "").split(",") if c.strip()]  # one column, or several: a,b
        for col in chosen:
            if col not in {c.id for c in self.unit.columns}:
                raise ValueError(f"unit {self.unit.slug!r} has no column {col!r} "
                                 f"(columns: {', '.join(c.id for c in self.unit.columns)})")
        self.only_columns = frozenset(chosen)
        self.allowed_domains = sorted(self.unit.hosts())
        self.allowed_netlocs = set(self.unit.netlocs())  # read by spiders.middlewares.HostGuard; grows by
        # the netloc a column's page moved to within its site (http → https, www.): its articles and pages follow
        browser.allow(self.allowed_netlocs)
        self._progress: dict[str, _ColumnProgress] = {}
        self.down_hosts: dict[str, str] = {}  # host → why, read by spiders.middlewares.HostGuard
        self._challenges: dict[str, ChallengeTrial] = {}  # host → its firewall challenge tried in Chromium

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.ctx = context_for(crawler, kwargs.get("as_of"))
        return spider

    @property
    def columns(self) -> list[Column]:
        return [c for c in self.unit.columns if not self.only_columns or c.id in self.only_columns]

    # ---------------------------------------------------------------- requests

    async def start(self):
        self.known = self.ctx.store.known_items(self.unit.slug)
        self.columns_with_items = self.ctx.store.columns_with_items(self.unit.slug)
        self.browser_columns = self.ctx.store.browser_columns(self.unit.slug)
        self.first_page_counts = self.ctx.store.first_page_counts(
            self.unit.slug, self.ctx.as_of - timedelta(days=COLLAPSE_MEMORY_DAYS))
        # only columns safely on time are asked conditionally: a verdict that may name a unit never rests on a copy
        self.conditional_columns = self.ctx.store.columns_safely_on_time(
            self.unit.slug, self.ctx.as_of, self.catalog.settings.warn_days)
        for column in self.columns:
            self._progress[column.id] = _ColumnProgress()
            yield self._list_request(column, 0, column.extract.endpoint or column.url)

    def _list_request(self, column: Column, page: int, url: str, fallback: str = "") -> scrapy.Request:
        meta: dict[str, Any] = {"column": column.id, "page": page, "handle_httpstatus_list": ERROR_STATUSES,
                                "started": time.monotonic()}
        needs_browser = column.extract.browser or column.id in self.browser_columns
        if fallback or (needs_browser and not column.extract.endpoint):
            meta["playwright"] = True
            meta["fallback"] = fallback  # why a plain fetch was not enough ('' when always rendered)
            meta["dont_cache"] = True  # a rendered page is never asked conditionally (spiders.cache)
        elif column.id not in self.conditional_columns:  # spiders.cache
            meta[FULL_DOWNLOAD] = True
        return scrapy.Request(url, callback=self.parse_list, errback=self.failed, meta=meta, dont_filter=True,
                              priority=10)

    # ---------------------------------------------------------------- list pages

    def parse_list(self, response: Response):
        column = self.unit.column(response.meta["column"])
        page = response.meta["page"]
        rendered = bool(response.meta.get("playwright"))
        kind = "endpoint" if column.extract.endpoint else "list"
        progress = self._progress[column.id]
        response = self._decoded(response, column)
        challenge = detect_challenge(response.status, response.body, _headers(response))
        # A browser that got past a challenge shows the page, though the first answer's status stays.
        status = 200 if rendered and not challenge and response.status in CHALLENGE_STATUSES else response.status
        outcome, detail = classify_status(status, challenge)
        listing: ListPage | None = None
        if outcome == OK and page == 0 and not _same_page(response.url, column.extract.endpoint or column.url):
            outcome, detail = BROKEN, f"栏目地址跳转至其他页面（{response.url[:120]}），可能已撤销或改版"
        elif outcome == OK and page == 0 and netloc(response.url) not in self.allowed_netlocs:
            self.allowed_netlocs.add(netloc(response.url))  # moved within its site (HostGuard let the redirect by)
            browser.allow([netloc(response.url)])
        if outcome == OK:
            if not isinstance(response, TextResponse):
                outcome, detail = BROKEN, "返回内容不是文本页面"
            else:
                listing = self._read(response, column)
                outcome, detail = self._judge_listing(listing, column, page)
        dates = [i.published for i in listing.items if i.published] if listing else []
        fallback = self._fallback_reason(column, page, rendered, challenge, listing)
        plain_detail = detail
        if fallback:
            detail += "；改用浏览器重试"
        elif rendered and challenge and response.meta.get("fallback") == "challenge":
            detail += "（浏览器亦未通过）"
        yield self._fetch_record(response, column, kind, page, outcome, detail,
                                 items=len(listing.items) if listing else 0, newest=max(dates, default=None))
        if fallback == "challenge":
            yield from self._challenge_trial(column, plain_detail)
            return
        if fallback:
            yield self._list_request(column, 0, column.url, fallback=fallback)
            return
        if response.meta.get("fallback") == "challenge" and not page:
            yield from self._challenge_settled(column, passed=outcome != BLOCKED)
        if outcome != OK:
            yield self._check(column, outcome, detail if page == 0 else f"第{page + 1}页：{detail}")
            return
        if response.meta.get("fallback") == "empty" and listing.items:
            yield BrowserLearned(self.unit.slug, column.id, "普通请求读不出条目，浏览器渲染后可读出")
        progress.pages += 1
        progress.items += len(listing.items)
        progress.dates.extend(dates)
        yield SeenItems(self.unit.slug, column.id, [
            {"url": i.url, "title": i.title, "published": i.published.isoformat() if i.published else None,
             "published_source": i.date_source} for i in listing.items])
        yield from self._article_requests(column, listing)
        next_url = self._next_page(column, listing, page, dates)
        if next_url:
            yield self._list_request(column, page + 1, next_url, fallback=response.meta.get("fallback", ""))
        else:
            yield self._check(column, OK, "")

    def _fallback_reason(self, column: Column, page: int, rendered: bool, challenge: str | None,
                         listing: ListPage | None) -> str:
        """'challenge' or 'empty' when a plain first page deserves one try in Chromium, else ''.

        A page with no items is tried in Chromium even when it says 暂无信息: the words may sit in a
        side box while the list itself is filled by JavaScript, and a blank column is named publicly.
        """
        if rendered or page or column.extract.endpoint or not column.extract.browser_fallback:
            return ""
        if challenge:
            return "challenge"
        if listing is not None and not listing.items and not listing.soft_404:
            return "empty"
        if listing is not None and self._collapsed(listing, column, page):
            return "collapse"  # a browser's parser may read malformed markup whole
        return ""

    def _collapsed(self, listing: ListPage, column: Column, page: int) -> int:
        """The first page's item count at the last good reading when today's is under a third of it (and it
        was at least COLLAPSE_FROM): a page that lost most of its list overnight was misread far more often
        than emptied, and a misread must not become a column gone stale or items taken down. Else 0. A reading
        of another page (the catalog now points the column elsewhere) says nothing of this one."""
        address, before = self.first_page_counts.get(column.id, ("", 0))
        if page or not listing.items or before < COLLAPSE_FROM or len(listing.items) * 3 >= before:
            return 0
        return before if _same_page(address, column.extract.endpoint or column.url) else 0

    def _decoded(self, response: Response, column: Column) -> Response:
        """Decode GBK pages right even when the HTTP header names the wrong charset."""
        if not isinstance(response, TextResponse):
            return response
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
        encoding = encoding_override(response.body, content_type, column.extract.encoding)
        return response.replace(encoding=encoding) if encoding else response

    def _read(self, response: TextResponse, column: Column) -> ListPage:
        """Lists, Hanweb XML and JSON endpoints alike: read_list recognises each."""
        hints = ListHints(column.extract.items, column.extract.link, column.extract.date)
        return read_list(response.text, response.url, self.ctx.as_of, hints)

    def _judge_listing(self, listing: ListPage, column: Column, page: int) -> tuple[str, str]:
        if listing.soft_404:
            return NOT_FOUND, "页面显示“不存在”（软404）"
        if before := self._collapsed(listing, column, page):
            return BROKEN, (f"本次读出的条目骤减（上次{before}条，本次{len(listing.items)}条），"
                            "疑为页面结构异常或读取有误，本次不作判断")
        if listing.items:
            return OK, ""
        if page == 0 and listing.empty_marker and column.id not in self.columns_with_items:
            return OK, "栏目显示暂无信息"
        if listing.empty_marker:
            return BROKEN, "栏目曾有条目，现显示为空"
        return BROKEN, "页面已获取，但未能读出任何条目（可能改版）"

    def _next_page(self, column: Column, listing: ListPage, page: int, dates: list[date]) -> str | None:
        """Follow pagination only while the rule's horizon lies beyond this page."""
        oldest_needed = horizon(column.rule, self.ctx.as_of)
        if oldest_needed is None or not dates or min(dates) <= oldest_needed:
            return None
        if page + 1 >= self.settings.getint("MONITOR_MAX_PAGES"):
            return None
        if listing.next_url:
            return listing.next_url
        if listing.page_count and page + 1 < listing.page_count and not column.extract.endpoint:
            return trs_page_url(column.url, page + 1)
        return None

    def _check(self, column: Column, outcome: str, detail: str) -> ColumnCheck:
        progress = self._progress[column.id]
        return ColumnCheck(
            self.unit.slug, column.id, outcome, progress.items,
            max(progress.dates).isoformat() if progress.dates else None,
            depth.isoformat() if (depth := read_depth(progress.dates)) else None,
            progress.pages, detail,
        )

    # ---------------------------------------------------------------- article pages

    def _article_requests(self, column: Column, listing: ListPage):
        """Read the page of a new item when the rule needs its written date or the list has no date."""
        needs_written = needs_written_dates(column.rule)
        oldest_needed = horizon(column.rule, self.ctx.as_of)
        progress = self._progress[column.id]
        limit = self.settings.getint("MONITOR_MAX_ARTICLES")
        seen_before = column.id in self.columns_with_items
        for item in listing.items:
            state = self.known.get((column.id, item.url))
            if state:
                continue  # its page was read before
            # An item that appears in a column read before is new whatever date it claims (it may be
            # back-dated), so its written date matters; on a first reading only the horizon does. Its page
            # is read whatever the rule: only there does it show whether it has any content (为公开而公开).
            appeared_now = seen_before and state is None
            wanted = item.published is None or item.date_source == "url" or appeared_now or (needs_written and (
                oldest_needed is None or item.published >= oldest_needed))
            if not wanted or progress.articles >= limit or not may_fetch(item.url, self.allowed_netlocs, False):
                continue
            progress.articles += 1
            self.known[(column.id, item.url)] = True
            yield scrapy.Request(item.url, callback=self.parse_article, errback=self.failed, priority=0,
                                 meta={"column": column.id, "page": 0, "article": True, "dont_cache": True,
                                       "handle_httpstatus_list": ERROR_STATUSES, "started": time.monotonic()})

    def parse_article(self, response: Response):
        column = self.unit.column(response.meta["column"])
        response = self._decoded(response, column)
        outcome, detail = classify_status(response.status, detect_challenge(response.status, response.body,
                                                                             _headers(response)))
        dates = None
        if outcome == OK and isinstance(response, TextResponse):
            dates = read_article(response.text, response.url)
            body = read_body(response.text, response.url)
            yield ArticleDates(
                self.unit.slug, column.id, response.url,
                dates.published.isoformat() if dates.published else None,
                dates.written.isoformat() if dates.written else None,
                [[label, d.isoformat()] for label, d in dates.candidates], dates.conflict,
                body.chars, body.sha256, body.attachments,
            )
        yield self._fetch_record(response, column, "article", 0, outcome, detail, items=0,
                                 newest=dates.published if dates else None)

    # ---------------------------------------------------------------- failures and records

    def failed(self, failure):
        request = failure.request
        column = self.unit.column(request.meta["column"])
        outcome, detail = classify_failure(failure.value)
        kind = "article" if request.meta.get("article") else ("endpoint" if column.extract.endpoint else "list")
        rendered = bool(request.meta.get("playwright"))
        if rendered:  # Chromium failing (missing, crashed, navigation timeout) is the monitor's problem
            outcome, detail = BROKEN, f"浏览器渲染失败（{type(failure.value).__name__}）"
        if outcome == UNREACHABLE and kind != "article" and not isinstance(failure.value, HostDown):
            self.down_hosts.setdefault(urlsplit(request.url).hostname or "", detail)
        page = request.meta.get("page", 0)
        elapsed = time.monotonic() - request.meta.get("started", time.monotonic())
        yield FetchRecord(self.unit.slug, column.id, kind, page, request.url, clock.stamp(), int(elapsed * 1000),
                          None, f"{type(failure.value).__name__}: {failure.value}"[:500], 0, 0, None, outcome, detail,
                          rendered=rendered)
        if kind != "article":
            yield self._check(column, outcome, detail if page == 0 else f"第{page + 1}页：{detail}")
        if request.meta.get("fallback") == "challenge" and not page:
            yield from self._challenge_settled(column, passed=False)

    def _fetch_record(self, response: Response, column: Column, kind: str, page: int, outcome: str, detail: str,
                      items: int, newest: date | None) -> FetchRecord:
        started = response.meta.get("started")
        elapsed = int((time.monotonic() - started) * 1000) if started else None
        fetched_at = clock.stamp()
        rendered = bool(response.meta.get("playwright"))
        request = response.request
        labels = (("Unit", self.unit.slug), ("Column", column.id), ("Kind", kind), ("Page", str(page)))
        status = response.status
        if REVALIDATED in response.flags:
            # The server answered 304 today: the body read (and archived) is the stored copy it confirmed.
            status, copied = 304, _stamp(response.meta.get(DOWNLOADED))
            detail = "；".join(filter(None, [detail, f"服务器答复未修改（HTTP 304），沿用{copied}下载的副本"]))
            labels += (("Revalidated", f"304 Not Modified at {fetched_at}: the body is the stored copy, "
                                       f"downloaded {copied}, confirmed unchanged by the server"),
                       ("Stored-Copy-Downloaded", copied))
        raw = Exchange(response.url, fetched_at, response.status, _header_pairs(response.headers), response.body,
                       method=request.method if request else "GET",
                       request_headers=_header_pairs(request.headers) if request else None,
                       protocol=response.protocol or "HTTP/1.1", rendered=rendered, labels=labels)
        return FetchRecord(self.unit.slug, column.id, kind, page, response.url, fetched_at, elapsed,
                           status, "", len(response.body), items,
                           newest.isoformat() if newest else None, outcome, detail, rendered=rendered, raw=raw)


def _same_page(final: str, configured: str) -> bool:
    """The page reached is the configured one, give or take the scheme, a trailing slash or index.*."""
    def norm(url: str) -> tuple[str, str, str]:
        parts = urlsplit(url)
        path = parts.path
        for suffix in ("index.html", "index.htm", "index.shtml", "index.jhtml", "index.jsp", "index.php"):
            path = path.removesuffix(suffix)
        return ((parts.hostname or "").removeprefix("www."), path.rstrip("/"), parts.query)
    return norm(final) == norm(configured)


def _stamp(epoch: float | None) -> str:
    """An epoch time (when a stored copy was downloaded) as the records' timestamps are written."""
    if epoch is None:
        return "unknown"
    return datetime.fromtimestamp(epoch, clock.SHANGHAI).isoformat(timespec="seconds")


def _headers(response: Response) -> dict[str, str]:
    return {k.decode("latin-1"): b", ".join(v).decode("latin-1") for k, v in response.headers.items()}


def _header_pairs(headers) -> list[tuple[str, str]]:
    """Scrapy headers as (name, value) pairs, one per value (Set-Cookie repeats), for the WARC file."""
    return [(k.decode("latin-1"), v.decode("latin-1")) for k, values in headers.items() for v in values]
