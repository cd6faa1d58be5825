"""Serving the demo world over real HTTP: one ThreadingHTTPServer per unit, each on its own loopback IP.

    with DemoServer(DemoWorld(end=date(2026, 11, 27))) as server:
        server.set_today(date(2026, 10, 20))
        httpx.get("http://127.0.0.11:8700/xxgk/gzdt/")

    python -m monitor.demo.server --end 2026-11-27 --port 8700     # foreground, Ctrl-C stops

A stalled answer (the timeout scenario) waits on an Event, so ``stop()`` returns at once.
"""

from __future__ import annotations

import argparse
import io
import os
import signal
import socket
import ssl
import struct
import sys
import threading
from datetime import date
from pathlib import Path
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .world import DemoResponse, DemoWorld

ENDLESS_LIMIT = 256 * 1024 * 1024  # an endless answer stops here if the client never hangs up


class _Handler(BaseHTTPRequestHandler):
    server: "_UnitServer"
    protocol_version = "HTTP/1.1"
    timeout = 60  # idle keep-alive connections are closed after this many seconds

    def log_message(self, format: str, *args: object) -> None:  # quiet: the crawler logs what it fetches
        pass

    def _answer(self, method: str, send_body: bool = True) -> None:
        if self.server.stopping.is_set():  # a kept-alive connection outliving stop()
            self.close_connection = True
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        response = self.server.world.respond(self.server.ip, self.path, method, body)
        if response.delay_s and self.server.stopping.wait(response.delay_s):
            self.close_connection = True
            return
        if response.misbehave:
            self._misbehave(response)
            return
        self.send_response(response.status)
        for k, v in response.headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if send_body:
            self.wfile.write(response.body)

    def _misbehave(self, response: DemoResponse) -> None:
        """Break the answer on the wire as ``response.misbehave`` says (see DemoResponse)."""
        self.close_connection = True
        self.send_response(response.status)
        for k, v in response.headers.items():
            self.send_header(k, v)
        if response.misbehave != "endless":
            self.send_header("Content-Length", str(len(response.body)))
        else:
            self.send_header("Connection", "close")
        self.end_headers()
        body = response.body
        if response.misbehave == "reset":
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            os.close(self.connection.detach())  # SO_LINGER 0: closing sends RST at once, not FIN
            self.wfile, self.rfile = io.BytesIO(), io.BytesIO()  # nothing left for finish() to flush
        elif response.misbehave == "drip":
            for i in range(len(body)):
                if self.server.stopping.wait(0.5):
                    return
                self.wfile.write(body[i:i + 1])
                self.wfile.flush()
        elif response.misbehave == "endless":
            sent = 0
            while sent < ENDLESS_LIMIT and not self.server.stopping.is_set():
                self.wfile.write(body)
                sent += len(body)
        else:
            raise ValueError(f"unknown misbehaviour {response.misbehave!r}")

    def do_GET(self) -> None:
        self._answer("GET")

    def do_POST(self) -> None:
        self._answer("POST")

    def do_HEAD(self) -> None:
        self._answer("HEAD", send_body=False)


class _UnitServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address) -> None:
        """A client that hung up (a crawler's timeout or size cap) is expected; anything else is reported."""
        if not isinstance(sys.exc_info()[1], (ConnectionError, ssl.SSLError, TimeoutError)):  # hang-ups, refused TLS
            super().handle_error(request, client_address)

    def __init__(self, ip: str, port: int, world: DemoWorld, stopping: threading.Event,
                 tls: tuple[Path, Path] | None = None) -> None:
        self.ip, self.world, self.stopping = ip, world, stopping
        super().__init__((ip, port), _Handler)
        self.tls: ssl.SSLContext | None = None
        if tls:  # HTTPS with the given certificate, the handshake in the request's thread
            self.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.tls.load_cert_chain(*tls)

    def finish_request(self, request, client_address) -> None:
        """A client that refuses the certificate fails the handshake here (OSError, ignored by handle_error)."""
        if self.tls is not None:
            request = self.tls.wrap_socket(request, server_side=True)
        super().finish_request(request, client_address)


class DemoServer:
    """All of a world's units on their (ip, port); a context manager."""

    def __init__(self, world: DemoWorld) -> None:
        self.world = world
        self._servers: list[_UnitServer] = []
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()

    def start(self) -> None:
        """Bind every unit's address and serve in daemon threads; a taken address raises RuntimeError."""
        self._stopping.clear()
        for unit, (ip, port) in zip(self.world.units, self.world.hosts()):
            if not self.world.listening(unit):  # its address refuses connections
                continue
            try:
                server = _UnitServer(ip, port, self.world, self._stopping, self.world.tls_files(unit))
            except OSError as exc:
                self.stop()
                raise RuntimeError(f"demo server: cannot bind {ip}:{port} for unit {unit.slug!r}: {exc.strerror or exc}"
                                   f" (is another demo server running? try another --port)") from exc
            thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                                      name=f"demo-{unit.slug}", daemon=True)
            thread.start()
            self._servers.append(server)
            self._threads.append(thread)

    def stop(self) -> None:
        """Stop serving; stalled answers are abandoned at once."""
        self._stopping.set()
        stoppers = [threading.Thread(target=server.shutdown) for server in self._servers]
        for t in stoppers:  # in parallel: each shutdown waits up to one poll interval
            t.start()
        for t in stoppers:
            t.join()
        for server in self._servers:
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=2)
        self._servers, self._threads = [], []

    def set_today(self, d: date) -> None:
        """Move the simulated day: pages show what is online on ``d``."""
        self.world.today = d

    def __enter__(self) -> "DemoServer":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m monitor.demo.server", description=__doc__.splitlines()[0])
    parser.add_argument("--end", type=date.fromisoformat, default=date.today(), help="end date E (default: today)")
    parser.add_argument("--today", type=date.fromisoformat, help="simulated day to show (default: E)")
    parser.add_argument("--days", type=int, default=42, help="length of the demo period (default: 42)")
    parser.add_argument("--port", type=int, default=8700)
    parser.add_argument("--first-ip", type=int, default=11, help="units on 127.0.0.N, N from this (default: 11)")
    parser.add_argument("--catalog", metavar="PATH", help="also write the world's catalog to PATH")
    args = parser.parse_args(argv)
    world = DemoWorld(end=args.end, days=args.days, port=args.port, first_ip=args.first_ip)
    world.today = args.today or world.end
    if args.catalog:
        with open(args.catalog, "w", encoding="utf-8") as f:
            f.write(world.catalog_toml())
    server = DemoServer(world)
    try:
        server.start()
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"demo world: S = {world.start}, E = {world.end}, today = {world.today}")
    for unit in world.units:
        print(f"  {unit.slug:<6} {world.url(unit)}  {unit.spec.org}")
    print("Ctrl-C stops.", flush=True)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
