"""Politeness across processes: one shared clock per host, so a sweep, an ad hoc crawl, a spot check
and the availability probes never pile onto the same site at once.

Scrapy keeps its delay per host inside one crawler; the scheduler runs probes in its own process while
a sweep crawls in another, and units of one portal share a host. Each request first claims its host's
next free moment in a small SQLite file beside the database (``monitor.hosts.db``, its own file so
that a long write to the store never holds a request up): the claim moves that moment ``gap`` seconds
on and says how long to wait for it. A claim is one short write transaction; the file holds one row per
host and nothing else, and losing it loses nothing (the next claims start afresh).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from monitor.catalog_schema import netloc
from monitor.locks import waiting_for


STALE = 300.0  # seconds: no queue of claims on one host reaches this far ahead


def gate_path(db_path: Path) -> Path:
    return Path(db_path).with_suffix(".hosts.db")


def host_key(url: str) -> str:
    """The gate's name for a URL's place: host and port (a portal's units share it)."""
    host, port = netloc(url)
    return f"{host}:{port}"


class HostGate:
    """Claims of each host's next free moment, shared by every process on this database."""

    def __init__(self, db_path: Path):
        self.path = gate_path(db_path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()  # sqlite3 connections stay in the thread that made them
        with waiting_for(Path(db_path), "hosts"):  # the file's WAL switch and table, once, whoever comes first
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            try:
                conn.execute("pragma journal_mode = wal")
                conn.execute("create table if not exists hosts (host text primary key, next_at real not null)")
            finally:
                conn.close()

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            conn.execute("pragma synchronous = off")  # a lost claim only costs one request's wait
            self._local.conn = conn
        return conn

    def claim(self, host: str, gap: float, now: float | None = None) -> float:
        """Take the next free moment of `host` (a host_key); return the seconds to wait for it (0: go now)."""
        if gap <= 0:
            return 0.0
        now = time.time() if now is None else now
        conn = self._conn()
        conn.execute("begin immediate")
        try:
            row = conn.execute("select next_at from hosts where host = ?", (host,)).fetchone()
            # a moment further ahead than STALE was claimed before the wall clock stepped back: forget it
            start = max(now, row[0]) if row and row[0] - now <= STALE else now
            conn.execute("insert into hosts (host, next_at) values (?, ?) on conflict(host) do update set next_at = excluded.next_at",
                         (host, start + gap))
            conn.execute("commit")
        except BaseException:
            conn.execute("rollback")
            raise
        return start - now

    def wait_turn(self, host: str, gap: float) -> float:
        """Claim and sleep until the host's turn (for the probes' threads); return the wait."""
        wait = self.claim(host, gap)
        if wait > 0:
            time.sleep(wait)
        return wait

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
