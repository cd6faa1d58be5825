"""Scale-out, what is going on (``monitor scaleout status``): a read-only look at the queue, the open sweeps
and the workers with the units they hold."""

from __future__ import annotations

import json

from monitor.scaleout_redis import Keys, connect, redis_url


def status_lines(url: str | None, keys: Keys = Keys()) -> list[str]:
    r = connect(url)
    lines = [f"{redis_url(url)} ({keys.prefix}:*): {r.llen(keys.units)} item(s) queued, "
             f"{r.llen(keys.results)} unit message(s) waiting for the ingester"]
    for sweep_id in sorted(int(s) for s in r.smembers(keys.sweeps)):
        meta = r.hgetall(keys.sweep(sweep_id))
        total = len(json.loads(meta.get("units", "[]")))
        lines.append(f"sweep {sweep_id} as of {meta.get('as_of')}: {r.scard(keys.pending(sweep_id))} of {total} "
                     f"unit(s) pending, {r.hlen(keys.failed(sweep_id))} given up")
    for worker in sorted(r.smembers(keys.workers)):
        held = [u for raw in r.lrange(keys.taken(worker), 0, -1) for u in json.loads(raw)["units"]]
        state = "alive" if r.exists(keys.alive(worker)) else "lease expired"
        lines.append(f"worker {worker}: {state}, holding {', '.join(held) or 'nothing'}")
    return lines
