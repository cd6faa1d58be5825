"""The raw pages behind the verdicts, kept as WARC (warcio): written during a crawl, read for evidence.

Every fetch that brought a body back is appended, as it is recorded, to one gzip WARC file per sweep
and unit, ``<db folder>/warc/<as_of>/<sweep_id>-<unit>.warc.gz``: a ``response`` record (status
line, headers, body) followed by the ``request`` record that asked for it. Each record is its own
gzip member, so the byte offset of the response record (kept on the ``fetches`` row with the
body's SHA-256) is enough to read it back alone. A fetch that failed (timeout, refused) has no body
and leaves no record.

What is kept is the body as Scrapy handed it over: transfer and content codings (chunked, gzip) are
already undone, so the header lengths are set to match and the original values are kept as
``X-Archive-Orig-*``. A page rendered in Chromium is its DOM after the scripts ran (marked
``Monitor-Rendered``), not the bytes received.
"""

from __future__ import annotations

import fcntl
import hashlib
import http
import io
import os
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from monitor import __version__

SOFTWARE = f"DisclosureMonitor/{__version__} (warcio)"
GZIP_LEVEL = 1
# Undone before the body reached the monitor: kept under another name, so readers do not decode twice.
_DECODED = ("content-encoding", "transfer-encoding")


@dataclass(frozen=True)
class Exchange:
    """One fetch as it went over the wire (what a FetchRecord carries to the archive)."""

    url: str
    fetched_at: str  # ISO 8601 with zone
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    method: str = "GET"
    request_headers: list[tuple[str, str]] | None = None
    protocol: str = "HTTP/1.1"
    rendered: bool = False
    labels: tuple[tuple[str, str], ...] = ()  # extra Monitor-* headers: unit, column, kind


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def warc_date(stamp: str) -> str:
    """An ISO timestamp with its zone (``2026-11-28T08:00:05+08:00``) as a WARC-Date (UTC, ``Z``)."""
    moment = datetime.fromisoformat(stamp)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def sweep_file(as_of: str, sweep_id: int, unit: str) -> Path:
    """The WARC file of a unit's crawl in a sweep, relative to the database's folder."""
    for part in (as_of, unit):  # catalog slugs are [a-z][a-z0-9_]*: never a path out of the warc folder
        if not part or Path(part).name != part or part in (".", "..") or "\\" in part or "\0" in part:
            raise ValueError(f"unsafe name for a WARC file: {part!r}")
    return Path("warc") / as_of / f"{sweep_id}-{unit}.warc.gz"


class SweepArchive:
    """Appends the fetches of one unit's crawl in one sweep to its WARC file (opened on first use)."""

    def __init__(self, root: Path, relative: Path, info: dict[str, str] | None = None):
        self.root = root
        self.relative = relative
        self.info = info or {}
        self._out: io.BufferedWriter | None = None
        self._builder = WARCWriter(None, gzip=False)  # builds records; _append compresses each one

    def write(self, exchange: Exchange) -> tuple[str, int, str]:
        """Append the response (and its request); return (file relative to the db folder, offset, body SHA-256)."""
        out = self._open()
        response = _response_record(self._builder, exchange)
        # Another process may append to the same file (a scale-out worker taken for dead, and the unit's next
        # attempt): hold the file while appending, and take the offset at its real end, not this handle's.
        fcntl.flock(out.fileno(), fcntl.LOCK_EX)
        try:
            offset = out.seek(0, io.SEEK_END)
            self._append(response)
            if exchange.request_headers is not None:
                self._append(_request_record(self._builder, exchange, response.rec_headers.get_header("WARC-Record-ID")))
            out.flush()
        finally:
            fcntl.flock(out.fileno(), fcntl.LOCK_UN)
        return self.relative.as_posix(), offset, sha256(exchange.body)

    def close(self) -> None:
        if self._out is not None:
            self._out.close()
            self._out = None

    def _open(self) -> io.BufferedWriter:
        if self._out is None:
            path = self.root / self.relative
            path.parent.mkdir(parents=True, exist_ok=True)
            self._out = open(path, "ab")  # noqa: SIM115 - kept open for the crawl, closed by close()
            if self._out.tell() == 0:
                self._out.write(warcinfo_member(path.name, self.info))
        return self._out

    def _append(self, record) -> None:
        """One record as one gzip member (level 1: several times faster than warcio's 9, files ~15 % larger),
        so each record can be read alone from its offset."""
        buffer = io.BytesIO()
        self._builder.out = buffer
        self._builder.write_record(record)
        assert self._out is not None
        self._out.write(gzip_member(buffer.getvalue()))


