"""Conditional requests for list pages: a page that did not change is not downloaded again.

Scrapy's HTTP cache, bent to a monitor's needs. A monitor must see today's page, so a stored response
is never used on its own authority: every list (or endpoint) request goes to the server, carrying the
stored copy's validators (``If-None-Match`` from its ``ETag``, ``If-Modified-Since`` from its
``Last-Modified``). When the server answers ``304 Not Modified`` the stored body is read in place of a
download; any other answer is read as usual (and stored, when it qualifies).

- Policy (``AlwaysRevalidate``): never *fresh*, whatever ``Cache-Control``, ``Expires`` or the heuristic
  on ``Last-Modified`` would allow; a stored copy stands in only for a 304 — never for a server error
  nor a network failure (Scrapy's RFC2616Policy uses it for 5xx, its middleware on download errors:
  for a monitor that would hide a site that is down). Only ``200`` answers with a validator are stored;
  requests rendered in Chromium and article pages are not cached (the spider sets ``dont_cache``).
  ``Cache-Control: no-store`` is ignored by default (``HTTPCACHE_IGNORE_RESPONSE_CACHE_CONTROLS``): the
  monitor is one private client of public pages whose every body it already archives as WARC, and the
  copy is only ever used when the server itself confirms it; many government servers send ``no-store``
  on everything (a security-scan recommendation) and still answer 304. Remove ``no-store`` from that
  setting to honour it.
- Middleware (``RevalidatingCache``): marks a response read from the store after a 304 with the flag
  ``revalidated`` and ``meta["cache_downloaded"]`` (when the stored body was downloaded, epoch seconds),
  so the spider records the fetch honestly (status 304, the copy's date: spiders.unit). The ``Date`` header
  Scrapy's middleware invents for an answer that had none is taken out again: records and archive keep
  only what the server sent. Validators a request inherited (a redirect or retry copies its headers) are
  dropped before lookup: only the request's own stored entry may supply them.
- Storage (``SqliteCacheStorage``): one SQLite file beside the database (``monitor.httpcache.db``), shared
  by the crawler processes of a sweep; an entry is a row, replaced whole; unused entries expire.
- A verdict that may name a unit never rests on a stored copy: a column is asked conditionally only while
  its last verdict is on time with its due day further than ``warn_days`` ahead (spiders.unit sets
  ``full_download`` otherwise), and a stored body older than ``MAX_COPY_AGE`` (7 days) is downloaded again,
  so a server whose validators do not follow its content (a template's mtime, a buggy CMS) cannot keep an
  old list in place. A failure of the cache itself is a miss, never the fetch's failure.

The catalog's ``[monitor] conditional_requests = false`` turns all of it off (spiders.loader).
"""

from __future__ import annotations

import gzip
import json
import logging
import sqlite3
import time
from pathlib import Path

from scrapy.downloadermiddlewares.httpcache import HttpCacheMiddleware
from scrapy.extensions.httpcache import RFC2616Policy
from scrapy.utils.response import response_from_dict
from w3lib.http import headers_dict_to_raw, headers_raw_to_dict

from monitor.locks import waiting_for

logger = logging.getLogger(__name__)
from monitor.store import default_db_path

REVALIDATED = "revalidated"  # response flag: the stored copy, confirmed unchanged by a 304 just now
FULL_DOWNLOAD = "full_download"  # request meta: ask without validators (a column near or past its deadline)
MAX_COPY_AGE = 7 * 86400  # a stored body older than this is downloaded again whatever the server's validators say
DOWNLOADED = "cache_downloaded"  # request meta: when the stored body was downloaded (epoch seconds)
DATE_ADDED = "_cache_date_added"  # request meta, during process_response: the Date header is Scrapy's, not the server's
# A 304's headers freshen the stored ones (RFC 9111 4.3.4), except those describing the 304's own (empty) body.
_NOT_FRESHENED = {b"content-length", b"content-encoding", b"transfer-encoding", b"content-type", b"content-range"}


