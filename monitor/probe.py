"""Availability probes (网站可用性): one light GET of each unit's home page, outside any crawl.

The national indicator wants at least 20 probes a day spread over a week, each failing when the
page has not opened after 15 seconds. A probe asks only the unit's configured ``site`` URL, with
the monitor's user agent, and follows no redirect (an answer, even a redirect, is a page that
opened). Its outcome is ``ok``, ``failed`` (timeout, refused connection, HTTP error status) or
``blocked`` (a firewall challenge: the monitor was stopped, not the citizen) and every probe is
stored, with its time in Asia/Shanghai. Scheduling the probes through the day is the scheduler's.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

import httpx

from monitor import clock, user_agent
from monitor.config import Catalog, Unit
from monitor.extract.firewall import detect_challenge
from monitor.store import Store

PROBE_TIMEOUT = 15.0  # seconds: the national rule
WORKERS = 16


def probe_unit(client: httpx.Client, unit: Unit, at: datetime) -> dict[str, Any]:
    """One probe of the unit's site; never raises."""
    started = time.monotonic()
    record: dict[str, Any] = {"unit": unit.slug, "url": unit.site, "day": at.date().isoformat(),
                              "at": at.isoformat(timespec="seconds"), "status": None, "error": None}
    try:
        response = client.get(unit.site)
    except httpx.TimeoutException:
        record.update(outcome="failed", error=f"{client.timeout.read:g} 秒内未打开")
    except httpx.HTTPError as exc:
        record.update(outcome="failed", error=f"{type(exc).__name__}: {exc}"[:300])
    else:
        record["status"] = response.status_code
        challenge = detect_challenge(response.status_code, response.content, dict(response.headers))
        if challenge:
            record.update(outcome="blocked", error=challenge)
        elif response.status_code >= 400:
            record.update(outcome="failed", error=f"HTTP {response.status_code}")
        else:
            record["outcome"] = "ok"
    record["elapsed_ms"] = round((time.monotonic() - started) * 1000)
    return record


def probe_round(catalog: Catalog, store: Store, units: Sequence[str] | None = None, at: datetime | None = None,
                timeout: float = PROBE_TIMEOUT) -> list[dict[str, Any]]:
    """Probe every unit's site once (side by side, one request per site), store and return the records."""
    return probe_rounds(catalog, store, [at or clock.now()], units, timeout)


def probe_rounds(catalog: Catalog, store: Store, times: Sequence[datetime], units: Sequence[str] | None = None,
                 timeout: float = PROBE_TIMEOUT) -> list[dict[str, Any]]:
    """One round per time in ``times``, recorded at that time (the demo replays a simulated day's
    probes at once; the scheduler asks for one round at a time)."""
    chosen = [u for u in catalog.units if not units or u.slug in units]
    jobs = [(unit, at) for at in times for unit in chosen]
    headers = {"User-Agent": user_agent(catalog.settings.contact)}
    local = threading.local()
    clients: list[httpx.Client] = []

    def probe(job: tuple[Unit, datetime]) -> dict[str, Any]:
        # a client (connection pool) per worker thread: a pool shared by threads can lose a socket
        # under load, and that would be the monitor's failure recorded as the site's
        if not hasattr(local, "client"):
            local.client = httpx.Client(timeout=timeout, follow_redirects=False, headers=headers, trust_env=False)
            clients.append(local.client)
        return probe_unit(local.client, *job)

    try:
        with ThreadPoolExecutor(max_workers=min(WORKERS, len(jobs) or 1)) as pool:
            records = list(pool.map(probe, jobs))
    finally:
        for client in clients:
            client.close()
    store.add_probes(records)
    return records