def warcinfo_member(filename: str, info: dict[str, str]) -> bytes:
    """A warcinfo record (what the file is, who wrote it) as one gzip member."""
    builder, buffer = WARCWriter(None, gzip=False), io.BytesIO()
    builder.out = buffer
    builder.write_record(builder.create_warcinfo_record(
        filename, {"software": SOFTWARE, "format": "WARC File Format 1.0", **info}))
    return gzip_member(buffer.getvalue())


def gzip_member(data: bytes) -> bytes:
    compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, zlib.MAX_WBITS + 16)
    return compressor.compress(data) + compressor.flush()


def _response_record(writer: WARCWriter, exchange: Exchange):
    try:
        reason = http.HTTPStatus(exchange.status).phrase
    except ValueError:
        reason = ""
    headers = _archived_headers(exchange.headers, len(exchange.body))
    http_headers = StatusAndHeaders(f"{exchange.status} {reason}".strip(), headers,
                                    protocol=exchange.protocol or "HTTP/1.1")
    warc_headers = {"WARC-Date": warc_date(exchange.fetched_at)}
    for name, value in exchange.labels:
        warc_headers[f"Monitor-{name}"] = value
    if exchange.rendered:
        warc_headers["Monitor-Rendered"] = "chromium: the DOM after scripts ran, not the bytes received"
    return writer.create_warc_record(exchange.url, "response", payload=io.BytesIO(exchange.body),
                                     length=len(exchange.body), http_headers=http_headers,
                                     warc_headers_dict=warc_headers)


def _request_record(writer: WARCWriter, exchange: Exchange, response_id: str):
    parts = urlsplit(exchange.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = [("Host", parts.netloc)] + [(k, v) for k, v in exchange.request_headers or [] if k.lower() != "host"]
    http_headers = StatusAndHeaders(f"{exchange.method} {target} HTTP/1.1", headers, is_http_request=True)
    return writer.create_warc_record(exchange.url, "request", http_headers=http_headers, warc_headers_dict={
        "WARC-Date": warc_date(exchange.fetched_at), "WARC-Concurrent-To": response_id})


def _archived_headers(headers: Iterable[tuple[str, str]], body_length: int) -> list[tuple[str, str]]:
    out = []
    for name, value in headers:
        lower = name.lower()
        if lower in _DECODED:
            out.append((f"X-Archive-Orig-{name}", value))
        elif lower == "content-length":
            if value.strip() != str(body_length):
                out.append((f"X-Archive-Orig-{name}", value))
        else:
            out.append((name, value))
    out.append(("Content-Length", str(body_length)))
    return out


# ---------------------------------------------------------------- reading back


@dataclass(frozen=True)
class StoredFetch:
    """A response record read back by offset: its raw gzip members (response and request) and its body."""

    raw: bytes  # the gzip member(s) exactly as in the file: response, then its request if it follows
    uri: str
    date: str
    status: int | None
    body: bytes


def read_fetch(path: Path, offset: int) -> StoredFetch:
    """The response record at `offset` of a WARC file written by SweepArchive, with its request record."""
    with open(path, "rb") as f:
        f.seek(offset)
        iterator = ArchiveIterator(f)
        response = next(iterator)
        if response.rec_type != "response":
            raise ValueError(f"{path}@{offset}: a {response.rec_type} record, not a response")
        uri = response.rec_headers.get_header("WARC-Target-URI")
        date = response.rec_headers.get_header("WARC-Date")
        record_id = response.rec_headers.get_header("WARC-Record-ID")
        status = int(response.http_headers.get_statuscode()) if response.http_headers else None
        body = response.content_stream().read()
        end = offset + iterator.get_record_length()
        following = next(iterator, None)
        if following is not None and following.rec_type == "request" and \
                following.rec_headers.get_header("WARC-Concurrent-To") == record_id:
            iterator.read_to_end()
            end = iterator.get_record_offset() + iterator.get_record_length()
        iterator.close()
        f.seek(offset)
        raw = f.read(end - offset)
    return StoredFetch(raw, uri, date, status, body)


def records(path: Path) -> list[dict]:
    """Every record of a WARC file: type, target URI, date, offset, and a response's status and body SHA-256."""
    out = []
    with open(path, "rb") as f:
        iterator = ArchiveIterator(f)
        for record in iterator:
            row = {"type": record.rec_type, "uri": record.rec_headers.get_header("WARC-Target-URI"),
                   "date": record.rec_headers.get_header("WARC-Date")}
            if record.rec_type == "response":
                row["status"] = int(record.http_headers.get_statuscode())
                row["sha256"] = sha256(record.content_stream().read())
            row["offset"] = iterator.get_record_offset()
            out.append(row)
    return out


def file_digest(path: Path) -> tuple[str, int]:
    """SHA-256 and size of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest(), os.path.getsize(path)
