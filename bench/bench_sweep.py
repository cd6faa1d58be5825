"""Benchmark: the daily sweep over a synthetic province, against the framework's and the machine's floors.

    make bench                     # = .venv/bin/python bench/bench_sweep.py (installs the bench extras first)
    .venv/bin/python bench/bench_sweep.py [--world 2000] [--units 100] [--workers 0] [--no-urlwatch] [--json F]

``bench/province.py`` serves a province of ``--world`` units (40 columns each, a history of 400 days) on
127.10.x.x, generated on request. ``--units`` of them (the first ones; every unit is alike in kind) are swept;
``--units 2000`` sweeps the whole province (an hour or more on 2 cores: every step is run over all of it). Each step runs in a child process of
its own, measured from outside: wall time, user+sys CPU of its whole process tree (``os.wait4``), peak RSS of
the tree (sampled from /proc every 0.2 s: the sum over its processes), and requests / body bytes by status as
the server counted them.

1. The monitor's sweep (``python -m monitor sweep``) on an empty database, one crawler process: a first sweep
   (it reads each list page, pages deeper as far as each rule needs, and the article pages of items whose
   written date the rule needs).
2. The same sweep again, nothing changed on the sites (request economy: conditional requests, article pages
   only for new items): requests and bytes per column, first sweep against the next.
3. The monitor's first sweep with ``--workers N`` (N = cores): crawler processes sharded by host, one writer.
4. Scrapy fetching exactly the URLs sweep 1 fetched, with an empty callback and the monitor's concurrency
   (the framework's floor): one spider; a spider per host in one process (the monitor's shape: a spider per
   unit); one spider in each of N processes sharded by host.
5. aiohttp fetching the same URLs (the machine's floor: a plain asyncio client).
6. urlwatch checking the same list pages, twice (``bench/bench_urlwatch.py``), unless ``--no-urlwatch``.

Then the ratios: the monitor's CPU per request over Scrapy's (the goal: extraction, judgement and storage
cost less than 25 % over the framework's floor), pages per second of each, and urlwatch's cost per page
against the monitor's. Repeatable: the world is generated from a fixed seed; databases in a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

import province  # noqa: E402
from bench_urlwatch import read_stats, reset_stats, start_province, stop_province  # noqa: E402

AS_OF = date(2026, 11, 27)
PORT = 8802  # not the 8800 of a province served by hand, nor the 8801 of bench_urlwatch


# ---------------------------------------------------------------- measuring a child process tree

def _tree_rss_kib(root: int) -> int:
    """The summed RSS of ``root`` and its descendants (Linux /proc)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            parents[int(entry)] = int(fields[1])
            rss[int(entry)] = int(fields[21]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
        except (OSError, IndexError, ValueError):
            continue
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in tree]
        tree.update(children)
        frontier.extend(children)
    return sum(rss.get(pid, 0) for pid in tree)


