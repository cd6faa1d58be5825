"""Crash safety: the daily sweep SIGKILLed at random moments, again and again, loses nothing and recovers.

Three units of the demo world are served on loopback; real ``python -m monitor sweep`` processes (one process or
``--workers 2``) run in their own session, and the process group is SIGKILLed at a moment drawn from a seeded
``random.Random`` (printed; ``MONITOR_CRASH_SEED`` replays it), aimed in turn at each part of a sweep's life:
start-up (imports, migrations), the crawl (fetches, WARC appends, rows), the judging (verdicts, notices, signals)
and the closing (sweep row, evidence packs). One simulated day per kill: notices are drafted, issued, go overdue.

After each kill: every SQLite file beside the store passes ``integrity_check``; every fact stored before is still
there; every archived body a row names reads back at its WARC offset (a torn gzip member only ends a killed sweep's
file). Then the same day's sweep, not killed, must finish, keep everything, leave no duplicate, no sweep running,
and a pack for every notice opened. ``MONITOR_CRASH_KILLS`` bounds the kills (default 20: what ``make test`` runs).
"""

from __future__ import annotations

import contextlib
import os
import random
import resource
import re
import signal
import sqlite3
import subprocess
import sys
import time
import zlib
from contextlib import closing
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlite_utils

from monitor.demo.server import DemoServer
from monitor.demo.world import DemoWorld
from monitor.schema import MIGRATIONS
from monitor.store import Store
from monitor.warc import read_fetch, records, sha256
from tests.conftest import REPO, free_port

pytestmark = pytest.mark.crash

END = date(2026, 11, 28)
FIRST_DAY = END - timedelta(days=21)  # scjgj/gzdt is late from the start, jtj/gzdt from E-8, wlj/tzgg bursts at E-14
UNITS = ("scjgj", "jtj", "wlj")
LEFT_OUT = ("zdxm",)  # scjgj's blank column is rendered in Chromium on every sweep: seconds of CPU each time
PHASES = ("startup", "crawl", "judge", "close")
KILLS = int(os.environ.get("MONITOR_CRASH_KILLS", "20"))
SEED = int(os.environ.get("MONITOR_CRASH_SEED") or random.SystemRandom().randrange(1 << 32))
POLL = 0.03

# Durable facts, never to be lost; only keys where a row may be rewritten (a day re-run, a notice moving on).
FACTS = {
    "items": "select unit, column_id, url, first_seen, first_sweep_id from items",
    "fetches": "select id, sweep_id, unit, column_id, url, warc_file, warc_offset, sha256 from fetches",
    "checks": "select sweep_id, unit, column_id, day, outcome from checks",
    "verdicts": "select unit, column_id, day from verdicts",
    "flips": "select id, unit, column_id, day, old_state, new_state from flips",
    "notices": "select id, unit, column_id, kind, opened_day from notices",
    "notice_events": "select id, notice_id, day, old_state, new_state from notice_events",
    "signals": "select id, unit, column_id, day, kind from signals",
    "inspections": "select unit, day from inspections",
    "item_changes": "select id, unit, column_id, url, day, field from item_changes",
    "evidence": "select notice_id, kind from evidence_files",
    "sweeps": "select id, kind, as_of from sweeps",
}
# Each of these groupings must hold one row at most.
UNIQUE = {
    "item per column and url": "select unit, column_id, url from items",
    "verdict per column and day": "select unit, column_id, day from verdicts",
    "check per sweep and column": "select sweep_id, unit, column_id from checks",
    "active notice per column and kind": "select unit, column_id, kind from notices"
                                         " where state in ('draft', 'issued', 'overdue', 'escalated')",
    "notice per column, kind and opening day": "select unit, column_id, kind, opened_day from notices",
    "notice move per day": "select notice_id, day, old_state, new_state from notice_events",
    "flip per column, day and move": "select unit, column_id, day, old_state, new_state from flips",
    "signal per column, day and kind": "select unit, column_id, day, kind from signals",
    "inspection per unit and day": "select unit, day from inspections",
    "evidence file per notice and kind": "select notice_id, kind from evidence_files",
    "archived record per fetch": "select warc_file, warc_offset from fetches where warc_file is not null",
}


