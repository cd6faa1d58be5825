"""The scheduled work: what each kind of job does when it fires, and the record it leaves.

Every run, scheduled or started by hand, writes a ``job_runs`` row (planned time, real start and end,
status, figures) and two log lines an operator can read, one at the start and one at the end::

    job=daily_sweep kind=sweep start trigger=schedule planned=2026-11-30T06:30:00+08:00
    job=daily_sweep kind=sweep end status=ok took=312.4s as_of=2026-11-30 sweep=41 units=15 columns=104 late=3 notices=1 sweep_status=finished

- ``sweep`` and ``report`` run ``python -m monitor sweep|report`` as a child process in a session of its
  own, with a time limit: Twisted's reactor cannot restart, and a sweep that hangs or crashes must not
  take the scheduler with it. Past its limit the child's process group gets SIGTERM, then SIGKILL; the run
  is ``timeout``, a child killed by a signal ``crashed``, any other exit ``failed``, and the sweep rows it
  left running are marked failed. A sweep refused because another holds the lock is ``refused``. When the
  scheduler stops, a running child is stopped the same way and the run is ``interrupted``; the next
  scheduler runs it again at once if its time is still within its grace (monitor.scheduler).
- ``probe`` probes every unit's site once per round, each site at its own fixed offset within ``spread``
  (the same minute every hour), so that a province's sites are not all asked at once. A site that cannot
  be reached is checked against witnesses asked at that moment (monitor.probe.confirm_with_witnesses): if
  they cannot be reached either, the monitor's network is at fault, not the site. Each slot is stored as
  soon as it is probed.
- ``reminders`` queues and sends the day's notice messages (monitor.notify).
- ``spot_check`` draws the day's unannounced checks (暗访): random times within ``hours``, each a random
  sample of units and of their columns, added to the job store as one-off ``spot_visit`` jobs; a visit
  reads just those columns (``monitor sweep --columns``). Started by hand, it visits at once.

A job reads the catalog afresh each time, so a catalog edit needs no restart.
"""

from __future__ import annotations

import logging
import os
import random
import signal
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from monitor.clock import SHANGHAI
from monitor.locks import EXIT_ALREADY_RUNNING
from monitor.schedule_spec import window_of
from monitor.store import Store

log = logging.getLogger("monitor.schedule")
KILL_GRACE = 20.0  # seconds between SIGTERM and SIGKILL
STATUS_WORDS = {"running": "运行中", "ok": "成功", "failed": "失败", "timeout": "超时（已终止）", "crashed": "进程崩溃",
                "interrupted": "被中断（调度器停止）",
                "refused": "未运行（已有同类任务在运行）", "missed": "错过（超出补跑宽限）"}


@dataclass
class Runtime:
    """What a scheduler (or ``schedule run-now``) gives the jobs of this process."""

    clock: Any  # monitor.schedule_clock.SystemClock or SimClock
    db_path: Path
    config_path: Path | None = None
    rng: random.Random = field(default_factory=random.SystemRandom)
    add_job: Callable[..., Any] | None = None  # the scheduler's add_job, for the spot checks' visits
    planned: dict[str, datetime] = field(default_factory=dict)  # job id → the run time being run
    submitted: dict[str, dict[str, Any]] = field(default_factory=dict)  # job id → its kwargs, when last submitted
    children: set[subprocess.Popen] = field(default_factory=set)
    kill_grace: float = KILL_GRACE
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def simulated(self) -> bool:
        return self.clock.simulated

    def stop_children(self) -> None:
        with self.lock:
            children = list(self.children)
        for child in children:
            _signal_group(child, signal.SIGTERM)


RUNTIME: Runtime | None = None  # set by the scheduler of this process


def scheduled(job_id: str, name: str, kind: str, settings: dict[str, Any], time_limit: float | None,
              **definition: Any) -> None:
    """The job store's entry point (``monitor.jobs:scheduled``); `definition` (cron, jitter, grace) is kept
    only so that an edited file is seen as a changed job."""
    rt = RUNTIME
    if rt is None:
        raise RuntimeError("no scheduler runtime in this process")
    execute(rt, name, kind, settings, time_limit, "schedule", rt.planned.pop(job_id, None))


