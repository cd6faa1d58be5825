"""Scale-out, the ingester (``monitor scaleout ingest``), the one writer: writes each unit's message in one
SQLite transaction (its records with ``monitor.ingest.apply_batch``, its judging with
``monitor.ingest.close_unit``), gives back the items of workers whose lease ran out (``reclaim``) and finishes
each sweep row once no unit is pending. It holds the database's sweep lock, as ``monitor sweep`` does."""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from datetime import date
from pathlib import Path

from monitor import ingest, locks
from monitor.config import Catalog, load_catalog
from monitor.errors import MonitorError
from monitor.scaleout_codec import decode_message
from monitor.scaleout_redis import Keys, connect
from monitor.store import Store

MAX_ATTEMPTS = 3  # crawls of a unit whose worker died, before the unit is given up


def reclaim(r, keys: Keys = Keys(), max_attempts: int = MAX_ATTEMPTS) -> list[str]:
    """Give back the items of workers whose lease ran out, as a new attempt (or give their units up after
    ``max_attempts``). Returns what it did, one line each."""
    import redis

    said: list[str] = []
    for worker in sorted(r.smembers(keys.workers)):
        if r.exists(keys.alive(worker)):
            continue
        with r.pipeline(transaction=True) as pipe:
            try:
                pipe.watch(keys.alive(worker), keys.taken(worker))
                if pipe.exists(keys.alive(worker)):
                    continue
                raws = pipe.lrange(keys.taken(worker), 0, -1)
                pipe.multi()
                for raw in raws:
                    item = json.loads(raw)
                    sweep_id, attempt = int(item["sweep"]), int(item["attempt"])
                    for unit in item["units"]:
                        pipe.delete(keys.requests(sweep_id, attempt, unit), keys.seen(sweep_id, attempt, unit))
                    if attempt >= max_attempts:
                        why = f"its worker died {attempt} times (last: {worker})"
                        pipe.srem(keys.pending(sweep_id), *item["units"])
                        pipe.hset(keys.failed(sweep_id), mapping={u: why for u in item["units"]})
                        said.append(f"gave up {', '.join(item['units'])}: {why}")
                    else:
                        pipe.lpush(keys.units, json.dumps({**item, "attempt": attempt + 1}))
                        said.append(f"{', '.join(item['units'])}: back in the queue (worker {worker} gone), "
                                    f"attempt {attempt + 1}")
                pipe.delete(keys.taken(worker))
                pipe.srem(keys.workers, worker)
                pipe.execute()
            except redis.WatchError:
                continue  # the worker renewed its lease or moved its items meanwhile: look again next time
    return said