class AlwaysRevalidate(RFC2616Policy):
    def should_cache_request(self, request) -> bool:
        return request.method == "GET" and not request.meta.get("playwright") and super().should_cache_request(request)

    def should_cache_response(self, response, request) -> bool:
        if response.status != 200 or not (b"ETag" in response.headers or b"Last-Modified" in response.headers):
            return False  # nothing to revalidate with: the next crawl downloads it anyway
        return b"no-store" not in self._parse_cachecontrol(response)  # see HTTPCACHE_IGNORE_RESPONSE_CACHE_CONTROLS

    def is_cached_response_fresh(self, cachedresponse, request) -> bool:
        self._set_conditional_validators(request, cachedresponse)
        return False  # never: the server is always asked

    def is_cached_response_valid(self, cachedresponse, response, request) -> bool:
        return response.status == 304  # not on a 5xx: the site's failure is recorded, not hidden


class RevalidatingCache(HttpCacheMiddleware):
    _date_added = False

    def process_request(self, request, spider=None):
        # Validators are only ever this request's own entry's: a redirect or a retry copies the headers of the
        # request it follows, and another page's If-Modified-Since could earn a 304 with no stored copy behind it.
        request.headers.pop(b"If-None-Match", None)
        request.headers.pop(b"If-Modified-Since", None)
        request.meta.pop(DOWNLOADED, None)
        if request.meta.get(FULL_DOWNLOAD):
            return None  # no stored copy asked for: the answer is downloaded in full (and stored)
        return super().process_request(request)

    def process_response(self, request, response, spider=None):
        stored = request.meta.get("cached_response")
        # Scrapy gives an answer without a Date header one, for freshness arithmetic AlwaysRevalidate never
        # does; what the spider records (and the store keeps) must be only what the server sent.
        self._date_added = not request.meta.get("dont_cache") and b"Date" not in response.headers
        request.meta[DATE_ADDED] = self._date_added  # read by the storage, within this call
        try:
            result = super().process_response(request, response)
        finally:
            del request.meta[DATE_ADDED]
            if self._date_added:
                response.headers.pop(b"Date", None)
            self._date_added = False
        if stored is not None and result is stored:  # with AlwaysRevalidate: only after a 304
            result.flags.append(REVALIDATED)
            self.stats.inc_value("httpcache/not_modified")
        return result

    def process_exception(self, request, exception, spider=None):
        request.meta.pop("cached_response", None)  # a site that did not answer is unreachable, not unchanged
        return None

    def _freshen_cached_response(self, cachedresponse, response) -> None:
        for name in list(response.headers):
            if name.lower() in _NOT_FRESHENED or (name.lower() == b"date" and self._date_added):
                del response.headers[name]
        super()._freshen_cached_response(cachedresponse, response)


def cache_path(settings) -> Path:
    """``HTTPCACHE_DIR`` if it is an absolute path (of a file), else ``<db>.httpcache.db`` beside the database."""
    configured = settings.get("HTTPCACHE_DIR") or ""
    if configured and Path(configured).is_absolute():
        return Path(configured)
    db = Path(settings.get("MONITOR_DB") or default_db_path()).resolve()
    return db.with_suffix(".httpcache.db")