def execute(rt: Runtime, name: str, kind: str, settings: dict[str, Any], time_limit: float | None,
            trigger: str, planned_for: datetime | None) -> str:
    """Run one job, record it, log its start and end; the run's status. Never raises."""
    store = Store(rt.db_path)
    started, t0 = rt.clock.now(), time.monotonic()
    run_id = store.begin_job_run(name, kind, trigger, planned_for, started)
    planned = f" planned={planned_for.isoformat(timespec='seconds')}" if planned_for else ""
    log.info("job=%s kind=%s start trigger=%s%s", name, kind, trigger, planned)
    figures: dict[str, Any] = {}
    try:
        status, figures, message = RUNNERS[kind](rt, run_id, store, settings, time_limit, planned_for or started)
    except Exception as exc:  # noqa: BLE001 - a job's failure is recorded; the scheduler goes on
        log.exception("job=%s kind=%s crashed inside the scheduler", name, kind)
        status, message = "failed", f"{type(exc).__name__}: {exc}"
    store.finish_job_run(run_id, status, rt.clock.now(), figures, message)
    store.close()
    words = " ".join(f"{k}={v}" for k, v in figures.items() if not isinstance(v, (dict, list)))
    log.info("job=%s kind=%s end status=%s took=%.1fs %s%s", name, kind, status, time.monotonic() - t0, words,
             f" message={message!r}" if message and status != "ok" else "")
    return status


def _record_not_run(rt: Runtime, name: str, kind: str, planned_for: datetime | None, status: str, message: str) -> None:
    with Store(rt.db_path) as store:
        now = rt.clock.now()
        run_id = store.begin_job_run(name, kind, "schedule", planned_for, now, status=status)
        store.finish_job_run(run_id, status, now, None, message)


def record_missed(rt: Runtime, name: str, kind: str, planned_for: datetime) -> None:
    """A run that came later than its misfire grace (the scheduler was down): not run, but on record."""
    _record_not_run(rt, name, kind, planned_for, "missed", f"计划于 {planned_for.isoformat(timespec='seconds')}，超出补跑宽限")
    log.warning("job=%s kind=%s missed planned=%s", name, kind, planned_for.isoformat(timespec="seconds"))


def refused_busy(rt: Runtime, name: str, kind: str, planned_for: datetime | None) -> None:
    """A run not started because the job's previous run still runs."""
    _record_not_run(rt, name, kind, planned_for, "refused", "上一次运行尚未结束")
    log.warning("job=%s kind=%s refused reason=previous-run-still-running", name, kind)


# ---------------------------------------------------------------- child processes


def _monitor_argv(rt: Runtime, *args: str) -> list[str]:
    argv = [sys.executable, "-m", "monitor", *args, "--db", str(rt.db_path)]
    return argv + (["--config", str(rt.config_path)] if rt.config_path else [])


