"""``python -m monitor schedule run|list|run-now``: the scheduler's commands, thin over monitor.scheduler."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import time
from datetime import datetime
from pathlib import Path

from monitor import clock
from monitor.errors import UsageError
from monitor.locks import EXIT_ALREADY_RUNNING
from monitor.store import default_db_path
from monitor.terminal import printable


def _schedules_dir(args: argparse.Namespace) -> Path:
    return args.schedules or Path(os.environ.get("MONITOR_SCHEDULES") or "schedules")


class _ChinaTimeFormatter(logging.Formatter):
    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        return datetime.fromtimestamp(record.created, clock.SHANGHAI).isoformat(timespec="seconds")


def setup_logging(level: str = "INFO") -> None:
    """One line per event on standard error (the journal, under systemd), times in Asia/Shanghai."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_ChinaTimeFormatter("%(asctime)s %(levelname)s %(message)s"))
    logger = logging.getLogger("monitor.schedule")
    logger.handlers[:] = [handler]
    logger.setLevel(level)
    logger.propagate = False
    logging.getLogger("apscheduler").setLevel(logging.ERROR)  # its misfires and skips are logged by us, once


def cmd_run(args: argparse.Namespace) -> int:
    """Start the scheduler and keep it running (Ctrl-C or SIGTERM stops it).  e.g. python -m monitor schedule run"""
    from monitor.schedule_spec import load_schedules
    from monitor.scheduler import running, system_runtime

    specs = load_schedules(_schedules_dir(args))
    setup_logging(args.log_level)
    runtime = system_runtime(args.db or default_db_path(), args.config)
    stopping: list[int] = []  # the handler only appends: taking a lock in a signal handler can deadlock
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda signum, _: stopping.append(signum))
    log = logging.getLogger("monitor.schedule")
    with running(runtime, specs):
        log.info("scheduler started pid=%d jobs=%d db=%s", os.getpid(), len(specs), runtime.db_path)
        while not stopping:
            time.sleep(0.5)
        log.info("scheduler stopping (running children get SIGTERM, then SIGKILL)")
    log.info("scheduler stopped")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    """Show each job, its schedule, its next run and how its last run ended.  e.g. python -m monitor schedule list"""
    from monitor.jobs import STATUS_WORDS
    from monitor.schedule_spec import cron_trigger, load_schedules
    from monitor.scheduler import planned_jobs
    from monitor.store import Store

    specs = load_schedules(_schedules_dir(args))
    db = args.db or default_db_path()
    stored = {j["id"]: j for j in planned_jobs(db)}
    last = Store(db).last_job_runs() if Path(db).exists() else {}  # listing creates no database
    now = clock.now()
    lines = [f"{'任务':<16} {'类型':<10} {'cron（北京时间）':<18} {'下次运行':<26} 上次运行"]
    for spec in specs:
        job = stored.get(spec.name)
        if job:
            nxt = job["next"].astimezone(clock.SHANGHAI).isoformat(timespec="minutes") if job["next"] else "（已暂停）"
        else:
            fire = cron_trigger(spec.cron).get_next_fire_time(None, now)  # the plan, before any jitter
            nxt = f"{fire.isoformat(timespec='minutes')}（调度器尚未启动）" if fire else "-"
        run = last.get(spec.name)
        done = f"{run['started_at']} {STATUS_WORDS.get(run['status'], run['status'])}" if run else "尚未运行"
        lines.append(f"{spec.name:<16} {spec.kind:<10} {spec.cron:<18} {nxt:<26} {done}")
    visits = sorted((j for j in stored.values() if "@" in j["id"]), key=lambda j: j["next"] or now)
    for job in visits:
        cols = job["kwargs"]["settings"]["columns"]
        lines.append(f"  暗访 {job['id']}：{job['next'].astimezone(clock.SHANGHAI).isoformat(timespec='minutes')}，"
                     f"{len(cols)} 个单位 {sum(len(c) for c in cols.values())} 个栏目")
    print(printable("\n".join(lines)))
    return 0


def cmd_run_now(args: argparse.Namespace) -> int:
    """Run one job at once, in this process, and record it like a scheduled run.  e.g. python -m monitor schedule run-now probes"""
    from monitor.jobs import STATUS_WORDS, execute
    from monitor.schedule_spec import load_schedules
    from monitor.scheduler import system_runtime

    specs = {s.name: s for s in load_schedules(_schedules_dir(args))}
    spec = specs.get(args.job)
    if spec is None:
        raise UsageError(f"no job {args.job!r} in {_schedules_dir(args)} (jobs: {', '.join(specs) or 'none'})")
    setup_logging(args.log_level)
    runtime = system_runtime(args.db or default_db_path(), args.config)
    status = execute(runtime, spec.name, spec.kind, spec.settings, spec.time_limit, "manual", None)
    print(printable(f"{spec.name}：{STATUS_WORDS.get(status, status)}"))
    return 0 if status == "ok" else EXIT_ALREADY_RUNNING if status == "refused" else 1


def add_parser(sub) -> None:
    schedule = sub.add_parser("schedule", help="the long-running scheduler: daily sweep, weekly report, probes, "
                                               "reminders, spot checks (jobs in schedules/*.toml)")
    commands = schedule.add_subparsers(dest="schedule_command", required=True)
    for name, func in (("run", cmd_run), ("list", cmd_list), ("run-now", cmd_run_now)):
        p = commands.add_parser(name, help=func.__doc__, description=func.__doc__)
        if name == "run-now":
            p.add_argument("job", metavar="JOB", help="a job's name in the schedule files")
        p.add_argument("--schedules", type=Path, default=None,
                       help="folder of schedule files (default: $MONITOR_SCHEDULES or ./schedules)")
        p.add_argument("--db", type=Path, default=None, help="database file (default: $MONITOR_DB or var/monitor.db)")
        p.add_argument("--config", type=Path, default=None, help="catalog file")
        if name != "list":
            p.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
        p.set_defaults(func=func)
