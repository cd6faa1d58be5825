"""A scheduled sweep, ad hoc ``scrapy crawl``s and report builds at the same time, all real processes.

The demo world (8 of its units, served on loopback as of today) is swept once as of yesterday, so the
report has a history. The catalog then slows the crawl (``download_delay``: a catalog edit, read afresh by
every job) so that the next sweep waits on the sites for ~25 s rather than on the two cores. The real
scheduler (``python -m monitor schedule run``) is started with a daily sweep due at the next minute; once
its run is ``running`` in ``job_runs``, two ad hoc crawls start (``scrapy crawl fgw``, ``scrapy crawl jtj``:
units the sweep crawls too; jtj has a column lagging two days running, so both judge it and may open its
notice), and once the sweep's own row is there, three ``monitor report`` builds, one after another.

Every process must exit 0 (none is refused: only a second daily sweep takes a lock), no output (the
scheduler's log included) may mention a locked or busy database, and nothing written may be lost: each
sweep's checks (one per column), fetches (against its WARC files, written before the rows, and against
each check's own page and item counts), article dates, the day's verdicts, inspections and notices are all
there as each would write them alone; the three stores pass ``PRAGMA integrity_check``; each report names
every unit and column. The time spans are checked to overlap (the sweep's and the crawls' rows, the
reports' processes), so the test cannot pass by running the activities one after another. With the
store's busy timeout at 0 this test fails (a sweep's check row goes missing), so it does see contention.
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime, time as dtime, timedelta
from pathlib import Path

import lxml.html

from conftest import REPO, free_port
from monitor import clock
from monitor.demo.server import DemoServer
from monitor.config import load_catalog
from monitor.demo.world import DemoWorld
from monitor.notices import LAGGING
from monitor.warc import records

UNITS = ["fgw", "czj", "jyj", "zjj", "jtj", "zrzyj", "wlj", "slj"]  # no Chromium, no stalled site: quick
ADHOC = ["fgw", "jtj"]
DELAY = 2.5  # [monitor] download_delay after the seed: the sweep waits on the sites (~25 s), not on the 2 cores
FORBIDDEN = re.compile(r"database is locked|database is busy|OperationalError|Traceback", re.IGNORECASE)


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen
    out: Path
    err: Path
    start: float
    end: float | None = None

    def wait(self, timeout: float) -> int:
        rc = self.popen.wait(timeout=timeout)
        self.end = self.end or time.time()
        return rc

    def poll(self) -> int | None:
        rc = self.popen.poll()
        if rc is not None and self.end is None:
            self.end = time.time()
        return rc

    def text(self) -> str:
        return self.out.read_text(encoding="utf-8", errors="replace") + self.err.read_text(encoding="utf-8", errors="replace")


def spawn(name: str, argv: list[str], env: dict[str, str], folder: Path) -> Proc:
    out, err = folder / f"{name}.out", folder / f"{name}.err"
    with open(out, "wb") as o, open(err, "wb") as e:
        popen = subprocess.Popen(argv, stdout=o, stderr=e, cwd=REPO, env=env)
    return Proc(name, popen, out, err, time.time())


def subset_catalog(world: DemoWorld, path: Path, delay: float | None = None) -> Path:
    """The world's catalog for UNITS only; with `delay`, that [monitor] download_delay."""
    head, *blocks = world.catalog_toml().split("\n[[units]]\n")
    kept = [b for b in blocks if b.split("\n", 1)[0] in {f'slug = "{s}"' for s in UNITS}]
    assert len(kept) == len(UNITS)
    if delay is not None:
        head, n = re.subn(r"(?m)^download_delay = .*$", f"download_delay = {delay}", head)
        assert n == 1
    path.write_text(head + "".join("\n[[units]]\n" + b for b in kept), encoding="utf-8")
    return path


def epoch(stamp: str) -> float:
    return datetime.fromisoformat(stamp).timestamp()


