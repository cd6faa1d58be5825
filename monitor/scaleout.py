"""Scale-out: crawler workers on any number of processes or machines share one queue in Redis; one ingester
writes SQLite. See docs/scaleout.md for when it is worth it (rarely: ``monitor sweep --workers N`` covers a
province on one machine).

Three roles, each a command (``monitor scaleout enqueue | worker | ingest``):

- The coordinator (``enqueue``) begins the sweep row in SQLite and pushes the work: one item per group of units
  that share a host (nearly always one unit; units of one portal stay together, so their host's politeness
  is kept in one process, as ``monitor.sweep_workers`` shards them).
- Workers take items (``BLMOVE`` from the queue into the worker's own list, so a taken item is never only in
  a process's memory) and crawl their units with the usual unit spiders, several at once in one reactor. Each
  unit spider runs on scrapy-redis's Scheduler and dupefilter: its request queue and fingerprints live in
  Redis under the sweep, the attempt and the unit. The records a unit yields are kept by the worker until
  the unit's crawl has ended, then sent with its ``UnitDone`` as one message, in the same transaction that
  drops the item from the worker's list. WARC files are written by the worker beside its database, as always.
- One ingester writes each unit's message in one SQLite transaction: its records (``monitor.ingest.apply_batch``)
  and its judging (``monitor.ingest.close_unit``). It also gives back the items of workers whose lease ran
  out (killed, crashed, cut off) and finishes the sweep row once no unit is pending. It holds the database's
  sweep lock, as ``monitor sweep`` does.

A unit's crawl is all or nothing. Its reading state (pages read, dates seen, requests in flight) lives in the
worker's process, so a unit whose worker died is crawled again from its start, as a new attempt with fresh
request keys (``SCHEDULER_FLUSH_ON_START``), never resumed from a half-read queue; the dead attempt sent
nothing, so nothing is written twice. A worker that is stopped (SIGTERM, SIGINT) hands its unfinished units
back at once. The first complete message of a unit is written; any later one (from a worker presumed dead
that was only slow) is dropped. A unit whose workers died ``MAX_ATTEMPTS`` times is given up: no verdict,
and the sweep ends 'failed', as with a crawler process that dies under ``monitor sweep --workers``.

Nothing read from Redis is unpickled: records travel as JSON with a type tag, rebuilt only as the known record
classes (spiders.records, monitor.ingest), and the request queues use a JSON codec too (``RequestCodec``).
Redis still decides what is crawled and written: bind it to 127.0.0.1 or protect it (docs/scaleout.md).

The layers, one module each (this module only re-exports what the CLI and the tests use):

    monitor.scaleout_redis        the Redis URL and connection, and every key's name (``Keys``; the key table)
    monitor.scaleout_codec        records, outbox messages and queued requests as JSON (no pickle)
    monitor.scaleout_coordinator  ``enqueue``: the sweep row and the work items
    monitor.scaleout_worker       ``Worker``: the lease, the crawl, the outbox sent per unit
    monitor.scaleout_ingester     ``Ingester`` and ``reclaim``: the one writer, expired leases given back
    monitor.scaleout_status       ``status_lines``: what the queue holds
"""

from __future__ import annotations

from monitor.scaleout_codec import RECORD_TYPES, RequestCodec, decode_message, encode_message
from monitor.scaleout_coordinator import enqueue
from monitor.scaleout_ingester import MAX_ATTEMPTS, Ingester, reclaim
from monitor.scaleout_redis import DEFAULT_REDIS, PREFIX, Keys, connect, redis_url
from monitor.scaleout_status import status_lines
from monitor.scaleout_worker import LEASE, UNITS_AT_ONCE, Worker, redis_settings

__all__ = ["DEFAULT_REDIS", "LEASE", "MAX_ATTEMPTS", "PREFIX", "RECORD_TYPES", "UNITS_AT_ONCE", "Ingester", "Keys",
           "RequestCodec", "Worker", "connect", "decode_message", "encode_message", "enqueue", "reclaim",
           "redis_settings", "redis_url", "status_lines"]
