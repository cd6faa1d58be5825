"""`monitor scaleout`: crawler workers share one queue in Redis (scrapy-redis), one ingester writes SQLite.

Against the synthetic province of bench/province.py served on 127.10.0.x and a real redis-server on 127.0.0.1:
two workers, a coordinator and the ingester, each its own process, write what a plain `monitor sweep` of the
same world writes; a worker killed mid-unit loses nothing and duplicates nothing: its unit goes back to the
queue when its lease runs out and a worker started afterwards crawls it again from its start.
"""

from __future__ import annotations

import collections
import json
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from monitor.scaleout import Keys, RequestCodec, decode_message, encode_message
from tests.conftest import REPO, free_port, province_server

sys.path.insert(0, str(REPO / "bench"))
import province  # noqa: E402

pytestmark = pytest.mark.timeout(300)

UNITS = 6
COLUMNS = 5  # news, notices, policy documents (read for their written dates), monthly and quarterly reports
DAY = "2026-11-27"


# ---------------------------------------------------------------- the world, Redis, a plain sweep to compare with

@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    exe = shutil.which("redis-server")
    if exe is None:
        pytest.fail("redis-server is missing: scripts/setup.sh installs it (Debian's redis-server package)")
    import redis

    port = free_port(["127.0.0.1"])
    folder = tmp_path_factory.mktemp("redis")
    server = subprocess.Popen([exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                               "--dir", str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    _wait(lambda: _pings(client), 15, "redis-server to answer")
    yield url
    server.terminate()
    server.wait(10)


def _pings(client) -> bool:
    import redis

    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False


@pytest.fixture(scope="module")
def world():
    port = free_port([province.address(u) for u in range(UNITS)])
    with province_server(UNITS, DAY, port):
        yield port


def _catalog(path: Path, port: int, delay: float) -> Path:
    """The province's first UNITS units with their first COLUMNS columns (one of each of the first kinds)."""
    out = [f"[monitor]\ndownload_timeout = 10\nretries = 1\ndownload_delay = {delay}\nconcurrency_per_host = 2\n",
           province.RULES]
    for u in range(UNITS):
        out.append(f'\n[[units]]\nslug = "{province.unit_slug(u)}"\nname = "{province.unit_name(u)}"\n'
                   f'site = "http://{province.address(u)}:{port}/"\n')
        for c in range(COLUMNS):
            _, name, ctype, rule, _ = province.column_kind(c)
            out.append(f'  [[units.columns]]\n  id = "{province.column_id(c)}"\n  name = "{name}"\n'
                       f'  url = "{province.column_url(u, c, port)}"\n  type = "{ctype}"\n  rule = "{rule}"\n')
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(out), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def plain(world, tmp_path_factory) -> Path:
    """The same world swept the ordinary way, in one process."""
    folder = tmp_path_factory.mktemp("plain")
    db = folder / "monitor.db"
    proc = subprocess.run([sys.executable, "-m", "monitor", "sweep", "--config", str(_catalog(folder / "c.toml", world, 0)),
                           "--db", str(db), "--as-of", DAY, "--quiet"], cwd=REPO, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return db


# ---------------------------------------------------------------- running the roles

def _monitor(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "monitor", "scaleout", *map(str, args)]


def _start(args: list[str], log: Path) -> subprocess.Popen:
    out = log.open("w", encoding="utf-8")
    return subprocess.Popen(args, cwd=REPO, stdout=out, stderr=subprocess.STDOUT, text=True)


def _wait(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _workers(url: str, prefix: str) -> dict[int, str]:
    """pid → worker id of the workers registered in Redis."""
    import redis

    ids = redis.Redis.from_url(url, decode_responses=True).smembers(Keys(prefix).workers)
    return {int(w.split(":")[1]): w for w in ids}


def _rows(db: Path, sql: str, *params) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


def _assert_same_as_plain(db: Path, plain_db: Path, sweep_id: int) -> None:
    configured = {(province.unit_slug(u), province.column_id(c)) for u in range(UNITS) for c in range(COLUMNS)}
    checks = _rows(db, "select unit, column_id from checks where sweep_id = ?", sweep_id)
    assert sorted(checks) == sorted(configured)  # one check per column (the table's key forbids two)
    verdicts = _rows(db, "select unit, column_id, state from verdicts where day = ?", DAY)
    assert len(verdicts) == len(configured)
    assert sorted(verdicts) == sorted(_rows(plain_db, "select unit, column_id, state from verdicts where day = ?", DAY))
    items = "select unit, column_id, url, published, written from items"
    assert sorted(_rows(db, items)) == sorted(_rows(plain_db, items))
    # every fetch once, as in the plain sweep: nothing from a dead attempt, nothing sent twice
    fetches = "select unit, column_id, kind, page, url from fetches"
    got = collections.Counter(_rows(db, fetches))
    assert got == collections.Counter(_rows(plain_db, fetches))
    for warc_file, offset in _rows(db, "select warc_file, warc_offset from fetches where warc_file is not null"):
        assert (db.parent / warc_file).stat().st_size > offset
    sweep = _rows(db, "select kind, status, units_total, units_done, columns_checked from sweeps where id = ?", sweep_id)
    assert sweep == [("sweep", "finished", UNITS, UNITS, len(configured))]


def _no_keys_left(url: str, prefix: str) -> None:
    import redis

    r = redis.Redis.from_url(url, decode_responses=True)
    assert sorted(r.scan_iter(match=f"{prefix}:*")) == []


# ---------------------------------------------------------------- the tests

def test_records_travel_as_tagged_json_never_pickle():
    from monitor import ingest
    from spiders.records import ArticleDates, ColumnCheck, FetchRecord

    records = [ingest.Envelope(3, DAY, FetchRecord("u", "c", "list", 0, "http://x/", "t", 5, 200, "", 10, 2, DAY,
                                                   "ok", warc_file="warc/a.warc.gz", warc_offset=7, sha256="ab")),
               ingest.Envelope(3, DAY, ArticleDates("u", "c", "http://x/1", DAY, None, [["published", DAY]], False)),
               ingest.Envelope(3, DAY, ColumnCheck("u", "c", "ok", 2, DAY, DAY, 1)),
               ingest.UnitDone(3, DAY, "u", ("c", "d"), "finished")]
    for message in records:
        text = json.dumps(encode_message(message))
        assert decode_message(json.loads(text)) == message
    forged = {"type": "Envelope", "sweep_id": 3, "as_of": DAY, "record": {"type": "Popen", "args": "sh"}}
    with pytest.raises(TypeError):
        decode_message(forged)
    request = {"url": "http://x/", "headers": {b"Accept": [b"text/html"]}, "body": b"", "meta": {"page": 1, "t": (1, 2)}}
    assert RequestCodec.loads(RequestCodec.dumps(request)) == request
    with pytest.raises(ValueError):
        RequestCodec.loads(json.dumps({"url": "http://x/", "_class": "os.system"}))


def test_two_workers_and_one_ingester_write_what_a_plain_sweep_writes(world, plain, redis_url, tmp_path):
    prefix = "t1"
    catalog = _catalog(tmp_path / "c.toml", world, 0)
    db = tmp_path / "scale" / "monitor.db"
    common = ["--redis", redis_url, "--prefix", prefix, "--config", catalog, "--db", db]
    # no --idle-exit: on a loaded machine a worker could give up before the enqueue arrives; stopped below
    workers = [_start(_monitor("worker", *common, "--units-at-once", "2"), tmp_path / f"w{k}.log") for k in range(2)]
    try:
        _wait(lambda: len(_workers(redis_url, prefix)) == 2, 30, "both workers to register")
        ids = _workers(redis_url, prefix)
        enqueue = subprocess.run(_monitor("enqueue", *common, "--as-of", DAY), cwd=REPO, capture_output=True, text=True,
                                 timeout=60)
        assert enqueue.returncode == 0, enqueue.stderr[-3000:]
        ingest = subprocess.run(_monitor("ingest", *common, "--until-done"), cwd=REPO, capture_output=True, text=True,
                                timeout=120)
        assert ingest.returncode == 0, ingest.stderr[-3000:]
        for w in workers:
            w.terminate()  # the way a service manager stops them: they end cleanly
        for w in workers:
            assert w.wait(30) == 0
    finally:
        for w in workers:
            w.kill()
    [[sweep_id]] = _rows(db, "select id from sweeps")
    _assert_same_as_plain(db, plain, sweep_id)
    assert "巡检完成" in ingest.stdout
    # both workers crawled units, and the ingester wrote each unit once, saying whose crawl it was
    by_worker = collections.Counter(line.rsplit("← ", 1)[1] for line in ingest.stderr.splitlines() if "← " in line)
    assert set(by_worker) == set(ids.values()) and sum(by_worker.values()) == UNITS, ingest.stderr[-3000:]
    for k, w in enumerate(workers):
        assert "crawled (sweep" in (tmp_path / f"w{k}.log").read_text(encoding="utf-8")
    _no_keys_left(redis_url, prefix)


def test_a_killed_workers_unit_comes_back_and_is_crawled_once(world, plain, redis_url, tmp_path):
    import redis

    prefix = "t2"
    r = redis.Redis.from_url(redis_url, decode_responses=True)
    catalog = _catalog(tmp_path / "c.toml", world, 1.0)  # slow enough (5 s a unit) to be caught in the middle of one
    db = tmp_path / "scale" / "monitor.db"
    common = ["--redis", redis_url, "--prefix", prefix, "--config", catalog, "--db", db]
    worker_args = ["--units-at-once", "1", "--lease", "2"]
    a, b = (_start(_monitor("worker", *common, *worker_args), tmp_path / f"{n}.log") for n in "ab")
    processes = [a, b]
    try:
        _wait(lambda: len(_workers(redis_url, prefix)) == 2, 30, "both workers to register")
        wid_a = _workers(redis_url, prefix)[a.pid]
        enqueue = subprocess.run(_monitor("enqueue", *common, "--as-of", DAY), cwd=REPO, capture_output=True, text=True,
                                 timeout=60)
        assert enqueue.returncode == 0, enqueue.stderr[-3000:]
        ingest = _start(_monitor("ingest", *common, "--until-done"), tmp_path / "ingest.log")
        processes.append(ingest)
        # A is in the middle of a unit: it holds the item and has fetched some of its pages
        _wait(lambda: r.llen(Keys(prefix).taken(wid_a)) == 1, 30, "worker A to take a unit")
        [killed] = json.loads(r.lindex(Keys(prefix).taken(wid_a), 0))["units"]
        _wait(lambda: _warc_size(db, killed) > 0, 30, "A to archive a page of its unit")
        archived_by_a = _warc_size(db, killed)
        held_by_b = r.llen(Keys(prefix).taken(_workers(redis_url, prefix)[b.pid]))
        a.send_signal(signal.SIGKILL)
        b.send_signal(signal.SIGTERM)  # a stopped worker hands its unit back at once
        assert a.wait(10) == -signal.SIGKILL
        assert b.wait(30) == 0
        c = _start(_monitor("worker", *common, "--units-at-once", str(UNITS), "--lease", "2", "--idle-exit", "2"),
                   tmp_path / "c.log")
        processes.append(c)
        assert ingest.wait(120) == 0, (tmp_path / "ingest.log").read_text(encoding="utf-8")[-3000:]
        assert c.wait(30) == 0
    finally:
        for p in processes:
            p.kill()
    ingest_log = (tmp_path / "ingest.log").read_text(encoding="utf-8")
    c_log = (tmp_path / "c.log").read_text(encoding="utf-8")
    assert f"{killed}: back in the queue (worker {wid_a} gone), attempt 2" in ingest_log
    assert f"{killed}: crawled (sweep" in c_log and "attempt 2" in c_log
    if held_by_b:
        assert "handed back" in (tmp_path / "b.log").read_text(encoding="utf-8")
    [[sweep_id]] = _rows(db, "select id from sweeps")
    _assert_same_as_plain(db, plain, sweep_id)
    # what A fetched before it died stays in the unit's WARC file, unreferenced: the rows are the new attempt's
    [[first_offset]] = _rows(db, "select min(warc_offset) from fetches where unit = ?", killed)
    assert first_offset >= archived_by_a
    _no_keys_left(redis_url, prefix)


def _warc_size(db: Path, unit: str) -> int:
    return sum(f.stat().st_size for f in db.parent.glob(f"warc/*/*-{unit}.warc.gz"))
