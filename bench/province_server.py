"""The province's HTTP server: HTTP/1.1 with keep-alive, ETag / Last-Modified and 304s, request counts.

One asyncio process answers for every unit (one listening socket per unit address) with the pages of
``province.answer``, encoded once and kept (an LRU). It counts requests and body bytes by status:
``GET /__stats`` (on any unit's address) returns them as JSON, ``POST /__stats`` resets them.
"""

from __future__ import annotations

import asyncio
import functools
import json
import signal
import threading
import zlib
from datetime import date, datetime, time, timezone
from email.utils import format_datetime, parsedate_to_datetime

from province import address, answer, unit_index


class Stats:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.requests: dict[str, int] = {}
        self.body_bytes: dict[str, int] = {}

    def count(self, status: int, size: int) -> None:
        key = str(status)
        self.requests[key] = self.requests.get(key, 0) + 1
        self.body_bytes[key] = self.body_bytes.get(key, 0) + size


class _Http(asyncio.Protocol):
    """HTTP/1.1 with keep-alive, GET and HEAD; enough for crawlers, tiny and fast."""

    def __init__(self, today: date, stats: Stats) -> None:
        self.today, self.stats, self.buffer = today, stats, b""

    def connection_made(self, transport) -> None:  # type: ignore[override]
        self.transport = transport
        self.unit = unit_index(transport.get_extra_info("sockname")[0])

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while b"\r\n\r\n" in self.buffer:
            head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
            lines = head.decode("latin-1").split("\r\n")
            try:
                method, target, _ = lines[0].split(" ", 2)
            except ValueError:
                self.transport.close()
                return
            headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
            length = int(headers.get("content-length") or 0)
            self.buffer = self.buffer[length:]
            self.transport.write(self.respond(method, target, headers))
            if headers.get("connection", "").lower() == "close":
                self.transport.close()
                return

    def respond(self, method: str, target: str, headers: dict[str, str]) -> bytes:
        if target == "/__stats":
            if method == "POST":
                self.stats.reset()
            return _response(200, {"Content-Type": "application/json"},
                             json.dumps({"requests": self.stats.requests, "body_bytes": self.stats.body_bytes}).encode())
        page = _encoded(target, self.unit, self.today) if self.unit is not None else None
        if page is None:
            body = "<html><body><h1>404 Not Found</h1></body></html>".encode()
            self.stats.count(404, len(body))
            return _response(404, {"Content-Type": "text/html"}, body if method != "HEAD" else b"", len(body))
        body, etag, modified = page
        fresh = headers.get("if-none-match") == etag if "if-none-match" in headers else _not_modified_since(
            headers.get("if-modified-since"), modified)
        common = {"ETag": etag, "Last-Modified": format_datetime(modified, usegmt=True)}
        if fresh:
            self.stats.count(304, 0)
            return _response(304, common, b"")
        self.stats.count(200, len(body))
        return _response(200, {"Content-Type": "text/html; charset=utf-8", **common},
                         body if method != "HEAD" else b"", len(body))


@functools.lru_cache(maxsize=250_000)
def _encoded(target: str, unit: int, today: date) -> tuple[bytes, str, datetime] | None:
    page = answer(target, unit, today)
    if page is None:
        return None
    html, changed = page
    body = html.encode("utf-8")
    return body, f'"{zlib.crc32(body):08x}"', datetime.combine(changed, time(2), timezone.utc)


def _not_modified_since(header: str | None, modified: datetime) -> bool:
    if not header:
        return False
    try:
        return modified <= parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return False


def _response(status: int, headers: dict[str, str], body: bytes, length: int | None = None) -> bytes:
    reason = {200: "OK", 304: "Not Modified", 404: "Not Found"}[status]
    lines = [f"HTTP/1.1 {status} {reason}", "Server: province-bench",
             *(f"{k}: {v}" for k, v in headers.items())]
    if status != 304:
        lines.append(f"Content-Length: {len(body) if length is None else length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


async def serve(units: int, today: date, port: int, ready=None) -> None:
    stats = Stats()
    loop = asyncio.get_running_loop()
    # one listening socket per unit address: 127.0.0.0/8 is all loopback on Linux
    server = await loop.create_server(lambda: _Http(today, stats), host=[address(u) for u in range(units)],
                                      port=port, reuse_address=True, backlog=1024)
    stop = asyncio.Event()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
    if ready is not None:
        ready()
    print(f"province: {units} units served on 127.10.0.1.. port {port}, today {today}", flush=True)
    await stop.wait()
    server.close()
