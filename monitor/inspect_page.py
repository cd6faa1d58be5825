"""What the monitor reads from one page: the library behind ``python -m monitor extract``.

:func:`read_page` is pure: bytes in, a JSON-ready dict out, through the same readers the spider uses
(:mod:`monitor.extract`). :func:`inspect_source` gets the bytes first, from a file or over HTTP, and applies a
catalog column's configuration when one is named.

Decoding is the spider's: the column's ``extract.encoding`` when set, else ``gb18030`` when the page declares
a GB encoding the HTTP header contradicts (:func:`monitor.extract.declared_encoding_fix`), else as Scrapy
decodes (BOM, header charset, ``<meta charset>``, then a guess). The encoding used is reported.

List or article: a page is a **list** when it is a JSON or Hanweb XML list answer, when it is a catalog
column's page (``--column``), when its main list holds at least 3 dated items, or when it says the column is
empty (暂无信息); anything else is an **article**. A list reports its items, paging and state; an article its
own dates (``published``, ``written``, every candidate and whether they conflict). Both say the encoding used,
soft 404, firewall challenge, the ``url`` links were resolved against and the HTTP ``status`` (None for a file).
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from w3lib.encoding import html_to_unicode

from monitor import clock
from monitor.config import Column, ExtractHints, load_catalog
from monitor.errors import UsageError
from monitor.extract import ListHints, detect_challenge, encoding_override, read_article, read_list
from monitor.extract.families import looks_like_hanweb_xml
from monitor.extract.jsonlist import looks_like_json

__all__ = ["FetchError", "InspectError", "Page", "decode", "fetch", "find_column", "inspect_source", "read_page"]

LIST_MIN_DATED = 3  # dated items in the main list from which a page is a list page
FETCH_TIMEOUT = 15.0  # seconds, the national rule the monitor keeps (docs/catalog.md download_timeout)
MAX_REDIRECTS = 5  # as the spider (REDIRECT_MAX_TIMES)


class InspectError(UsageError):
    """The request itself is wrong: no such file, not an http(s) URL, unknown unit or column."""


class FetchError(Exception):
    """The URL could not be fetched (network, timeout, too many redirects)."""


@dataclass(frozen=True)
class Page:
    """A page's bytes and what came with them."""

    body: bytes
    url: str  # the page's address: links are resolved against it
    content_type: str | None = None  # the HTTP Content-Type header (None for a file)
    status: int | None = None  # the HTTP status (None for a file)
    headers: dict[str, str] = field(default_factory=dict)
    challenge: str | None = None  # a firewall challenge met on the way (a redirect to WZWS, ...)


def decode(body: bytes, content_type: str | None, forced: str | None = None) -> tuple[str, str]:
    """``(text, encoding)`` as the spider decodes: ``forced``, else the GB fix, else as Scrapy does."""
    encoding = encoding_override(body, content_type, forced)
    if encoding:
        return body.decode(encoding, "replace"), codecs.lookup(encoding).name
    encoding, text = html_to_unicode(content_type, body)
    return text, encoding


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def read_page(page: Page, today: date, extract: ExtractHints | None = None,
              column_page: bool = False) -> dict[str, Any]:
    """What the monitor reads from ``page`` (see the module docstring for the list-or-article rule)."""
    text, encoding = decode(page.body, page.content_type, extract.encoding if extract else None)
    challenge = page.challenge or detect_challenge(page.status or 200, page.body, page.headers)
    hints = ListHints(extract.items, extract.link, extract.date) if extract else None
    listing = read_list(text, page.url, today, hints)
    dated = sum(1 for item in listing.items if item.published is not None)
    is_list = (column_page or looks_like_json(text) or looks_like_hanweb_xml(text) or dated >= LIST_MIN_DATED
               or listing.empty_marker)
    article = None if is_list else read_article(text, page.url)
    return {
        "kind": "list" if is_list else "article",
        "items": [{"title": i.title, "url": i.url, "published": _iso(i.published), "date_source": i.date_source}
                  for i in listing.items] if is_list else [],
        "published": _iso(article.published) if article else None,
        "written": _iso(article.written) if article else None,
        "candidates": [[label, d.isoformat()] for label, d in article.candidates] if article else [],
        "conflict": article.conflict if article else False,
        "encoding": encoding,
        "page_count": listing.page_count if is_list else None,
        "next_url": listing.next_url if is_list else None,
        "empty_marker": listing.empty_marker,
        "soft_404": listing.soft_404,
        "challenge": challenge,
        "url": page.url,
        "status": page.status,
    }


