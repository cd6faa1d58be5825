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
from monitor.errors import UsageError
from monitor.judge import MONITOR_STATES
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


async def crawl_sweep(runner, catalog: Catalog, db_path: Path, as_of: date, units: Sequence[str] | None = None,
                      columns: dict[str, list[str]] | None = None) -> SweepSummary:
    """One sweep inside a running reactor: a sweep row, every chosen unit's crawl, the summary.
    With `columns` (unit → column ids: a spot check), only those columns are read, in a sweep of kind 'spot'."""
    from spiders.loader import make_spider_class

    chosen = [u for u in catalog.units if (not units or u.slug in units) and (not columns or u.slug in columns)]
    store = Store(db_path)
    store.record_catalog(catalog)
    sweep_id = store.begin_sweep(as_of, "spot" if columns else "sweep", catalog.digest, len(chosen))
    status = "failed"
    try:
        per_sweep = {"MONITOR_AS_OF": as_of.isoformat(), "MONITOR_SWEEP_ID": sweep_id}
        tasks = [runner.crawl(make_spider_class(catalog, unit, per_sweep), column=",".join((columns or {}).get(unit.slug, ())))
                 for unit in chosen]
        for task in tasks:
            await task
        status = "finished"
    finally:
        summary = summarise(store, sweep_id, as_of, [u.slug for u in chosen], status, columns)
        store.finish_sweep(sweep_id, status, units_done=summary.units, columns_checked=summary.columns,
                           columns_late=summary.late, notices_opened=summary.notices_opened)
        store.close()
    return summary


def run_sweeps(catalog: Catalog, db_path: Path, days: Sequence[date], units: Sequence[str] | None = None,
               progress: bool = True, before_day: Callable[[date], None] | None = None,
               after_day: Callable[[SweepSummary], Awaitable[None] | None] | None = None,
               log_level: str | None = None, simulated: bool = False, evidence: bool = True,
               notify: bool = True, columns: dict[str, list[str]] | None = None) -> list[SweepSummary]:
    """Run one sweep per day, in order, in this process's reactor. Call once per process.

    A sweep holds the database's sweep lock (monitor.locks) from start to end: a second sweep on the same
    database refuses to start (AlreadyRunning). A spot check (`columns`: unit → column ids) reads only
    those columns and takes no lock: it may run beside a sweep, as an ad hoc crawl may.
    A day to come is refused (a crawl reads today's pages), except in a simulated world (the demo).
    After each day's crawls, the evidence packs of the notices opened that day are built (with
    `evidence`) in a worker thread: Playwright's sync API cannot run in the reactor's event loop.
    Then (with `notify`, and only when the catalog names contacts or an office) the messages due that
    day are queued and sent (monitor.notify), in a worker thread too: apprise's sending blocks.
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
    with contextlib.nullcontext() if columns else locks.hold(db_path, "sweep"):
        return _run_days(catalog, db_path, days, units, progress, before_day, after_day, log_level, evidence,
                         notify, columns)


def _run_days(catalog, db_path, days, units, progress, before_day, after_day, log_level, evidence, notify,
              columns) -> list[SweepSummary]:
    from scrapy.crawler import AsyncCrawlerProcess

    from monitor.evidence import build_packs_after_sweep
    from monitor.notify import notify_after_sweep

    settings = base_settings(catalog, db_path, progress, log_level)
    process = AsyncCrawlerProcess(settings)
    summaries: list[SweepSummary] = []
    failure: list[BaseException] = []

    async def all_days() -> None:
        try:
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
        except BaseException as exc:  # noqa: BLE001 - re-raised once the reactor has stopped
            failure.append(exc)

    from scrapy.utils.defer import deferred_from_coro
    from twisted.internet import reactor

    def start() -> None:
        d = deferred_from_coro(all_days())
        d.addBoth(lambda _: reactor.stop())

    reactor.callWhenRunning(start)
    reactor.run(installSignalHandlers=True)
    if failure:
        raise failure[0]
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