def _catalog(world: DemoWorld, path: Path) -> Path:
    """The demo world's catalog cut down to UNITS, with politeness delays small enough for a sweep of seconds."""
    head, *blocks = world.catalog_toml().split("\n[[units]]\n")
    kept = [b for b in blocks if re.search(r'^slug = "([^"]+)"', b, re.M).group(1) in UNITS]
    assert len(kept) == len(UNITS)
    column = "\n  [[units.columns]]\n"
    kept = [column.join(c for c in b.split(column) if not any(f'  id = "{left}"\n' in c for left in LEFT_OUT))
            for b in kept]
    head = re.sub(r"(?m)^download_delay = .*$", "download_delay = 0.01", head)
    head = re.sub(r"(?m)^download_timeout = .*$", "download_timeout = 10", head)  # a loaded CI box is slow, not down
    path.write_text(head + "".join("\n[[units]]\n" + b for b in kept), encoding="utf-8")
    return path


def _start(catalog: Path, db: Path, day: date, workers: int) -> subprocess.Popen:
    """The daily sweep in a session of its own; its output goes to sweep.log beside the store (never a full pipe)."""
    with open(db.parent / "sweep.log", "w", encoding="utf-8") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "monitor", "sweep", "--as-of", day.isoformat(), "--config", str(catalog),
             "--db", str(db), "--quiet", "--simulated-world", "--workers", str(workers)],
            cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def _log(db: Path) -> str:
    return (db.parent / "sweep.log").read_text(encoding="utf-8", errors="replace")[-4000:]


def _query(db: Path, sql: str, args=()) -> list[tuple]:
    with closing(sqlite3.connect(db, timeout=30)) as conn:
        return conn.execute(sql, args).fetchall()


def _peek(db: Path, after: int) -> tuple[int | None, int]:
    """The sweep begun after sweep `after` (None: not yet) and how many verdicts it has written; never fails."""
    with contextlib.suppress(sqlite3.Error), closing(sqlite3.connect(f"file:{db}?mode=rw", uri=True, timeout=0.5)) as c:
        return c.execute("select s.id, (select count(*) from verdicts where sweep_id = s.id) from sweeps s"
                         " where s.id > ? order by s.id limit 1", [after]).fetchone() or (None, 0)
    return None, 0


class Watch:
    """Where a running sweep is (polling its database), and how long each part of a sweep took last time."""

    def __init__(self, db: Path, columns: int) -> None:
        self.db, self.columns = db, columns
        self.took = {"startup": 2.0, "crawl": 2.0, "judge": 0.3, "close": 0.5}  # until measured

    def phase(self, after: int) -> str:
        sweep, verdicts = _peek(self.db, after)
        return "startup" if sweep is None else "crawl" if not verdicts else "judge" if verdicts < self.columns \
            else "close"

    def run(self, proc: subprocess.Popen, after: int, until=None) -> bool:
        """Poll until the process ends (False) or `until(phase, seconds in that phase)` says so (True).
        A sweep that ends on its own updates the durations."""
        start = time.monotonic()
        entered = {"startup": start}
        while proc.poll() is None:
            now = time.monotonic()
            phase = self.phase(after)
            for p in PHASES[:PHASES.index(phase) + 1]:
                entered.setdefault(p, now)
            if until and until(phase, now - entered[phase]):
                return True
            assert now - start < 300, "a sweep ran for five minutes"
            time.sleep(POLL)
        ended = time.monotonic()
        if until is None and len(entered) == len(PHASES):
            marks = [entered[p] for p in PHASES] + [ended]
            self.took = {p: max(marks[k + 1] - marks[k], 0.05) for k, p in enumerate(PHASES)}
        return False


