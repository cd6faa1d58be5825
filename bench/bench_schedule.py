"""Benchmark: what the scheduler itself costs, beside the work it starts.

    .venv/bin/python bench/bench_schedule.py [--claims 20000] [--days 30]

1. The host gate (monitor.hostgate): claims per second from one process over 1,000 hosts, and from two
   processes on one host at once (every request of every crawl and probe makes one claim).
2. The simulated scheduler (monitor.schedule_clock.SimClock): ``--days`` days of 24 light jobs a day
   (reminders over the demo catalog, which has no recipients: each run is two job_runs writes and a
   catalog load) through APScheduler, its SQLite job store and the run records; runs per second, and
   the peak memory of this process.
Repeatable: no network, temporary files.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import sys
import tempfile
import time
import tracemalloc
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from monitor import jobs, scheduler  # noqa: E402
from monitor.clock import SHANGHAI  # noqa: E402
from monitor.hostgate import HostGate  # noqa: E402
from monitor.schedule_clock import SimClock  # noqa: E402
from monitor.schedule_spec import load_schedules  # noqa: E402
from monitor.store import Store  # noqa: E402

DEMO_CATALOG = Path(__file__).resolve().parents[1] / "monitor" / "demo" / "catalog.toml"


def _claim_many(db: str, n: int, host: str) -> None:
    gate = HostGate(Path(db))
    for _ in range(n):
        gate.claim(host, 0.001)


def bench_gate(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "monitor.db"
        gate = HostGate(db)
        started = time.perf_counter()
        for k in range(n):
            gate.claim(f"10.0.{k % 1000 // 250}.{k % 250}:80", 0.5)
        elapsed = time.perf_counter() - started
        print(f"host gate, one process: {n} claims over 1,000 hosts in {elapsed:.2f} s = {n / elapsed:,.0f} claims/s "
              f"({elapsed / n * 1e6:.0f} µs a claim)")
        half = n // 2
        procs = [multiprocessing.Process(target=_claim_many, args=(str(db), half, "one.host:80")) for _ in range(2)]
        started = time.perf_counter()
        for p in procs:
            p.start()
        for p in procs:
            p.join()
        elapsed = time.perf_counter() - started
        print(f"host gate, two processes on one host: {2 * half} claims in {elapsed:.2f} s = "
              f"{2 * half / elapsed:,.0f} claims/s")


def bench_scheduler(days: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "schedules"
        folder.mkdir()
        (folder / "light.toml").write_text('[jobs.hourly]\nkind = "reminders"\ncron = "0 * * * *"\n', encoding="utf-8")
        db = Path(tmp) / "monitor.db"
        start = datetime(2026, 11, 1, tzinfo=SHANGHAI)
        runtime = jobs.Runtime(SimClock(start), db, DEMO_CATALOG, rng=random.Random(1))
        tracemalloc.start()
        started = time.perf_counter()
        with scheduler.running(runtime, load_schedules(folder), until=start + timedelta(days=days)) as s:
            s.finished.wait()
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        with Store(db) as store:
            runs = len(store.job_runs("hourly"))
        print(f"simulated scheduler: {days} days, {runs} runs in {elapsed:.1f} s = {runs / elapsed:.0f} runs/s "
              f"({elapsed / runs * 1000:.1f} ms a run, catalog load and records included); "
              f"peak Python memory {peak / 2**20:.1f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=20000)
    parser.add_argument("--days", type=int, default=30)
    args = parser.parse_args()
    bench_gate(args.claims)
    bench_scheduler(args.days)


if __name__ == "__main__":
    main()
