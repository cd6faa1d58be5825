"""The long-running scheduler (APScheduler 3.x): jobs from ``schedules/*.toml``, kept in a SQLite job store.

- **Job store**: ``monitor.schedule.db`` beside the database (SQLAlchemy's SQLite job store, a file of its
  own so that the store's long writes never hold the scheduler up). A restart keeps every job and its next
  run. At start the files are compared with the store: a job whose definition is unchanged is kept as it
  is, so the runs it missed while the scheduler was down are seen; a changed one is replaced; one no longer
  in the files is removed.
- **Catch-up**: the runs a job missed coalesce into one, made at once if the newest missed time is within
  the job's ``misfire_grace``, else recorded as ``missed`` (job_runs) and the job waits for its next time.
- **One scheduler per store**: ``schedule run`` holds the scheduler lock (monitor.locks); a second one on
  the same database refuses to start. A second sweep is refused by the sweep lock, and a job whose previous
  run still runs is not started twice (``max_instances`` 1, recorded as ``refused``).
- **Load spread**: sweeps, reports and spot visits share one worker ("heavy"), so they queue rather than run
  together; probes and reminders run on a few light workers. ``jitter`` spreads a job's start, probes
  spread their sites over the round (monitor.jobs), and every request waits its host's turn on the host
  gate (monitor.hostgate).
- **Simulated time**: with a ``SimClock`` (monitor.schedule_clock) the same scheduler runs as a discrete-
  event simulation: it moves the clock to the next due job once every running job has finished.
"""

from __future__ import annotations

import logging
import pickle
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from apscheduler.events import (EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED,
                                EVENT_JOB_SUBMITTED)
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_PAUSED, STATE_STOPPED
from apscheduler.triggers.date import DateTrigger

from monitor import jobs, locks
from monitor.clock import SHANGHAI
from monitor.schedule_clock import SimClock, SystemClock, clocked
from monitor.schedule_spec import JobSpec
from monitor.store import Store

log = logging.getLogger("monitor.schedule")
HEAVY = ("sweep", "report", "spot_visit")
VISIT_GRACE = 3600.0  # a spot visit the scheduler could not make within an hour of its time is missed


def job_store_path(db_path: Path) -> Path:
    return Path(db_path).with_suffix(".schedule.db")


class _PlannedExecutor(ThreadPoolExecutor):
    """Tells a job which of its run times it is running (APScheduler 3 does not pass it)."""

    def __init__(self, runtime: jobs.Runtime, max_workers: int):
        super().__init__(max_workers)
        self._runtime = runtime

    def _do_submit_job(self, job, run_times):
        self._runtime.planned[job.id] = run_times[-1].astimezone(SHANGHAI)
        self._runtime.submitted[job.id] = job.kwargs  # a one-off visit leaves the job store once submitted
        super()._do_submit_job(job, run_times)


class SimulatedScheduler(BackgroundScheduler):
    """The scheduler's loop over a SimClock: run what is due, wait for it to finish, jump to the next time."""

    def __init__(self, sim: SimClock, until: datetime, **options: Any):
        super().__init__(**options)
        self.sim, self.until = sim, until
        self.finished = threading.Event()
        self._in_flight = self._submissions = 0
        self._flight = threading.Condition()

    def count_runs(self) -> None:
        """Listen last (after the listeners that record runs), so a run counts as done once recorded."""
        self.add_listener(self._count, EVENT_JOB_SUBMITTED | EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MISSED)

    def _count(self, event) -> None:
        with self._flight:
            if event.code == EVENT_JOB_SUBMITTED:
                self._in_flight += 1
                self._submissions += 1
            else:
                self._in_flight -= 1
            self._flight.notify_all()

    def _main_loop(self) -> None:
        while self.state != STATE_STOPPED:
            if self.state == STATE_PAUSED:
                self._event.wait()
                self._event.clear()
                continue
            before = self._submissions
            wait = self._process_jobs()
            with self._flight:
                self._flight.wait_for(lambda: self._in_flight <= 0 or self.state == STATE_STOPPED)
                ran = self._submissions > before
            if ran:
                continue  # the jobs that ran may have added jobs (spot visits): look again at the same time
            target = None if wait is None else self.sim.now().timestamp() + wait
            if target is None or target > self.until.timestamp():
                self.sim.advance_to(self.until)
                self.finished.set()
                self._event.wait()
                self._event.clear()
                continue
            self.sim.advance_to(datetime.fromtimestamp(target, SHANGHAI))


