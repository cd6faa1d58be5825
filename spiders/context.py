"""What a crawl shares between its spider, pipeline and extension: catalog, store, day, sweep.

Created once per crawler, on first use, and kept on the crawler. An ad hoc ``scrapy crawl``
gets a sweep row of its own (kind 'adhoc'); ``monitor sweep`` passes its sweep id in settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from scrapy.crawler import Crawler

from monitor import clock
from monitor.config import Catalog, load_catalog
from monitor.store import Store


@dataclass
class CrawlContext:
    catalog: Catalog
    store: Store
    as_of: date
    sweep_id: int
    adhoc: bool


def context_for(crawler: Crawler, as_of_arg: str | None = None) -> CrawlContext:
    """The crawl's context; `as_of_arg` is an ad hoc crawl's ``-a as_of=`` (a sweep sets MONITOR_AS_OF)."""
    ctx = getattr(crawler, "monitor_context", None)
    if ctx is None:
        settings = crawler.settings
        spider_cls = crawler.spidercls
        catalog = getattr(spider_cls, "catalog", None) or load_catalog(settings.get("MONITOR_CONFIG") or None)
        store = Store(settings.get("MONITOR_DB") or None)
        sweep_id = settings.getint("MONITOR_SWEEP_ID")
        adhoc = not sweep_id
        day = clock.parse_day(settings.get("MONITOR_AS_OF") or as_of_arg or None)
        if adhoc:
            clock.not_in_future(day)
            store.record_catalog(catalog)
            sweep_id = store.begin_sweep(day, "adhoc", catalog.digest, units_total=1)
        ctx = CrawlContext(catalog, store, day, sweep_id, adhoc)
        crawler.monitor_context = ctx  # type: ignore[attr-defined]
    return ctx
