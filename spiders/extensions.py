"""When a unit's crawl ends: judge its columns and the unit (national indicators), print the verdicts
(ad hoc checks), look for faked and hollow disclosure (monitor.detect: drafts only), close the sweep.

Judgement itself lives in monitor.assess; this extension only calls it at the right moment,
so ``scrapy crawl <unit>`` and ``monitor sweep`` judge the same way.
"""

from __future__ import annotations

import sys

from scrapy import signals

from monitor.assess import STATE_WORDS, assess_unit
from monitor.detect import detect_unit
from monitor.inspect_site import inspect_and_store
from monitor.notices import LAGGING
from monitor.terminal import printable
from spiders.context import context_for


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
        columns = {c.id for c in spider.columns}
        results = assess_unit(ctx.store, ctx.catalog, spider.unit, ctx.as_of, ctx.sweep_id, columns,
                              by="adhoc" if ctx.adhoc else "sweep")
        late = sum(r.verdict.state in LAGGING for r in results)
        # the verdicts stand whatever happens next: a failure of the unit-wide steps is reported, not raised
        inspection = _reported(lambda: inspect_and_store(ctx.store, ctx.catalog, spider.unit, ctx.as_of), spider,
                               "国家检查指标")
        found = _reported(lambda: detect_unit(ctx.store, ctx.catalog, spider.unit, ctx.as_of, columns,
                                              by="adhoc" if ctx.adhoc else "sweep"), spider, "假公开线索") or []
        if ctx.adhoc:
            ctx.store.finish_sweep(ctx.sweep_id, "finished" if reason == "finished" else "failed",
                                   units_done=1, columns_checked=len(results), columns_late=late,
                                   notices_opened=sum(r.notice_action == "draft" for r in results))
        if self.crawler.settings.getbool("MONITOR_PRINT_VERDICTS"):
            print(f"{spider.unit.name}（{spider.unit.slug}）{ctx.as_of} 检查结果：")
            for r in results:
                print(format_verdict_line(r.column.id, r.column.name, r.verdict.state, r.verdict.reason,
                                          r.notice_action))
            print(printable(f"国家检查指标：{inspection.words() if inspection else '计算失败，见日志'}"))
            for f in found:  # not indented: the indented lines are the columns' verdicts
                print(printable(f"疑似问题（{f.signal.column}，督办草稿待审核）：{f.signal.summary}"))
            sys.stdout.flush()
        ctx.store.close()
        progress = self.crawler.settings.getbool("MONITOR_PROGRESS")
        if progress:
            print(f"  {spider.unit.slug:<8} {spider.unit.name}: {len(results)} 个栏目，{late} 个逾期/空白",
                  file=sys.stderr, flush=True)


def _reported(step, spider, what: str):
    """Run one unit-wide step after the verdicts; a failure is logged with the unit and returns None."""
    try:
        return step()
    except Exception:  # noqa: BLE001 - the monitor's own failure: logged, never a verdict
        spider.logger.exception(f"{spider.unit.slug}: {what}失败")
        return None


def format_verdict_line(column_id: str, column_name: str, state: str, reason: str, notice_action: str | None) -> str:
    action = {"draft": " [新督办]", "withdraw_draft": " [督办草稿撤回]", "rectify": " [已整改]",
              "overdue": " [逾期未改]"}.get(notice_action or "", "")
    return printable(f"  {column_id:<12} {column_name:<10} {STATE_WORDS.get(state, state):<6} {state:<11} {reason}{action}")
