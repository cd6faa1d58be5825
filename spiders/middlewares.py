"""Downloader middleware guarding where the monitor goes.

- Only the catalog's hosts and ports, over http(s), are fetched: a request (or a redirect) anywhere else is
  not sent and fails with ``OffsiteHost``, whatever ``dont_filter`` says.
- A host that failed at the network level (timeout, refused, reset) after its retries is noted as
  down by the unit spider; requests to it still waiting in the queue are not sent: each fails at
  once with ``HostDown`` and is recorded as unreachable. The site is not hammered and the sweep is
  not held up by one dead host.
"""

from __future__ import annotations

from scrapy.exceptions import IgnoreRequest
from scrapy.utils.httpobj import urlparse_cached

from monitor.config import netloc


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
        if url.scheme not in ("http", "https") or (allowed is not None and netloc(request.url) not in allowed):
            raise OffsiteHost(f"not a configured host and port: {request.url[:200]}")
        down = getattr(spider, "down_hosts", {})
        if url.hostname in down:
            raise HostDown(f"{url.hostname}: {down[url.hostname]}")
        return None
