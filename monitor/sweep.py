"""The daily sweep: crawl every unit (or the chosen ones) in one Scrapy process, judge, close the sweep.

Run it in a process of its own (``python -m monitor sweep``): Twisted's reactor cannot restart, so
one process is one sweep. Units crawl side by side in one reactor, each with its own per-host
politeness; each unit is judged as soon as its crawl ends (spiders.extensions).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from monitor.config import Catalog
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


def scrapy_settings(catalog: Catalog, db_path: Path, as_of: date, sweep_id: int, progress: bool):
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("spiders.settings", priority="project")
    settings.setdict(
        {
            "MONITOR_CONFIG": str(catalog.path),
            "MONITOR_DB": str(db_path),
            "MONITOR_AS_OF": as_of.isoformat(),
            "MONITOR_SWEEP_ID": sweep_id,
            "MONITOR_PRINT_VERDICTS": False,
            "MONITOR_PROGRESS": progress,
            "LOG_LEVEL": os.environ.get("MONITOR_LOG_LEVEL", "WARNING"),
        },
        priority="cmdline",
    )
    return settings


def run_sweep(catalog: Catalog, db_path: Path, as_of: date, units: list[str] | None = None,
              progress: bool = True) -> SweepSummary:
    """Crawl and judge; returns the sweep's figures. Call once per process."""
    from scrapy.crawler import CrawlerProcess

    from spiders.loader import make_spider_class

    chosen = [u for u in catalog.units if not units or u.slug in units]
    unknown = set(units or ()) - {u.slug for u in catalog.units}
    if unknown:
        raise ValueError(f"unknown unit(s): {', '.join(sorted(unknown))}")
    store = Store(db_path)
    store.record_catalog(catalog)
    sweep_id = store.begin_sweep(as_of, "sweep", catalog.digest, len(chosen))
    status = "failed"
    try:
        process = CrawlerProcess(scrapy_settings(catalog, db_path, as_of, sweep_id, progress), install_root_handler=True)
        for unit in chosen:
            process.crawl(make_spider_class(catalog, unit))
        process.start()
        status = "finished"
    finally:
        summary = summarise(store, sweep_id, as_of, [u.slug for u in chosen], status)
        store.finish_sweep(sweep_id, status, units_done=summary.units, columns_checked=summary.columns,
                           columns_late=summary.late, notices_opened=summary.notices_opened)
        store.close()
    return summary


def summarise(store: Store, sweep_id: int, as_of: date, units: list[str], status: str) -> SweepSummary:
    rows = [r for r in store.verdicts(as_of) if r["unit"] in units and r["day"] == as_of.isoformat()]
    opened = sum(1 for n in store.notices() if n["opened_day"] == as_of.isoformat() and n["unit"] in units)
    return SweepSummary(
        sweep_id, as_of, status, len({r["unit"] for r in rows}), len(rows),
        sum(r["state"] in ("late", "blank") for r in rows),
        sum(r["state"] in ("unreachable", "blocked", "broken", "unknown") for r in rows),
        opened,
    )
