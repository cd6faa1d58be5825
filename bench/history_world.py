"""A province's monitoring history, generated straight into a database: what the benchmarks run over.

``generate(world, units, columns, seed, notices_per_100, timeline)`` writes into the folder ``world`` a catalog
of ``units`` units (u0001 第1局 http://10.1.0.1/ ...) with ``columns`` columns each (every type, focus areas,
rule templates, overrides, rules of a column's own, 公开时限 wording and 同上), loaded and validated by
``monitor.config.load_catalog``; and a database as ``timeline.sweep_days`` daily sweeps ending on
``timeline.as_of`` would leave it: items published over ``timeline.history_days`` days (long silences, bursts,
back-dated items), one check and one verdict per column and day (mostly on time; late and blank ones with their
days late; unreachable, blocked and broken ones), notices moved through draft / issued / rectified / overdue /
escalated / closed / withdrawn with their audit rows and a few evidence packs, faked-disclosure signals, and a
national inspection verdict per unit and week (``monitor.inspection.inspect_unit`` over the generated
standings; ``inspect_daily``: a row per unit and day, as sweeps keep them). Rows go in with executemany, without
journal or syncing (indexes led by the day are built at the end): no crawl, no network. States follow a simple gap model (the newest
item against the rule's span), not the judge. Tables nothing reads here (fetches, probes, flips, item_changes)
stay empty.

``Timeline(pending=True)``: the last day's sweep has crawled (its checks and the items it found are in, the
sweep is still running) but not judged: no verdict, notice move, signal or inspection on that day, so that a
benchmark can judge it as the sweep would (bench/bench_history.py). ``day_major=True`` writes each unit's items,
checks and verdicts in the order daily sweeps write them (day by day, the unit's columns in turn; the units one
after another rather than interleaved within each day): a column's history is then spread over the file as in a
real database (one page per day to read it), and the indexes are as full as such inserts leave them. Without it
(bench/bench_report.py) a column's rows lie together.

Repeatable: the same arguments give the same rows (``computed_at`` stamps aside).

Here: the orchestration and the bulk writer. The parts: history_plan (the timeline, the catalog and its
variants), history_items (a column's items), history_columns (a unit's checks, verdicts, lagging runs and
standings), history_notices (signals, notices, evidence packs); history_measure holds the measuring helpers
the benchmarks share.
"""

from __future__ import annotations

import json
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from history_columns import CHECK_KEYS, ITEM_KEYS, VERDICT_KEYS, generate_unit  # noqa: E402
from history_notices import notice_history, write_pack  # noqa: E402
from history_plan import AS_OF, HISTORY_DAYS, SWEEP_DAYS, Timeline, catalog_text  # noqa: E402
from monitor import clock  # noqa: E402
from monitor.config import load_catalog  # noqa: E402
from monitor.inspection import ProbeDay, inspect_unit  # noqa: E402
from monitor.policy import policy_for  # noqa: E402
from monitor.store import Store  # noqa: E402

__all__ = ["AS_OF", "HISTORY_DAYS", "SWEEP_DAYS", "Timeline", "bulk", "bulk_rows", "generate"]

FLUSH_ROWS = 50_000  # checks and verdicts generated between two bulk inserts
DEFERRED = ("verdicts_states_by_day", "checks_by_day")  # led by the day: built once the rows are in


def bulk(store: Store, table: str, rows: list[dict[str, Any]]) -> None:
    """Insert rows in one transaction (executemany: a benchmark's generator, not product code)."""
    if not rows:
        return
    keys = list(dict.fromkeys(k for row in rows[:1] + [r for r in rows if len(r) != len(rows[0])] for k in row))
    bulk_rows(store, table, keys, [[row.get(k) for k in keys] for row in rows])


def bulk_rows(store: Store, table: str, keys: tuple[str, ...] | list[str], rows: list[tuple[Any, ...]] | list[list[Any]]
              ) -> None:
    """Insert rows given as tuples of ``keys``' values in one transaction."""
    if not rows:
        return
    sql = f"insert into {table} ({', '.join(keys)}) values ({', '.join('?' for _ in keys)})"
    with store.db.conn:
        store.db.conn.executemany(sql, rows)


