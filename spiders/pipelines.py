"""The only pipeline: archive each fetched body, then hand what spiders yield to the writer. It decides nothing.

A fetch that brought a body back is appended to the crawl's WARC file (monitor.warc) first, so its row can
name the file, the record's offset and the body's SHA-256. The record then goes to ``monitor.ingest``:
written here (one process), or sent to the one writer when crawler processes share a sweep (an outbox).
"""

from __future__ import annotations

from dataclasses import replace

from monitor import ingest
from monitor.warc import SweepArchive, sweep_file

from spiders.context import CrawlContext, context_for
from spiders.records import FetchRecord

WRITE_FAILED = "monitor/write_failed"  # a crawler stat: why a record could not be written


class StorePipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        self.archive: SweepArchive | None = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item, spider=None):
        try:
            return self._store(item)
        except Exception as exc:
            # Scrapy logs it and drops the record; the unit must then not be judged on what is left
            # (spiders.extensions reads this and ends the unit's crawl as 'write_failed').
            self.crawler.stats.set_value(WRITE_FAILED, f"{type(exc).__name__}: {exc}"[:300])
            raise

    def _store(self, item):
        ctx = context_for(self.crawler)
        if isinstance(item, FetchRecord) and item.raw is not None:
            warc_file, offset, digest = self._archive(ctx, item.unit).write(item.raw)
            item = replace(item, raw=None, warc_file=warc_file, warc_offset=offset, sha256=digest)
        outbox = ingest.outbox()
        if outbox is not None:
            outbox(ingest.Envelope(ctx.sweep_id, ctx.as_of.isoformat(), item))
        else:
            ingest.apply(ctx.store, ctx.sweep_id, ctx.as_of, item)
        return item

    def close_spider(self, spider=None):
        if self.archive is not None:
            self.archive.close()

    def _archive(self, ctx: CrawlContext, unit: str) -> SweepArchive:
        """The WARC file of this unit's crawl in this sweep, next to the database (opened on first use)."""
        if self.archive is None:
            relative = sweep_file(ctx.as_of.isoformat(), ctx.sweep_id, unit)
            self.archive = SweepArchive(ctx.store.path.parent, relative, {
                "sweep": str(ctx.sweep_id), "unit": unit, "as-of": ctx.as_of.isoformat(),
                "catalog-digest": ctx.catalog.digest})
        return self.archive
