"""Scale-out, a worker (``monitor scaleout worker``): takes work items from Redis under a lease and crawls
their units with the usual unit spiders, several at once in one reactor, each on scrapy-redis's scheduler.
A unit's records are held until its crawl ends, then sent with its ``UnitDone`` as one message, in the
transaction that releases the item; a stopped worker hands its unfinished units back."""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import sys
import threading
import time
import warnings
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from monitor import clock, ingest
from monitor.config import load_catalog
from monitor.scaleout_codec import RequestCodec, encode_message
from monitor.scaleout_redis import Keys, connect, redis_url

LEASE = 60.0  # seconds a worker's lease lasts; renewed every third of it
UNITS_AT_ONCE = 8  # units one worker crawls side by side (each with its own per-host politeness)


def redis_settings(url: str, keys: Keys, sweep_id: int, attempt: int) -> dict[str, Any]:
    """The Scrapy settings that put a unit spider's request queue and dupefilter in Redis (scrapy-redis),
    under this sweep and attempt; ``%(spider)s`` is the unit's slug."""
    return {
        "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
        "SCHEDULER_QUEUE_KEY": keys.requests(sweep_id, attempt),
        "SCHEDULER_DUPEFILTER_KEY": keys.seen(sweep_id, attempt),
        "SCHEDULER_SERIALIZER": RequestCodec,
        # An attempt starts from the unit's first pages: a queue left by a dead attempt is no state to resume
        # (the spider's pages read, dates seen and requests in flight died with it). Its own keys go when it ends.
        "SCHEDULER_FLUSH_ON_START": True,
        "SCHEDULER_PERSIST": False,
        "REDIS_URL": url,
    }


@dataclass
class _Held:
    """A work item a worker holds, until each of its units has been sent or handed back."""

    raw: str
    item: dict[str, Any]
    remaining: set[str]
    handback: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)


