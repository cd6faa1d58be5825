"""A Playwright download handler that starts Chromium only when a request asks for it.

scrapy-playwright starts its driver when the engine starts. Every unit may need a browser now and
then (a list filled by JavaScript, learned on the fly; a firewall challenge a browser passes), but
most crawls never do, so the driver and Debian's Chromium are started on the first request with
``meta["playwright"]`` and never otherwise. Requests without it go through Scrapy's own handler.
Inside the browser, requests to places the catalog does not name are aborted (``outside_catalog``). Chromium
follows redirects without asking the route again, so a page load (a navigation) is fetched through the route
itself, one hop at a time: every hop of a redirect chain must be a place the crawl may go (spiders.middlewares
``may_fetch``, as for plain requests) or the load is aborted before Chromium asks anything of it. (A
subresource's redirect is not walked: its first URL is checked, what it redirects to is not.)

Every request, with or without the browser, first waits its host's turn on the shared host gate
(monitor.hostgate) at the moment it is sent: probes, spot checks and other crawls of the same host in
other processes are spaced by half the unit's download delay (the shortest delay Scrapy's own
randomised per-host delay picks), so a crawl alone is never slowed by it.
"""

from __future__ import annotations

import asyncio

from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

from monitor.config import netloc
from monitor.hostgate import HostGate, host_key
from monitor.store import default_db_path
from monitor.sites import REDIRECT_HOPS, OffSite, next_hop

_ALLOWED: set[tuple[str, int]] = set()  # (host, port) of every unit crawled by this process


def allow(netlocs) -> None:
    """Let Chromium load from these places (called by each unit spider)."""
    _ALLOWED.update(netlocs)


def outside_catalog(request) -> bool:
    """PLAYWRIGHT_ABORT_REQUEST: Chromium loads nothing (script, XHR, image, navigation) from a host
    and port the catalog does not configure, nor anything but http(s)."""
    if not request.url.startswith(("http://", "https://")):
        return not request.url.startswith(("data:", "blob:", "about:"))
    return netloc(request.url) not in _ALLOWED


class LazyPlaywrightHandler(ScrapyPlaywrightDownloadHandler):
    def __init__(self, crawler) -> None:
        super().__init__(crawler)
        self._start_lock = asyncio.Lock()
        self._started = False
        settings = crawler.settings
        self._gate = HostGate(settings.get("MONITOR_DB") or default_db_path())
        self._gap = settings.getfloat("DOWNLOAD_DELAY") * (1 - settings.getfloat("DOWNLOAD_DELAY_JITTER", 0.5))

    async def download_request(self, request, *args):
        # a short SQLite write, off the reactor's thread: another process holding the file must not stall the crawl
        wait = await asyncio.to_thread(self._gate.claim, host_key(request.url), self._gap) if self._gap > 0 else 0
        if wait > 0:
            await asyncio.sleep(wait)
        return await super().download_request(request, *args)

    async def _maybe_launch_in_thread(self) -> None:
        """Not at engine start: see _download_request."""

    def _make_request_handler(self, *args, **kwargs):
        """scrapy-playwright's route handler, with page loads fetched hop by hop (``_CheckedRoute``)."""
        handler = super()._make_request_handler(*args, **kwargs)

        async def checked(route, playwright_request) -> None:
            if playwright_request.is_navigation_request():
                route = _CheckedRoute(route)
            await handler(route, playwright_request)
        return checked

    async def _download_request(self, request, spider=None):
        async with self._start_lock:
            if not self._started:
                await self._launch()
                self._started = True
        return await super()._download_request(request, spider)


class _CheckedRoute:
    """A Playwright route whose ``continue_`` fetches the request itself without following redirects, walks a
    redirect chain checking each hop, and hands Chromium the first answer only when every hop may be fetched."""

    def __init__(self, route) -> None:
        self._route = route

    def __getattr__(self, name: str):
        return getattr(self._route, name)

    async def continue_(self, **overrides) -> None:
        fetch = {k: v for k, v in overrides.items() if k in ("headers", "method", "post_data")}
        first = answer = await self._route.fetch(max_redirects=0, **fetch)
        url: str | None = self._route.request.url
        for _ in range(REDIRECT_HOPS):
            try:
                url = next_hop(url, answer.status, answer.headers.get("location"), _ALLOWED)
            except OffSite:
                await self._route.abort("blockedbyclient")
                return
            if url is None:
                break
            answer = await self._route.fetch(url=url, max_redirects=0)
        await self._route.fulfill(response=first)
