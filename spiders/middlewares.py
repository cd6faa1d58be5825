"""Downloader middleware guarding where the monitor goes.

- Only the catalog's hosts and ports, over http(s), are fetched: a request anywhere else is not sent and fails
  with ``OffsiteHost``, whatever ``dont_filter`` says.
- A redirect is followed only within the same site: to a configured host and port, or to another host of the
  same registrable domain (``www.x.gov.cn`` → ``x.gov.cn``, http → https) or the same IP address. Anything
  else (another site, a private address, ``file:``, ``javascript:``) is refused by ``RedirectGuard`` before
  Scrapy's redirect middleware makes a request of it: the fetch fails with ``OffsiteHost`` naming the target.
- A host that failed at the network level (timeout, refused, reset) after its retries is noted as
  down by the unit spider; requests to it still waiting in the queue are not sent: each fails at
  once with ``HostDown`` and is recorded as unreachable. The site is not hammered and the sweep is
  not held up by one dead host.
"""

from __future__ import annotations

from scrapy.exceptions import IgnoreRequest
from scrapy.utils.httpobj import urlparse_cached

from monitor.sites import OffSite, may_fetch, next_hop


class OffsiteHost(IgnoreRequest):
    """The request was not sent: its host or scheme is not one the catalog configures."""


class HostDown(IgnoreRequest):
    """The request was not sent: its host failed earlier in this crawl."""


class HostGuard:
    @classmethod
    def from_crawler(cls, crawler):
        guard = cls()
        guard.crawler = crawler
        return guard

    def process_request(self, request, spider=None):
        spider = spider or self.crawler.spider
        url = urlparse_cached(request)
        allowed = getattr(spider, "allowed_netlocs", None)
        redirected = bool(request.meta.get("redirect_urls"))
        if not may_fetch(request.url, allowed, redirected):
            raise OffsiteHost(f"not a configured host and port: {request.url[:200]}")
        down = getattr(spider, "down_hosts", {})
        if url.hostname in down:
            raise HostDown(f"{url.hostname}: {down[url.hostname]}")
        return None


class RedirectGuard:
    """Placed just before Scrapy's RedirectMiddleware: a 3xx leading outside the site fails here, naming
    where it led, instead of becoming a request (Scrapy cannot even build one for ``javascript:``)."""

    @classmethod
    def from_crawler(cls, crawler):
        guard = cls()
        guard.crawler = crawler
        return guard

    def process_response(self, request, response, spider=None):
        if request.meta.get("dont_redirect"):
            return response
        location = response.headers.get(b"Location")
        allowed = getattr(spider or self.crawler.spider, "allowed_netlocs", None)
        try:
            next_hop(request.url, response.status, location.decode("latin-1") if location else None, allowed)
        except OffSite as exc:
            raise OffsiteHost(f"redirected outside the site, not followed: {str(exc)[:200]}") from None
        return response