def _kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL the sweep's process group; every process under it must go: crawler processes are in the group,
    Chromium (rendering, screenshots) has its own and must end when its pipe to the killed driver closes."""
    family = _descendants(proc.pid)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    deadline = time.monotonic() + 20
    while alive := [pid for pid, born in family if _running(pid, born)]:
        assert time.monotonic() < deadline, f"processes of the killed sweep outlived it: {alive}"
        time.sleep(0.1)


def _stat(pid: int) -> list[str] | None:
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def _running(pid: int, born: str) -> bool:
    fields = _stat(pid)  # the same process (its start time), not a zombie
    return fields is not None and fields[19] == born and fields[0] != "Z"


def _descendants(root: int) -> list[tuple[int, str]]:
    """(pid, start time) of every process under `root`."""
    children: dict[int, list[tuple[int, str]]] = {}
    for entry in filter(str.isdigit, os.listdir("/proc")):
        if fields := _stat(int(entry)):
            children.setdefault(int(fields[1]), []).append((int(entry), fields[19]))
    found, todo = [], [root]
    while todo:
        found += (kids := children.get(todo.pop(), []))
        todo += [pid for pid, _ in kids]
    return found


def _integrity(folder: Path) -> None:
    """Every SQLite file the monitor keeps beside the store (store, http cache, host gate) passes integrity_check."""
    files = sorted(folder.glob("*.db"))
    assert folder / "monitor.db" in files
    for path in files:
        assert _query(path, "pragma integrity_check") == [("ok",)], path.name


def _pending_migrations(db: Path) -> int:
    with closing(sqlite_utils.Database(db)) as store:
        return len(MIGRATIONS.pending(store))


def _snapshot(db: Path) -> dict[str, set]:
    """The durable facts; a store not fully migrated (killed before or during its migrations) holds none."""
    if not db.exists() or _pending_migrations(db):
        return {name: set() for name in FACTS}
    return {name: set(_query(db, sql)) for name, sql in FACTS.items()}


def _assert_kept(before: dict[str, set], after: dict[str, set], when: str) -> int:
    for name, rows in before.items():
        lost = rows - after[name]
        assert not lost, f"{when}: {len(lost)} {name} row(s) stored before are gone, e.g. {sorted(lost)[:3]}"
    return sum(len(rows) for rows in after.values())


def _assert_no_duplicates(db: Path) -> None:
    for what, sql in UNIQUE.items():
        key = sql[len("select "):sql.index(" from ")]
        dup = _query(db, f"select *, count(*) from ({sql}) group by {key} having count(*) > 1")
        assert not dup, f"more than one {what}: {dup[:3]}"


def _gzip_members(path: Path) -> tuple[list[int], int | None]:
    """Offsets of the complete gzip members of a file, and where a torn last member starts (None: none)."""
    data, offset, whole = memoryview(path.read_bytes()), 0, []
    while offset < len(data):
        member = zlib.decompressobj(zlib.MAX_WBITS + 16)
        try:
            member.decompress(data[offset:])
        except zlib.error:
            member = None
        if member is None or not member.eof:
            return whole, offset
        whole.append(offset)
        offset = len(data) - len(member.unused_data)
    return whole, None


class Archive:
    """The WARC files of sweeps that can write no more (ended or killed), each checked once: every body a
    fetches row names reads back at its offset with its SHA-256; a file is whole gzip members, but for a torn
    last one in a killed sweep's file, after every record a row names (the evidence reader reads by offset)."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.done, self.read, self.torn = folder, set(), 0, 0

    def check(self, fetches: set[tuple], killed: set[int]) -> None:
        named: dict[str, list[int]] = {}
        for *_, file, offset, digest in fetches:
            if file is None:
                continue
            named.setdefault(file, []).append(offset)
            if file not in self.done:
                stored = read_fetch(self.folder / file, offset)
                assert sha256(stored.body) == digest, f"{file}@{offset}: the archived body differs from its row"
                self.read += 1
        for path in sorted(self.folder.glob("warc/*/*.warc.gz")) + sorted(self.folder.glob("evidence/*/*.warc.gz")):
            rel = path.relative_to(self.folder).as_posix()
            if rel in self.done:
                continue
            whole, tear = _gzip_members(path)
            if tear is None:  # warcio reads it through: one record per gzip member
                assert len(records(path)) == len(whole), f"{rel}: warcio reads other records than its members"
            else:
                self.torn += 1
                assert rel.startswith("warc/") and int(path.name.split("-")[0]) in killed, f"{rel}: torn at {tear}"
                for offset in named.get(rel, []):  # a named response and the request after it are whole
                    assert offset in whole and whole.index(offset) + 1 < len(whole), f"{rel}@{offset}: torn record"
            if rel.startswith("warc/"):  # an evidence pack may be rebuilt; a sweep's file is final once checked
                self.done.add(rel)


