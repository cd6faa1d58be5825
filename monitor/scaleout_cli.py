"""``python -m monitor scaleout enqueue|worker|ingest|status``: crawling on workers that share a queue in
Redis, with one writer (docs/scaleout.md). Thin over monitor.scaleout."""

from __future__ import annotations

import argparse
from pathlib import Path

from monitor import clock
from monitor.config import load_catalog
from monitor.store import default_db_path


def cmd_enqueue(args: argparse.Namespace) -> int:
    """Begin a sweep and queue its units in Redis for the workers (docs/scaleout.md).
    e.g. python -m monitor scaleout enqueue --redis redis://127.0.0.1:6379/0"""
    from monitor import scaleout

    units = args.units.split(",") if args.units else None
    sweep_id, items = scaleout.enqueue(load_catalog(args.config), args.db or default_db_path(), args.redis,
                                       args.as_of or clock.today(), units, scaleout.Keys(args.prefix))
    print(f"第 {sweep_id} 次巡检：{items} 项任务已排入 Redis 队列")
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    """Crawl units taken from the Redis queue, on this machine, until stopped (or idle).
    e.g. python -m monitor scaleout worker --redis redis://127.0.0.1:6379/0"""
    from monitor import scaleout

    return scaleout.Worker(args.config, args.db or default_db_path(), args.redis, scaleout.Keys(args.prefix),
                           args.units_at_once, args.idle_exit, args.lease).run()


def cmd_ingest(args: argparse.Namespace) -> int:
    """The one writer: write and judge what the workers crawled, finish the sweep.
    e.g. python -m monitor scaleout ingest --redis redis://127.0.0.1:6379/0 --until-done"""
    from monitor import scaleout

    ingester = scaleout.Ingester(load_catalog(args.config), args.db or default_db_path(), args.redis,
                                 scaleout.Keys(args.prefix), progress=not args.quiet)
    return ingester.run(until_done=args.until_done)


def cmd_status(args: argparse.Namespace) -> int:
    """What the queue holds: open sweeps, pending units, workers and their units."""
    from monitor import scaleout

    print("\n".join(scaleout.status_lines(args.redis, scaleout.Keys(args.prefix))))
    return 0


def add_parser(sub: argparse._SubParsersAction, common) -> None:
    """The `scaleout` command group; ``common`` adds --as-of, --db and --config."""
    group = sub.add_parser("scaleout", help="crawl on worker processes or machines sharing a queue in Redis, "
                                            "with one writer (docs/scaleout.md)")
    commands = group.add_subparsers(dest="scaleout_command", required=True)

    def redis_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--redis", metavar="URL", default=None,
                       help="Redis URL (default: $MONITOR_REDIS or redis://127.0.0.1:6379/0)")
        p.add_argument("--prefix", default="dmon", help="prefix of the Redis keys (default: dmon)")

    p = commands.add_parser("enqueue", help=cmd_enqueue.__doc__, description=cmd_enqueue.__doc__)
    common(p)
    redis_options(p)
    p.add_argument("--units", help="comma-separated unit slugs (default: all)")
    p.set_defaults(func=cmd_enqueue)

    p = commands.add_parser("worker", help=cmd_worker.__doc__, description=cmd_worker.__doc__)
    p.add_argument("--db", type=Path, default=None,
                   help="database file to read known items from; WARC files go beside it (default: $MONITOR_DB "
                        "or var/monitor.db)")
    p.add_argument("--config", type=Path, default=None, help="catalog file (the same catalog as the coordinator's)")
    redis_options(p)
    p.add_argument("--idle-exit", type=float, default=None, metavar="SECONDS",
                   help="exit after this long with nothing to do (default: run until stopped)")
    p.add_argument("--units-at-once", type=int, default=8, metavar="K", help="units crawled side by side (default 8)")
    p.add_argument("--lease", type=float, default=60.0, metavar="SECONDS",
                   help="how long after this worker dies its units go back to the queue (default 60)")
    p.set_defaults(func=cmd_worker)

    p = commands.add_parser("ingest", help=cmd_ingest.__doc__, description=cmd_ingest.__doc__)
    p.add_argument("--db", type=Path, default=None, help="database file (default: $MONITOR_DB or var/monitor.db)")
    p.add_argument("--config", type=Path, default=None, help="catalog file")
    redis_options(p)
    p.add_argument("--until-done", action="store_true", help="exit once no sweep is open")
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    p.set_defaults(func=cmd_ingest)

    p = commands.add_parser("status", help=cmd_status.__doc__, description=cmd_status.__doc__)
    redis_options(p)
    p.set_defaults(func=cmd_status)
