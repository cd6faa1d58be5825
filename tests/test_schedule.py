"""The scheduler's parts that need no crawl: job files, locks, the host gate, spot-check draws, probe spread,
and a real ``schedule run`` process refusing a second one on the same store."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from datetime import date, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from conftest import REPO, one_unit_catalog, serve_loopback
from monitor.clock import SHANGHAI
from monitor.config import load_catalog
from monitor.errors import CatalogError
from monitor.hostgate import HostGate, host_key
from monitor.jobs import draw_spot_checks, probe_offsets
from monitor.locks import EXIT_ALREADY_RUNNING, AlreadyRunning, hold, is_held
from monitor.probe import probe_sites
from monitor.schedule_spec import crontab_weekdays, fires_on, load_schedules, seconds
from monitor.store import Store


def write_jobs(folder: Path, body: str, name: str = "jobs.toml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def monitor_cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "monitor", *args], capture_output=True, text=True, cwd=REPO,
                          timeout=timeout)


# ---------------------------------------------------------------- job files


def test_the_bundled_office_schedule_loads_with_24_probe_rounds_a_day():
    specs = {s.name: s for s in load_schedules(REPO / "schedules")}
    assert {s.kind for s in specs.values()} == {"sweep", "report", "probe", "reminders", "spot_check"}
    monday = datetime(2026, 11, 30, tzinfo=SHANGHAI)
    for k in range(7):
        assert len(fires_on(specs["probes"].cron, monday + timedelta(days=k))) == 24
    assert specs["daily_sweep"].time_limit == 6 * 3600
    assert specs["probes"].settings == {"spread": 3000.0, "timeout": 15}


def test_crontab_weekdays_are_read_as_crontab_not_as_apscheduler_3():
    assert crontab_weekdays("1-5") == "mon,tue,wed,thu,fri"
    assert crontab_weekdays("0") == crontab_weekdays("7") == "sun"
    sunday, monday = datetime(2026, 11, 29, tzinfo=SHANGHAI), datetime(2026, 11, 30, tzinfo=SHANGHAI)
    assert fires_on("30 6 * * 1-5", sunday) == []
    assert fires_on("30 6 * * 1-5", monday) == [monday.replace(hour=6, minute=30)]
    assert fires_on("0 12 * * 0", sunday) == [sunday.replace(hour=12)]


def test_durations():
    assert seconds("90s") == 90 and seconds("15m") == 900 and seconds("1h30m") == 5400 and seconds(7) == 7
    with pytest.raises(ValueError):
        seconds("soon")


BROKEN = [
    ('[jobs.a]\nkind = "sweep"\ncron = "30 25 * * *"\n', ["job 'a'", "field 'cron'"]),
    ('[jobs.a]\nkind = "sweep"\ncron = "30 6 * *"\n', ["job 'a'", "field 'cron'", "5 fields"]),
    ('[jobs.a]\nkind = "sweep"\ncron = "30 6 * * 1/2"\n', ["job 'a'", "field 'cron'", "weekday steps"]),
    ('[jobs.a]\nkind = "sweep"\ncron = "30 6 * * *"\ncolour = "red"\n', ["job 'a'", "field 'colour'"]),
    ('[jobs.a]\nkind = "crawl"\ncron = "30 6 * * *"\n', ["job 'a'", "field 'kind'"]),
    ('[jobs.a]\nkind = "sweep"\n', ["job 'a'", "field 'cron'"]),
    ('[jobs.p]\nkind = "probe"\ncron = "0 */2 * * *"\n', ["job 'p'", "field 'cron'", "at least 20"]),
    ('[jobs.p]\nkind = "probe"\ncron = "0 * * * 1-5"\n', ["job 'p'", "field 'cron'", "0 rounds"]),
    ('[jobs.p]\nkind = "probe"\ncron = "0 * * * *"\nspread = "70m"\n', ["job 'p'", "field 'spread'"]),
    ('[jobs.p]\nkind = "probe"\ncron = "0 * * * *"\ntimeout = 30\n', ["job 'p'", "field 'timeout'"]),
    ('[jobs.p]\nkind = "probe"\ncron = "0 * * * *"\ntime_limit = "1h"\n', ["job 'p'", "time_limit"]),
    ('[jobs.a]\nkind = "sweep"\ncron = "30 6 * * *"\nout = "x"\n', ["job 'a'", "'out' is not a setting of a sweep"]),
    ('[jobs.s]\nkind = "spot_check"\ncron = "1 0 * * *"\nhours = "17:00-09:00"\n', ["job 's'", "field 'hours'"]),
    ('[jobs.s]\nkind = "spot_check"\ncron = "1 0 * * *"\nchecks = 0\n', ["job 's'", "field 'checks'"]),
    ('[jobs.a]\nkind = "sweep"\ncron = "30 6 * * *"\njitter = "soon"\n', ["job 'a'", "field 'jitter'"]),
    ('[jobs.a]\nkind = "sweep"\ncron = "0 7 1,15 * 1"\n', ["job 'a'", "field 'cron'", "use two jobs"]),
    ('[jobs.a]\nkind = "sweep"\ncron = "30 6 * * *"\nmisfire_grace = "0s"\n', ["job 'a'", "at least one second"]),
    ('[jobs.Daily]\nkind = "sweep"\ncron = "30 6 * * *"\n', ["job 'Daily'", "lower-case"]),
    ('[jobs]\na = 1\n', ["job 'a'", "expected a table"]),
    ('[job.a]\nkind = "sweep"\n', ["unknown table 'job'"]),
    ('[jobs.a\nkind = "sweep"\n', ["not valid TOML"]),
]


@pytest.mark.parametrize("body, words", BROKEN, ids=[str(i) for i in range(len(BROKEN))])
def test_a_broken_job_file_names_the_file_the_job_and_the_field(tmp_path, body, words):
    path = write_jobs(tmp_path / "schedules", body)
    with pytest.raises(CatalogError) as err:
        load_schedules(path.parent)
    assert str(path) in str(err.value)
    for word in words:
        assert word in str(err.value)


def test_a_job_file_that_is_not_utf8_and_a_name_used_twice(tmp_path):
    folder = tmp_path / "schedules"
    folder.mkdir()
    (folder / "gbk.toml").write_bytes('[jobs.a]\nkind = "sweep"\ncron = "30 6 * * *"  # 每日\n'.encode("gbk"))
    with pytest.raises(CatalogError, match="not UTF-8"):
        load_schedules(folder)
    (folder / "gbk.toml").unlink()
    first = write_jobs(folder, '[jobs.a]\nkind = "sweep"\ncron = "30 6 * * *"\n', "a.toml")
    second = write_jobs(folder, '[jobs.a]\nkind = "report"\ncron = "0 7 * * 1"\n', "b.toml")
    with pytest.raises(CatalogError) as err:
        load_schedules(folder)
    assert str(second) in str(err.value) and str(first) in str(err.value)


def test_a_disabled_job_is_checked_but_not_scheduled(tmp_path):
    folder = tmp_path / "schedules"
    write_jobs(folder, '[jobs.a]\nkind = "sweep"\ncron = "30 6 * * *"\nenabled = false\n'
                       '[jobs.b]\nkind = "reminders"\ncron = "0 9 * * *"\n')
    assert [s.name for s in load_schedules(folder)] == ["b"]


# ---------------------------------------------------------------- locks


def test_a_lock_is_held_once_and_names_its_holder(tmp_path):
    db = tmp_path / "monitor.db"
    with hold(db, "sweep"):
        assert is_held(db, "sweep")
        assert not is_held(db, "scheduler")
        with pytest.raises(AlreadyRunning, match=f"pid {os.getpid()}"):
            with hold(db, "sweep"):
                pass
    assert not is_held(db, "sweep")


def test_a_killed_holder_leaves_no_stale_lock(tmp_path):
    db = tmp_path / "monitor.db"
    code = f"from monitor.locks import hold; import time\nwith hold({str(db)!r}, 'sweep'):\n print('held', flush=True); time.sleep(60)"
    child = subprocess.Popen([sys.executable, "-c", code], cwd=REPO, stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "held"
    assert is_held(db, "sweep")
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert not is_held(db, "sweep")


class Quiet(BaseHTTPRequestHandler):
    arrivals: list[float] = []

    def do_GET(self):  # noqa: N802
        Quiet.arrivals.append(time.time())
        body = "<html><body><ul><li><a href='/a/1.html'>通知</a><span>2026-11-20</span></li></ul></body></html>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_a_second_sweep_is_refused_while_one_runs_but_a_spot_check_is_not(tmp_path):
    with serve_loopback(Quiet, "127.0.0.61") as port:
        site = f"http://127.0.0.61:{port}"
        catalog = one_unit_catalog(tmp_path / "catalog.toml", site + "/", [("tzgg", "通知公告", site + "/tzgg/")])
        db = tmp_path / "monitor.db"
        write_jobs(tmp_path / "schedules", '[jobs.daily]\nkind = "sweep"\ncron = "30 6 * * *"\n')
        with hold(db, "sweep"):
            refused = monitor_cli("sweep", "--config", str(catalog), "--db", str(db), "--quiet")
            by_scheduler = monitor_cli("schedule", "run-now", "daily", "--schedules", str(tmp_path / "schedules"),
                                       "--config", str(catalog), "--db", str(db))
            spot = monitor_cli("sweep", "--config", str(catalog), "--db", str(db), "--quiet", "--columns", "bureau/tzgg")
    assert refused.returncode == EXIT_ALREADY_RUNNING, refused.stderr
    assert "全面巡检已在运行" in refused.stderr and f"pid {os.getpid()}" in refused.stderr
    assert by_scheduler.returncode == EXIT_ALREADY_RUNNING, by_scheduler.stdout + by_scheduler.stderr
    assert "job=daily kind=sweep end status=refused" in by_scheduler.stderr
    assert spot.returncode == 0, spot.stderr
    store = Store(db)
    [run] = store.job_runs("daily")
    assert (run["status"], run["trigger"]) == ("refused", "manual") and "全面巡检已在运行" in run["message"]
    sweeps = store._rows("select kind, status from sweeps order by id")
    assert sweeps == [{"kind": "spot", "status": "finished"}]  # the refused ones began nothing


def test_a_second_scheduler_on_the_same_store_refuses_to_start(tmp_path):
    schedules = write_jobs(tmp_path / "schedules", '[jobs.reminders]\nkind = "reminders"\ncron = "0 9 * * *"\n').parent
    db = tmp_path / "monitor.db"
    args = [sys.executable, "-m", "monitor", "schedule", "run", "--schedules", str(schedules), "--db", str(db)]
    first = subprocess.Popen(args, cwd=REPO, stderr=subprocess.PIPE, text=True)
    try:
        lines = []
        while not any("scheduler started" in line for line in lines):
            line = first.stderr.readline()
            assert line, "".join(lines)
            lines.append(line)
        assert any("job=reminders next=" in line for line in lines), lines
        second = subprocess.run(args, cwd=REPO, capture_output=True, text=True, timeout=60)
        assert second.returncode == EXIT_ALREADY_RUNNING
        assert "调度器已在运行" in second.stderr and f"pid {first.pid}" in second.stderr
        listed = monitor_cli("schedule", "list", "--schedules", str(schedules), "--db", str(db))
        assert listed.returncode == 0 and "reminders" in listed.stdout and "尚未运行" in listed.stdout
        assert "调度器尚未启动" not in listed.stdout  # the next run comes from the job store
    finally:
        first.send_signal(signal.SIGTERM)
        rest = first.communicate(timeout=60)[1]
    assert first.returncode == 0, rest
    assert "scheduler stopped" in rest
    assert not is_held(db, "scheduler")


# ---------------------------------------------------------------- the host gate


def test_claims_on_one_host_are_spaced_by_the_gap_across_connections(tmp_path):
    db = tmp_path / "monitor.db"
    one, other = HostGate(db), HostGate(db)
    assert one.claim("a:80", 0.5, now=100.0) == 0
    assert other.claim("a:80", 0.5, now=100.0) == pytest.approx(0.5)
    assert one.claim("a:80", 0.5, now=100.2) == pytest.approx(0.8)
    assert other.claim("b:80", 0.5, now=100.2) == 0  # another host is free
    assert one.claim("a:80", 0.5, now=200.0) == 0  # long after: free again
    assert one.claim("a:80", 0, now=200.0) == 0


def test_probes_and_another_process_never_hit_one_host_at_once(tmp_path):
    """A crawl in another process and a probe round on the same host: requests start the gap apart (they
    arrive at least half of it apart, what a connection's setup may take off; without the gate the five
    probes alone arrive within milliseconds)."""
    gap = 0.4
    Quiet.arrivals = []
    with serve_loopback(Quiet, "127.0.0.62") as port:
        site = f"http://127.0.0.62:{port}/"
        path = one_unit_catalog(tmp_path / "catalog.toml", site, [("tzgg", "通知公告", site + "tzgg/")])
        path.write_text(path.read_text(encoding="utf-8").replace("download_delay = 0", f"download_delay = {gap * 2}"),
                        encoding="utf-8")
        catalog = load_catalog(path)
        db = tmp_path / "monitor.db"
        code = (f"import httpx\nfrom monitor.hostgate import HostGate\ng = HostGate({str(db)!r})\n"
                f"for _ in range(5):\n g.wait_turn({host_key(site)!r}, {gap}); httpx.get({site + 'tzgg/'!r})")
        other = subprocess.Popen([sys.executable, "-c", code], cwd=REPO)
        unit = catalog.units[0]
        now = datetime.now(SHANGHAI)
        records = probe_sites(catalog, db, [(unit, now)] * 5, timeout=5)
        assert other.wait(timeout=60) == 0
    assert [r["outcome"] for r in records] == ["ok"] * 5
    arrivals = sorted(Quiet.arrivals)
    assert len(arrivals) == 10
    assert min(b - a for a, b in zip(arrivals, arrivals[1:])) >= gap / 2


# ---------------------------------------------------------------- spot checks and probe spread


def test_spot_checks_are_drawn_within_the_hours_after_now_from_the_catalog():
    catalog = load_catalog(None)  # the demo catalog
    columns = {u.slug: {c.id for c in u.columns} for u in catalog.units}
    day = date(2026, 11, 30)
    settings = {"checks": 3, "hours": "09:00-17:30", "units": 2, "columns": 2}
    after = datetime(2026, 11, 30, 12, 0, tzinfo=SHANGHAI)
    seen_units: set[str] = set()
    for seed in range(30):
        plan = draw_spot_checks(catalog, random.Random(seed), day, settings, after=after)
        times = [at for at, _ in plan]
        assert len(plan) == 3 and times == sorted(set(times))
        assert all(after < at <= datetime(2026, 11, 30, 17, 30, tzinfo=SHANGHAI) for at in times)
        for _, sample in plan:
            assert len(sample) == 2
            for unit, ids in sample.items():
                assert 1 <= len(ids) <= 2 and set(ids) <= columns[unit]
                seen_units.add(unit)
    assert len(seen_units) >= 10  # a random sample, not the same units every day
    late = datetime(2026, 11, 30, 18, 0, tzinfo=SHANGHAI)
    assert draw_spot_checks(catalog, random.Random(1), day, settings, after=late) == []


def test_probe_offsets_spread_sites_over_the_window_and_keep_each_sites_minute():
    catalog = load_catalog(None)
    slugs = [u.slug for u in catalog.units]
    offsets = probe_offsets(slugs, 3000)
    assert offsets == probe_offsets(list(reversed(slugs)), 3000)  # each site's own, whatever the order
    assert all(0 <= o < 3000 for o in offsets.values())
    assert len({int(o // 60) for o in offsets.values()}) >= len(slugs) * 2 // 3  # not all in the same minute


def test_a_new_scheduler_marks_the_runs_a_killed_one_left_running_as_interrupted(tmp_path):
    from monitor import jobs, scheduler
    from monitor.schedule_clock import SimClock

    db = tmp_path / "monitor.db"
    start = datetime(2026, 11, 30, 8, 0, tzinfo=SHANGHAI)
    with Store(db) as store:
        left = store.begin_job_run("daily", "sweep", "schedule", start, start)
        by_hand = store.begin_job_run("daily", "sweep", "manual", start, start)  # another process's: not touched
    specs = load_schedules(write_jobs(tmp_path / "schedules", '[jobs.r]\nkind = "reminders"\ncron = "0 9 * * *"\n').parent)
    runtime = jobs.Runtime(SimClock(start), db, REPO / "monitor" / "demo" / "catalog.toml")
    with scheduler.running(runtime, specs, until=start + timedelta(hours=2)) as s:
        assert s.finished.wait(timeout=60)
    with Store(db) as store:
        assert store.job_run(left)["status"] == "interrupted" and "中断" in store.job_run(left)["message"]
        assert store.job_run(by_hand)["status"] == "running"
        assert [(r["status"], r["planned_for"]) for r in store.job_runs("r")] == [("ok", "2026-11-30T09:00:00+08:00")]


def test_a_restart_keeps_unchanged_jobs_replaces_changed_ones_and_drops_removed_ones(tmp_path):
    from monitor import jobs, scheduler
    from monitor.schedule_clock import SimClock

    db, catalog = tmp_path / "monitor.db", REPO / "monitor" / "demo" / "catalog.toml"
    folder = tmp_path / "schedules"
    write_jobs(folder, '[jobs.kept]\nkind = "reminders"\ncron = "0 9 * * *"\n'
                       '[jobs.changed]\nkind = "reminders"\ncron = "0 10 * * *"\n'
                       '[jobs.gone]\nkind = "reminders"\ncron = "0 11 * * *"\n')
    start = datetime(2026, 11, 30, 8, 0, tzinfo=SHANGHAI)
    with scheduler.running(jobs.Runtime(SimClock(start), db, catalog), load_schedules(folder), until=start) as s:
        assert s.finished.wait(timeout=60)
    write_jobs(folder, '[jobs.kept]\nkind = "reminders"\ncron = "0 9 * * *"\n'
                       '[jobs.changed]\nkind = "reminders"\ncron = "30 12 * * *"\n')
    later = start + timedelta(hours=3)  # 11:00: kept's 09:00 is due, changed's new time is not
    with scheduler.running(jobs.Runtime(SimClock(later), db, catalog), load_schedules(folder), until=later) as s:
        assert s.finished.wait(timeout=60)
    stored = {j["id"]: j for j in scheduler.planned_jobs(db)}
    assert set(stored) == {"kept", "changed"}
    assert stored["changed"]["next"] == datetime(2026, 11, 30, 12, 30, tzinfo=SHANGHAI)
    with Store(db) as store:
        assert [(r["planned_for"], r["status"]) for r in store.job_runs("kept")] == [("2026-11-30T09:00:00+08:00", "ok")]
        assert store.job_runs("gone") == [] and store.job_runs("changed") == []


def _units_catalog(path: Path, sites: dict[str, str]) -> Path:
    units = "\n".join(f'''
[[units]]
slug = "{slug}"
name = "{slug}局"
site = "{site}"
columns = [{{ id = "gzdt", name = "工作动态", url = "{site}gzdt/", rule = "长期" }}]''' for slug, site in sites.items())
    path.write_text(f"[monitor]\ndownload_delay = 0\n{units}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("answering", [["b", "c", "d", "e"], []], ids=["one-site-down", "monitor-network-down"])
def test_a_spread_round_blames_a_site_only_when_witnesses_answer(tmp_path, answering):
    """A round spread over its window asks few sites at a time: a site that cannot be reached is checked
    against sites on other hosts asked at that moment. One site down: it failed. Nothing answers (the monitor's
    own network): no site is charged."""
    from monitor import jobs
    from monitor.schedule_clock import SystemClock

    ips = {slug: f"127.0.0.{70 + k}" for k, slug in enumerate("abcde")}
    with serve_loopback(Quiet, *[ips[s] for s in answering] or ["127.0.0.69"]) as port:
        catalog = _units_catalog(tmp_path / "catalog.toml", {s: f"http://{ip}:{port}/" for s, ip in ips.items()})
        db = tmp_path / "monitor.db"
        runtime = jobs.Runtime(SystemClock(), db, catalog)
        status = jobs.execute(runtime, "probes", "probe", {"spread": 2.0, "timeout": 2}, None, "manual", None)
    assert status == "ok"
    with Store(db) as store:
        outcomes = {r["unit"]: r["outcome"] for r in store._rows("select unit, outcome from probes")}
        [run] = store.job_runs("probes")
    if answering:
        assert outcomes == {"a": "failed", "b": "ok", "c": "ok", "d": "ok", "e": "ok"}
    else:
        assert outcomes == dict.fromkeys("abcde", "monitor_error")
    assert run["figures"]["sites"] == 5  # the witnesses' own probes are not stored
