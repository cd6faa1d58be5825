"""Scale-out, the Redis side: where Redis is (URL, connection) and the name of every key the roles share.

Keys (``PREFIX`` = ``dmon`` unless ``--prefix``):

    PREFIX:units                     list   work items, JSON {sweep, as_of, units, attempt}
    PREFIX:results                   list   one JSON message per crawled unit (its records and UnitDone)
    PREFIX:ingesting                 list   the message the ingester is writing (taken back after a crash)
    PREFIX:sweeps                    set    ids of the open sweeps
    PREFIX:sweep:ID                  hash   as_of, digest, units (JSON list), items
    PREFIX:sweep:ID:pending          set    units not yet written
    PREFIX:sweep:ID:failed           hash   unit -> why it was given up
    PREFIX:sweep:ID:aN:UNIT:requests zset   the unit's request queue in attempt N (scrapy-redis)
    PREFIX:sweep:ID:aN:UNIT:seen     set    its request fingerprints (scrapy-redis dupefilter)
    PREFIX:workers                   set    worker ids (host:pid:token)
    PREFIX:worker:WID:alive          string the worker's lease (expires unless renewed)
    PREFIX:worker:WID:taken          list   the items the worker holds
"""

from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_REDIS = "redis://127.0.0.1:6379/0"
PREFIX = "dmon"


def redis_url(url: str | None) -> str:
    return url or os.environ.get("MONITOR_REDIS") or DEFAULT_REDIS


def connect(url: str | None):
    import redis

    return redis.Redis.from_url(redis_url(url), decode_responses=True, socket_connect_timeout=10,
                                health_check_interval=30)


@dataclass(frozen=True)
class Keys:
    prefix: str = PREFIX

    @property
    def units(self) -> str:
        return f"{self.prefix}:units"

    @property
    def results(self) -> str:
        return f"{self.prefix}:results"

    @property
    def ingesting(self) -> str:
        return f"{self.prefix}:ingesting"

    @property
    def sweeps(self) -> str:
        return f"{self.prefix}:sweeps"

    @property
    def workers(self) -> str:
        return f"{self.prefix}:workers"

    def sweep(self, sweep_id: int) -> str:
        return f"{self.prefix}:sweep:{sweep_id}"

    def pending(self, sweep_id: int) -> str:
        return f"{self.sweep(sweep_id)}:pending"

    def failed(self, sweep_id: int) -> str:
        return f"{self.sweep(sweep_id)}:failed"

    def requests(self, sweep_id: int, attempt: int, unit: str = "%(spider)s") -> str:
        return f"{self.sweep(sweep_id)}:a{attempt}:{unit}:requests"

    def seen(self, sweep_id: int, attempt: int, unit: str = "%(spider)s") -> str:
        return f"{self.sweep(sweep_id)}:a{attempt}:{unit}:seen"

    def alive(self, worker: str) -> str:
        return f"{self.prefix}:worker:{worker}:alive"

    def taken(self, worker: str) -> str:
        return f"{self.prefix}:worker:{worker}:taken"