class SqliteCacheStorage:
    """The stored copies in one SQLite file beside the database, shared by every crawler process.

    One row per request fingerprint: status, URLs, raw headers and the body (gzip), when it was downloaded and
    when it was last used. A row is replaced whole in one statement, so a reader never mixes the body of one
    answer with the validators of another. ``HTTPCACHE_EXPIRATION_SECS`` counts from the last use (a 304
    rewrites the row): an entry unused that long is a miss (an unconditional fetch) and is deleted when the
    unit's crawl ends. Expiry never makes a stored copy *fresh*: the policy decides that, and says no.
    (Scrapy's own filesystem storage writes six files per page: 35 KB on disk for a 9 KB page, and six inodes.)
    """

    def __init__(self, settings):
        self.path = cache_path(settings)
        self.expiration_secs = settings.getint("HTTPCACHE_EXPIRATION_SECS")
        self.use_gzip = settings.getbool("HTTPCACHE_GZIP")
        self._conn: sqlite3.Connection | None = None

    def open_spider(self, spider) -> None:
        self._fingerprinter = spider.crawler.request_fingerprinter
        self._connect()

    def close_spider(self, spider) -> None:
        try:
            self.prune(spider.name)
        except sqlite3.Error:
            logger.warning("could not prune the HTTP cache of %s", spider.name, exc_info=True)
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _connect(self) -> sqlite3.Connection:
        if self._conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with waiting_for(self.path, "create"):  # the WAL switch and the table, once, whoever comes first
                conn = sqlite3.connect(self.path, timeout=5, isolation_level=None)  # busy: a miss, not a stall
                conn.execute("pragma journal_mode = wal")
                conn.execute(_SCHEMA)
            conn.execute("pragma synchronous = normal")
            self._conn = conn
        return self._conn

    def prune(self, unit: str) -> int:
        """Delete the unit's entries unused for HTTPCACHE_EXPIRATION_SECS."""
        if self.expiration_secs <= 0:
            return 0
        cursor = self._connect().execute("delete from entries where unit = ? and used_at < ?",
                                         (unit, time.time() - self.expiration_secs))
        return cursor.rowcount

    def retrieve_response(self, spider, request):
        """The stored response, or None."""
        row = self._connect().execute(
            "select status, url, headers, body, data, downloaded_at, used_at from entries where fingerprint = ?",
            (self._fingerprint(request),)).fetchone()
        if row is None:
            return None
        status, url, headers, body, data, downloaded_at, used_at = row
        if 0 < self.expiration_secs < time.time() - used_at:
            return None  # unused too long: fetched anew, without validators
        if time.time() - downloaded_at > MAX_COPY_AGE:
            return None  # a server whose validators do not follow its content must not hide a week of changes
        response = {"url": url, "status": status, "headers": headers_raw_to_dict(headers),
                    "body": gzip.decompress(body) if self.use_gzip else body, "flags": [],
                    **json.loads(data)}
        request.meta["cache_timestamp"] = used_at
        request.meta[DOWNLOADED] = downloaded_at
        return response_from_dict(response)

    def store_response(self, spider, request, response) -> None:
        """Store (or replace) the entry; a failure to store is logged, never the fetch's failure."""
        try:
            self._store(spider, request, response)
        except (sqlite3.Error, OSError):
            logger.warning("could not store %s in the HTTP cache", response.url, exc_info=True)

    def _store(self, spider, request, response) -> None:
        now = time.time()
        revalidated = "cached" in response.flags  # the stored copy again, after a 304: its body keeps its date
        headers = response.headers.copy()
        if request.meta.get(DATE_ADDED):
            headers.pop(b"Date", None)
        if revalidated:  # the body is the one stored: refresh the headers (RFC 9111 4.3.4) and the last use only
            updated = self._connect().execute(
                "update entries set headers = ?, used_at = ? where fingerprint = ?",
                (headers_dict_to_raw(headers), now, self._fingerprint(request))).rowcount
            if updated:
                return
        extra = {k: v for k, v in response.to_dict().items()
                 if k in ("_class", "protocol", "encoding") and isinstance(v, str)}
        body = gzip.compress(response.body, compresslevel=6) if self.use_gzip else response.body
        self._connect().execute(
            "insert or replace into entries (fingerprint, unit, url, status, headers, body, data, downloaded_at,"
            " used_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (self._fingerprint(request), spider.name, response.url, response.status, headers_dict_to_raw(headers),
             body, json.dumps(extra), request.meta.get(DOWNLOADED, now) if revalidated else now, now))

    def _fingerprint(self, request) -> str:
        return self._fingerprinter.fingerprint(request).hex()


_SCHEMA = """create table if not exists entries (
    fingerprint text primary key, unit text not null, url text not null, status integer not null,
    headers blob not null, body blob not null, data text not null, downloaded_at real not null,
    used_at real not null)"""
