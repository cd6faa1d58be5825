"""A sweep on every core: several crawler processes, sharded by host, and one writer.

Scrapy runs on one core. With ``monitor sweep --workers N`` the chosen units are dealt into N shards — units
that share a host always in the same shard, so each host's politeness is kept by one process — and each
shard is crawled by its own process (its own reactor). Crawler processes only fetch, read and archive
(WARC files are per unit): their records come back over a pipe per crawler to this process, the one writer,
which writes them with ``monitor.ingest.apply_batch`` in batched transactions and judges each unit
(``monitor.ingest.close_unit``) as soon as its crawl has ended and its records are in. SQLite has one
writer; the crawlers read (known items) without waiting for it.

A crawler process that dies, a crawl that is stopped, a record that cannot be written: the units concerned
are not judged (no verdict on a crawl the monitor did not finish), and the sweep ends ``failed``.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.connection
import queue as queue_module
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from monitor import ingest
from monitor.config import Catalog, Unit, load_catalog
from monitor.store import Store

BATCH = 500  # records written per transaction at most
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ShardDone:
    shard: int


def host_groups(units: Sequence[Unit]) -> list[list[Unit]]:
    """The units in groups that share no host with another group (a portal's units are one group), in order."""
    owner: dict[str, int] = {}  # host → group
    groups: list[list[Unit]] = []
    for unit in units:
        hosts = unit.hosts()
        joined = sorted({owner[h] for h in hosts if h in owner})
        if not joined:
            groups.append([unit])
            target = len(groups) - 1
        else:
            target = joined[0]
            groups[target].append(unit)
            for other in joined[1:]:  # this unit bridges groups: merge them
                groups[target].extend(groups[other])
                for u in groups[other]:
                    for h in u.hosts():
                        owner[h] = target
                groups[other] = []
        for h in hosts:
            owner[h] = target
    order = {u.slug: k for k, u in enumerate(units)}
    return [sorted(g, key=lambda u: order[u.slug]) for g in groups if g]


def shard_units(units: Sequence[Unit], workers: int) -> list[list[Unit]]:
    """Deal units into at most ``workers`` shards of about equal columns; units sharing a host stay together."""
    groups = host_groups(units)
    shards: list[list[Unit]] = [[] for _ in range(min(workers, len(groups)))]
    load = [0] * len(shards)
    for group in sorted(groups, key=lambda g: -sum(len(u.columns) for u in g)):
        lightest = load.index(min(load))
        shards[lightest].extend(group)
        load[lightest] += sum(len(u.columns) for u in group)
    order = {u.slug: k for k, u in enumerate(units)}
    return [sorted(s, key=lambda u: order[u.slug]) for s in shards]


def crawl_sharded(catalog: Catalog, db_path: Path, as_of: date, sweep_id: int, units: Sequence[Unit],
                  columns: dict[str, list[str]] | None, workers: int, progress: bool,
                  log_level: str | None) -> bool:
    """Crawl ``units`` in ``workers`` processes and write what they send. True when every shard finished and
    every unit's crawl ended as Scrapy's ``finished``; a unit whose crawl did not is left unjudged.

    Each crawler has a pipe of its own, read to its end: a crawler killed mid-message breaks only its own
    channel (its units stay unjudged), never the others', and nothing it sent before it ended is missed."""
    from spiders.extensions import progress_line

    context = multiprocessing.get_context("spawn")
    shards = shard_units(units, workers)
    readers: dict[object, int] = {}
    processes = []
    for k, shard in enumerate(shards):
        reader, writer = context.Pipe(duplex=False)
        process = context.Process(
            target=_crawl_shard, name=f"crawler-{k}", daemon=True,
            args=(k, str(catalog.path), catalog.digest, str(db_path), as_of.isoformat(), sweep_id,
                  [u.slug for u in shard], columns, log_level, writer))
        process.start()
        writer.close()  # the crawler holds the only writing end: its exit is this reader's end of file
        readers[reader] = k
        processes.append(process)
    finished: set[int] = set()
    broken: set[str] = set()  # units a record of which could not be written: never judged
    complete = True
    store = Store(db_path)
    try:
        while readers:
            for reader in multiprocessing.connection.wait(list(readers)):
                batch, ended = _drain(reader)
                complete &= _write(store, catalog, as_of, sweep_id, batch, finished, broken, progress, progress_line)
                if ended:
                    del readers[reader]
                    reader.close()
    finally:
        store.close()
        for p in processes:
            p.join(timeout=60)
        for p in processes:
            if p.exitcode is None:
                p.kill()
                p.join()
    return complete and finished == set(range(len(shards))) and all(p.exitcode == 0 for p in processes)


def _drain(reader) -> tuple[list, bool]:
    """What the crawler has sent so far (up to BATCH messages), and whether its channel has ended."""
    batch: list = []
    try:
        while len(batch) < BATCH and (not batch or reader.poll()):
            batch.append(reader.recv())
    except (EOFError, OSError):  # the crawler is gone; a message it was cut off in the middle of is lost
        return batch, True
    return batch, False


def _write(store: Store, catalog: Catalog, as_of: date, sweep_id: int, batch: list, finished: set[int],
           broken: set[str], progress: bool, progress_line) -> bool:
    """Write the batch's records, judging each unit when its end comes (after its records). False when a
    record could not be written or a unit's crawl did not finish: that unit is not judged."""
    complete = True
    pending: list[ingest.Envelope] = []
    for message in batch + [None]:
        if isinstance(message, ingest.Envelope):
            pending.append(message)
            continue
        broken |= ingest.apply_batch(store, pending, tolerant=True)
        pending = []
        if isinstance(message, ShardDone):
            finished.add(message.shard)
        elif isinstance(message, ingest.UnitDone):
            unit = catalog.unit(message.unit)
            if message.reason != "finished" or message.unit in broken:
                log.error("%s: not judged (crawl %s%s)", message.unit, message.reason,
                          ", a record could not be written" if message.unit in broken else "")
                complete = False
                continue
            result = ingest.close_unit(store, catalog, unit, as_of, sweep_id, set(message.columns))
            if progress:
                print(progress_line(unit, result), file=sys.stderr, flush=True)
    return complete


def _crawl_shard(shard: int, catalog_path: str, digest: str, db_path: str, as_of: str, sweep_id: int,
                 slugs: list[str], columns: dict[str, list[str]] | None, log_level: str | None, channel) -> None:
    """A crawler process: its shard's units in one reactor; records go to the writer through ``channel``,
    sent from a thread of their own so that the reactor never waits for the writer."""
    from scrapy.crawler import AsyncCrawlerProcess

    from monitor.sweep import base_settings, crawl_units, run_in_reactor

    catalog = load_catalog(catalog_path)
    if catalog.digest != digest:
        raise SystemExit(f"{catalog_path} changed since the sweep began: this shard is not crawled")
    outgoing: queue_module.SimpleQueue = queue_module.SimpleQueue()
    sender = threading.Thread(target=_send_all, args=(outgoing, channel), name="to-writer")
    sender.start()
    ingest.set_outbox(outgoing.put)
    try:
        process = AsyncCrawlerProcess(base_settings(catalog, Path(db_path), False, log_level))
        per_sweep = {"MONITOR_AS_OF": as_of, "MONITOR_SWEEP_ID": sweep_id}
        units = [catalog.unit(slug) for slug in slugs]
        run_in_reactor(process, lambda: crawl_units(process, catalog, units, per_sweep, columns))
        outgoing.put(ShardDone(shard))  # only after every unit's crawl ended: a stopped crawl never says so
    finally:
        outgoing.put(None)
        sender.join()
        channel.close()


def _send_all(outgoing: queue_module.SimpleQueue, channel) -> None:
    while (message := outgoing.get()) is not None:
        channel.send(message)
