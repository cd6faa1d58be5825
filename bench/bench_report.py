"""Benchmark: building the inspectors' weekly report over a province-sized world.

    .venv/bin/python bench/bench_report.py [--units 1000] [--columns 10] [--out DIR] [--seed 1]
        [--notices 5] [--tracemalloc] [--profile N] [--keep]

1. Generates, in a temporary folder, a catalog of ``--units`` units with ``--columns`` columns each and a
   database as 12 weeks of daily sweeps would leave it (``bench/history_world.py``: a year of items per column,
   one check and one verdict per column and day, notices with their audit rows and a few evidence packs,
   faked-disclosure signals, a national inspection verdict per unit and week). Rows go in with executemany:
   no crawl, no network. States follow a simple gap model, not the judge: the report only reads them.
2. Times ``reports.site.build_weekly(store, catalog, 2026-11-27, out_dir)`` in a fresh process, so that
   its memory is its own: a first build into an empty folder, then a second one over the same folder.

Prints the generation time and what it made (rows per table, database size, today's states, notices), then
for each build its wall and CPU time (the machine may be shared: CPU time is the steadier figure), its peak
RSS (Linux VmHWM, reset before each build; getrusage elsewhere), the files and bytes under the report folder,
and the largest files. ``--tracemalloc`` adds a build under tracemalloc (its traced peak; many times slower),
``--profile N`` one under cProfile (its N costliest calls). ``--out DIR`` writes the report into a new or
empty folder and keeps it; ``--keep`` keeps the world (catalog.toml, monitor.db, evidence/).
Repeatable: fixed seed (``--seed``), no network, temporary files.
"""

from __future__ import annotations

import argparse
import multiprocessing
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from history_measure import maxrss_mib, peak_mib, reset_peak, tree_size  # noqa: E402
from history_world import AS_OF, SWEEP_DAYS, generate  # noqa: E402
from monitor.config import load_catalog  # noqa: E402
from monitor.store import Store  # noqa: E402


def builds(world: str, out: str, traced: bool, profile: int) -> None:
    """In a fresh process: load the catalog, build the week, build it again over the same folder; then, if
    asked, once under tracemalloc and once under cProfile."""
    from reports.site import build_weekly

    out_dir = Path(out)
    started = time.perf_counter()
    catalog = load_catalog(Path(world) / "catalog.toml")
    store = Store(Path(world) / "monitor.db")
    print(f"report process: catalog loaded and store opened in {time.perf_counter() - started:.2f} s")
    for label in ("first build", "second build"):
        before, how = reset_peak()
        started, cpu = time.perf_counter(), time.process_time()
        path = build_weekly(store, catalog, AS_OF, out_dir)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        peak = peak_mib(how)
        files, html, size = tree_size(out_dir)
        print(f"{label}: {elapsed:.2f} s ({cpu:.2f} s CPU), peak RSS {peak:.0f} MiB ({how}; +{peak - before:.0f} MiB "
              f"over the {before:.0f} MiB before); {files:,} files ({html:,} HTML), {size / 2**20:.1f} MiB on disk under the "
              f"report folder; {path.name} {path.stat().st_size / 2**20:.2f} MiB")
    sizes = sorted(((p.stat().st_size, p.relative_to(out_dir).as_posix()) for p in out_dir.rglob("*") if p.is_file()),
                   reverse=True)
    print("largest files: " + ", ".join(f"{name} {size / 2**20:.2f} MiB" for size, name in sizes[:6]))
    if traced:
        tracemalloc.start()
        started = time.perf_counter()
        build_weekly(store, catalog, AS_OF, out_dir)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"build under tracemalloc: {elapsed:.2f} s (slowed by tracing), traced peak {peak / 2**20:.0f} MiB")
    if profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(build_weekly, store, catalog, AS_OF, out_dir)
        print(f"build under cProfile, the {profile} costliest calls (cumulative):")
        pstats.Stats(profiler, stream=sys.stdout).strip_dirs().sort_stats("cumulative").print_stats(profile)
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--columns", type=int, default=10)
    parser.add_argument("--out", type=Path, help="write the report into this new or empty folder (kept)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--notices", type=float, default=5.0, help="lateness notices per 100 units (default 5)")
    parser.add_argument("--tracemalloc", action="store_true", help="also build once under tracemalloc (much slower)")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="also build once under cProfile and print the N costliest calls")
    parser.add_argument("--keep", action="store_true", help="keep the generated catalog and database")
    args = parser.parse_args()
    if args.out and args.out.exists() and any(args.out.iterdir()):
        parser.error(f"--out {args.out}: not empty (the first build should start from nothing)")

    world = Path(tempfile.mkdtemp(prefix="bench-report-"))
    try:
        started, cpu = time.perf_counter(), time.process_time()
        made = generate(world, args.units, args.columns, args.seed, args.notices)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        db_bytes = sum(p.stat().st_size for p in world.glob("monitor.db*"))
        _, _, pack_bytes = tree_size(world / "evidence") if (world / "evidence").exists() else (0, 0, 0)
        print(f"world: {args.units:,} units × {args.columns} columns, {SWEEP_DAYS} days of sweeps to {AS_OF}; "
              f"catalog {made['catalog_bytes'] / 2**20:.1f} MiB, loaded (validated) in {made['load_s']:.2f} s")
        print(f"generated in {elapsed:.1f} s ({cpu:.1f} s CPU, max RSS {maxrss_mib():.0f} MiB): "
              + ", ".join(f"{n:,} {t}" for t, n in made["counts"].items()))
        print(f"database {db_bytes / 2**20:.0f} MiB (tables the report does not read left empty); "
              f"evidence packs {pack_bytes / 2**20:.1f} MiB")
        print(f"verdicts on {AS_OF}: " + ", ".join(f"{s} {n:,}" for s, n in sorted(made["current"].items()))
              + "; notices now: " + ", ".join(f"{s} {n}" for s, n in sorted(made["notice_states"].items())))
        sys.stdout.flush()
        out = args.out or world / "report"
        child = multiprocessing.get_context("spawn").Process(
            target=builds, args=(str(world), str(out), args.tracemalloc, args.profile))
        child.start()
        child.join()
        if child.exitcode:
            raise SystemExit(f"the report process failed (exit {child.exitcode})")
        if args.keep:
            print(f"world kept in {world}")
    finally:
        if not args.keep:
            shutil.rmtree(world, ignore_errors=True)


if __name__ == "__main__":
    main()
