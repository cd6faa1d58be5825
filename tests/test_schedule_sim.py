"""The scheduler over simulated days (a fast clock: monitor.schedule_clock.SimClock), against real sites on
127.0.0.1: the demo world for the runs, the restart and catch-up, the probe figures and the lock; a site that
hangs for the sweep that crashes and the one that runs out of time."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from conftest import REPO, free_port, one_unit_catalog, serve_loopback
from monitor import jobs, locks, scheduler
from monitor.clock import SHANGHAI
from monitor.demo.server import DemoServer
from monitor.demo.world import DemoWorld
from monitor.locks import EXIT_ALREADY_RUNNING
from monitor.schedule_clock import SimClock
from monitor.schedule_spec import load_schedules
from monitor.store import Store

pytestmark = pytest.mark.e2e

END = date(2026, 11, 27)  # the demo world's last day (a Friday); swj stalls from END-2, rsj is behind 瑞数
DAY1, DAY3 = END - timedelta(days=2), END  # the scheduler runs all of DAY1, is down on DAY2, is back on DAY3 at 10:00

SCHEDULE = """
[jobs.daily_sweep]
kind = "sweep"
cron = "30 6 * * *"
time_limit = "10m"
misfire_grace = "8h"

[jobs.weekly_report]
kind = "report"
cron = "0 17 * * 5"
out = "{out}"

[jobs.probes]
kind = "probe"
cron = "5 * * * *"
spread = "50m"
timeout = 1

[jobs.reminders]
kind = "reminders"
cron = "0 9 * * *"