def build(runtime: jobs.Runtime, until: datetime | None = None) -> BackgroundScheduler:
    """An APScheduler over the job store of `runtime`'s database, its executors and listeners (not started)."""
    options = dict(
        jobstores={"default": SQLAlchemyJobStore(url=f"sqlite:///{job_store_path(runtime.db_path)}")},
        executors={"heavy": _PlannedExecutor(runtime, 1), "light": _PlannedExecutor(runtime, 4)},
        job_defaults={"coalesce": True, "max_instances": 1},
        timezone=SHANGHAI,
    )
    if isinstance(runtime.clock, SimClock):
        if until is None:
            raise ValueError("a simulated scheduler runs until a given time")
        scheduler: BackgroundScheduler = SimulatedScheduler(runtime.clock, until, **options)
    else:
        scheduler = BackgroundScheduler(**options)

    def on_missed(event) -> None:
        kwargs = runtime.submitted.get(event.job_id) or {"name": event.job_id, "kind": "?"}
        runtime.planned.pop(event.job_id, None)
        jobs.record_missed(runtime, kwargs["name"], kwargs["kind"], event.scheduled_run_time.astimezone(SHANGHAI))

    def on_busy(event) -> None:
        job = scheduler.get_job(event.job_id)
        if job:
            jobs.refused_busy(runtime, job.kwargs["name"], job.kwargs["kind"],
                              event.scheduled_run_times[-1].astimezone(SHANGHAI))

    scheduler.add_listener(on_missed, EVENT_JOB_MISSED)
    scheduler.add_listener(on_busy, EVENT_JOB_MAX_INSTANCES)
    if isinstance(scheduler, SimulatedScheduler):
        scheduler.count_runs()

    def add_visit(job_id: str, name: str, kind: str, settings: dict[str, Any], limit: float | None, at: datetime) -> None:
        if scheduler.state == STATE_STOPPED:  # it would only be queued in memory, and lost
            raise RuntimeError(f"the scheduler stopped before {job_id} could be kept")
        scheduler.add_job(jobs.scheduled, DateTrigger(at, timezone=SHANGHAI), id=job_id, name=name,
                          executor="heavy", misfire_grace_time=int(VISIT_GRACE), replace_existing=True,
                          kwargs={"job_id": job_id, "name": name, "kind": kind, "settings": settings, "time_limit": limit})

    runtime.add_job = add_visit
    return scheduler


def _kwargs(spec: JobSpec) -> dict[str, Any]:
    return {"job_id": spec.name, "name": spec.name, "kind": spec.kind, "settings": spec.settings,
            "time_limit": spec.time_limit, "cron": spec.cron, "jitter": spec.jitter, "grace": spec.misfire_grace}


def record_outage(runtime: jobs.Runtime, scheduler: BackgroundScheduler) -> int:
    """The runs missed while no scheduler ran: APScheduler coalesces them and runs (or reports) only the
    newest; every older one is recorded here as ``missed``, so a day without its sweep is on record."""
    now, count = runtime.clock.now(), 0
    for job in scheduler.get_jobs():
        when, missed = job.next_run_time, []
        while when is not None and when <= now:
            missed.append(when)
            when = job.trigger.get_next_fire_time(when, when + timedelta(seconds=1))
        for planned in missed[:-1]:
            jobs.record_missed(runtime, job.kwargs["name"], job.kwargs["kind"], planned.astimezone(SHANGHAI))
            count += 1
    return count


def rerun_interrupted(runtime: jobs.Runtime, scheduler: BackgroundScheduler, specs: list[JobSpec]) -> list[str]:
    """A sweep or report the last scheduler stopped in the middle runs again at once, if its planned time is
    still within its grace (a restart at 07:00 must not cost the day's sweep); the job ids it added."""
    now, added = runtime.clock.now(), []
    with Store(runtime.db_path) as store:
        last = store.last_job_runs()
    for spec in specs:
        run = last.get(spec.name)
        if spec.kind not in HEAVY or not run or run["status"] != "interrupted" or run["trigger"] != "schedule":
            continue
        planned = datetime.fromisoformat(run["planned_for"]) if run["planned_for"] else None
        if planned is None or (now - planned).total_seconds() > spec.misfire_grace:
            continue
        job_id = f"{spec.name}@rerun"
        scheduler.add_job(jobs.scheduled, DateTrigger(now, timezone=SHANGHAI), id=job_id, name=job_id,
                          executor="heavy", misfire_grace_time=int(spec.misfire_grace), replace_existing=True,
                          kwargs={**_kwargs(spec), "job_id": job_id})
        added.append(job_id)
    return added