def _assert_new_items_read(db: Path) -> None:
    """An item that appeared in a column read before has its own page asked for (its written date, its body:
    spiders.unit), also when the sweep that first listed it was killed before it could."""
    unread = _query(db, "select i.unit, i.column_id, i.url, i.first_seen from items i where i.first_seen >"
                        " (select min(first_seen) from items o where o.unit = i.unit and o.column_id = i.column_id)"
                        " and not exists (select 1 from fetches f where f.unit = i.unit and f.column_id = i.column_id"
                        " and f.kind = 'article' and f.url = i.url)")
    assert not unread, f"new items whose page was never asked for: {unread[:5]}"


def _check_day(db: Path, day: date, columns: int) -> None:
    """The day's sweep finished: every column judged, no sweep still running, a pack for each notice opened."""
    assert _query(db, "select count(*) from verdicts where day = ?", [day.isoformat()]) == [(columns,)]
    assert _query(db, "select id from sweeps where status = 'running'") == []
    packs = _query(db, "select n.id, count(e.id) from notices n left join evidence_files e on e.notice_id = n.id"
                       " and e.kind = 'manifest' where n.opened_day = ? group by n.id", [day.isoformat()])
    assert all(count == 1 for _, count in packs), f"notices opened {day} without an evidence pack: {packs}"


