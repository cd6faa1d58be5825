"""Benchmark: the daily judgement and the weekly report as history grows, from a month to a year.

    .venv/bin/python bench/bench_history.py [--units 200] [--columns 40] [--months 1,3,6,12] [--seed 1]
        [--backlog 365] [--notices 5] [--jobs 2] [--profile N] [--keep]

For each history length (1, 3, 6, 12 months: 30, 91, 182, 365 daily sweeps ending on 2026-11-27) over the same
province (``--units`` × ``--columns`` columns; ``--units 2000`` is the full province, only slower):

1. generates (bench/history_world.py, in a temporary folder) the database as those sweeps leave it, the last
   one crawled but not judged yet: its checks of every column, and the items it found first, are in. Items span
   ``--backlog`` days before the first sweep (what the first one found listed) and the sweeps' own days, so a
   longer history holds more items too. Rows are written day by day within each unit, as daily sweeps write
   them (a column's history is spread over the file as in a real database), with an inspection row per unit
   and day as sweeps keep them.
2. judges every unit in a fresh process (its memory is its own) as a sweep does after a unit's crawl
   (spiders/extensions.py, through ``monitor.ingest.close_unit``): ``monitor.assess.assess_unit`` over the
   unit's columns, then ``monitor.inspect_site.inspect_and_store`` and ``monitor.detect.detect_unit``: wall and
   CPU time (in total, per column, and for each of the three steps) and peak RSS (Linux VmHWM, reset before;
   getrusage elsewhere);
3. builds the weekly report of that day (``reports.site.build_weekly``) in another fresh process: wall, CPU, peak RSS;
4. measures the database (file + WAL), its bytes per column-year (size / (columns × days / 365)) and which
   tables and indexes take the space (SQLite's ``dbstat``).

The worlds are generated first, ``--jobs`` (2) at a time in worker processes, then measured one after the other
with nothing else of the benchmark running (``--jobs 1``: each generated, measured and removed in turn, which
needs less disk: the four default worlds take 7.5 GB together). Generation runs at about 40 µs per column-day of
history on one core (a year of 8,000 columns is 2.9 million; the database is written without journal or syncing).
Prints the generation time of each world apart, the figures of each length as they come, then a table: history
length → judge time, judge CPU per column, judge peak RSS, report time, report RSS, database MiB, bytes per
column-year. Flat columns are the goal (each day's judgement and report read, through indexes, what they need,
not the history kept); the database itself grows with history, by about the same bytes per column-year. The machine may be shared: CPU time is the steadier figure. ``--profile N`` prints the N
costliest calls of each judgement (cProfile, cumulative; the run is then slower). ``--keep`` keeps the worlds.
Repeatable: fixed seed (``--seed``), no network, temporary files.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from history_measure import maxrss_mib, peak_mib, reset_peak, tree_size  # noqa: E402
from history_world import Timeline, generate  # noqa: E402

TODAY = date(2026, 11, 27)  # the day judged and reported on: the last sweep's
DAYS_OF = {1: 30, 3: 91, 6: 182, 12: 365}  # months of history → daily sweeps


def _timed(step, totals: dict[str, list[float]], name: str):
    started, cpu = time.perf_counter(), time.process_time()
    result = step()
    pair = totals.setdefault(name, [0.0, 0.0])
    pair[0] += time.perf_counter() - started
    pair[1] += time.process_time() - cpu
    return result


def judge_all(world: str, profile: int, queue: Any) -> None:
    """In a fresh process: judge every unit as the sweep does after the unit's crawl."""
    from monitor.assess import assess_unit
    from monitor.config import load_catalog
    from monitor.detect import detect_unit
    from monitor.inspect_site import inspect_and_store
    from monitor.store import Store

    catalog = load_catalog(Path(world) / "catalog.toml")
    store = Store(Path(world) / "monitor.db")
    sweep_id = store.db.execute("select id from sweeps where as_of = ?", [TODAY.isoformat()]).fetchone()[0]

    def run() -> tuple[dict[str, list[float]], dict[str, int]]:
        steps: dict[str, list[float]] = {}
        states: dict[str, int] = {}
        for unit in catalog.units:
            columns = {c.id for c in unit.columns}
            results = _timed(lambda: assess_unit(store, catalog, unit, TODAY, sweep_id, columns, by="sweep"),
                             steps, "assess")
            _timed(lambda: inspect_and_store(store, catalog, unit, TODAY), steps, "inspect")
            _timed(lambda: detect_unit(store, catalog, unit, TODAY, columns, by="sweep"), steps, "detect")
            for r in results:
                states[r.verdict.state] = states.get(r.verdict.state, 0) + 1
        return steps, states

    before, how = reset_peak()
    started, cpu = time.perf_counter(), time.process_time()
    if profile:
        import cProfile
        import io
        import pstats

        profiler = cProfile.Profile()
        steps, states = profiler.runcall(run)
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).strip_dirs().sort_stats("cumulative").print_stats(profile)
    else:
        steps, states = run()
        text = None
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = peak_mib(how)
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    queue.put({"wall": elapsed, "cpu": cpu, "peak": peak, "before": before, "how": how, "steps": steps,
               "states": states, "columns": sum(len(u.columns) for u in catalog.units),
               "profile": text.getvalue() if text else None})


