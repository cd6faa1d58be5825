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

from functools import lru_cache
from ipaddress import ip_address
from urllib.parse import urljoin, urlsplit

import tldextract
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.httpobj import urlparse_cached

from monitor.config import netloc

# the public suffix list as bundled with tldextract: never fetched from the network
_SUFFIXES = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


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
        location = response.headers.get(b"Location")
        if not (300 <= response.status < 400) or not location or request.meta.get("dont_redirect"):
            return response
        target = urljoin(request.url, location.decode("latin-1").strip())
        allowed = getattr(spider or self.crawler.spider, "allowed_netlocs", None)
        if not may_fetch(target, allowed, redirected=True):
            raise OffsiteHost(f"redirected outside the site, not followed: {target[:200]}")
        return response


def may_fetch(url: str, allowed: frozenset[tuple[str, int]] | None, redirected: bool) -> bool:
    """An http(s) URL at a configured host and port; for a redirect, also anywhere on the same site."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    if allowed is None or netloc(url) in allowed:
        return True
    return redirected and any(same_site(parts.hostname, host) for host, _ in allowed)


@lru_cache(maxsize=4096)
def same_site(a: str, b: str) -> bool:
    """Two hosts of one site: the same IP address, or names under the same registrable domain
    (``www.x.gov.cn`` and ``x.gov.cn``; not ``x.gov.cn`` and ``y.gov.cn``, ``gov.cn`` being a public suffix)."""
    a, b = a.lower().rstrip("."), b.lower().rstrip(".")
    if a == b:
        return True
    if _is_ip(a) or _is_ip(b):
        return False
    site_a, site_b = _SUFFIXES(a).top_domain_under_public_suffix, _SUFFIXES(b).top_domain_under_public_suffix
    return bool(site_a) and site_a == site_b


def _is_ip(host: str) -> bool:
    try:
        ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True