def is_url(source: str) -> bool:
    """``source`` names a URL rather than a file (it has a scheme)."""
    return "://" in source


def _check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InspectError(f"not an http(s) URL: {url!r}")
    return url


def fetch(url: str, timeout: float = FETCH_TIMEOUT) -> Page:
    """GET ``url`` as the monitor does (its user agent, sent as UTF-8 bytes like Scrapy does; redirects
    followed); an answer with any status is a page."""
    import httpx

    from spiders.settings import USER_AGENT

    _check_url(url)
    try:
        with httpx.Client(timeout=timeout, follow_redirects=True, max_redirects=MAX_REDIRECTS,
                          headers={"User-Agent": USER_AGENT.encode("utf-8")}) as client:
            r = client.get(url)
    except httpx.HTTPError as exc:
        raise FetchError(f"cannot fetch {url}: {type(exc).__name__}: {exc}") from None
    hops = [(h.status_code, h.content, dict(h.headers)) for h in r.history]
    challenge = next((c for c in (detect_challenge(*hop) for hop in hops) if c), None)
    return Page(r.content, str(r.url), r.headers.get("content-type"), r.status_code, dict(r.headers), challenge)


def read_file(path: str | Path, url: str) -> Page:
    """A saved page; ``url`` is the address its links are resolved against."""
    try:
        body = Path(path).read_bytes()
    except OSError as exc:
        raise InspectError(f"cannot read {path}: {exc.strerror or exc}") from None
    return Page(body, url)


def find_column(spec: str, config: str | Path | None = None) -> Column:
    """The catalog column named ``UNIT/COLUMN``."""
    slug, _, column_id = spec.partition("/")
    if not slug or not column_id:
        raise InspectError(f"--column wants UNIT/COLUMN, not {spec!r}")
    catalog = load_catalog(config)
    try:
        unit = catalog.unit(slug)
    except KeyError:
        raise InspectError(f"unknown unit {slug!r} (units: {', '.join(u.slug for u in catalog.units)})") from None
    try:
        return unit.column(column_id)
    except KeyError:
        raise InspectError(f"unit {slug!r} has no column {column_id!r} "
                           f"(columns: {', '.join(c.id for c in unit.columns)})") from None


def inspect_source(source: str | None, url: str | None = None, column: str | None = None, today: date | None = None,
            config: str | Path | None = None) -> dict[str, Any]:
    """Read a file or URL (or, with only ``column``, that column's page) the way the monitor would.

    ``url`` is the page's address for a file (default: the column's endpoint or URL, else the file's own
    ``file://`` address); ``column`` (``UNIT/COLUMN``) applies that column's extraction hints and makes the
    page a list. A column the monitor renders in Chromium (``extract.browser``) is read here as raw HTML.
    """
    col = find_column(column, config) if column else None
    if url is not None:
        _check_url(url)
    own_url = (col.extract.endpoint or col.url) if col else None
    if source is None and own_url is None:
        raise InspectError("name a file or URL (or a --column to fetch its page)")
    if source is None or is_url(source):
        page = fetch(source or own_url)
        if url is not None:
            page = Page(page.body, url, page.content_type, page.status, page.headers, page.challenge)
    else:
        page = read_file(source, url or own_url or Path(source).resolve().as_uri())
    return read_page(page, today or clock.today(), col.extract if col else None, column_page=col is not None)
