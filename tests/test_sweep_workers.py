"""`monitor sweep --workers N`: crawler processes sharded by host, one writer (monitor.sweep_workers).

Against the synthetic province of bench/province.py served on 127.10.0.x: the sharded sweep writes what a
one-process sweep writes, row for row; a crawler process killed mid-crawl leaves its units unjudged and the
sweep failed, never a verdict on a crawl the monitor did not finish.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from monitor.config import load_catalog
from monitor.sweep_workers import shard_units
from tests.conftest import REPO, free_port, province_server

sys.path.insert(0, str(REPO / "bench"))
import province  # noqa: E402

UNITS = 4
DAY = "2026-11-27"


@pytest.fixture(scope="module")
def world():
    port = free_port([province.address(u) for u in range(UNITS)])
    with province_server(UNITS, DAY, port):
        yield port


def _catalog(tmp_path: Path, port: int, delay: float = 0.0) -> Path:
    path = tmp_path / "province.toml"
    path.write_text(province.catalog_text(UNITS, port, delay), encoding="utf-8")
    return path


def _sweep(catalog: Path, db: Path, workers: int) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "monitor", "sweep", "--config", str(catalog), "--db", str(db),
                           "--as-of", DAY, "--quiet", "--workers", str(workers)],
                          cwd=REPO, capture_output=True, text=True, timeout=600)


def _rows(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return sorted(conn.execute(sql).fetchall())


def test_units_sharing_a_host_are_crawled_by_the_same_process(tmp_path):
    catalog = tmp_path / "c.toml"
    unit = 'slug = "{s}"\nname = "{s}局"\nsite = "http://{h}/"\ncolumns = [{{ id = "a", name = "动态", url = "http://{h}/a/", rule = "m" }}]'
    hosts = {"a1": "127.0.0.41", "a2": "127.0.0.41", "b": "127.0.0.42", "c": "127.0.0.43", "d": "127.0.0.44"}
    catalog.write_text('[rules.m]\nkind = "max_gap"\nwithin = { n = 14, unit = "day" }\n' + "".join(
        f"\n[[units]]\n{unit.format(s=s, h=h)}\n" for s, h in hosts.items()), encoding="utf-8")
    units = load_catalog(catalog).units
    shards = shard_units(units, 2)
    assert len(shards) == 2
    owner = {u.slug: k for k, shard in enumerate(shards) for u in shard}
    assert owner["a1"] == owner["a2"]
    assert sorted(len(s) for s in shards) == [2, 3]  # a1+a2 together, and the others balance them
    assert sorted(u.slug for s in shards for u in s) == sorted(hosts)  # each unit once
    assert len(shard_units(units, 8)) == 4  # never more shards than host groups


def test_a_sharded_sweep_writes_what_one_process_writes(world, tmp_path):
    catalog = _catalog(tmp_path, world)
    one, many = tmp_path / "one" / "monitor.db", tmp_path / "many" / "monitor.db"
    for db, workers in ((one, 1), (many, 2)):
        proc = _sweep(catalog, db, workers)
        assert proc.returncode == 0, proc.stderr[-3000:]
        assert f"{UNITS} 个单位、{UNITS * province.COLUMNS_PER_UNIT} 个栏目" in proc.stdout
    queries = {
        "checks": "select unit, column_id, outcome, items_found, newest_date, oldest_date, pages from checks",
        "verdicts": "select unit, column_id, day, state, days_late, newest_published from verdicts",
        "items": "select unit, column_id, url, title, published, written from items",
        "fetches": "select unit, column_id, kind, page, url, status, outcome, sha256 from fetches",
    }
    for table, sql in queries.items():
        assert _rows(many, sql) == _rows(one, sql), table
    assert len(_rows(many, queries["checks"])) == UNITS * province.COLUMNS_PER_UNIT
    assert _rows(many, "select status, units_done from sweeps") == [("finished", UNITS)]
    # no duplicate: one row per key
    assert _rows(many, "select count(*) from items group by unit, column_id, url having count(*) > 1") == []
    # every fetched body is in its unit's WARC file, written by the crawler process
    warcs = {row[0] for row in _rows(many, "select warc_file from fetches")}
    assert len(warcs) == UNITS and all((many.parent / w).is_file() for w in warcs)


def _crawler_children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
        except OSError:
            continue
        if int(stat[1]) == pid and b"spawn_main" in cmdline:
            found.append(int(entry))
    return sorted(found)


def test_a_crawler_process_killed_mid_crawl_leaves_its_units_unjudged(world, tmp_path):
    catalog = _catalog(tmp_path, world, delay=0.25)  # 40 columns at 0.25 s: each unit crawls for 10 s or more
    db = tmp_path / "monitor.db"
    sweep = subprocess.Popen([sys.executable, "-m", "monitor", "sweep", "--config", str(catalog), "--db", str(db),
                              "--as-of", DAY, "--quiet", "--workers", "2"], cwd=REPO, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    crawlers: list[int] = []
    while time.monotonic() < deadline:
        crawlers = _crawler_children(sweep.pid)
        if len(crawlers) == 2 and db.exists() and _rows(db, "select count(*) from fetches")[0][0] >= 10:
            break
        time.sleep(0.2)
    assert len(crawlers) == 2, "the sweep did not start two crawler processes"
    os.kill(crawlers[0], signal.SIGKILL)
    out, err = sweep.communicate(timeout=300)
    assert sweep.returncode == 1, err[-3000:]
    assert _rows(db, "select status from sweeps") == [("failed",)]
    judged = dict(_rows(db, "select unit, count(*) from verdicts group by unit"))
    assert judged, "the surviving crawler's units were not judged"
    assert len(judged) < UNITS, "a killed crawler's units were judged"
    assert set(judged.values()) == {province.COLUMNS_PER_UNIT}  # a unit is judged whole, or not at all
    assert _rows(db, "select count(*) from notices") == [(0,)]
    with sqlite3.connect(db) as conn:
        assert conn.execute("pragma integrity_check").fetchone() == ("ok",)


def test_a_unit_a_record_of_which_could_not_be_written_is_not_judged(world, tmp_path):
    """The writer keeps what it can write; the unit whose record failed (here a list page's items without
    addresses) is not judged, even when its end comes in a later batch."""
    from monitor import ingest
    from monitor.store import Store
    from monitor.sweep_workers import _write
    from spiders.records import ColumnCheck, SeenItems

    catalog = load_catalog(_catalog(tmp_path, world))
    store = Store(tmp_path / "monitor.db")
    store.record_catalog(catalog)
    sweep_id = store.begin_sweep(date.fromisoformat(DAY), "sweep", catalog.digest, 2)
    good, bad = province.unit_slug(0), province.unit_slug(1)
    column = province.column_id(0)

    def envelope(record):
        return ingest.Envelope(sweep_id, DAY, record)

    first = [envelope(SeenItems(bad, column, [{"title": "没有地址"}])),
             envelope(ColumnCheck(good, column, "ok", 0, None, None, 1, "")),
             envelope(ColumnCheck(bad, column, "ok", 0, None, None, 1, ""))]
    finished, broken = set(), set()
    assert _write(store, catalog, date.fromisoformat(DAY), sweep_id, first, finished, broken, False, None)
    assert broken == {bad}
    ends = [ingest.UnitDone(sweep_id, DAY, u, (column,), "finished") for u in (good, bad)]
    assert not _write(store, catalog, date.fromisoformat(DAY), sweep_id, ends, finished, broken, False, None)
    assert _rows(tmp_path / "monitor.db", "select distinct unit from verdicts") == [(good,)]
    assert len(_rows(tmp_path / "monitor.db", "select * from checks")) == 2  # what could be written was kept
    store.close()