class Ingester:
    """The one writer of a scale-out sweep."""

    def __init__(self, catalog: Catalog, db_path: Path, url: str | None, keys: Keys = Keys(), progress: bool = True,
                 evidence: bool = True, notify: bool = True):
        self.catalog = catalog
        self.db_path = Path(db_path)
        self.keys = keys
        self.redis = connect(url)
        self.progress = progress
        self.evidence = evidence
        self.notify = notify
        self.adopted: set[int] = set()
        self.finished: list = []  # SweepSummary of each sweep finished

    def run(self, until_done: bool = False) -> int:
        """Write what the workers send until stopped, or (``until_done``) until no sweep is open.
        0, or 1 when a sweep it finished ended 'failed'."""
        self.redis.ping()
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        with locks.hold(self.db_path, "sweep"), Store(self.db_path) as store:
            for raw in self.redis.lrange(self.keys.ingesting, 0, -1):  # left by an ingester that died
                self._write(store, raw)
                self.redis.lrem(self.keys.ingesting, 1, raw)
            next_look = 0.0
            while not stop.is_set():
                if time.monotonic() >= next_look:
                    for line in reclaim(self.redis, self.keys):
                        self._say(line)
                    if not self._housekeeping(store) and until_done:
                        break
                    next_look = time.monotonic() + 1.0
                raw = self.redis.blmove(self.keys.results, self.keys.ingesting, 1.0, "LEFT", "RIGHT")
                if raw is not None:
                    self._write(store, raw)
                    self.redis.lrem(self.keys.ingesting, 1, raw)
        return 1 if any(s.status != "finished" for s in self.finished) else 0

    def _say(self, text: str) -> None:
        print(f"scaleout ingest: {text}", file=sys.stderr, flush=True)

    def _housekeeping(self, store: Store) -> bool:
        """Adopt new sweeps, finish those with no unit pending; whether a sweep is still open."""
        still_open = False
        for sweep_id in sorted(int(s) for s in self.redis.smembers(self.keys.sweeps)):
            meta = self.redis.hgetall(self.keys.sweep(sweep_id))
            if not meta:
                self.redis.srem(self.keys.sweeps, sweep_id)
                continue
            if meta["digest"] != self.catalog.digest:
                self.catalog = load_catalog(self.catalog.path)  # the file may have changed since we started
            if meta["digest"] != self.catalog.digest:
                raise MonitorError(f"sweep {sweep_id} was queued with another catalog (digest {meta['digest'][:12]}) "
                                   f"than {self.catalog.path}: the ingester judges with the crawl's catalog")
            if sweep_id not in self.adopted:
                # the coordinator has exited: this process now runs the sweep (a sweep row whose pid is gone
                # would be marked aborted by the next begin_sweep)
                store.db["sweeps"].update(sweep_id, {"pid": os.getpid(), "status": "running"})
                self.adopted.add(sweep_id)
            if self.redis.scard(self.keys.pending(sweep_id)):
                still_open = True
                continue
            self._finish(store, sweep_id, meta)
        return still_open

    def _finish(self, store: Store, sweep_id: int, meta: dict[str, str]) -> None:
        from monitor.evidence import build_packs_after_sweep
        from monitor.notify import notify_after_sweep
        from monitor.sweep import summarise

        as_of = date.fromisoformat(meta["as_of"])
        failed = self.redis.hgetall(self.keys.failed(sweep_id))
        status = "failed" if failed else "finished"
        summary = summarise(store, sweep_id, as_of, json.loads(meta["units"]), status)
        store.finish_sweep(sweep_id, status, units_done=summary.units, columns_checked=summary.columns,
                           columns_late=summary.late, notices_opened=summary.notices_opened,
                           note="; ".join(f"{u}: {why}" for u, why in sorted(failed.items())) or None)
        self.finished.append(summary)
        pipe = self.redis.pipeline(transaction=True)
        pipe.srem(self.keys.sweeps, sweep_id)
        pipe.delete(self.keys.sweep(sweep_id), *self.redis.scan_iter(match=f"{self.keys.sweep(sweep_id)}:*", count=1000))
        pipe.execute()
        for unit, why in sorted(failed.items()):
            self._say(f"{unit}: not judged ({why})")
        print(summary.line(), flush=True)
        if self.evidence:
            build_packs_after_sweep(self.db_path, self.catalog, as_of)
        if self.notify:
            notify_after_sweep(self.db_path, self.catalog, as_of)

    def _write(self, store: Store, raw: str) -> None:
        """One unit's message: its records and its judging in one transaction, unless written already."""
        from spiders.extensions import progress_line

        try:
            message = json.loads(raw)
            sweep_id, slug = int(message["sweep"]), str(message["unit"])
        except (ValueError, KeyError, TypeError):
            self._say(f"dropped a malformed message: {raw[:200]!r}")
            return
        as_of_text = self.redis.hget(self.keys.sweep(sweep_id), "as_of")
        if as_of_text is None or not self.redis.sismember(self.keys.pending(sweep_id), slug):
            return  # its sweep is over, or another attempt of the unit was written first
        if "error" in message:
            pipe = self.redis.pipeline(transaction=True)
            pipe.srem(self.keys.pending(sweep_id), slug)
            pipe.hset(self.keys.failed(sweep_id), slug, f"crawler failed on {message.get('worker')}: {message['error']}")
            pipe.execute()
            return
        as_of = date.fromisoformat(as_of_text)
        try:
            decoded = [decode_message(m) for m in message["messages"]]
            envelopes = [m for m in decoded if isinstance(m, ingest.Envelope)]
            [done] = [m for m in decoded if isinstance(m, ingest.UnitDone)]
            if any(e.sweep_id != sweep_id or e.record.unit != slug for e in envelopes) or done.unit != slug:
                raise ValueError("records of another sweep or unit")
            unit = self.catalog.unit(slug)
        except (ValueError, TypeError, KeyError) as exc:
            self._say(f"dropped {slug}'s message from {message.get('worker')}: {type(exc).__name__}: {exc}")
            return
        if not _written(store, sweep_id, slug):
            with store.atomic():
                ingest.apply_batch(store, envelopes)
                result = ingest.close_unit(store, self.catalog, unit, as_of, sweep_id, set(done.columns))
            if self.progress:
                self._say(f"{progress_line(unit, result).strip()}  ← {message.get('worker')}")
        self.redis.srem(self.keys.pending(sweep_id), slug)


def _written(store: Store, sweep_id: int, unit: str) -> bool:
    """Whether a unit's message was committed already (an ingester that died before taking it off Redis):
    its records and its verdicts are written in one transaction, so any row of it means all of it."""
    return any(store.db.execute(f"select 1 from {table} where sweep_id = ? and unit = ? limit 1",
                                [sweep_id, unit]).fetchone() for table in ("checks", "fetches"))
