"""The only pipeline: write what spiders yield to the store. It decides nothing.

A fetch that brought a body back is also appended to the crawl's WARC file (monitor.warc) before its
row is written, so the row can name the file, the record's offset and the body's SHA-256.
"""

from __future__ import annotations

from dataclasses import asdict, replace

from monitor import clock
from monitor.warc import SweepArchive, sweep_file

from spiders.context import CrawlContext, context_for
from spiders.records import ArticleDates, BrowserLearned, ColumnCheck, FetchRecord, SeenItems


class StorePipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        self.archive: SweepArchive | None = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item, spider=None):
        ctx = context_for(self.crawler)
        store = ctx.store
        if isinstance(item, FetchRecord):
            row = {"sweep_id": ctx.sweep_id, **asdict(replace(item, raw=None))}
            del row["raw"]
            if item.raw is not None:
                warc_file, offset, digest = self._archive(ctx, item.unit).write(item.raw)
                row.update(warc_file=warc_file, warc_offset=offset, sha256=digest)
            store.add_fetch(row)
        elif isinstance(item, SeenItems):
            store.save_items(item.unit, item.column_id, ctx.as_of, ctx.sweep_id, item.items)
        elif isinstance(item, ColumnCheck):
            store.add_check({"sweep_id": ctx.sweep_id, "day": ctx.as_of.isoformat(), "checked_at": clock.stamp(),
                             **asdict(item)})
        elif isinstance(item, BrowserLearned):
            store.learn_browser(item.unit, item.column_id, ctx.as_of, item.why)
        elif isinstance(item, ArticleDates):
            store.save_article_dates(item.unit, item.column_id, item.url, item.published, item.written,
                                     item.candidates, item.conflict, item.body_chars, item.body_sha256,
                                     item.body_attachments)
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
