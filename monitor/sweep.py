"""The daily sweep: crawl every unit (or the chosen ones), judge, close the sweep.

Units crawl side by side in one reactor, each spider with its own per-host politeness; each unit
is judged as soon as its crawl ends (spiders.extensions). Twisted's reactor cannot restart, so a
process runs its sweeps inside one reactor: ``run_sweeps`` runs one sweep (``monitor sweep``) or
several in a row (the demo's simulated days), then the process ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from monitor import clock, locks
from monitor.config import Catalog
from monitor.errors import MonitorError, UsageError
from monitor.judge_model import MONITOR_STATES
from monitor.notices import LAGGING
from monitor.store import Store


@dataclass(frozen=True)
class SweepSummary:
    sweep_id: int
    as_of: date
    status: str
    units: int
    columns: int
    late: int  # late or blank
    monitor_side: int  # unreachable, blocked, broken, unknown
    notices_opened: int

    def line(self) -> str:
        return (f"{self.as_of} 巡检完成（第 {self.sweep_id} 次）：{self.units} 个单位、{self.columns} 个栏目；"
                f"逾期/空白 {self.late}，监测异常 {self.monitor_side}，新增督办 {self.notices_opened}")


def base_settings(catalog: Catalog, db_path: Path, progress: bool, log_level: str | None = None):
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("spiders.settings", priority="project")
    settings.setdict(
        {
            "MONITOR_CONFIG": str(catalog.path),
            "MONITOR_DB": str(db_path),
            "MONITOR_PRINT_VERDICTS": False,
            "MONITOR_PROGRESS": progress,
            "LOG_LEVEL": log_level or os.environ.get("MONITOR_LOG_LEVEL", "WARNING"),
        },
        priority="cmdline",
    )
    return settings


UNITS_AT_ONCE = 64  # unit crawls open at once in one process: each has its engine, a database connection, a WARC file


async def crawl_units(runner, catalog: Catalog, units: Sequence, per_sweep: dict,
                      columns: dict[str, list[str]] | None, at_once: int = UNITS_AT_ONCE) -> None:
    """Crawl each unit (its own spider, its own politeness), at most `at_once` at a time: a province's thousands
    of units would otherwise each hold their files and memory from the start to the end of the sweep."""
    from spiders.loader import make_spider_class

    gate = asyncio.Semaphore(at_once)

    async def one(unit) -> None:
        async with gate:
            await runner.crawl(make_spider_class(catalog, unit, per_sweep),
                               column=",".join((columns or {}).get(unit.slug, ())))

    await asyncio.gather(*(one(unit) for unit in units))


def run_in_reactor(process, work: Callable[[], Awaitable[None]], install_signal_handlers: bool = True) -> None:
    """Run the coroutine `work()` in the process's reactor until it ends; its exception is raised here, and
    SweepStopped when the reactor was stopped before it ended (SIGTERM, SIGINT): a cut-off crawl is never
    taken for a finished one."""
    from scrapy.utils.defer import deferred_from_coro
    from twisted.internet import reactor

    failure: list[BaseException] = []
    completed: list[bool] = []

    async def guarded() -> None:
        try:
            await work()
            completed.append(True)
        except BaseException as exc:  # noqa: BLE001 - re-raised once the reactor has stopped
            failure.append(exc)

    def start() -> None:
        deferred_from_coro(guarded()).addBoth(lambda _: reactor.stop())

    reactor.callWhenRunning(start)
    reactor.run(installSignalHandlers=install_signal_handlers)
    if failure:
        raise failure[0]
    if not completed:
        raise SweepStopped("the crawl was stopped before it ended (signal): what it read is kept; a unit whose crawl had not ended is not judged")


class SweepStopped(MonitorError):
    """The reactor stopped before the sweep's crawls ended."""


async def crawl_sweep(runner, catalog: Catalog, db_path: Path, as_of: date, units: Sequence[str] | None = None,
                      columns: dict[str, list[str]] | None = None) -> SweepSummary:
    """One sweep inside a running reactor: a sweep row, every chosen unit's crawl, the summary.
    With `columns` (unit → column ids: a spot check), only those columns are read, in a sweep of kind 'spot'."""
    chosen = _chosen(catalog, units, columns)
    store = Store(db_path)
    store.record_catalog(catalog)
    sweep_id = store.begin_sweep(as_of, "spot" if columns else "sweep", catalog.digest, len(chosen))
    status = "failed"
    try:
        per_sweep = {"MONITOR_AS_OF": as_of.isoformat(), "MONITOR_SWEEP_ID": sweep_id}
        await crawl_units(runner, catalog, chosen, per_sweep, columns)
        status = "finished"
    finally:
        summary = close_sweep(store, sweep_id, as_of, chosen, status, columns)
        store.close()
    return summary


def close_sweep(store: Store, sweep_id: int, as_of: date, chosen: Sequence, status: str,
                columns: dict[str, list[str]] | None) -> SweepSummary:
    """Sum up the sweep and record how it ended: ``failed`` also when a chosen unit was not judged."""
    summary = summarise(store, sweep_id, as_of, [u.slug for u in chosen], status, columns)
    if summary.units < len(chosen) and status == "finished":  # a unit's crawl failed: it was not judged
        summary = summarise(store, sweep_id, as_of, [u.slug for u in chosen], "failed", columns)
    store.finish_sweep(sweep_id, summary.status, units_done=summary.units, columns_checked=summary.columns,
                       columns_late=summary.late, notices_opened=summary.notices_opened)
    return summary