class Worker:
    """Takes work items from Redis and crawls their units, ``units_at_once`` at a time, in one reactor."""

    def __init__(self, catalog_path: Path | None, db_path: Path, url: str | None, keys: Keys = Keys(),
                 units_at_once: int = UNITS_AT_ONCE, idle_exit: float | None = None, lease: float = LEASE,
                 log_level: str | None = None):
        self.catalog_path = catalog_path
        self.catalog = load_catalog(catalog_path)
        self.db_path = Path(db_path)
        self.url = redis_url(url)
        self.keys = keys
        self.units_at_once = max(1, units_at_once)
        self.idle_exit = idle_exit
        self.lease = lease
        self.log_level = log_level
        self.id = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self.redis = connect(self.url)
        self.holding: dict[tuple[int, str], _Held] = {}
        self.buffers: dict[tuple[int, str], list] = defaultdict(list)
        self.running: dict[str, Any] = {}  # unit → its crawl task
        self.stopping = False
        self.failure: str | None = None
        self.crawled = 0
        self._heartbeat_stop = threading.Event()

    # -------------------------------------------------------- lease

    def _renew(self) -> None:
        pipe = self.redis.pipeline(transaction=True)
        pipe.set(self.keys.alive(self.id), json.dumps({"pid": os.getpid(), "since": clock.stamp()}),
                 px=int(self.lease * 1000))
        pipe.sadd(self.keys.workers, self.id)
        pipe.execute()

    def _heartbeat(self) -> None:
        while not self._heartbeat_stop.wait(self.lease / 3):
            try:
                self._renew()
            except Exception as exc:  # noqa: BLE001 - Redis away for a moment: try again; the lease may run out
                self._say(f"cannot renew the lease: {type(exc).__name__}: {exc}")

    # -------------------------------------------------------- the outbox (ingest.set_outbox)

    def __call__(self, message) -> None:
        if isinstance(message, ingest.Envelope):
            self.buffers[(message.sweep_id, message.record.unit)].append(message)
            return
        key = (message.sweep_id, message.unit)
        records = self.buffers.pop(key, [])
        held = self.holding.get(key)
        if held is None:
            self._say(f"{message.unit}: ended but not held by this worker; dropped")
            return
        if message.reason == "shutdown":
            self._settle(key, None)
            return
        self._settle(key, {"sweep": message.sweep_id, "unit": message.unit, "attempt": held.item["attempt"],
                           "worker": self.id, "reason": message.reason,
                           "messages": [encode_message(m) for m in [*records, message]]})

    def _settle(self, key: tuple[int, str], result: dict[str, Any] | None) -> None:
        """The unit's message (or, with None, its hand-back) and, after the item's last unit, the item's release:
        one Redis transaction."""
        held = self.holding.pop(key)
        unit = key[1]
        held.remaining.discard(unit)
        if result is None:
            held.handback.append(unit)
        try:
            pipe = self.redis.pipeline(transaction=True)
            if result is not None:
                pipe.rpush(self.keys.results, json.dumps(result, ensure_ascii=False))
            if not held.remaining:
                if held.handback:
                    pipe.lpush(self.keys.units, json.dumps({**held.item, "units": held.handback}))
                pipe.lrem(self.keys.taken(self.id), 1, held.raw)
            pipe.execute()
        except Exception as exc:  # noqa: BLE001 - Redis gone: stop; the lease runs out and the item comes back
            self.failure = f"cannot send {unit} to Redis: {type(exc).__name__}: {exc}"
            self._say(self.failure)
            self.stop()
            return
        if result is None:
            self._say(f"{unit}: handed back (stopping)")
        else:
            self.crawled += 1
            what = "crawled" if "error" not in result else f"failed ({result['error']})"
            self._say(f"{unit}: {what} (sweep {key[0]}, attempt {held.item['attempt']}, "
                      f"{len(result.get('messages', ()))} messages, {time.monotonic() - held.started:.1f} s)")

    def _say(self, text: str) -> None:
        print(f"scaleout worker {self.id}: {text}", file=sys.stderr, flush=True)

    # -------------------------------------------------------- the crawl

    def run(self) -> int:
        """Run until stopped (SIGTERM, SIGINT) or idle for ``idle_exit`` seconds. 0, or 1 after a failure."""
        from scrapy.crawler import AsyncCrawlerProcess
        from scrapy.exceptions import ScrapyDeprecationWarning
        from scrapy.utils.defer import deferred_from_coro

        from monitor.sweep import base_settings

        # scrapy-redis 0.9.1 still passes `spider` to the stats collector; Scrapy 2.19 warns once per process
        warnings.filterwarnings("ignore", category=ScrapyDeprecationWarning, module="scrapy_redis")
        self.redis.ping()
        self.process = AsyncCrawlerProcess(base_settings(self.catalog, self.db_path, False, self.log_level))
        from twisted.internet import reactor  # the asyncio reactor, installed by AsyncCrawlerProcess

        self._renew()
        threading.Thread(target=self._heartbeat, name="lease", daemon=True).start()
        ingest.set_outbox(self)
        errors: list[BaseException] = []

        def start() -> None:
            d = deferred_from_coro(self._main())
            d.addErrback(lambda f: errors.append(f.value))
            d.addBoth(lambda _: reactor.stop())

        def on_signal(signum, frame) -> None:
            if self.stopping:  # a second signal: stop now; the lease runs out and the items come back
                reactor.callFromThread(reactor.stop)
                return
            reactor.callFromThread(self.stop)

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        self._say(f"ready (up to {self.units_at_once} units at once, lease {self.lease:g} s)")
        reactor.callWhenRunning(start)
        reactor.run(installSignalHandlers=False)
        self._heartbeat_stop.set()
        self._leave()
        if errors:
            self.failure = self.failure or f"{type(errors[0]).__name__}: {errors[0]}"
            self._say(f"failed: {self.failure}")
        self._say(f"exits: {self.crawled} unit(s) crawled")
        return 1 if self.failure else 0

    def stop(self) -> None:
        """Take no more items; the units being crawled stop and are handed back (their crawl ends 'shutdown')."""
        if self.stopping:
            return
        self.stopping = True
        from scrapy.utils.defer import deferred_from_coro

        deferred_from_coro(self.process.stop())

    def _leave(self) -> None:
        """A clean exit: whatever is still held goes back to the queue; the lease is dropped."""
        try:
            for raw in self.redis.lrange(self.keys.taken(self.id), 0, -1):
                pipe = self.redis.pipeline(transaction=True)
                pipe.lpush(self.keys.units, raw)
                pipe.lrem(self.keys.taken(self.id), 1, raw)
                pipe.execute()
            pipe = self.redis.pipeline(transaction=True)
            pipe.delete(self.keys.alive(self.id), self.keys.taken(self.id))
            pipe.srem(self.keys.workers, self.id)
            pipe.execute()
        except Exception as exc:  # noqa: BLE001 - the lease runs out and the ingester gives the items back
            self._say(f"could not leave cleanly: {type(exc).__name__}: {exc}")

    async def _main(self) -> None:
        import asyncio

        idle_since = time.monotonic()
        while not self.stopping:
            if len(self.running) >= self.units_at_once:
                await asyncio.wait(list(self.running.values()), return_when=asyncio.FIRST_COMPLETED)
                continue
            raw = await asyncio.to_thread(self.redis.blmove, self.keys.units, self.keys.taken(self.id), 1.0,
                                          "LEFT", "RIGHT")
            if raw is None:
                if self.running:
                    idle_since = time.monotonic()
                elif self.idle_exit is not None and time.monotonic() - idle_since >= self.idle_exit:
                    break
                continue
            if self.stopping:  # taken while a stop came in: give it straight back
                self._give_back(raw)
                break
            await self._start_item(raw)
            idle_since = time.monotonic()
        if self.running:
            await asyncio.wait(list(self.running.values()))

    def _give_back(self, raw: str) -> None:
        pipe = self.redis.pipeline(transaction=True)
        pipe.lpush(self.keys.units, raw)
        pipe.lrem(self.keys.taken(self.id), 1, raw)
        pipe.execute()
        self._say(f"handed back an item not started: {raw[:200]}")

    def _drop(self, raw: str) -> None:
        self.redis.lrem(self.keys.taken(self.id), 1, raw)

    async def _start_item(self, raw: str) -> None:
        import asyncio

        from spiders.loader import make_spider_class

        try:
            item = json.loads(raw)
            sweep_id, as_of, attempt, units = int(item["sweep"]), str(item["as_of"]), int(item["attempt"]), list(item["units"])
        except (ValueError, KeyError, TypeError):
            self._say(f"dropped a malformed work item: {raw[:200]!r}")
            self._drop(raw)
            return
        digest = self.redis.hget(self.keys.sweep(sweep_id), "digest")
        if digest is None:  # the sweep was finished or given up meanwhile
            self._drop(raw)
            return
        if digest != self.catalog.digest:
            self.catalog = load_catalog(self.catalog_path)  # the catalog file may have changed since we started
            if digest != self.catalog.digest:
                self._give_back(raw)
                self.failure = (f"sweep {sweep_id} was queued with another catalog (digest {digest[:12]}) than "
                                f"{self.catalog.path} ({self.catalog.digest[:12]}): every worker needs the same catalog")
                self._say(self.failure)
                self.stopping = True
                return
        pending = self.redis.smismember(self.keys.pending(sweep_id), units)
        known = {x.slug for x in self.catalog.units}
        # a unit this worker is crawling already (its item came back while the worker was presumed dead) is left
        # to that crawl: two crawls of one unit in one process would mix their records
        todo = [u for u, p in zip(units, pending) if p and u in known and (sweep_id, u) not in self.holding]
        if not todo:
            self._drop(raw)
            return
        held = _Held(raw, {**item, "units": todo}, set(todo))
        per_sweep = {"MONITOR_AS_OF": as_of, "MONITOR_SWEEP_ID": sweep_id,
                     **redis_settings(self.url, self.keys, sweep_id, attempt)}
        for slug in todo:
            self.holding[(sweep_id, slug)] = held
            spidercls = make_spider_class(self.catalog, self.catalog.unit(slug), per_sweep)
            try:
                task = self.process.crawl(spidercls)
            except Exception as exc:  # noqa: BLE001 - this unit cannot start; the others go on
                self._failed_to_crawl(sweep_id, slug, exc)
                continue
            self.running[slug] = task
            task.add_done_callback(lambda t, slug=slug, sweep_id=sweep_id: self._crawl_ended(sweep_id, slug, t))
        await asyncio.sleep(0)

    def _crawl_ended(self, sweep_id: int, slug: str, task) -> None:
        self.running.pop(slug, None)
        if (sweep_id, slug) in self.holding:  # ended without its UnitDone: the crawler failed to run
            exc = None if task.cancelled() else task.exception()
            if self.stopping and exc is None:
                self._settle((sweep_id, slug), None)
            else:
                self._failed_to_crawl(sweep_id, slug, exc)

    def _failed_to_crawl(self, sweep_id: int, slug: str, exc: BaseException | None) -> None:
        self.buffers.pop((sweep_id, slug), None)
        held = self.holding[(sweep_id, slug)]
        why = f"{type(exc).__name__}: {exc}"[:300] if exc else "the crawl ended without closing the unit"
        self._say(f"{slug}: crawler failed: {why}")
        self._settle((sweep_id, slug), {"sweep": sweep_id, "unit": slug, "attempt": held.item["attempt"],
                                        "worker": self.id, "error": why})
