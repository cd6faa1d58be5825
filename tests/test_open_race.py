"""Opening a brand-new database from many threads or processes at the same moment (the race of a1df519).

Switching a new SQLite file to WAL takes an exclusive lock and does not wait for a busy one, so two
connections switching it at once failed with "database is locked". ``Store(path)`` and
``HostGate(db_path)`` now switch (and migrate) under a file lock, once. Here eight threads, then eight
processes, open the same new file together (a barrier lets them go at once) and write a row each; none
may fail, and the migrations must be recorded exactly once. The processes are what catch the old race
(before the fix about one round in five to ten failed; every run of this file failed); threads, staggered
by the GIL, hit it only rarely, and stand for the opening within one process.
"""

from __future__ import annotations

import multiprocessing
import queue
import sqlite3
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
import sqlite_utils

from monitor.hostgate import HostGate, gate_path
from monitor.schema import MIGRATIONS
from monitor.store import Store

N = 8  # openers at once
THREAD_ROUNDS = 5
PROCESS_ROUNDS = {"store": 25, "gate": 30}
AS_OF = date(2026, 11, 28)

pytestmark = pytest.mark.timeout(120)


def _open_store(path: Path, i: int) -> None:
    with Store(path) as store:
        sweep_id = store.begin_sweep(AS_OF, "race", f"opener-{i}", 1)
        store.finish_sweep(sweep_id, "done")
        assert store.sweep(sweep_id)["status"] == "done"


def _open_gate(path: Path, i: int) -> None:
    gate = HostGate(path)
    try:
        assert gate.claim(f"host-{i}:80", 1.0, now=100.0) == 0  # a host of its own: free at once
    finally:
        gate.close()


OPENERS: dict[str, Callable[[Path, int], None]] = {"store": _open_store, "gate": _open_gate}


def _assert_store_opened_once(path: Path) -> None:
    db = sqlite_utils.Database(path)
    try:
        names = [r[0] for r in db.execute("select name from _sqlite_migrations where migration_set = ? order by id",
                                          [MIGRATIONS.name]).fetchall()]
        every = [m.name for m in MIGRATIONS.pending(sqlite_utils.Database(memory=True))]
        assert names == every  # each migration applied and recorded once, in order
        assert db.execute("pragma journal_mode").fetchone()[0] == "wal"
        assert db.execute("select count(*) from sweeps where status = 'done'").fetchone()[0] == N
    finally:
        db.close()


def _assert_gate_opened_once(path: Path) -> None:
    conn = sqlite3.connect(gate_path(path))
    try:
        assert conn.execute("pragma journal_mode").fetchone()[0] == "wal"
        assert conn.execute("select count(*) from hosts").fetchone()[0] == N
    finally:
        conn.close()


CHECKS = {"store": _assert_store_opened_once, "gate": _assert_gate_opened_once}


# ---------------------------------------------------------------- threads


def _race_threads(what: str, path: Path) -> list[str]:
    barrier = threading.Barrier(N)
    failures: list[str] = []

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            OPENERS[what](path, i)
        except BaseException:
            failures.append(traceback.format_exc())

    threads = [threading.Thread(target=run, args=(i,)) for i in range(N)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "an opener hung"
    return failures


@pytest.mark.parametrize("what", sorted(OPENERS))
def test_threads_opening_a_new_database_at_once_all_succeed(tmp_path, what):
    for round_ in range(THREAD_ROUNDS):
        path = tmp_path / f"round-{round_}" / "monitor.db"
        failures = _race_threads(what, path)
        assert not failures, f"round {round_}: {len(failures)} of {N} threads failed:\n" + "\n".join(failures)
        CHECKS[what](path)


# ---------------------------------------------------------------- processes


_START = None  # in a worker: the moment this round's openers go (a shared multiprocessing Value)


def _start_together() -> None:  # the barrier's action, run by the last worker to arrive
    _START.value = time.monotonic() + 0.005


def _worker(barrier, start, tasks, results) -> None:  # in a spawned process: open what it is told, with the others
    global _START
    _START = start
    while (task := tasks.get()) is not None:
        what, path, i = task
        try:
            barrier.wait(timeout=30)
            # the barrier wakes its waiters one after another; a common moment just ahead lines them up to
            # within a timer's slack, which is what makes two of them switch the new file to WAL at once
            time.sleep(max(0.0, start.value - time.monotonic()))
            OPENERS[what](Path(path), i)
            results.put(None)
        except BaseException:
            results.put(traceback.format_exc())


@pytest.fixture(scope="module")
def workers() -> Iterator[tuple[multiprocessing.Queue, multiprocessing.Queue]]:
    """N spawned processes, started once for every round (starting a Python process is the slow part)."""
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Value("d", 0.0, lock=False)
    barrier, tasks, results = ctx.Barrier(N, action=_start_together), ctx.Queue(), ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(barrier, start, tasks, results), daemon=True) for _ in range(N)]
    for p in procs:
        p.start()
    try:
        yield tasks, results
    finally:
        for _ in procs:
            tasks.put(None)
        for p in procs:
            p.join(timeout=30)
            if p.is_alive():
                p.kill()


@pytest.mark.parametrize("what", sorted(OPENERS))
def test_processes_opening_a_new_database_at_once_all_succeed(tmp_path, workers, what):
    tasks, results = workers
    for round_ in range(PROCESS_ROUNDS[what]):
        path = tmp_path / f"round-{round_}" / "monitor.db"
        for i in range(N):  # each process takes one task, then waits at the barrier for the others
            tasks.put((what, str(path), i))
        try:
            outcomes = [results.get(timeout=60) for _ in range(N)]
        except queue.Empty:
            pytest.fail(f"round {round_}: a process never answered")
        failures = [o for o in outcomes if o is not None]
        assert not failures, f"round {round_}: {len(failures)} of {N} processes failed:\n" + "\n".join(failures)
        CHECKS[what](path)