def start_scheduler(env: dict[str, str], catalog: Path, db: Path, folder: Path) -> tuple[Proc, datetime]:
    """`schedule run` with one daily sweep due at the next minute at least 8 s away; retried if the
    scheduler came up too late to see that minute (its next run would then be tomorrow)."""
    schedules = folder / "schedules"
    schedules.mkdir()
    for attempt in range(3):
        at = (clock.now() + timedelta(seconds=68)).replace(second=0, microsecond=0)
        (schedules / "office.toml").write_text(
            f'[jobs.daily_sweep]\nkind = "sweep"\ncron = "{at.minute} {at.hour} * * *"\ntime_limit = "5m"\n',
            encoding="utf-8")
        proc = spawn(f"scheduler-{attempt}", [sys.executable, "-m", "monitor", "schedule", "run", "--schedules",
                                              str(schedules), "--db", str(db), "--config", str(catalog)], env, folder)
        deadline = time.time() + 60
        while "scheduler started" not in proc.err.read_text(encoding="utf-8"):
            assert proc.poll() is None and time.time() < deadline, proc.text()
            time.sleep(0.1)
        if f"job=daily_sweep next={at.isoformat()}" in proc.err.read_text(encoding="utf-8"):
            return proc, at
        proc.popen.send_signal(signal.SIGTERM)  # started after that minute: try the next one
        assert proc.wait(60) == 0, proc.text()
    raise AssertionError("the scheduler never came up before its sweep's minute")


def wait_for(db: Path, sql: str, args: list, until, timeout: float, watch: Proc) -> list[tuple]:
    deadline = time.time() + timeout
    while True:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            rows = conn.execute(sql, args).fetchall()
        finally:
            conn.close()
        if until(rows):
            return rows
        assert watch.poll() is None, f"{watch.name} ended: {watch.text()[-3000:]}"
        assert time.time() < deadline, f"waited {timeout:.0f} s for {sql!r}: {rows}\n{watch.text()[-3000:]}"
        time.sleep(0.1)