def report(world: str, queue: Any) -> None:
    """In a fresh process: build the weekly report of TODAY into an empty folder."""
    from monitor.config import load_catalog
    from monitor.store import Store
    from reports.site import build_weekly

    catalog = load_catalog(Path(world) / "catalog.toml")
    store = Store(Path(world) / "monitor.db")
    out = Path(world) / "report"
    before, how = reset_peak()
    started, cpu = time.perf_counter(), time.process_time()
    build_weekly(store, catalog, TODAY, out)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = peak_mib(how)
    store.close()
    files, _, size = tree_size(out)
    queue.put({"wall": elapsed, "cpu": cpu, "peak": peak, "before": before, "files": files, "bytes": size})


def _in_child(target, *args: Any) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=target, args=(*args, queue))
    child.start()
    result = queue.get()
    child.join()
    if child.exitcode:
        raise SystemExit(f"{target.__name__} failed (exit {child.exitcode})")
    return result


def space(db: Path) -> tuple[int, list[tuple[str, int]]]:
    """The database's bytes on disk (file + WAL) and the bytes of each table and index, largest first."""
    size = sum(p.stat().st_size for p in (db, db.with_name(db.name + "-wal")) if p.exists())
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute("select name, sum(pgsize) from dbstat group by name order by 2 desc").fetchall()
    except sqlite3.OperationalError:  # SQLite built without dbstat
        rows = []
    finally:
        conn.close()
    return size, rows


