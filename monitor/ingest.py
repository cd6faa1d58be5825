"""Ingest: what a crawl yields becomes rows, and a unit whose crawl ended is judged. The one writer's work.

A crawl (spiders/) only fetches and reads; its records reach the store through ``apply`` and, once a
unit's crawl has ended, ``close_unit`` judges it. In a single process the pipeline and the extension call
these directly. With several crawler processes (monitor.sweep_workers) or crawlers on several machines
(monitor.scaleout), the crawlers send the same records as messages and one writer calls the same two
functions: there is one way for a record to become a row, whoever crawled it.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, replace
from datetime import date
from typing import Any

from monitor import clock
from monitor.assess import assess_unit
from monitor.config import Catalog, Unit
from monitor.detect import detect_unit
from monitor.inspect_site import inspect_and_store
from monitor.notices import LAGGING
from monitor.store import Store
from spiders.records import ArticleDates, BrowserLearned, ColumnCheck, FetchRecord, SeenItems

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Envelope:
    """A record on its way to the writer: which sweep and day it belongs to."""

    sweep_id: int
    as_of: str
    record: Any


@dataclass(frozen=True)
class UnitDone:
    """A unit's crawl ended (``reason`` as Scrapy gives it): judge the columns it read."""

    sweep_id: int
    as_of: str
    unit: str
    columns: tuple[str, ...]
    reason: str
    adhoc: bool = False


@dataclass
class UnitResult:
    """What judging a unit found, for whoever prints it."""

    results: list  # monitor.assess results, one per column
    inspection: Any
    signals: list

    @property
    def late(self) -> int:
        return sum(r.verdict.state in LAGGING for r in self.results)


def apply(store: Store, sweep_id: int, as_of: date, item: Any) -> None:
    """Write one record a spider yielded. A FetchRecord's body has already gone to its WARC file: the
    record carries the file, offset and digest (``warc``), never the body."""
    if isinstance(item, FetchRecord):
        row = {"sweep_id": sweep_id, **asdict(replace(item, raw=None))}
        del row["raw"]
        store.add_fetch(row)
    elif isinstance(item, SeenItems):
        store.save_items(item.unit, item.column_id, as_of, sweep_id, item.items)
    elif isinstance(item, ColumnCheck):
        store.add_check({"sweep_id": sweep_id, "day": as_of.isoformat(), "checked_at": clock.stamp(), **asdict(item)})
    elif isinstance(item, BrowserLearned):
        store.learn_browser(item.unit, item.column_id, as_of, item.why)
    elif isinstance(item, ArticleDates):
        store.save_article_dates(item.unit, item.column_id, item.url, item.published, item.written,
                                 item.candidates, item.conflict, item.body_chars, item.body_sha256,
                                 item.body_attachments)
    else:
        raise TypeError(f"not a crawl record: {type(item).__name__}")


def apply_batch(store: Store, envelopes: list[Envelope], tolerant: bool = False) -> set[str]:
    """Write a batch of records in one transaction: the writer's way (thousands of rows a second).
    ``tolerant``: a record that cannot be written is logged and left out (its own savepoint is rolled back),
    the others are kept; the units whose records failed are returned, not to be judged. Otherwise the first
    failure rolls the batch back and is raised."""
    failed: set[str] = set()
    if not envelopes:
        return failed
    with store.atomic():
        for e in envelopes:
            if not tolerant:
                apply(store, e.sweep_id, date.fromisoformat(e.as_of), e.record)
                continue
            try:
                with store.atomic():  # a savepoint
                    apply(store, e.sweep_id, date.fromisoformat(e.as_of), e.record)
            except Exception:  # noqa: BLE001 - the monitor's own failure: that unit stays unjudged
                log.exception("%s: a %s could not be written", e.record.unit, type(e.record).__name__)
                failed.add(e.record.unit)
    return failed


def close_unit(store: Store, catalog: Catalog, unit: Unit, as_of: date, sweep_id: int, columns: set[str],
               adhoc: bool = False, reason: str = "finished") -> UnitResult:
    """Judge the unit's columns read in this crawl, then its national indicators and faked-disclosure
    signals (drafts only). The verdicts stand whatever happens next: a failure of a unit-wide step is
    logged with the unit, never raised. An ad hoc crawl (its own sweep row) is closed here too.
    A crawl that did not end as ``finished`` (stopped, cut short) is not judged: its checks may be partial."""
    if reason != "finished":
        log.error("%s: crawl ended %r, not judged", unit.slug, reason)
        if adhoc:
            store.finish_sweep(sweep_id, "failed", units_done=0, columns_checked=0, columns_late=0,
                               notices_opened=0)
        return UnitResult([], None, [])
    by = "adhoc" if adhoc else "sweep"
    results = assess_unit(store, catalog, unit, as_of, sweep_id, columns, by=by)
    inspection = _logged(lambda: inspect_and_store(store, catalog, unit, as_of), unit, "国家检查指标")
    found = _logged(lambda: detect_unit(store, catalog, unit, as_of, columns, by=by), unit, "假公开线索") or []
    outcome = UnitResult(results, inspection, found)
    if adhoc:
        store.finish_sweep(sweep_id, "finished" if reason == "finished" else "failed", units_done=1,
                           columns_checked=len(results), columns_late=outcome.late,
                           notices_opened=sum(r.notice_action == "draft" for r in results))
    return outcome


def _logged(step, unit: Unit, what: str):
    try:
        return step()
    except Exception:  # noqa: BLE001 - the monitor's own failure: logged, never a verdict
        log.exception(f"{unit.slug}: {what}失败")
        return None


# ---------------------------------------------------------------- the outbox of a crawler process

_outbox = None


def set_outbox(put) -> None:
    """In a crawler process that is not the writer: where records go instead of the store (a callable)."""
    global _outbox
    _outbox = put


def outbox():
    return _outbox