def test_sweeps_killed_at_random_moments_lose_nothing_and_recover(tmp_path):
    rng = random.Random(SEED)
    print(f"\ncrash test: seed {SEED} (MONITOR_CRASH_SEED={SEED} replays it), {KILLS} kills", flush=True)
    hosts = [ip for ip, _ in DemoWorld(end=END).hosts()]
    world = DemoWorld(end=END, port=free_port(hosts))
    catalog, db = _catalog(world, tmp_path / "catalog.toml"), tmp_path / "monitor.db"
    columns = sum(len(world.unit(slug).columns) for slug in UNITS) - len(LEFT_OUT)
    watch = Watch(db, columns)
    targets = [PHASES[k % len(PHASES)] for k in range(KILLS)]
    rng.shuffle(targets)
    targets.insert(0, targets.pop(targets.index("startup")))  # the first kill: a new store being migrated
    figures = {"kills": 0, "missed": 0, "sweeps completed": 0, "one-process kills": 0, "sharded kills": 0,
               "rows checked": 0, "archived bodies read": 0, "torn WARC tails": 0}
    landed, killed_sweeps, archive = {p: 0 for p in PHASES}, set(), Archive(tmp_path)
    facts, started, day = {name: set() for name in FACTS}, time.monotonic(), FIRST_DAY
    with DemoServer(world) as server:
        while figures["kills"] < KILLS:
            assert figures["missed"] <= KILLS, "most kills came after the sweep had ended"
            server.set_today(day)
            target, fresh = targets[figures["kills"]], not db.exists()
            workers = 2 if rng.random() < 0.35 else 1
            last = max((row[0] for row in facts["sweeps"]), default=0)
            # a close with no evidence pack to build is much shorter than the one measured last
            wait = rng.uniform(0, watch.took[target] * (0.4 if target == "close" else 1.0))
            if fresh and target == "startup":  # the very first sweep: aim at the migrations of a new store
                wait, until = rng.uniform(0, 0.05), (lambda phase, _in: db.exists())
            else:
                until = (lambda phase, spent, t=target, w=wait:
                         PHASES.index(phase) > PHASES.index(t) or (phase == t and spent >= w))
            proc = _start(catalog, db, day, workers)
            if not watch.run(proc, last, until):
                figures["missed"] += 1  # it ended first: not a kill; the day counts as swept
                assert proc.returncode == 0, _log(db)
                print(f"  {day} missed: the sweep ended before the {target} kill", flush=True)
                now = _snapshot(db)
                _assert_kept(facts, now, f"the sweep of {day}")
                _assert_no_duplicates(db)
                _check_day(db, day, columns)
                facts, day = now, day + timedelta(days=1)
                continue
            if fresh and target == "startup":
                time.sleep(wait)
            _kill_group(proc)
            phase = watch.phase(last)
            landed[phase] += 1
            figures["kills"] += 1
            figures["sharded kills" if workers == 2 else "one-process kills"] += 1
            sweep = _peek(db, last)[0]
            if sweep is not None:
                killed_sweeps.add(sweep)
            pending = _pending_migrations(db) if db.exists() else "all (no store yet)"
            print(f"  {day} kill {figures['kills']:>2}: aimed at {target:<7} landed in {phase:<7} workers={workers}"
                  f" sweep={sweep}" + (f", migrations pending: {pending}" if pending else ""), flush=True)

            # after the kill: files sound, nothing stored before lost, archived bodies readable
            _integrity(tmp_path)
            after_kill = _snapshot(db)
            _assert_kept(facts, after_kill, f"after kill {figures['kills']} ({phase})")
            archive.check(after_kill["fetches"], killed_sweeps)

            # the same day's sweep, not killed, finishes and keeps everything, without duplicates
            proc = _start(catalog, db, day, 2 if rng.random() < 0.15 else 1)
            watch.run(proc, max((row[0] for row in after_kill["sweeps"]), default=0))
            assert proc.wait() == 0, f"the sweep after kill {figures['kills']} failed:\n{_log(db)}"
            figures["sweeps completed"] += 1
            _integrity(tmp_path)
            facts = _snapshot(db)
            figures["rows checked"] += _assert_kept(after_kill, facts, f"the sweep after kill {figures['kills']}")
            _assert_no_duplicates(db)
            _check_day(db, day, columns)
            if sweep is not None:  # the killed sweep's row says it was cut off, unless it had closed itself
                [(status,)] = _query(db, "select status from sweeps where id = ?", [sweep])
                assert status in ("aborted", "finished"), f"killed sweep {sweep} left {status!r}"
            archive.check(facts["fetches"], killed_sweeps)
            _assert_new_items_read(db)
            day += timedelta(days=1)

    notices = _query(db, "select state, count(*) from notices group by state")
    figures["archived bodies read"], figures["torn WARC tails"] = archive.read, archive.torn
    figures["runtime s"] = round(time.monotonic() - started, 1)
    own, sweeps = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    figures["cpu s (test, sweeps)"] = (round(own.ru_utime + own.ru_stime), round(sweeps.ru_utime + sweeps.ru_stime))
    print(f"crash test: seed {SEED}; kills landed in {landed}; days {FIRST_DAY}..{day - timedelta(days=1)}; "
          f"notices {dict(notices)}; {figures}", flush=True)
    assert figures["kills"] == KILLS
    assert KILLS < 8 or sum(n > 0 for n in landed.values()) >= 3, f"the kills did not spread over the sweep: {landed}"
    assert sum(count for _, count in notices) > 0, "no notice was ever written: the kills proved little"


def test_an_item_a_killed_sweep_listed_but_could_not_read_is_read_by_the_next(tmp_path):
    """What spiders.unit skips as known leaves out an item a cut-off sweep listed in a column seen before, its page
    unread (it appeared then: the next crawl reads it); listed by a sweep that finished or still runs, it is known."""
    store, old, new = Store(tmp_path / "monitor.db"), date(2026, 11, 2), date(2026, 11, 3)
    first = store.begin_sweep(old, "sweep", "x", 1)
    store.save_items("u", "c", old, first, [{"url": "http://h/1", "title": "旧", "published": old.isoformat()}])
    store.finish_sweep(first, "finished")
    cut = store.begin_sweep(new, "sweep", "x", 1)
    store.save_items("u", "c", new, cut, [{"url": "http://h/2", "title": "新", "published": new.isoformat()}])
    assert store.known_items("u") == {("c", "http://h/1"): False, ("c", "http://h/2"): False}
    for status, known in (("aborted", {("c", "http://h/1"): False}), ("failed", {("c", "http://h/1"): False}),
                          ("finished", {("c", "http://h/1"): False, ("c", "http://h/2"): False})):
        store.finish_sweep(cut, status)
        assert store.known_items("u") == known, status
    store.close()
