"""Scale-out, the coordinator (``monitor scaleout enqueue``): begins the sweep row in SQLite and queues its
work items in Redis, one per group of units sharing a host (``monitor.sweep_workers.host_groups``)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from monitor import clock, locks
from monitor.config import Catalog
from monitor.errors import UsageError
from monitor.scaleout_redis import Keys, connect, redis_url
from monitor.store import Store


def enqueue(catalog: Catalog, db_path: Path, url: str | None, as_of: date, units: Sequence[str] | None = None,
            keys: Keys = Keys()) -> tuple[int, int]:
    """Begin a sweep row and push its work items; return (sweep id, items). One open sweep at a time."""
    from monitor.sweep_workers import host_groups

    clock.not_in_future(as_of)
    unknown = set(units or ()) - {u.slug for u in catalog.units}
    if unknown:
        raise UsageError(f"unknown unit(s): {', '.join(sorted(unknown))}")
    chosen = [u for u in catalog.units if not units or u.slug in units]
    if not chosen:
        raise UsageError("no unit to crawl")
    r = connect(url)
    open_sweeps = sorted(r.smembers(keys.sweeps))
    if open_sweeps:
        raise locks.AlreadyRunning(f"scale-out sweep {', '.join(open_sweeps)} is still open in {redis_url(url)} "
                                   f"(keys {keys.prefix}:*): its ingester finishes it")
    groups = host_groups(chosen)  # units sharing a host are one work item
    with Store(db_path) as store:
        store.record_catalog(catalog)
        sweep_id = store.begin_sweep(as_of, "sweep", catalog.digest, len(chosen))
        try:
            items = [json.dumps({"sweep": sweep_id, "as_of": as_of.isoformat(), "units": [u.slug for u in group],
                                 "attempt": 1}) for group in groups]
            pipe = r.pipeline(transaction=True)
            pipe.hset(keys.sweep(sweep_id), mapping={
                "as_of": as_of.isoformat(), "digest": catalog.digest, "units": json.dumps([u.slug for u in chosen]),
                "items": len(items), "enqueued_at": clock.stamp()})
            pipe.sadd(keys.pending(sweep_id), *[u.slug for u in chosen])
            pipe.sadd(keys.sweeps, sweep_id)
            pipe.rpush(keys.units, *items)
            pipe.execute()
        except BaseException:
            store.finish_sweep(sweep_id, "failed", note="scale-out: the work could not be queued in Redis")
            raise
    return sweep_id, len(items)
