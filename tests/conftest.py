"""Shared fixtures: the demo world served on loopback and swept day by day, as the README's demo does.

The demo runs through the README's own command (``python -m monitor demo``) in a subprocess; the
clock is frozen by construction: it is run ``--as-of`` a fixed day and every simulated day's sweep
is judged as of that day, against the world as it looks that day.
"""

from __future__ import annotations

import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import httpx
import pytest

from monitor.demo.server import DemoServer
from monitor.demo.units import UNITS
from monitor.demo.world import DemoWorld

REPO = Path(__file__).resolve().parents[1]
DEMO_END = date(2026, 11, 28)
DEMO_DAYS = 42
SERVED_DEMO_END = date(2026, 11, 27)  # the world the test_demo_*.py files serve and fetch by hand


def free_port(hosts: list[str]) -> int:
    """A port free on every given loopback address."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        try:
            for host in hosts:
                with socket.socket() as s:
                    s.bind((host, port))
            return port
        except OSError:
            continue
    raise RuntimeError("no free port")


@contextmanager
def serve_loopback(handler: type[BaseHTTPRequestHandler], *ips: str) -> Iterator[int]:
    """Serve `handler` on each loopback address (one port for all); yields the port."""
    port = free_port(list(ips))
    servers = [ThreadingHTTPServer((ip, port), handler) for ip in ips]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield port
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()


@contextmanager
def province_server(units: int, today: str, port: int) -> Iterator[None]:
    """bench/province.py's synthetic province (its first ``units`` units) served on ``port`` as of ``today``."""
    proc = subprocess.Popen([sys.executable, str(REPO / "bench" / "province.py"), "serve", "--units", str(units),
                             "--today", today, "--port", str(port)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().startswith("province:")  # printed once listening
        yield
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def send_page(handler: BaseHTTPRequestHandler, status: int, body: str | bytes,
              content_type: str = "text/html; charset=utf-8", reason: str | None = None) -> None:
    """Answer a test server's request with ``body``; a client that hung up is no error."""
    data = body.encode() if isinstance(body, str) else body
    handler.send_response(status, reason)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    try:
        handler.wfile.write(data)
    except (BrokenPipeError, ConnectionResetError):
        pass


def one_unit_catalog(path: Path, site: str, columns: list[tuple[str, str, str]], monitor: str = "",
                     extract: str = "") -> Path:
    """A catalog of one unit (`bureau`) whose columns (id, name, url) all follow a two-week max-gap rule;
    ``extract`` (e.g. ``browser = true``) is every column's extract table."""
    more = f", extract = {{ {extract} }}" if extract else ""
    rows = "\n".join(f'  {{ id = "{c}", name = "{n}", url = "{u}", rule = "m"{more} }},' for c, n, u in columns)
    path.write_text(f"""
[monitor]
download_delay = 0
{monitor}

[rules.m]
kind = "max_gap"
within = {{ n = 14, unit = "day" }}

[[units]]
slug = "bureau"
name = "某某局"
site = "{site}"
columns = [
{rows}
]
""", encoding="utf-8")
    return path


def sweep_cli(catalog: Path, db: Path, day: str) -> subprocess.CompletedProcess:
    """`python -m monitor sweep` as the daily job runs it; fails the test if it fails."""
    proc = subprocess.run([sys.executable, "-m", "monitor", "sweep", "--as-of", day, "--config", str(catalog),
                           "--db", str(db), "--quiet"], capture_output=True, text=True, cwd=REPO, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


@dataclass
class DemoRun:
    world: DemoWorld
    server: DemoServer
    catalog: Path
    db: Path
    out: Path
    end: date
    output: str  # what the demo printed

    def db_copy(self, dest: Path) -> Path:
        """A consistent copy of the database (SQLite's backup API), for tests that write."""
        target = dest / "monitor.db"
        src = sqlite3.connect(self.db)
        dst = sqlite3.connect(target)
        src.backup(dst)
        src.close()
        dst.close()
        return target

    def connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True)
        conn.row_factory = sqlite3.Row
        return conn


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory) -> DemoRun:
    """The demo world swept once a day for DEMO_DAYS simulated days (real HTTP, SQLite, Chromium),
    then served again as of the last day for tests that crawl it by hand."""
    out = tmp_path_factory.mktemp("demo")
    hosts = [ip for ip, _ in DemoWorld(end=DEMO_END, days=DEMO_DAYS).hosts()]
    port = free_port(hosts)
    proc = subprocess.run(
        [sys.executable, "-m", "monitor", "demo", "--as-of", DEMO_END.isoformat(), "--days", str(DEMO_DAYS),
         "--port", str(port), "--out", str(out)],
        capture_output=True, text=True, cwd=REPO, timeout=1500)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
    world = DemoWorld(end=DEMO_END, days=DEMO_DAYS, port=port)
    with DemoServer(world) as server:
        server.set_today(DEMO_END)
        yield DemoRun(world, server, out / "catalog.toml", out / "monitor.db", out, DEMO_END, proc.stdout)
    shutil.rmtree(out, ignore_errors=True)


def final_verdicts(run) -> dict[tuple[str, str], dict]:
    """The demo run's verdicts on its last day, by (unit, column)."""
    with run.connect() as conn:
        rows = conn.execute("select * from verdicts where day = ?", [run.end.isoformat()]).fetchall()
    return {(r["unit"], r["column_id"]): dict(r) for r in rows}


def signal_rows(run) -> list[dict]:
    """Every signal the demo run stored, oldest first."""
    with run.connect() as conn:
        return [dict(r) for r in conn.execute("select * from signals order by id")]


# ---------------------------------------------------------------- the demo world served, for test_demo_*.py


def start_world(first_ip: int = 11) -> tuple[DemoWorld, DemoServer]:
    """The demo world ending SERVED_DEMO_END, served on 127.0.0.<first_ip> onwards (one address a unit)."""
    ips = [f"127.0.0.{first_ip + i}" for i in range(len(UNITS))]
    world = DemoWorld(SERVED_DEMO_END, port=free_port(ips), first_ip=first_ip)
    server = DemoServer(world)
    server.start()
    return world, server


@pytest.fixture(scope="module")
def demo():
    world, server = start_world()
    client = httpx.Client(timeout=5, trust_env=False)
    yield world, server, client
    client.close()
    server.stop()


@pytest.fixture
def world(demo):
    world, server, _ = demo
    yield world
    server.set_today(SERVED_DEMO_END)


@pytest.fixture
def server(demo):
    return demo[1]


@pytest.fixture
def client(demo):
    return demo[2]


def url(world: DemoWorld, slug: str, path: str) -> str:
    return world.url(world.unit(slug), path)


def list_dates(html: str) -> list[str]:
    return re.findall(r"<span>\[?(\d{4}-\d{2}-\d{2})\]?</span>", html)


ARTIFACTS = Path(__file__).resolve().parent / "artifacts"  # screenshots for a person to look at
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


@dataclass
class PageWatch:
    """What a page did while a test looked at it: every request, console error and dialog."""

    requests: list[str]
    errors: list[str]
    dialogs: list[str]

    def assert_offline_and_quiet(self) -> None:
        assert self.dialogs == [] and self.errors == []
        assert self.requests and all(url.startswith("file://") for url in self.requests)


@contextmanager
def offline_page() -> Iterator[tuple[object, PageWatch]]:
    """A page in Debian's Chromium, watched; after the block, call ``watch.assert_offline_and_quiet()``."""
    from playwright.sync_api import sync_playwright

    watch = PageWatch([], [], [])
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.on("request", lambda r: watch.requests.append(r.url))
        page.on("console", lambda m: watch.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: watch.errors.append(str(e)))
        page.on("dialog", lambda d: (watch.dialogs.append(d.message), d.dismiss()))
        try:
            yield page, watch
        finally:
            browser.close()