def run_child(rt: Runtime, run_id: int, store: Store, argv: list[str], limit: float | None) -> tuple[str, int | None, str]:
    """Run a monitor command in its own session, within `limit` seconds: (status, exit code, output tail)."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    child = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
                             env=env, cwd=os.getcwd())
    with rt.lock:
        rt.children.add(child)
    store.job_run_pid(run_id, child.pid)
    deadline = None if limit is None else time.monotonic() + limit
    try:
        try:
            while True:  # in steps, to see the scheduler stopping
                step = 1.0 if deadline is None else max(0.0, min(1.0, deadline - time.monotonic()))
                try:
                    out, _ = child.communicate(timeout=step)
                    # ended by the scheduler's SIGTERM within this step: stopped, not failed
                    status = "stopped" if rt.clock.stopping.is_set() and child.returncode != 0 else "ok"
                    break
                except subprocess.TimeoutExpired:
                    if rt.clock.stopping.is_set():
                        status = "stopped"
                        raise
                    if deadline is not None and time.monotonic() >= deadline:
                        status = "timeout"
                        raise
        except subprocess.TimeoutExpired:
            _signal_group(child, signal.SIGTERM)
            try:
                out, _ = child.communicate(timeout=rt.kill_grace)
            except subprocess.TimeoutExpired:
                _signal_group(child, signal.SIGKILL)
                out, _ = child.communicate()
    finally:
        with rt.lock:
            rt.children.discard(child)
    rc = child.returncode
    if status == "ok":
        status = ("ok" if rc == 0 else "refused" if rc == EXIT_ALREADY_RUNNING
                  else "crashed" if rc is not None and rc < 0 else "failed")
    if status not in ("ok", "refused"):
        store.fail_sweeps_of(child.pid, "failed")
    whole = (out or b"").decode("utf-8", "replace")
    log = child_log(rt, run_id)
    try:  # all of it, for a person: the run's line keeps the figures and the tail only
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text(whole, encoding="utf-8")
    except OSError as exc:
        print(f"job log {log}: {exc}", file=sys.stderr)
    text = whole.strip()[-1500:]
    if status == "stopped":
        status, text = "interrupted", "调度器停止，运行被终止。" + text
    return status, rc, text


def child_log(rt: Runtime, run_id: int) -> Path:
    """Where a run's child process's whole output is kept: ``logs/job-<run id>.log`` beside the database."""
    return rt.db_path.parent / "logs" / f"job-{run_id}.log"


def output_figures(rt: Runtime, run_id: int, out: str) -> dict[str, Any]:
    """The log file's path, and how many error lines the output has (a run can end ok and still have some:
    a unit whose record could not be written fails the sweep, a pack that failed does not)."""
    errors = sum(1 for line in out.splitlines() if " ERROR: " in line or line.startswith("Traceback"))
    return {"log": str(child_log(rt, run_id)), **({"errors": errors} if errors else {})}


def _signal_group(child: subprocess.Popen, signum: int) -> None:
    try:
        os.killpg(child.pid, signum)
    except (ProcessLookupError, PermissionError):
        pass


def _sweep_figures(store: Store, run_id: int, after_id: int) -> dict[str, Any]:
    pid = store.job_run(run_id)["pid"]
    row = store.sweep_of_pid(pid, after_id) if pid else None
    if not row:
        return {}
    return {"sweep": row["id"], "units": row["units_done"], "columns": row["columns_checked"],
            "late": row["columns_late"], "notices": row["notices_opened"], "sweep_status": row["status"]}


def _child_result(status: str, rc: int | None, out: str, limit: float | None) -> str | None:
    if status in ("ok", "interrupted"):
        return None if status == "ok" else out
    if status == "timeout":
        return f"超过时限 {limit:g} 秒，已终止（进程组 SIGTERM/SIGKILL）；输出末尾：{out[-500:]}"
    if status == "crashed":
        return f"子进程被信号 {-(rc or 0)} 终止；输出末尾：{out[-500:]}"
    return f"退出码 {rc}：{out[-800:]}"


# ---------------------------------------------------------------- the kinds


def run_sweep(rt: Runtime, run_id: int, store: Store, settings: dict[str, Any], limit: float | None,
              planned: datetime) -> tuple[str, dict[str, Any], str | None]:
    """The daily sweep, as of today (a catch-up run reads today's pages, so it judges today)."""
    day = rt.clock.now().date()
    argv = _monitor_argv(rt, "sweep", "--quiet", "--as-of", day.isoformat())
    if rt.simulated:
        argv.append("--simulated-world")
    before = store.last_sweep_id()
    status, rc, out = run_child(rt, run_id, store, argv, limit)
    figures = {"as_of": day.isoformat(), **_sweep_figures(store, run_id, before), **output_figures(rt, run_id, out)}
    return status, figures, _child_result(status, rc, out, limit) or (out.splitlines()[-1] if out else None)


def run_report(rt: Runtime, run_id: int, store: Store, settings: dict[str, Any], limit: float | None,
               planned: datetime) -> tuple[str, dict[str, Any], str | None]:
    """The weekly report and the public board, as of today."""
    day = rt.clock.now().date()
    status, rc, out = run_child(rt, run_id, store, _monitor_argv(rt, "report", "--as-of", day.isoformat(),
                                                                  "--out", settings["out"]), limit)
    figures = {"as_of": day.isoformat(), "out": settings["out"], **output_figures(rt, run_id, out)}
    return status, figures, _child_result(status, rc, out, limit)


def probe_offsets(slugs: list[str], spread: float) -> dict[str, float]:
    """Each site's fixed offset (seconds) within a round: spread evenly, the same from round to round."""
    return {slug: (zlib.crc32(slug.encode()) / 2**32) * spread for slug in slugs}


def run_probe(rt: Runtime, run_id: int, store: Store, settings: dict[str, Any], limit: float | None,
              planned: datetime) -> tuple[str, dict[str, Any], str | None]:
    """One availability round, each site at its offset after the planned time."""
    from monitor.config import load_catalog
    from monitor.probe import confirm_with_witnesses, probe_sites

    catalog = load_catalog(rt.config_path)
    offsets = probe_offsets([u.slug for u in catalog.units], settings["spread"])
    slots: dict[float, list] = {}
    for unit in catalog.units:
        slots.setdefault(offsets[unit.slug], []).append(unit)
    records: list[dict[str, Any]] = []

    def probe_slot(jobs_at: list) -> list[dict[str, Any]]:  # probed, checked against witnesses, stored at once
        slot = probe_sites(catalog, rt.db_path, jobs_at, settings["timeout"])
        confirm_with_witnesses(catalog, rt.db_path, slot, settings["timeout"],
                               known_ok=[r["unit"] for r in records if r["outcome"] == "ok"])
        store.add_probes(slot)
        return slot

    if rt.simulated:  # simulated time stands still: every site at once, each recorded at its own slot
        records = probe_slot([(unit, planned + timedelta(seconds=offset)) for offset in sorted(slots)
                              for unit in slots[offset]])
    else:
        for offset in sorted(slots):
            if rt.clock.stopping.is_set():
                break
            at = rt.clock.sleep_until(planned + timedelta(seconds=offset))
            records += probe_slot([(unit, at) for unit in slots[offset]])
    counts = {k: sum(r["outcome"] == k for r in records) for k in ("ok", "failed", "blocked", "monitor_error")}
    times = [r["at"] for r in records]
    figures = {"sites": len(records), **counts, "first": min(times, default=""), "last": max(times, default="")}
    return "ok", figures, None


def run_reminders(rt: Runtime, run_id: int, store: Store, settings: dict[str, Any], limit: float | None,
                  planned: datetime) -> tuple[str, dict[str, Any], str | None]:
    """Queue the day's messages (issued, deadline near, overdue, escalated) and send what is due."""
    from monitor.config import load_catalog
    from monitor.notify import deliver, queue_for_day

    catalog = load_catalog(rt.config_path)
    now = rt.clock.now()
    queued = queue_for_day(store, catalog, now.date(), now=now)
    attempts = deliver(store, catalog, now=now)
    figures = {"queued": len(queued), "sent": sum(a.status == "sent" for a in attempts),
               "retrying": sum(a.status == "pending" for a in attempts), "failed": sum(a.status == "failed" for a in attempts)}
    return ("failed" if figures["retrying"] or figures["failed"] else "ok"), figures, None


def draw_spot_checks(catalog, rng: random.Random, day: date, settings: dict[str, Any],
                     after: datetime | None = None) -> list[tuple[datetime, dict[str, list[str]]]]:
    """The day's unannounced checks: `checks` random minutes within `hours` (after `after`), each a
    sample of `units` units and up to `columns` of each one's columns. Pure, given the random source."""
    start, end = window_of(settings["hours"])
    first = datetime.combine(day, start, SHANGHAI)
    minutes = int((datetime.combine(day, end, SHANGHAI) - first).total_seconds() // 60)
    if after is not None:
        skip = max(0, int((after - first).total_seconds() // 60) + 1)
        minutes, first = minutes - skip, first + timedelta(minutes=skip)
    units = [u for u in catalog.units if u.columns]
    if minutes <= 0 or not units:
        return []
    times = sorted(first + timedelta(minutes=m) for m in rng.sample(range(minutes), min(settings["checks"], minutes)))
    plan = []
    for at in times:
        sample = rng.sample(units, min(settings["units"], len(units)))
        plan.append((at, {u.slug: sorted(c.id for c in rng.sample(u.columns, min(settings["columns"], len(u.columns))))
                          for u in sorted(sample, key=lambda u: u.slug)}))
    return plan


def run_spot_check(rt: Runtime, run_id: int, store: Store, settings: dict[str, Any], limit: float | None,
                   planned: datetime) -> tuple[str, dict[str, Any], str | None]:
    """Scheduled: plan the day's visits. By hand (no scheduler): visit one sample now."""
    from monitor.config import load_catalog

    catalog = load_catalog(rt.config_path)
    now = rt.clock.now()
    if rt.add_job is None:  # run-now
        [(_, columns)] = draw_spot_checks(catalog, rt.rng, now.date(), {**settings, "checks": 1, "hours": "00:00-24:00"})
        return run_spot_visit(rt, run_id, store, {"columns": columns}, limit, now)
    job_name = store.job_run(run_id)["job"]
    plan = draw_spot_checks(catalog, rt.rng, now.date(), settings, after=now)
    for k, (at, columns) in enumerate(plan, 1):
        visit = f"{job_name}@{at:%Y%m%d-%H%M}-{k}"
        rt.add_job(visit, f"{job_name}@{at:%H:%M}", "spot_visit", {"columns": columns}, limit, at)
    return "ok", {"planned": len(plan), "columns": sum(len(c) for _, c in plan)}, None


def run_spot_visit(rt: Runtime, run_id: int, store: Store, settings: dict[str, Any], limit: float | None,
                   planned: datetime) -> tuple[str, dict[str, Any], str | None]:
    """One unannounced check: just the sampled columns, read now."""
    columns = settings["columns"]
    day = rt.clock.now().date()
    pairs = ",".join(f"{unit}/{col}" for unit, cols in sorted(columns.items()) for col in cols)
    argv = _monitor_argv(rt, "sweep", "--quiet", "--as-of", day.isoformat(), "--columns", pairs)
    if rt.simulated:
        argv.append("--simulated-world")
    before = store.last_sweep_id()
    status, rc, out = run_child(rt, run_id, store, argv, limit)
    figures = {"as_of": day.isoformat(), "units_sampled": len(columns), "columns_sampled": pairs.count(",") + 1,
               **_sweep_figures(store, run_id, before), **output_figures(rt, run_id, out)}
    return status, figures, _child_result(status, rc, out, limit)


RUNNERS = {"sweep": run_sweep, "report": run_report, "probe": run_probe, "reminders": run_reminders,
           "spot_check": run_spot_check, "spot_visit": run_spot_visit}