def run_sweeps(catalog: Catalog, db_path: Path, days: Sequence[date], units: Sequence[str] | None = None,
               progress: bool = True, before_day: Callable[[date], None] | None = None,
               after_day: Callable[[SweepSummary], Awaitable[None] | None] | None = None,
               log_level: str | None = None, simulated: bool = False, evidence: bool = True,
               notify: bool = True, columns: dict[str, list[str]] | None = None,
               workers: int = 1) -> list[SweepSummary]:
    """Run one sweep per day, in order, in this process's reactor. Call once per process.

    A sweep holds the database's sweep lock (monitor.locks) from start to end: a second sweep on the same
    database refuses to start (AlreadyRunning). A spot check (`columns`: unit → column ids) reads only
    those columns and takes no lock: it may run beside a sweep, as an ad hoc crawl may.
    A day to come is refused (a crawl reads today's pages), except in a simulated world (the demo).
    After each day's crawls, the evidence packs of the notices opened that day are built (with
    `evidence`) in a worker thread: Playwright's sync API cannot run in the reactor's event loop.
    Then (with `notify`, and only when the catalog names contacts or an office) the messages due that
    day are queued and sent (monitor.notify), in a worker thread too: apprise's sending blocks.
    With `workers` > 1 the units are crawled by that many processes, sharded by host, and this process
    writes and judges (monitor.sweep_workers); 0 means one per core.
    """
    unknown = (set(units or ()) | set(columns or ())) - {u.slug for u in catalog.units}
    if unknown:
        raise UsageError(f"unknown unit(s): {', '.join(sorted(unknown))}")
    for slug, ids in (columns or {}).items():
        missing = set(ids) - {c.id for c in catalog.unit(slug).columns}
        if missing:
            raise UsageError(f"unit {slug!r} has no column(s): {', '.join(sorted(missing))}")
    if not simulated:
        for day in days:
            clock.not_in_future(day)
    if workers < 0:
        raise UsageError(f"--workers takes 0 (one per core) or a number of crawler processes, not {workers}")
    workers = workers or os.cpu_count() or 1
    with contextlib.nullcontext() if columns else locks.hold(db_path, "sweep"):
        if workers > 1:
            return _run_days_sharded(catalog, db_path, days, units, progress, before_day, after_day, log_level,
                                     evidence, notify, columns, workers)
        return _run_days(catalog, db_path, days, units, progress, before_day, after_day, log_level, evidence,
                         notify, columns)


def _chosen(catalog: Catalog, units: Sequence[str] | None, columns: dict[str, list[str]] | None) -> list:
    return [u for u in catalog.units if (not units or u.slug in units) and (not columns or u.slug in columns)]


def _run_days_sharded(catalog, db_path, days, units, progress, before_day, after_day, log_level, evidence,
                      notify, columns, workers) -> list[SweepSummary]:
    """Each day's crawl in `workers` crawler processes; this process writes, judges, then runs the day's
    evidence, notifications and hooks, as `_run_days` does in its reactor."""
    from monitor.evidence import build_packs_after_sweep
    from monitor.notify import notify_after_sweep
    from monitor.sweep_workers import crawl_sharded

    chosen = _chosen(catalog, units, columns)
    summaries = []
    for day in days:
        if before_day:
            before_day(day)
        with Store(db_path) as store:
            store.record_catalog(catalog)
            sweep_id = store.begin_sweep(day, "spot" if columns else "sweep", catalog.digest, len(chosen))
        status = "failed"
        try:
            if crawl_sharded(catalog, db_path, day, sweep_id, chosen, columns, workers, progress, log_level):
                status = "finished"
        finally:
            with Store(db_path) as store:
                summary = close_sweep(store, sweep_id, day, chosen, status, columns)
        summaries.append(summary)
        if evidence:
            build_packs_after_sweep(db_path, catalog, day)
        if notify:
            notify_after_sweep(db_path, catalog, day)
        if after_day:
            result = after_day(summary)
            if result is not None:
                asyncio.run(result)
    return summaries


def _run_days(catalog, db_path, days, units, progress, before_day, after_day, log_level, evidence, notify,
              columns) -> list[SweepSummary]:
    from scrapy.crawler import AsyncCrawlerProcess

    from monitor.evidence import build_packs_after_sweep
    from monitor.notify import notify_after_sweep

    settings = base_settings(catalog, db_path, progress, log_level)
    process = AsyncCrawlerProcess(settings)
    summaries: list[SweepSummary] = []

    async def all_days() -> None:
        for day in days:
            if before_day:
                before_day(day)
            summary = await crawl_sweep(process, catalog, db_path, day, units, columns)
            summaries.append(summary)
            if evidence:
                await asyncio.to_thread(build_packs_after_sweep, db_path, catalog, day)
            if notify:
                await asyncio.to_thread(notify_after_sweep, db_path, catalog, day)
            if after_day:
                result = after_day(summary)
                if result is not None:
                    await result

    run_in_reactor(process, all_days)
    return summaries


def summarise(store: Store, sweep_id: int, as_of: date, units: list[str], status: str,
              columns: dict[str, list[str]] | None = None) -> SweepSummary:
    rows = [r for r in store.verdicts(as_of) if r["unit"] in units and r["day"] == as_of.isoformat()
            and (not columns or r["column_id"] in columns.get(r["unit"], ()))]
    opened = sum(1 for n in store.notices() if n["opened_day"] == as_of.isoformat() and n["unit"] in units)
    return SweepSummary(
        sweep_id, as_of, status, len({r["unit"] for r in rows}), len(rows),
        sum(r["state"] in LAGGING for r in rows),
        sum(r["state"] in MONITOR_STATES for r in rows),
        opened,
    )