def test_a_scheduled_sweep_ad_hoc_crawls_and_report_builds_at_once_lose_nothing(tmp_path):
    t0 = time.monotonic()
    to_midnight = (datetime.combine(clock.today() + timedelta(days=1), dtime(), clock.SHANGHAI) - clock.now()).total_seconds()
    if to_midnight < 600:  # the scheduled sweep judges the day it fires: keep the whole test on one Beijing day
        time.sleep(to_midnight + 1)
    today = clock.today()
    yesterday = today - timedelta(days=1)
    port = free_port([ip for ip, _ in DemoWorld(end=today).hosts()])
    world = DemoWorld(end=today, port=port)
    catalog = subset_catalog(world, tmp_path / "catalog.toml")
    db = tmp_path / "monitor.db"
    logs = tmp_path / "logs"
    logs.mkdir()
    env = {**os.environ, "MONITOR_CONFIG": str(catalog), "MONITOR_DB": str(db), "PYTHONUNBUFFERED": "1",
           "MONITOR_LOG_LEVEL": "WARNING"}
    env.pop("MONITOR_SCHEDULES", None)
    python, scrapy = sys.executable, str(Path(sys.executable).with_name("scrapy"))
    adhoc: dict[str, Proc] = {}
    reports: list[Proc] = []
    with DemoServer(world) as server:
        server.set_today(yesterday)
        seed = spawn("seed", [python, "-m", "monitor", "sweep", "--quiet", "--as-of", yesterday.isoformat(),
                              "--simulated-world"], env, logs)
        assert seed.wait(300) == 0, seed.text()[-3000:]
        server.set_today(today)
        subset_catalog(world, catalog, DELAY)  # a catalog edit: every job reads it afresh
        scheduler, planned = start_scheduler(env, catalog, db, logs)
        try:  # the scheduler has fired the sweep: its child is starting; so are two ad hoc crawls
            wait_for(db, "select status from job_runs where job = 'daily_sweep'", [], lambda rows: rows == [("running",)],
                     150, scheduler)
            for slug in ADHOC:
                adhoc[slug] = spawn(f"crawl-{slug}", [scrapy, "crawl", slug, "-a", f"as_of={today}", "-s", "LOG_LEVEL=INFO"], env, logs)
            [(sweep_id, _)] = wait_for(db, "select id, status from sweeps where kind = 'sweep' and as_of = ?",
                                       [today.isoformat()], lambda rows: bool(rows), 60, scheduler)
            for k in range(3):
                report = spawn(f"report-{k}", [python, "-m", "monitor", "report", "--as-of", today.isoformat(),
                                               "--out", str(tmp_path / f"report-{k}")], env, logs)
                report.wait(180)
                reports.append(report)
            for proc in adhoc.values():
                proc.wait(180)
            wait_for(db, "select status from job_runs where job = 'daily_sweep'", [],
                     lambda rows: rows and rows[0][0] != "running", 300, scheduler)
        finally:
            scheduler.popen.send_signal(signal.SIGTERM)
            try:
                scheduler_rc = scheduler.wait(90)
            finally:  # on a failure above, nothing of this test is left running
                for proc in [scheduler, *adhoc.values(), *reports]:
                    if proc.poll() is None:
                        proc.popen.kill()
                        proc.popen.wait()

    # ---- every process ended as it should, and no output speaks of a locked database
    assert scheduler_rc == 0, scheduler.text()[-3000:]
    for proc in [seed, scheduler, *adhoc.values(), *reports]:
        assert proc.popen.returncode == 0, f"{proc.name}: {proc.text()[-3000:]}"
        assert not FORBIDDEN.search(proc.text()), f"{proc.name}: {FORBIDDEN.search(proc.text())}\n{proc.text()[-3000:]}"
    for proc in adhoc.values():  # Scrapy's closing stats: no error logged (a write that failed is one)
        assert "'item_scraped_count'" in proc.text() and "log_count/ERROR" not in proc.text(), proc.text()[-3000:]
    log = scheduler.err.read_text(encoding="utf-8")
    assert re.search(r"job=daily_sweep kind=sweep start trigger=schedule planned=" + re.escape(planned.isoformat()), log)
    assert re.search(rf"job=daily_sweep kind=sweep end status=ok .* sweep={sweep_id} units={len(UNITS)} ", log), log

    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    q = lambda sql, *args: [dict(r) for r in conn.execute(sql, args)]  # noqa: E731
    for path in (db, db.with_suffix(".hosts.db"), db.with_suffix(".httpcache.db")):
        other = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        assert other.execute("pragma integrity_check").fetchall() == [("ok",)], path
        other.close()

    [run] = q("select * from job_runs")
    assert (run["job"], run["status"], run["trigger"], run["planned_for"]) == \
        ("daily_sweep", "ok", "schedule", planned.isoformat()), run
    assert not FORBIDDEN.search(run["message"] or ""), run["message"]

    # ---- the sweeps of the day: the scheduled one, and one ad hoc sweep per crawl
    units_of = {u.slug: u for u in load_catalog(catalog).units}
    assert sorted(units_of) == sorted(UNITS)
    columns = {(u.slug, c.id) for u in units_of.values() for c in u.columns}
    by_unit = {s: {c for u, c in columns if u == s} for s in UNITS}
    sweeps = q("select * from sweeps where as_of = ? order by id", today.isoformat())
    assert [(s["id"], s["kind"]) for s in sweeps if s["kind"] == "sweep"] == [(sweep_id, "sweep")]
    owner = {s["id"]: q("select distinct unit from checks where sweep_id = ?", s["id"])[0]["unit"]
             for s in sweeps if s["kind"] == "adhoc"}
    assert sorted(owner.values()) == sorted(ADHOC), sweeps
    for s in sweeps:
        want = columns if s["kind"] == "sweep" else {(owner[s["id"]], c) for c in by_unit[owner[s["id"]]]}
        units = {u for u, _ in want}
        assert (s["status"], s["units_done"], s["columns_checked"]) == ("finished", len(units), len(want)), s
        checks = q("select * from checks where sweep_id = ?", s["id"])
        assert len(checks) == len(want) and {(k["unit"], k["column_id"]) for k in checks} == want, s
        fetches = q("select * from fetches where sweep_id = ?", s["id"])
        assert not any(f["rendered"] for f in fetches)
        for k in checks:  # each check's own count of pages and items read matches the fetch rows kept
            lists = [f for f in fetches if (f["unit"], f["column_id"]) == (k["unit"], k["column_id"])
                     and f["kind"] in ("list", "endpoint")]
            if k["outcome"] == "ok":
                ok = [f for f in lists if f["outcome"] == "ok"]
                assert (len(ok), sum(f["items_found"] for f in ok)) == (k["pages"], k["items_found"]), (k, lists)
            else:
                assert any(f["outcome"] == k["outcome"] and f["page"] == 0 for f in lists), (k, lists)
        archived = {f["warc_file"] for f in fetches if f["warc_file"]}
        files = {p.relative_to(tmp_path).as_posix() for p in tmp_path.glob(f"warc/{today}/{s['id']}-*.warc.gz")}
        assert archived == files == {f"warc/{today}/{s['id']}-{u}.warc.gz" for u in units}
        for name in files:  # every response archived (before its row was written) has its row, and no more
            responses = {(r["offset"], r["sha256"]) for r in records(tmp_path / name) if r["type"] == "response"}
            assert responses == {(f["warc_offset"], f["sha256"]) for f in fetches if f["warc_file"] == name}, name
        for f in fetches:  # each article read has its dates stored on its item
            if f["kind"] == "article" and f["outcome"] == "ok":
                assert q("select 1 from items where unit = ? and column_id = ? and url = ? and date_evidence is not null",
                         f["unit"], f["column_id"], f["url"]), f
        s["rows"] = len(checks) + len(fetches)

    # ---- the day's verdicts and inspections: every column and unit, written by a sweep of that unit
    verdicts = q("select * from verdicts where day = ?", today.isoformat())
    assert len(verdicts) == len(columns) and {(v["unit"], v["column_id"]) for v in verdicts} == columns
    adhoc_of = {unit: sid for sid, unit in owner.items()}
    for v in verdicts:
        assert v["sweep_id"] in {sweep_id, adhoc_of.get(v["unit"])}, v
    assert sorted(r["unit"] for r in q("select unit from inspections where day = ?", today.isoformat())) == sorted(UNITS)
    # a column lagging yesterday and today has one lateness notice, opened today (the sweep and the ad hoc
    # crawl of jtj both judged it: one of them opened it, the other found it open)
    states = {(v["unit"], v["column_id"], v["day"]): v["state"] for v in q("select * from verdicts")}
    lagging = {(u, c) for u, c in columns
               if states.get((u, c, yesterday.isoformat())) in LAGGING and states[(u, c, today.isoformat())] in LAGGING}
    assert any(u == "jtj" for u, _ in lagging), lagging
    notices = q("select id, unit, column_id, opened_day from notices where kind = 'lateness'")
    assert sorted((n["unit"], n["column_id"]) for n in notices) == sorted(lagging), notices
    assert {n["opened_day"] for n in notices} == {today.isoformat()}
    for n in notices:  # drafted once (one audit row), whoever drafted it
        assert len(q("select 1 from notice_events where notice_id = ? and new_state = 'draft'", n["id"])) == 1, n

    # ---- each report is whole: every unit in the overview, and its page with every column
    for k in range(3):
        out = tmp_path / f"report-{k}"
        index = (out / "index.html").read_text(encoding="utf-8")
        assert index.rstrip().endswith("</html>"), out
        text = lxml.html.document_fromstring(index).text_content()
        for slug in UNITS:
            assert units_of[slug].name in text, (out, slug)
            page = lxml.html.parse(str(out / "units" / f"{slug}.html")).getroot().text_content()
            assert all(c.name in page for c in units_of[slug].columns), (out, slug)

    # ---- the overlap was real: the sweep's span (its row's stamps, whole seconds: taken inward) overlapped
    # both ad hoc crawls' spans (their rows') and at least two report builds (the first one included; a
    # loaded machine may finish the sweep before the third), and one moment had all three kinds running
    def span(row: dict) -> tuple[float, float]:
        return epoch(row["started_at"]) + 1, epoch(row["finished_at"])

    sweep_span = span(next(s for s in sweeps if s["id"] == sweep_id))
    overlaps = {}
    for sid, unit in owner.items():
        crawl_span = span(next(s for s in sweeps if s["id"] == sid))
        overlaps[f"crawl-{unit}"] = min(sweep_span[1], crawl_span[1]) - max(sweep_span[0], crawl_span[0])
        for r in reports:
            three = min(sweep_span[1], crawl_span[1], r.end) - max(sweep_span[0], crawl_span[0], r.start)
            overlaps[f"sweep+crawl-{unit}+{r.name}"] = three
    for r in reports:
        overlaps[r.name] = min(sweep_span[1], r.end) - max(sweep_span[0], r.start)
    figures = {"sweep_s": sweep_span[1] - sweep_span[0] + 1, "rows": {s["id"]: s["rows"] for s in sweeps},
               "verdicts": len(verdicts), "took_s": round(time.monotonic() - t0, 1),
               "overlaps": {k: round(v, 1) for k, v in overlaps.items()}}
    print(figures)
    assert all(overlaps[f"crawl-{u}"] > 0 for u in ADHOC), figures
    assert overlaps["report-0"] > 0 and sum(overlaps[r.name] > 0 for r in reports) >= 2, figures  # repeatedly
    assert max(v for k, v in overlaps.items() if k.startswith("sweep+crawl-")) > 0, figures  # all three at once
