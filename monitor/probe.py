"""Availability probes (网站可用性): one light GET of each unit's home page, outside any crawl.

The national indicator wants at least 20 probes a day spread over a week, each failing when the
page has not opened after 15 seconds. A probe asks only the unit's configured ``site`` URL, with
the monitor's user agent, and follows no redirect (an answer, even a redirect, is a page that
opened). Its outcome is ``ok``, ``failed`` (timeout, refused connection, HTTP error status, a page
that took the whole limit), ``blocked`` (a firewall challenge, 403 or 429: the monitor was stopped, not
the citizen) or ``monitor_error`` (most sites of the round unreachable at once: the monitor's network)
and every probe is stored, with its time in Asia/Shanghai. Only ``ok`` and ``failed`` count. Scheduling
the probes through the day is the scheduler's (monitor.jobs). A probe waits its host's turn on the host
gate (monitor.hostgate), so it never lands on a site in the same moment as a crawl's request.
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
from monitor.hostgate import HostGate, host_key
from monitor.store import Store

PROBE_TIMEOUT = 15.0  # seconds: the national rule
WORKERS = 16
ROUND_MIN_SITES, ROUND_DOWN_SHARE = 4, 0.8  # a round where 80 % of 4+ sites are unreachable: the monitor's fault
WITNESSES = 3  # other sites asked at once when one cannot be reached


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
        took = time.monotonic() - started
        if challenge or response.status_code in (403, 429):  # the monitor was stopped, not the citizen
            record.update(outcome="blocked", error=challenge or f"HTTP {response.status_code}")
        elif took >= client.timeout.read:  # a page sent slowly: each read was in time, the whole was not
            record.update(outcome="failed", error=f"{took:.1f} 秒才打开（限{client.timeout.read:g}秒）")
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
    probes at once); stored and returned."""
    chosen = [u for u in catalog.units if not units or u.slug in units]
    records = probe_sites(catalog, store.path, [(unit, at) for at in times for unit in chosen], timeout)
    for at in times:
        _blame_the_monitor([r for r in records if r["at"] == at.isoformat(timespec="seconds")])
    store.add_probes(records)
    return records


def probe_sites(catalog: Catalog, db_path, jobs: Sequence[tuple[Unit, datetime]],
                timeout: float = PROBE_TIMEOUT) -> list[dict[str, Any]]:
    """Probe each (unit, time) side by side, each after its host's turn on the host gate; nothing stored
    (a round asked all at once is judged by _blame_the_monitor, a spread one by confirm_with_witnesses)."""
    headers = {"User-Agent": user_agent(catalog.settings.contact)}
    local = threading.local()
    clients: list[httpx.Client] = []
    gate, gap = HostGate(db_path), catalog.settings.download_delay / 2

    def probe(job: tuple[Unit, datetime]) -> dict[str, Any]:
        # a client (connection pool) per worker thread: a pool shared by threads can lose a socket
        # under load, and that would be the monitor's failure recorded as the site's
        if not hasattr(local, "client"):
            local.client = httpx.Client(timeout=timeout, follow_redirects=False, headers=headers, trust_env=False)
            clients.append(local.client)
        gate.wait_turn(host_key(job[0].site), gap)
        return probe_unit(local.client, *job)

    try:
        with ThreadPoolExecutor(max_workers=min(WORKERS, len(jobs) or 1)) as pool:
            return list(pool.map(probe, jobs))
    finally:
        for client in clients:
            client.close()


def _blame_the_monitor(round_: list[dict[str, Any]]) -> None:
    """When most sites of a round could not even be reached, the monitor's own network is the likelier cause:
    those probes are recorded as ``monitor_error`` and count for no site."""
    down = [r for r in round_ if unreached(r)]
    if len(round_) >= ROUND_MIN_SITES and len(down) >= ROUND_DOWN_SHARE * len(round_):
        for r in down:
            r.update(outcome="monitor_error", error=f"本轮{len(down)}/{len(round_)}个站点同时无法访问，按监测端网络故障计：{r['error']}")


def unreached(record: dict[str, Any]) -> bool:
    """The probe got no HTTP answer at all (timeout, refused, reset): the site's fault or the monitor's network."""
    return record["outcome"] == "failed" and record["status"] is None


def confirm_with_witnesses(catalog: Catalog, db_path, records: list[dict[str, Any]], timeout: float = PROBE_TIMEOUT,
                           known_ok: Sequence[str] = ()) -> None:
    """For a round spread over an hour, where few sites are asked at any one moment: when a site cannot be
    reached, up to three sites on other hosts (those that answered earlier in the round first) are asked at
    once. If none of them answers either, the monitor's own network is the likelier cause and the probe is
    recorded as ``monitor_error``, counting for no site. The witnesses' own probes are not stored."""
    failing = [r for r in records if unreached(r)]
    if not failing:
        return
    by_slug = {u.slug: u for u in catalog.units}
    answered = [slug for slug in known_ok if slug in by_slug] + [r["unit"] for r in records if r["outcome"] == "ok"]
    order = list(dict.fromkeys(answered + [u.slug for u in catalog.units]))
    for record in failing:
        host = host_key(by_slug[record["unit"]].site)
        chosen, hosts = [], {host}
        for slug in order:
            if host_key(by_slug[slug].site) not in hosts:
                chosen.append(by_slug[slug])
                hosts.add(host_key(by_slug[slug].site))
            if len(chosen) == WITNESSES:
                break
        if not chosen:
            continue  # a catalog of one host has no witness: the failure stands
        now = clock.now()
        witnesses = probe_sites(catalog, db_path, [(unit, now) for unit in chosen], timeout)
        if all(unreached(w) for w in witnesses):
            record.update(outcome="monitor_error",
                          error=f"同时探测的{len(witnesses)}个对照站点也无法访问，按监测端网络故障计：{record['error']}")