def measure(command: list[str], stats_url: str, env: dict[str, str] | None = None) -> dict:
    """Run ``command``; its wall time, CPU (whole tree), peak tree RSS and what the server saw."""
    reset_stats(stats_url)
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **(env or {})},
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.2):
            peak[0] = max(peak[0], _tree_rss_kib(child.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({child.returncode}):\n{output[-3000:]}")
    stats = read_stats(stats_url)
    requests = sum(stats["requests"].values())
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "peak_mib": peak[0] / 1024,
            "requests": requests, "by_status": stats["requests"], "bytes": sum(stats["body_bytes"].values()),
            "output": output}


# ---------------------------------------------------------------- the floors (run as children of this script)

def scrapy_floor(url_file: str, per_host: bool = False) -> None:
    """Scrapy fetching the URLs with an empty callback and the monitor's concurrency settings: one spider for
    all, or (``per_host``) a spider per host in one process, as the monitor makes a spider per unit."""
    import collections

    import scrapy
    from scrapy.crawler import CrawlerProcess

    groups: dict[str, list[str]] = collections.defaultdict(list)
    for url in Path(url_file).read_text().split():
        groups[url.split("/")[2] if per_host else "all"].append(url)

    def spider(k: int, urls: list[str]) -> type:
        class Floor(scrapy.Spider):
            name = f"floor{k}"

            async def start(self):
                for url in urls:
                    yield scrapy.Request(url, callback=self.parse, dont_filter=True)

            def parse(self, response):
                return None
        return Floor

    process = CrawlerProcess({
        "CONCURRENT_REQUESTS": 64, "CONCURRENT_REQUESTS_PER_DOMAIN": 2, "DOWNLOAD_DELAY": 0,
        "ROBOTSTXT_OBEY": False, "LOG_LEVEL": "WARNING", "TELNETCONSOLE_ENABLED": False,
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
        "USER_AGENT": "disclosure-monitor bench floor", "WARN_ON_GENERATOR_RETURN_VALUE": False,
    })
    for k, urls in enumerate(groups.values()):
        process.crawl(spider(k, urls))
    process.start()


def aiohttp_floor(url_file: str) -> None:
    """A plain asyncio client: aiohttp, 64 connections, 2 a host, every body read."""
    import asyncio

    import aiohttp

    urls = Path(url_file).read_text().split()

    async def run() -> None:
        connector = aiohttp.TCPConnector(limit=64, limit_per_host=2)
        async with aiohttp.ClientSession(connector=connector) as session:
            queue: asyncio.Queue[str] = asyncio.Queue()
            for url in urls:
                queue.put_nowait(url)

            async def worker() -> None:
                while not queue.empty():
                    url = queue.get_nowait()
                    async with session.get(url) as response:
                        await response.read()

            await asyncio.gather(*(worker() for _ in range(64)))

    asyncio.run(run())


def sharded_floor(kind: str, url_file: str, shards: int) -> None:
    """``kind``'s floor in ``shards`` processes, the URLs dealt by host."""
    urls = Path(url_file).read_text().split()
    hosts = sorted({u.split("/")[2] for u in urls})
    share = {h: k % shards for k, h in enumerate(hosts)}
    files = []
    for k in range(shards):
        path = Path(url_file).with_suffix(f".{k}")
        path.write_text("\n".join(u for u in urls if share[u.split("/")[2]] == k))
        files.append(path)
    children = [subprocess.Popen([sys.executable, __file__, f"--{kind}-floor", str(f)]) for f in files]
    if any(c.wait() for c in children):
        raise SystemExit(f"a {kind} floor process failed")


# ---------------------------------------------------------------- the run

def disk(db: Path) -> dict[str, int]:
    """Bytes on disk beside the database: the database (with its WAL), the WARC files, the HTTP cache."""
    def size(path: Path) -> int:
        if path.is_dir():
            return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
        return path.stat().st_size if path.exists() else 0
    return {"database": size(db) + size(db.with_name(db.name + "-wal")), "warc": size(db.parent / "warc"),
            "httpcache": size(db.with_suffix(".httpcache.db")) + size(db.with_suffix(".httpcache.db-wal"))}


def fetched_urls(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [row[0] for row in conn.execute("select url from fetches where sweep_id = 1 order by id")]


def line(name: str, r: dict, pages: int | None = None) -> str:
    pages = pages or r["requests"]
    return (f"  {name:<44} {r['wall']:7.1f} s {pages / r['wall']:8.1f}/s {1000 * r['cpu'] / pages:7.2f} ms "
            f"{r['peak_mib']:7.0f} MiB {r['requests']:8,d} {r['bytes'] / 1e6:8.1f} MB  {_statuses(r)}")


def _statuses(r: dict) -> str:
    return " ".join(f"{k}:{v}" for k, v in sorted(r["by_status"].items()))


def run(args: argparse.Namespace) -> dict:
    cores = args.workers or os.cpu_count() or 1
    folder = Path(tempfile.mkdtemp(prefix="bench-sweep-"))
    catalog = folder / "province.toml"
    catalog.write_text(province.catalog_text(args.units, PORT), encoding="utf-8")
    py = sys.executable
    results: dict = {"units": args.units, "columns": args.units * province.COLUMNS_PER_UNIT, "world": args.world,
                     "cores": cores}
    server = start_province(args.world, PORT)
    stats_url = f"http://{province.address(0)}:{PORT}/__stats"
    header = (f"  {'':<44} {'wall':>9} {'req/s':>10} {'CPU/req':>10} {'peak RSS':>11} {'requests':>8} "
              f"{'bodies':>11}  statuses")
    try:
        print(f"province: {args.world} units served; swept: {args.units} units × {province.COLUMNS_PER_UNIT} "
              f"columns = {results['columns']:,} columns; {cores} cores\n{header}")

        def sweep(db: Path, workers: int) -> dict:
            return measure([py, "-m", "monitor", "sweep", "--config", str(catalog), "--db", str(db), "--as-of",
                            AS_OF.isoformat(), "--quiet", "--workers", str(workers)], stats_url)

        one = folder / "one" / "monitor.db"
        results["first"] = first = sweep(one, 1)
        first["disk"] = disk(one)
        print(line("monitor sweep, first (1 process)", first))
        results["next"] = nxt = sweep(one, 1)
        nxt["disk"] = disk(one)
        print(line("monitor sweep, next, nothing changed (1 process)", nxt))
        results["sharded"] = sharded = sweep(folder / "many" / "monitor.db", cores)
        print(line(f"monitor sweep, first ({cores} crawler processes + writer)", sharded))

        urls = fetched_urls(one)
        url_file = folder / "urls.txt"
        url_file.write_text("\n".join(urls))
        results["scrapy"] = scrapy = measure([py, __file__, "--scrapy-floor", str(url_file)], stats_url)
        print(line("Scrapy, empty callback, same URLs (1 process)", scrapy))
        results["scrapy_per_host"] = per_host = measure([py, __file__, "--scrapy-floor-per-host", str(url_file)],
                                                        stats_url)
        print(line("Scrapy, empty callback, a spider per host", per_host))
        results["scrapy_sharded"] = scrapy_n = measure(
            [py, __file__, "--sharded", "scrapy", str(cores), str(url_file)], stats_url)
        print(line(f"Scrapy, empty callback ({cores} processes)", scrapy_n))
        results["aiohttp"] = floor = measure([py, __file__, "--aiohttp-floor", str(url_file)], stats_url)
        print(line("aiohttp, same URLs (1 process)", floor))

        if not args.no_urlwatch:
            from bench_urlwatch import ensure_urlwatch, run_urlwatch

            watcher = ensure_urlwatch(Path(args.venv))
            list_pages = [province.column_url(u, c, PORT) for u in range(args.units)
                          for c in range(province.COLUMNS_PER_UNIT)]
            watched = run_urlwatch(list_pages, folder / "urlwatch", watcher)
            results["urlwatch"] = watched
            for p in watched["passes"]:
                print(line(f"urlwatch {watched['version']}, {p['pass']} pass (list pages)",
                           {"wall": p["wall_s"], "cpu": p["cpu_s"], "peak_mib": p["maxrss_mib"],
                            "requests": sum(p["requests"].values()), "bytes": sum(p["body_bytes"].values()),
                            "by_status": p["requests"]}))
    finally:
        stop_province(server)
    ratios(results)
    return results


def ratios(r: dict) -> None:
    per = {k: r[k]["cpu"] / r[k]["requests"] for k in ("first", "sharded", "scrapy", "scrapy_sharded", "aiohttp")}
    columns = r["columns"]
    print("\nratios")
    print(f"  monitor CPU per request over Scrapy's floor: {per['first'] / per['scrapy']:.2f}× "
          f"(+{100 * (per['first'] / per['scrapy'] - 1):.0f} %; goal: under +25 %)")
    per_host = r["scrapy_per_host"]["cpu"] / r["scrapy_per_host"]["requests"]
    print(f"  of which a spider per unit (Scrapy with a spider per host over one spider): {per_host / per['scrapy']:.2f}×;"
          f" the monitor over that: {per['first'] / per_host:.2f}×")
    print(f"  Scrapy's floor over aiohttp's: {per['scrapy'] / per['aiohttp']:.2f}×")
    speedup = r["first"]["wall"] / r["sharded"]["wall"]
    print(f"  {r['cores']} crawler processes: {speedup:.2f}× the pages per second of one "
          f"(Scrapy's floor: {r['scrapy']['wall'] / r['scrapy_sharded']['wall']:.2f}×)")
    first, nxt = r["first"], r["next"]
    print(f"  per column per day: first sweep {first['requests'] / columns:.2f} requests, "
          f"{first['bytes'] / columns / 1024:.1f} KiB; next {nxt['requests'] / columns:.2f} requests, "
          f"{nxt['bytes'] / columns / 1024:.1f} KiB ({_statuses(nxt)})")
    grown = {k: r["next"]["disk"][k] - r["first"]["disk"][k] for k in r["first"]["disk"]}
    print("  on disk per column: " + ", ".join(
        f"{k} {r['first']['disk'][k] / columns / 1024:.1f} KiB after the first sweep, +{grown[k] / columns / 1024:.1f} KiB"
        " with the next" for k in grown))
    if "urlwatch" in r:
        first_pass, second_pass = r["urlwatch"]["passes"]
        pages = columns
        monitor_cpu = first["cpu"] / first["requests"]
        print(f"  urlwatch CPU per list page: first {1000 * first_pass['cpu_s'] / pages:.2f} ms, second "
              f"{1000 * second_pass['cpu_s'] / pages:.2f} ms; the monitor's per request {1000 * monitor_cpu:.2f} ms "
              f"first, {1000 * nxt['cpu'] / nxt['requests']:.2f} ms next (urlwatch/monitor: "
              f"{first_pass['cpu_s'] / pages / monitor_cpu:.2f}× first, "
              f"{second_pass['cpu_s'] / pages / (nxt['cpu'] / nxt['requests']):.2f}× next; wall "
              f"{first_pass['wall_s'] / first['wall']:.2f}× and {second_pass['wall_s'] / nxt['wall']:.2f}×)")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in ("--scrapy-floor", "--scrapy-floor-per-host", "--aiohttp-floor"):
        if argv[0] == "--aiohttp-floor":
            aiohttp_floor(argv[1])
        else:
            scrapy_floor(argv[1], per_host=argv[0] == "--scrapy-floor-per-host")
        return 0
    if argv and argv[0] == "--sharded":
        sharded_floor(argv[1], argv[3], int(argv[2]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--world", type=int, default=2000, help="units served (default 2000)")
    parser.add_argument("--units", type=int, default=50, help="units swept (default 50; 2000: all)")
    parser.add_argument("--workers", type=int, default=0, help="crawler processes of the sharded sweep (0: cores)")
    parser.add_argument("--no-urlwatch", action="store_true")
    parser.add_argument("--venv", default=str(ROOT / "var" / "bench-venv"), help="urlwatch's virtual environment")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)
    if args.units > args.world:
        parser.error("--units cannot exceed --world")
    results = run(args)
    if args.json:
        for value in results.values():
            if isinstance(value, dict):
                value.pop("output", None)
        Path(args.json).write_text(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