def generate(world: Path, units: int, columns: int, seed: int, notices_per_100: float,
             timeline: Timeline | None = None, day_major: bool = False, inspect_daily: bool = False) -> dict[str, Any]:
    """Write the catalog (world/catalog.toml) and the database (world/monitor.db, evidence packs under
    world/evidence/); returns what was made (rows per table, today's states, notices' states).

    ``inspect_daily``: an inspection row per unit and judged day, as sweeps keep them (each sweep inspects
    every unit it judged); the days between the weekly computed ones carry the indicators of the latest
    computed day before (or the first one), so that the table has the size and the rows it has in a real
    database. Without it, one per unit and week."""
    t = timeline or Timeline()
    rng = random.Random(seed)
    text, plan = catalog_text(units, columns, rng)
    path = world / "catalog.toml"
    path.write_text(text, encoding="utf-8")
    started = time.perf_counter()
    catalog = load_catalog(path)
    load_s = time.perf_counter() - started
    store = Store(world / "monitor.db")
    # generating: nothing to lose, so no journal (the WAL comes back at the end), and a large page cache
    store.db.execute("PRAGMA journal_mode = OFF")
    store.db.execute("PRAGMA synchronous = OFF")
    store.db.execute("PRAGMA cache_size = -400000")
    store.db.execute("PRAGMA foreign_keys = OFF")  # the rows refer to what they should
    # indexes that a daily sweep fills in order (by day), built at the end: as full, and much faster
    deferred = [sql for (sql,) in store.db.execute(
        f"select sql from sqlite_master where type = 'index' and name in ({', '.join('?' * len(DEFERRED))})",
        DEFERRED).fetchall()]
    for name in DEFERRED:
        store.db.execute(f"drop index if exists {name}")
    store.record_catalog(catalog)
    workdays = policy_for(catalog).workdays
    bulk(store, "sweeps", [
        {"id": n + 1, "kind": "sweep", "as_of": d.isoformat(), "started_at": f"{d.isoformat()}T02:00:00+08:00",
         "finished_at": None if d > t.judged_until else f"{d.isoformat()}T05:40:00+08:00",
         "status": "running" if d > t.judged_until else "finished", "catalog_digest": catalog.digest,
         "units_total": units, "units_done": 0 if d > t.judged_until else units,
         "columns_checked": units * columns, "pid": 1}
        for n, d in enumerate(t.days)])
    presets = catalog.inspection_presets
    runs: list[dict[str, Any]] = []
    signals: list[dict[str, Any]] = []
    inspections: list[tuple[Any, ...]] = []
    pending: dict[str, list[tuple[Any, ...]]] = {"items": [], "checks": [], "verdicts": []}
    keys = {"items": ITEM_KEYS, "checks": CHECK_KEYS, "verdicts": VERDICT_KEYS}
    inspection_keys = ("unit", "day", "result", "words", "indicators", "catalog_digest", "computed_at")

    def flush() -> None:
        for table, rows in pending.items():
            bulk_rows(store, table, keys[table], rows)
            rows.clear()
        bulk_rows(store, "inspections", inspection_keys, inspections)
        inspections.clear()

    for index, unit in enumerate(catalog.units):
        g = generate_unit(rng, catalog, index, plan, t)
        if day_major:  # a daily sweep writes the unit's rows day by day (a stable sort keeps the columns' order)
            g.items.sort(key=lambda row: row[9])  # first_seen
            g.checks.sort(key=lambda row: row[3])  # day
            g.verdicts.sort(key=lambda row: row[2])  # day
        pending["items"] += g.items
        pending["checks"] += g.checks
        pending["verdicts"] += g.verdicts
        words = {c.id: c.rule.words() for c in unit.columns}
        runs += [dict(r, words=words[r["column_id"]]) for r in g.lagging_runs]
        signals += g.signals
        computed = []
        for day in sorted(t.inspection_days):
            probes = []
            for k in range(7, 0, -1):
                d = day - timedelta(days=k)
                if d < t.first_day:
                    continue
                blocked = 24 if d in g.blocked else 0
                failed = 24 if d in g.outages else int(rng.random() < 0.1)
                probes.append(ProbeDay(d, 24, failed, blocked))
            inspection = inspect_unit(unit.slug, g.standings[day], probes, day, presets, workdays)
            computed.append((unit.slug, day.isoformat(), inspection.result, inspection.words(),
                             json.dumps(inspection.to_json()["indicators"], ensure_ascii=False, default=str),
                             catalog.digest, clock.stamp()))
        if inspect_daily:
            for iso in t.isos:
                if iso > t.judged_until.isoformat():
                    break
                like = ([row for row in computed if row[1] <= iso] or computed[:1])[-1]
                inspections.append(like if like[1] == iso else (like[0], iso, *like[2:]))
        else:
            inspections += computed
        if len(pending["checks"]) >= FLUSH_ROWS:
            flush()
    flush()
    for sql in deferred:
        store.db.execute(sql)

    # notices: a few per 100 units from the lagging runs (one per column), and drafts from some signals
    wanted = max(1, round(units * notices_per_100 / 100))
    runs.sort(key=lambda r: (r["unit"], r["column_id"], r["open"]))
    chosen, taken = [], set()
    for run in rng.sample(runs, len(runs)):
        if len(chosen) >= wanted:
            break
        if (run["unit"], run["column_id"]) not in taken:
            taken.add((run["unit"], run["column_id"]))
            chosen.append(run)
    chosen.sort(key=lambda r: (r["open"], r["unit"], r["column_id"]))
    notices, events, packs = [], [], []
    for run in chosen:
        notice, rows = notice_history(rng, run, len(notices) + 1, catalog.digest, workdays, t)
        notices.append(notice)
        events += rows
    signal_rows = []
    for n, s in enumerate(sorted(signals, key=lambda s: (s["day"], s["unit"], s["column_id"], s["kind"]))):
        s = dict(s, id=n + 1)
        if rng.random() < 0.25 and (s["unit"], s["column_id"], s["kind"]) not in taken:
            taken.add((s["unit"], s["column_id"], s["kind"]))
            run = {"unit": s["unit"], "column_id": s["column_id"], "kind": s["kind"], "state": s["kind"],
                   "reason": s["summary"], "words": ""}
            notice, rows = notice_history(rng, run, len(notices) + 1, catalog.digest, workdays, t, kind=s["kind"],
                                          opened=date.fromisoformat(s["day"]))
            notices.append(notice)
            events += rows
            s["notice_id"] = notice["id"]
        signal_rows.append(s)
    events.sort(key=lambda e: (e["day"], e["notice_id"]))
    bulk(store, "notices", notices)
    bulk(store, "notice_events", events)
    bulk(store, "signals", signal_rows)
    for notice in notices:  # evidence packs of about a third of the issued lateness notices
        if notice["kind"] == "lateness" and notice.get("issued_day") and rng.random() < 0.35:
            unit = catalog.unit(notice["unit"])
            items = store.items_as_of(notice["unit"], notice["column_id"], date.fromisoformat(notice["opened_day"]))
            packs += write_pack(world, rng, notice, unit.name, unit.column(notice["column_id"]), items)
    bulk(store, "evidence_files", packs)
    store.db.execute("PRAGMA journal_mode = WAL")
    store.db.execute("PRAGMA foreign_keys = ON")
    counts = {t_: store.count(t_) for t_ in ("units", "columns", "items", "checks", "verdicts", "notices",
                                             "notice_events", "signals", "inspections", "evidence_files")}
    states = dict(store.db.execute("select state, count(*) from notices group by state").fetchall())
    current = dict(store.db.execute("select state, count(*) from verdicts where day = ? group by state",
                                    [t.judged_until.isoformat()]).fetchall())
    store.close()
    return {"counts": counts, "notice_states": states, "current": current, "load_s": load_s,
            "catalog_bytes": path.stat().st_size}
