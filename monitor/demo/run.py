"""The demo: serve the demo world, sweep it once per simulated day, then write the weekly report.

The world is served from threads of this process; the sweeps run one per simulated day in this
process's reactor, each judged as of its day against the world as it looks that day (the same
``crawl_sweep`` the daily job runs). Outputs go to ``out`` (default var/demo): catalog.toml,
monitor.db, report/.
"""

from __future__ import annotations

import os
import shutil
import time
from collections import Counter
from datetime import date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

from monitor.demo.server import DemoServer
from monitor.demo.world import DemoWorld
from monitor.inspection import PROBE_DAYS, PROBES_PER_DAY


def prepare(end: date, days: int, port: int, out: Path) -> tuple[DemoWorld, Path, Path]:
    """A fresh world, its catalog written to out/catalog.toml, and an empty database path."""
    out.mkdir(parents=True, exist_ok=True)
    world = DemoWorld(end=end, days=days, port=port)
    catalog = out / "catalog.toml"
    catalog.write_text(world.catalog_toml(), encoding="utf-8")
    db = out / "monitor.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    for kept in ("warc", "evidence"):  # the old database's archive and evidence packs (monitor.evidence)
        shutil.rmtree(out / kept, ignore_errors=True)
    return world, catalog, db


def run_demo(end: date, days: int = 42, port: int = 8700, out: Path = Path("var/demo"), report: bool = True) -> int:
    from monitor.config import load_catalog
    from monitor.judge import MONITOR_STATES
    from monitor.notices import KIND_WORDS, LAGGING
    from monitor.store import Store
    from monitor.sweep import run_sweeps
    from reports.board import build_board
    from reports.site import build_weekly

    world, catalog_path, db = prepare(end, days, port, out)
    catalog = load_catalog(catalog_path)
    columns = sum(len(u.columns) for u in catalog.units)
    print(f"演示：{len(catalog.units)} 个单位、{columns} 个栏目，模拟 {world.start} 至 {end} 共 {days} 天的每日巡检",
          flush=True)
    started = time.monotonic()
    dates = [world.start + timedelta(days=i) for i in range(days)]
    with DemoServer(world) as server:
        clock = {"day": time.monotonic()}

        def before(day: date) -> None:
            server.set_today(day)
            clock["day"] = time.monotonic()
            if day >= end - timedelta(days=PROBE_DAYS):  # the week the national availability check reads
                probe_demo_day(catalog, db, day)

        def after(summary) -> None:
            k = dates.index(summary.as_of) + 1
            print(f"[{k:>2}/{days}] {summary.line()}（{time.monotonic() - clock['day']:.1f} 秒）", flush=True)

        # every failed fetch is recorded in the database; the demo's own failures need no log lines
        summaries = run_sweeps(catalog, db, dates, progress=False, before_day=before, after_day=after,
                               log_level=os.environ.get("MONITOR_LOG_LEVEL", "CRITICAL"), simulated=True)
    if any(s.status != "finished" for s in summaries):
        print("有巡检未正常完成，见上。")
        return 1
    if not report:
        return 0
    store = Store(db)
    report_path = build_weekly(store, catalog, end, out / "report")
    board_path = build_board(store, catalog, end, out / "report")
    rows = [r for r in store.verdicts(end) if r["day"] == end.isoformat()]
    late = sum(r["state"] in LAGGING for r in rows)
    health = sum(r["state"] in MONITOR_STATES for r in rows)
    notices = store.notices()
    print(f"\n完成，用时 {time.monotonic() - started:.0f} 秒。{end}：检查 {len({r['unit'] for r in rows})} 个单位、"
          f"{len(rows)} 个栏目；逾期/空白 {late} 个，监测异常 {health} 个；累计督办 {len(notices)} 件"
          f"（待审核 {sum(n['state'] == 'draft' for n in notices)}，督办中 {sum(n['state'] == 'issued' for n in notices)}，"
          f"逾期未整改 {sum(n['state'] == 'overdue' for n in notices)}，"
          f"已整改 {sum(n['state'] == 'rectified' for n in notices)}）")
    verdicts = Counter(r["result"] for r in store.inspections(end))
    print(f"国家检查指标：合格 {verdicts['pass']} 个单位，不合格 {verdicts['fail']} 个，暂无法判定 {verdicts['incomplete']} 个"
          "（python -m monitor inspect 看各项指标）")
    signals = Counter(r["kind"] for r in store.signals_between(date.min, end))
    words = "，".join(f"{KIND_WORDS.get(k, k)} {n}" for k, n in sorted(signals.items()))
    print(f"疑似假公开信号：{sum(signals.values())} 条（{words or '无'}），均只生成待审核督办草稿")
    print(f"周报：{report_path.resolve()}")
    print(f"督办清单：{(report_path.parent / 'notices.html').resolve()}")
    print(f"督办公告栏：{board_path.resolve()}（对外公开，附 Atom 订阅 board.atom）")
    print(f"数据库：{db.resolve()}（可用 sqlite-utils 或 Datasette 打开，表结构见 docs/schema.md）")
    return 0


def probe_demo_day(catalog, db: Path, day: date) -> None:
    """The availability probes of one simulated day: 20 rounds, 72 minutes apart from 00:30 (recorded at
    those times), asked all at once. The demo's limit is 2 s instead of 15 (a stalled site stalls 30 s)."""
    from monitor.clock import SHANGHAI
    from monitor.probe import probe_rounds
    from monitor.store import Store

    first = datetime.combine(day, dtime(0, 30), SHANGHAI)
    store = Store(db)
    try:
        probe_rounds(catalog, store, [first + timedelta(minutes=72 * k) for k in range(PROBES_PER_DAY)], timeout=2.0)
    finally:
        store.close()


def serve_demo(today: date, port: int) -> int:
    world = DemoWorld(end=today, port=port)
    server = DemoServer(world)
    server.start()
    server.set_today(today)
    print(f"演示网站已启动（模拟日期 {today}）：")
    for unit, (ip, p) in zip(world.units, world.hosts()):
        print(f"  {unit.slug:<8} http://{ip}:{p}/")
    if port != 8700:
        catalog = Path("var/demo-serve/catalog.toml")
        catalog.parent.mkdir(parents=True, exist_ok=True)
        catalog.write_text(world.catalog_toml(), encoding="utf-8")
        print(f"目录文件：{catalog}（export MONITOR_CONFIG={catalog}）")
    print("试试：scrapy list；scrapy crawl fgw；scrapy crawl czj -a column=czsz -a as_of=" + today.isoformat())
    print("按 Ctrl-C 停止。")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0