def make_world(world: str, units: int, columns: int, seed: int, notices: float, days: int,
               backlog: int) -> dict[str, Any]:
    """Generate one history length's world (in a worker process with ``--jobs`` over 1); what was made, with
    the generation's wall and CPU time and the generating process's max RSS."""
    Path(world).mkdir()
    started, cpu = time.perf_counter(), time.process_time()
    made = generate(Path(world), units, columns, seed, notices, Timeline(TODAY, days, backlog + days, pending=True),
                    day_major=True, inspect_daily=True)
    return dict(made, wall=time.perf_counter() - started, cpu=time.process_time() - cpu, rss=maxrss_mib())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=200)
    parser.add_argument("--columns", type=int, default=40)
    parser.add_argument("--months", default="1,3,6,12", help="history lengths in months, of 1, 3, 6, 12")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--backlog", type=int, default=365,
                        help="days of items the first sweep found already listed (default 365)")
    parser.add_argument("--notices", type=float, default=5.0, help="lateness notices per 100 units (default 5)")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1),
                        help="worlds generated at once, before any is measured (default 2; 1: each is generated, "
                             "measured and removed in turn, using less disk)")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="judge under cProfile and print the N costliest calls of each judgement")
    parser.add_argument("--keep", action="store_true", help="keep the generated worlds")
    args = parser.parse_args()
    try:
        months = [int(m) for m in args.months.split(",")]
        if any(m not in DAYS_OF for m in months):
            raise ValueError
    except ValueError:
        parser.error(f"--months {args.months}: a list of 1, 3, 6, 12")

    root = Path(tempfile.mkdtemp(prefix="bench-history-"))
    rows = []
    columns = args.units * args.columns
    print(f"province: {args.units:,} units × {args.columns} columns = {columns:,} columns; judged and reported on {TODAY}")
    worlds = {m: root / f"{m:02d}-months" for m in months}
    jobs = {m: (str(worlds[m]), args.units, args.columns, args.seed, args.notices, DAYS_OF[m], args.backlog)
            for m in months}
    try:
        made_all: dict[int, dict[str, Any]] = {}
        if args.jobs > 1:  # all worlds first (the longest first), then each measured with nothing else running
            started = time.perf_counter()
            with ProcessPoolExecutor(args.jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
                futures = {m: pool.submit(make_world, *jobs[m]) for m in sorted(months, reverse=True)}
                made_all = {m: futures[m].result() for m in months}
            print(f"{len(months)} worlds generated in {time.perf_counter() - started:.0f} s, {args.jobs} at a time")
        for m in months:
            days, world = DAYS_OF[m], worlds[m]
            made = made_all.get(m) or make_world(*jobs[m])
            size, _ = space(world / "monitor.db")
            print(f"\n{m} months ({days} daily sweeps): generated in {made['wall']:.0f} s ({made['cpu']:.0f} s CPU, "
                  f"max RSS {made['rss']:.0f} MiB), {size / 2**20:,.0f} MiB: "
                  + ", ".join(f"{n:,} {t}" for t, n in made["counts"].items() if n))
            sys.stdout.flush()
            judged = _in_child(judge_all, str(world), args.profile)
            steps = ", ".join(f"{name} {w:.1f} s ({c:.1f} s CPU)" for name, (w, c) in judged["steps"].items())
            print(f"  judge: {judged['wall']:.1f} s ({judged['cpu']:.1f} s CPU, "
                  f"{judged['cpu'] / judged['columns'] * 1000:.2f} ms CPU per column), peak RSS {judged['peak']:.0f} MiB "
                  f"({judged['how']}; {judged['before']:.0f} MiB before); {steps}")
            print("  today's verdicts: " + ", ".join(f"{s} {n:,}" for s, n in sorted(judged["states"].items())))
            if judged["profile"]:
                print(judged["profile"])
            built = _in_child(report, str(world))
            print(f"  report: {built['wall']:.1f} s ({built['cpu']:.1f} s CPU), peak RSS {built['peak']:.0f} MiB "
                  f"({built['before']:.0f} MiB before); {built['files']:,} files, {built['bytes'] / 2**20:.1f} MiB")
            size, names = space(world / "monitor.db")
            per_column_year = size / (columns * days / 365)
            print(f"  database {size / 2**20:,.0f} MiB, {per_column_year / 1024:,.0f} KiB per column-year; largest: "
                  + ", ".join(f"{name} {b / 2**20:,.0f} MiB ({b / size:.0%})" for name, b in names[:7]))
            sys.stdout.flush()
            rows.append((m, days, judged, built, size, per_column_year))
            if not args.keep:
                shutil.rmtree(world, ignore_errors=True)
        print(f"\n{'history':>14} {'judge s':>8} {'CPU s':>7} {'ms/col':>7} {'RSS MiB':>8} {'report s':>9} {'CPU s':>7}"
              f" {'RSS MiB':>8} {'DB MiB':>8} {'KiB/col-yr':>11}")
        for m, days, judged, built, size, per_column_year in rows:
            print(f"{f'{m} mo ({days} d)':>14} {judged['wall']:8.1f} {judged['cpu']:7.1f}"
                  f" {judged['cpu'] / judged['columns'] * 1000:7.2f} {judged['peak']:8.0f} {built['wall']:9.1f}"
                  f" {built['cpu']:7.1f} {built['peak']:8.0f} {size / 2**20:8,.0f} {per_column_year / 1024:11,.0f}")
        if args.keep:
            print(f"worlds kept in {root}")
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
