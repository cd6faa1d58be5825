"""The only pipeline: write what spiders yield to the store. It decides nothing."""

from __future__ import annotations

from dataclasses import asdict

from monitor import clock

from spiders.context import context_for
from spiders.records import ArticleDates, BrowserLearned, ColumnCheck, FetchRecord, SeenItems


class StorePipeline:
    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item, spider=None):
        ctx = context_for(self.crawler)
        store = ctx.store
        if isinstance(item, FetchRecord):
            store.add_fetch({"sweep_id": ctx.sweep_id, **asdict(item)})
        elif isinstance(item, SeenItems):
            store.save_items(item.unit, item.column_id, ctx.as_of, ctx.sweep_id, item.items)
        elif isinstance(item, ColumnCheck):
            store.add_check({"sweep_id": ctx.sweep_id, "day": ctx.as_of.isoformat(), "checked_at": clock.stamp(),
                             **asdict(item)})
        elif isinstance(item, BrowserLearned):
            store.learn_browser(item.unit, item.column_id, ctx.as_of, item.why)
        elif isinstance(item, ArticleDates):
            store.save_article_dates(item.unit, item.column_id, item.url, item.published, item.written,
                                     item.candidates, item.conflict)
        return item
