"""Where the monitor may go: a configured host and port, or, after a redirect, somewhere on the same site.

Pure functions, shared by the crawler's middleware (spiders.middlewares), its Chromium (spiders.browser) and the
evidence screenshots (monitor.evidence). The public suffix list is the one bundled with tldextract: never
fetched from the network.
"""

from __future__ import annotations

from collections.abc import Collection
from functools import lru_cache
from ipaddress import ip_address
from urllib.parse import urljoin, urlsplit

import tldextract

from monitor.config import netloc

_SUFFIXES = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True)
WEB_PORTS = (80, 443)
REDIRECT_HOPS = 5  # as the crawler's REDIRECT_MAX_TIMES


class OffSite(Exception):
    """A redirect leads where the crawl may not go (the target is the message)."""


def next_hop(url: str, status: int, location: str | None, allowed: Collection[tuple[str, int]] | None) -> str | None:
    """Where an answer to ``url`` redirects, to be fetched next; None when it is no redirect.
    Raises OffSite when the redirect leaves the site (see may_fetch)."""
    if not (300 <= status < 400 and location):
        return None
    target = urljoin(url, location.strip())
    if not may_fetch(target, allowed, redirected=True):
        raise OffSite(target)
    return target


def may_fetch(url: str, allowed: Collection[tuple[str, int]] | None, redirected: bool) -> bool:
    """An http(s) URL at a configured host and port; for a redirect, also another port of a configured host,
    or another host of the same site on a web port (80, 443, or one the catalog uses). Never with a user name
    or password in it."""
    parts = urlsplit(url)
    try:
        host, port = netloc(url)
    except ValueError:  # a port out of range or not a number
        return False
    if parts.scheme not in ("http", "https") or not host or parts.username is not None or parts.password is not None:
        return False
    if allowed is None or (host, port) in allowed:
        return True
    if not redirected:
        return False
    if any(host == known for known, _ in allowed):
        return True
    ports = set(WEB_PORTS) | {p for _, p in allowed}
    return port in ports and any(same_site(host, known) for known, _ in allowed)


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