def sync(scheduler: BackgroundScheduler, specs: list[JobSpec]) -> list[str]:
    """Make the store's jobs what the files say, keeping unchanged ones as they are; lines saying what changed."""
    lines: list[str] = []
    wanted = {spec.name: spec for spec in specs}
    for job in scheduler.get_jobs():
        planner = job.id.split("@", 1)[0]
        if planner not in wanted:
            scheduler.remove_job(job.id)
            lines.append(f"removed {job.id} (no longer in the schedule files)")
    for spec in specs:
        kwargs = _kwargs(spec)
        job = scheduler.get_job(spec.name)
        if job is not None and job.kwargs == kwargs:
            continue
        scheduler.add_job(jobs.scheduled, spec.trigger(), id=spec.name, name=spec.name, kwargs=kwargs,
                          executor="heavy" if spec.kind in HEAVY else "light",
                          misfire_grace_time=int(spec.misfire_grace), replace_existing=True)
        lines.append(f"{'changed' if job else 'added'} {spec.name} ({spec.kind}, cron {spec.cron!r})")
    return lines


@contextmanager
def running(runtime: jobs.Runtime, specs: list[JobSpec], until: datetime | None = None) -> Iterator[BackgroundScheduler]:
    """Hold the scheduler lock, start the scheduler with the files' jobs, and stop it (and its children) after."""
    with locks.hold(runtime.db_path, "scheduler"), (clocked(runtime.clock) if runtime.simulated else nullcontext()):
        with Store(runtime.db_path) as store:
            if interrupted := store.interrupted_runs(runtime.clock.now()):
                log.warning("schedule marked %d run(s) left running by a stopped scheduler as interrupted", interrupted)
        scheduler = build(runtime, until)
        jobs.RUNTIME = runtime
        scheduler.start(paused=True)
        try:
            for line in sync(scheduler, specs):
                log.info("schedule %s", line)
            if missed := record_outage(runtime, scheduler):
                log.warning("schedule recorded %d run(s) missed while no scheduler ran", missed)
            for job_id in rerun_interrupted(runtime, scheduler, specs):
                log.info("schedule %s: the run the last scheduler stopped is made again now", job_id)
            for job in scheduler.get_jobs():
                log.info("job=%s next=%s", job.id, job.next_run_time.isoformat() if job.next_run_time else "-")
            scheduler.resume()
            yield scheduler
        finally:
            runtime.clock.stopping.set()
            runtime.stop_children()
            if isinstance(scheduler, SimulatedScheduler):
                with scheduler._flight:
                    scheduler._flight.notify_all()
            scheduler.shutdown(wait=True)
            jobs.RUNTIME = None


def planned_jobs(db_path: Path) -> list[dict[str, Any]]:
    """What the job store holds: id, kind, next run, trigger. Read only, with plain sqlite3: a scheduler
    would run (or drop) the jobs it finds due, and APScheduler's store deletes a job it cannot unpickle."""
    path = job_store_path(db_path)
    if not path.exists():
        return []
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = conn.execute("select id, job_state from apscheduler_jobs").fetchall()
    except sqlite3.OperationalError:
        return []  # no table yet
    finally:
        conn.close()
    jobs_found = []
    for job_id, state in rows:
        try:
            job = pickle.loads(state)
        except Exception:  # noqa: BLE001 - shown as unreadable, left in the store
            jobs_found.append({"id": job_id, "name": job_id, "kind": None, "next": None, "trigger": "?", "kwargs": {}})
            continue
        jobs_found.append({"id": job_id, "name": job["kwargs"].get("name", job_id), "kind": job["kwargs"].get("kind"),
                           "next": job["next_run_time"], "trigger": str(job["trigger"]), "kwargs": job["kwargs"]})
    return jobs_found


def system_runtime(db_path: Path, config_path: Path | None) -> jobs.Runtime:
    return jobs.Runtime(SystemClock(), Path(db_path), config_path)
