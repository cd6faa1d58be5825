"""When a unit's crawl ends: judge its columns and the unit (monitor.ingest.close_unit: verdicts, national
indicators, faked-disclosure drafts), print the verdicts (ad hoc checks), close an ad hoc sweep.

When crawler processes share a sweep, the judging is the writer's: the extension only tells it the unit is done
(an outbox message after the unit's last record), so ``scrapy crawl <unit>``, ``monitor sweep`` and
``monitor sweep --workers N`` judge the same way.
"""

from __future__ import annotations

import sys

from scrapy import signals

from monitor import ingest
from monitor.assess import STATE_WORDS
from monitor.terminal import printable
from spiders.context import context_for
from spiders.pipelines import WRITE_FAILED


class SweepBookkeeping:
    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_closed(self, spider, reason):
        ctx = context_for(self.crawler)
        if reason == "finished" and self.crawler.stats.get_value(WRITE_FAILED):
            reason = "write_failed"  # a record was lost: the unit is left unjudged and the sweep fails
        columns = {c.id for c in spider.columns}
        outbox = ingest.outbox()
        if outbox is not None:
            outbox(ingest.UnitDone(ctx.sweep_id, ctx.as_of.isoformat(), spider.unit.slug, tuple(sorted(columns)),
                                   reason, ctx.adhoc))
            ctx.store.close()
            return
        done = ingest.close_unit(ctx.store, ctx.catalog, spider.unit, ctx.as_of, ctx.sweep_id, columns,
                                 ctx.adhoc, reason)
        if self.crawler.settings.getbool("MONITOR_PRINT_VERDICTS"):
            print_unit(spider.unit, ctx.as_of, done)
        ctx.store.close()
        if self.crawler.settings.getbool("MONITOR_PROGRESS"):
            print(progress_line(spider.unit, done), file=sys.stderr, flush=True)


def print_unit(unit, as_of, done: ingest.UnitResult) -> None:
    print(f"{unit.name}（{unit.slug}）{as_of} 检查结果：")
    for r in done.results:
        print(format_verdict_line(r.column.id, r.column.name, r.verdict.state, r.verdict.reason, r.notice_action))
    print(printable(f"国家检查指标：{done.inspection.words() if done.inspection else '计算失败，见日志'}"))
    for f in done.signals:  # not indented: the indented lines are the columns' verdicts
        print(printable(f"疑似问题（{f.signal.column}，督办草稿待审核）：{f.signal.summary}"))
    sys.stdout.flush()


def progress_line(unit, done: ingest.UnitResult) -> str:
    return f"  {unit.slug:<8} {unit.name}: {len(done.results)} 个栏目，{done.late} 个逾期/空白"


def format_verdict_line(column_id: str, column_name: str, state: str, reason: str, notice_action: str | None) -> str:
    action = {"draft": " [新督办]", "withdraw_draft": " [督办草稿撤回]", "rectify": " [已整改]",
              "overdue": " [逾期未改]"}.get(notice_action or "", "")
    return printable(f"  {column_id:<12} {column_name:<10} {STATE_WORDS.get(state, state):<6} {state:<11} {reason}{action}")