[jobs.spot_checks]
kind = "spot_check"
cron = "1 0 * * *"
checks = 2
hours = "09:00-17:30"
units = 2
columns = 2
"""


def at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=SHANGHAI)


@dataclass
class Simulated:
    db: Path
    out: Path
    world: DemoWorld
    runs: list[dict]
    stored_after_stop: list[dict]
    lock_held_while_running: bool
    second_scheduler: subprocess.CompletedProcess
    took: float


@pytest.fixture(scope="module")
def simulated(tmp_path_factory) -> Simulated:
    out = tmp_path_factory.mktemp("scheduled")
    hosts = [ip for ip, _ in DemoWorld(end=END, days=42).hosts()]
    world = DemoWorld(end=END, days=42, port=free_port(hosts))
    catalog = out / "catalog.toml"
    catalog.write_text(world.catalog_toml(), encoding="utf-8")
    (out / "schedules").mkdir()
    (out / "schedules" / "office.toml").write_text(SCHEDULE.format(out=out / "report"), encoding="utf-8")
    specs = load_schedules(out / "schedules")
    db = out / "monitor.db"
    started = time.monotonic()
    with DemoServer(world) as server:
        # day 1, whole; then the machine is down for a day and a half
        sim = SimClock(at(DAY1, 0), on_new_day=server.set_today)
        runtime = jobs.Runtime(sim, db, catalog, rng=random.Random(20261127))
        with scheduler.running(runtime, specs, until=at(DAY1, 23, 59)) as s:
            assert s.finished.wait(timeout=900)
        stored = scheduler.planned_jobs(db)
        # back on day 3 at 10:00, on the same store
        sim = SimClock(at(DAY3, 10), on_new_day=server.set_today)
        runtime = jobs.Runtime(sim, db, catalog, rng=random.Random(3))
        with scheduler.running(runtime, specs, until=at(DAY3, 23, 59)) as s:
            held = locks.is_held(db, "scheduler")
            second = subprocess.run([sys.executable, "-m", "monitor", "schedule", "run", "--schedules",
                                     str(out / "schedules"), "--db", str(db), "--config", str(catalog)],
                                    capture_output=True, text=True, cwd=REPO, timeout=60)
            assert s.finished.wait(timeout=900)
    return Simulated(db, out, world, Store(db).job_runs(), stored, held, second, time.monotonic() - started)


def runs_of(sim: Simulated, job: str) -> list[dict]:
    return [r for r in sim.runs if r["job"] == job]


def test_day_one_runs_every_job_at_its_time(simulated):
    day1 = [r for r in simulated.runs if r["started_at"].startswith(DAY1.isoformat())]
    kinds = Counter(r["kind"] for r in day1)
    assert kinds == {"probe": 24, "sweep": 1, "reminders": 1, "spot_check": 1, "spot_visit": 2}, kinds
    assert all(r["status"] == "ok" for r in day1), [r for r in day1 if r["status"] != "ok"]
    [sweep] = [r for r in day1 if r["kind"] == "sweep"]
    assert sweep["planned_for"] == sweep["started_at"] == at(DAY1, 6, 30).isoformat()
    assert sweep["figures"]["units"] == 15 and sweep["figures"]["columns"] == 104
    assert sweep["figures"]["sweep_status"] == "finished"
    # the child's whole output is kept beside the database, for a person: its summary line among it
    assert "巡检完成" in Path(sweep["figures"]["log"]).read_text(encoding="utf-8")
    visits = [r for r in day1 if r["kind"] == "spot_visit"]
    for visit in visits:
        assert at(DAY1, 9) <= datetime.fromisoformat(visit["planned_for"]) <= at(DAY1, 17, 30)
        assert visit["figures"]["units_sampled"] == 2 and visit["figures"]["sweep_status"] == "finished"
    with Store(simulated.db) as store:
        sweeps = store._rows("select kind, as_of, status from sweeps order by id")
    assert [s for s in sweeps if s["as_of"] == DAY1.isoformat()] == (
        [{"kind": "sweep", "as_of": DAY1.isoformat(), "status": "finished"}]
        + [{"kind": "spot", "as_of": DAY1.isoformat(), "status": "finished"}] * 2)


def test_probes_are_spread_at_least_20_a_day_and_feed_the_availability_figures(simulated):
    with Store(simulated.db) as store:
        probes = store._rows("select unit, at, outcome from probes where day = ?", [DAY1.isoformat()])
        by_unit: dict[str, list[dict]] = {}
        for p in probes:
            by_unit.setdefault(p["unit"], []).append(p)
        assert len(by_unit) == 15
        for unit, rows in by_unit.items():
            hours = {datetime.fromisoformat(r["at"]).hour for r in rows}
            minutes = {datetime.fromisoformat(r["at"]).strftime("%M:%S") for r in rows}
            assert len(rows) == 24 and len(hours) == 24, unit  # one a round, every hour of the day
            assert len(minutes) == 1, unit  # the same minute every hour: regular intervals per site
            assert "05:00" <= minutes.pop() < "55:00"
        offsets = {datetime.fromisoformat(rows[0]["at"]).minute for rows in by_unit.values()}
        assert len(offsets) >= 10  # the 15 sites are not asked in the same minute
        outcomes = {unit: Counter(r["outcome"] for r in rows) for unit, rows in by_unit.items()}
        assert outcomes["swj"] == {"failed": 24}  # stalls on every request from END-2: past the probe's limit
        assert outcomes["rsj"] == {"blocked": 24}  # 瑞数 stops the monitor, not the citizen: not counted
        assert outcomes["fgw"] == {"ok": 24}
        [day] = store.probe_days("swj", DAY1, DAY1)
        assert (day["total"], day["failed"], day["blocked"]) == (24, 24, 0)


def test_a_restart_keeps_the_schedule_and_catches_up_once(simulated):
    stored = {j["id"]: j for j in simulated.stored_after_stop}
    assert stored["daily_sweep"]["next"] == at(DAY1 + timedelta(days=1), 6, 30)  # kept in the job store
    sweeps = runs_of(simulated, "daily_sweep")
    day2 = DAY1 + timedelta(days=1)
    assert [(r["planned_for"], r["started_at"], r["status"]) for r in sweeps] == [
        (at(DAY1, 6, 30).isoformat(), at(DAY1, 6, 30).isoformat(), "ok"),
        # day 2's and day 3's 06:30 coalesce into one catch-up, made at restart (3.5 h late, within the 8 h grace);
        # day 2's is on record as missed
        (at(day2, 6, 30).isoformat(), at(DAY3, 10).isoformat(), "missed"),
        (at(DAY3, 6, 30).isoformat(), at(DAY3, 10).isoformat(), "ok"),
    ]
    assert sweeps[2]["figures"]["as_of"] == DAY3.isoformat()
    with Store(simulated.db) as store:
        full = store._rows("select as_of from sweeps where kind = 'sweep' order by id")
    assert [r["as_of"] for r in full] == [DAY1.isoformat(), DAY3.isoformat()]
    reminders = runs_of(simulated, "reminders")
    assert [(r["planned_for"], r["started_at"], r["status"]) for r in reminders] == [
        (at(DAY1, 9).isoformat(), at(DAY1, 9).isoformat(), "ok"),
        (at(day2, 9).isoformat(), at(DAY3, 10).isoformat(), "missed"),
        (at(DAY3, 9).isoformat(), at(DAY3, 10).isoformat(), "ok")]


def test_a_run_too_late_for_its_grace_is_recorded_as_missed_not_made(simulated):
    probes = runs_of(simulated, "probes")
    missed = [r for r in probes if r["status"] == "missed"]
    # every round from day 2 00:05 to day 3 09:05: on record, none made up (the newest is 55 min late, grace 10 min)
    day2 = DAY1 + timedelta(days=1)
    expected = [at(day2, h, 5) for h in range(24)] + [at(DAY3, h, 5) for h in range(10)]
    assert sorted(r["planned_for"] for r in missed) == [t.isoformat() for t in expected]
    assert {r["started_at"] for r in missed} == {at(DAY3, 10).isoformat()}
    day3 = [r for r in probes if r["started_at"].startswith(DAY3.isoformat()) and r["status"] == "ok"]
    assert [datetime.fromisoformat(r["planned_for"]).hour for r in day3] == list(range(10, 24))
    assert all(r["figures"]["sites"] == 15 for r in day3)


def test_spot_checks_after_the_restart_are_drawn_for_the_rest_of_the_day(simulated):
    [plan] = [r for r in runs_of(simulated, "spot_checks") if r["started_at"].startswith(DAY3.isoformat())
              and r["status"] == "ok"]
    assert plan["planned_for"] == at(DAY3, 0, 1).isoformat() and plan["figures"]["planned"] == 2
    visits = [r for r in simulated.runs if r["kind"] == "spot_visit" and r["started_at"].startswith(DAY3.isoformat())]
    assert len(visits) == 2
    assert all(at(DAY3, 10) < datetime.fromisoformat(v["planned_for"]) <= at(DAY3, 17, 30) for v in visits)


def test_the_weekly_report_is_written_on_its_day(simulated):
    [report] = runs_of(simulated, "weekly_report")
    assert (report["planned_for"], report["status"]) == (at(DAY3, 17).isoformat(), "ok")
    index = (simulated.out / "report" / "index.html").read_text(encoding="utf-8")
    assert "政务公开" in index and DAY3.isoformat() in index
    assert (simulated.out / "report" / "board.html").exists()


def test_a_second_scheduler_refuses_while_one_runs(simulated):
    assert simulated.lock_held_while_running
    assert simulated.second_scheduler.returncode == EXIT_ALREADY_RUNNING
    assert "调度器已在运行" in simulated.second_scheduler.stderr


# ---------------------------------------------------------------- a sweep that crashes, one that hangs


class Hanging(BaseHTTPRequestHandler):
    """Answers at once, except on the days in `hang_on` (the simulated day is set by the test's clock)."""

    today: date = DAY1
    hang_on: set[date] = set()
    release = threading.Event()

    def do_GET(self):  # noqa: N802
        if Hanging.today in Hanging.hang_on:
            Hanging.release.wait(120)
        body = "<html><body><ul><li><a href='/tzgg/1.html'>关于开展检查的通知</a><span>2026-11-20</span></li></ul></body></html>".encode()
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass

    def log_message(self, *args):
        pass


def hanging_unit(tmp_path: Path, site: str, schedule: str) -> Path:
    """A one-unit catalog on a Hanging site (its requests wait a minute before failing) and a schedule file."""
    (tmp_path / "schedules").mkdir()
    (tmp_path / "schedules" / "s.toml").write_text(schedule, encoding="utf-8")
    return one_unit_catalog(tmp_path / "catalog.toml", site, [("tzgg", "通知公告", site + "tzgg/")],
                            monitor="download_timeout = 60")


def test_a_crashed_and_a_hung_sweep_are_recorded_as_failed_and_the_next_day_runs(tmp_path):
    days = [END - timedelta(days=2), END - timedelta(days=1), END]
    Hanging.hang_on, Hanging.release = set(days[:2]), threading.Event()
    with serve_loopback(Hanging, "127.0.0.63") as port:
        catalog = hanging_unit(tmp_path, f"http://127.0.0.63:{port}/",
                               '[jobs.daily]\nkind = "sweep"\ncron = "0 6 * * *"\ntime_limit = "8s"\n')
        db = tmp_path / "monitor.db"

        def new_day(day: date) -> None:
            Hanging.today = day

        sim = SimClock(at(days[0], 0), on_new_day=new_day)
        runtime = jobs.Runtime(sim, db, catalog, kill_grace=2)
        killed: list[int] = []

        def kill_first_sweep() -> None:  # the crash: SIGKILL on day 1's sweep while it hangs
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                with Store(db) as store:  # mid-crawl: the child has begun its sweep and waits on the site
                    crawling = store._rows("select pid from sweeps where status = 'running'")
                if crawling:
                    os.kill(crawling[0]["pid"], signal.SIGKILL)
                    killed.append(crawling[0]["pid"])
                    return
                time.sleep(0.2)

        killer = threading.Thread(target=kill_first_sweep)
        killer.start()
        with scheduler.running(runtime, load_schedules(tmp_path / "schedules"), until=at(days[-1], 23)) as s:
            assert s.finished.wait(timeout=300)
        killer.join()
        Hanging.release.set()
    runs = Store(db).job_runs("daily")
    assert [(r["planned_for"][:10], r["status"]) for r in runs] == [
        (days[0].isoformat(), "crashed"), (days[1].isoformat(), "timeout"), (days[2].isoformat(), "ok")]
    assert runs[0]["pid"] == killed[0] and "信号 9" in runs[0]["message"]
    assert "超过时限 8 秒" in runs[1]["message"]
    with Store(db) as store:
        sweeps = store._rows("select as_of, status from sweeps order by id")
    assert sweeps == [{"as_of": days[0].isoformat(), "status": "failed"}, {"as_of": days[1].isoformat(), "status": "failed"},
                      {"as_of": days[2].isoformat(), "status": "finished"}]
    assert not locks.is_held(db, "sweep")


def test_a_sweep_stopped_with_the_scheduler_is_made_again_when_it_restarts_within_its_grace(tmp_path):
    day = END
    Hanging.hang_on, Hanging.today = {day}, day
    Hanging.release = threading.Event()
    with serve_loopback(Hanging, "127.0.0.64") as port:
        catalog = hanging_unit(tmp_path, f"http://127.0.0.64:{port}/",
                               '[jobs.daily]\nkind = "sweep"\ncron = "30 6 * * *"\ntime_limit = "1h"\nmisfire_grace = "8h"\n')
        specs = load_schedules(tmp_path / "schedules")
        db = tmp_path / "monitor.db"
        runtime = jobs.Runtime(SimClock(at(day, 6)), db, catalog, kill_grace=2)
        with scheduler.running(runtime, specs, until=at(day, 23)):
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:  # the sweep is crawling (and hangs on the site)
                with Store(db) as store:
                    if store._rows("select id from sweeps where status = 'running'"):
                        break
                time.sleep(0.2)
            else:
                pytest.fail("the sweep never began")
        # stopped (systemctl restart); back an hour later, the site answering again
        Hanging.hang_on = set()
        Hanging.release.set()
        runtime = jobs.Runtime(SimClock(at(day, 7, 30)), db, catalog)
        with scheduler.running(runtime, specs, until=at(day, 23)) as s:
            assert s.finished.wait(timeout=300)
    runs = Store(db).job_runs("daily")
    assert [(r["status"], r["started_at"]) for r in runs] == [
        ("interrupted", at(day, 6, 30).isoformat()), ("ok", at(day, 7, 30).isoformat())]
    assert "调度器停止" in runs[0]["message"]
    with Store(db) as store:
        assert store._rows("select as_of, status from sweeps order by id") == [
            {"as_of": day.isoformat(), "status": "failed"}, {"as_of": day.isoformat(), "status": "finished"}]
    assert [j["id"] for j in scheduler.planned_jobs(db)] == ["daily"]  # the one-off rerun is gone, the job stays
