"""Command line: a thin door over the library. ``python -m monitor --help`` (or ``dmon``).

Every command that judges takes ``--as-of YYYY-MM-DD`` (default: today in Asia/Shanghai), so a run
can be replayed; ``--db`` and ``--config`` pick the store and the catalog.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from monitor import clock, notices_cli, scaleout_cli, schedule_cli
from monitor.config import load_catalog
from monitor.errors import MonitorError, UsageError
from monitor.locks import EXIT_ALREADY_RUNNING, AlreadyRunning
from monitor.store import default_db_path
from monitor.terminal import printable


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--as-of", type=clock.parse_day, default=None, metavar="YYYY-MM-DD",
                   help="the day to judge (default: today, Asia/Shanghai)")
    p.add_argument("--db", type=Path, default=None, help="database file (default: $MONITOR_DB or var/monitor.db)")
    p.add_argument("--config", type=Path, default=None,
                   help="catalog file (default: $MONITOR_CONFIG, ./catalog.toml, else the bundled demo catalog)")


def cmd_sweep(args: argparse.Namespace) -> int:
    """Crawl every unit (the daily job), judge, raise notices.  e.g. python -m monitor sweep --as-of 2026-11-28"""
    from monitor.sweep import run_sweeps

    catalog = load_catalog(args.config)
    units = args.units.split(",") if args.units else None
    [summary] = run_sweeps(catalog, args.db or default_db_path(), [args.as_of or clock.today()], units,
                           progress=not args.quiet, columns=_columns(args.columns), simulated=args.simulated_world,
                           workers=args.workers)
    print(summary.line())
    return 0 if summary.status == "finished" else 1


def _columns(text: str | None) -> dict[str, list[str]] | None:
    """--columns fgw/gzdt,czj/czsz → {"fgw": ["gzdt"], "czj": ["czsz"]}."""
    if not text:
        return None
    chosen: dict[str, list[str]] = {}
    for part in text.split(","):
        unit, sep, column = part.strip().partition("/")
        if not (sep and unit and column):
            raise UsageError(f"--columns takes UNIT/COLUMN pairs separated by commas, not {part!r}")
        chosen.setdefault(unit, []).append(column)
    return chosen


def cmd_report(args: argparse.Namespace) -> int:
    """Write the weekly HTML report, the notice list and the public board.  e.g. python -m monitor report --out var/report"""
    from monitor.store import Store
    from reports.board import build_board
    from reports.history import week_name
    from reports.site import build_weekly

    catalog = load_catalog(args.config)
    store = Store(args.db)
    as_of = args.as_of or clock.today()
    path = build_weekly(store, catalog, as_of, args.out)
    board = build_board(store, catalog, as_of, args.out)
    print(f"周报：{path.resolve()}")
    print(f"本周存档：{(args.out / 'weeks' / week_name(as_of) / 'index.html').resolve()}（大屏 screen.html，导出 verdicts.xlsx、notices.xlsx）")
    print(f"督办公告栏：{board.resolve()}")
    return 0


def cmd_board(args: argparse.Namespace) -> int:
    """Write the public notice board (政务公开督办公告): board.html and its Atom feed board.atom, publishable
    as they are.  e.g. python -m monitor board --out var/board"""
    from monitor.store import Store
    from reports.board import build_board

    catalog = load_catalog(args.config)
    path = build_board(Store(args.db), catalog, args.as_of or clock.today(), args.out)
    print(f"督办公告栏：{path.resolve()}")
    print(f"订阅（Atom）：{(path.parent / 'board.atom').resolve()}")
    return 0


def cmd_notify(args: argparse.Namespace) -> int:
    """Tell units and the office of their notices (issued, deadline near, overdue, escalated) through apprise:
    queue what is due as of --as-of, send what is pending, list what failed.  e.g. python -m monitor notify"""
    from monitor.notify import deliver, queue_for_day, report_lines
    from monitor.store import Store

    catalog = load_catalog(args.config)
    store = Store(args.db)
    if args.retry_failed:
        print(f"重新发送已放弃的通知 {store.retry_failed_deliveries()} 条")
    queued = queue_for_day(store, catalog, args.as_of or clock.today())
    attempts = deliver(store, catalog)
    print(printable("\n".join(report_lines(store, queued, attempts))))
    return 1 if any(a.status in ("pending", "failed") for a in attempts) else 0


def cmd_evidence(args: argparse.Namespace) -> int:
    """Build (or rebuild) a notice's evidence pack: the fetches' WARC records, a screenshot of the column
    page, the manifest, SHA256SUMS.  e.g. python -m monitor evidence 12 [--no-screenshot]"""
    from monitor.evidence import build_pack, describe
    from monitor.store import Store

    catalog = load_catalog(args.config)
    store = Store(args.db)
    folder = build_pack(store, catalog, args.notice_id, out_root=args.out, screenshot=not args.no_screenshot)
    print(printable("\n".join(describe(folder))))
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    """Print the current verdict of every column (of one unit).  e.g. python -m monitor status fgw"""
    from monitor.assess import STATE_WORDS
    from monitor.store import Store

    catalog = load_catalog(args.config)
    if args.unit:
        if args.unit not in {u.slug for u in catalog.units}:
            raise UsageError(f"unknown unit {args.unit!r}")
    store = Store(args.db)
    as_of = args.as_of or clock.today()
    configured = {(u.slug, c.id) for u in catalog.units for c in u.columns}
    for row in store.verdicts(as_of, args.unit):
        if (row["unit"], row["column_id"]) not in configured:
            continue
        state = row["state"] or "unknown"
        print(printable(f"{row['unit']:<8} {row['column_id']:<12} {STATE_WORDS.get(state, state):<6} {state:<11} "
                        f"{row['day'] or '-':<10} {row['reason'] or '尚未检查'}"))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Run the daily sweep over the bundled demo world for several simulated weeks, then the report.
    With --serve: only serve the demo world, for trying `scrapy crawl <unit>` by hand."""
    from monitor.demo.run import run_demo, serve_demo

    if args.serve:
        return serve_demo(args.as_of or clock.today(), args.port)
    return run_demo(args.as_of or clock.today(), days=args.days, port=args.port, out=args.out)


def cmd_extract(args: argparse.Namespace) -> int:
    """Print what the monitor reads from one page (a file or URL), as JSON.
    e.g. python -m monitor extract saved.html --url http://www.example.gov.cn/xxgk/gzdt/"""
    import json

    from monitor.inspect_page import FetchError, inspect_source

    try:
        result = inspect_source(args.source, url=args.url, column=args.column, today=args.as_of, config=args.config)
    except FetchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


def cmd_inspect(args: argparse.Namespace) -> int:
    """The national inspection verdict (合格 / 不合格) of every unit, from the stored history.
    e.g. python -m monitor inspect --as-of 2026-11-28 [UNIT] [--json]"""
    import json

    from monitor.inspect_site import inspect_and_store
    from monitor.inspection import STATE_WORDS
    from monitor.store import Store

    catalog = load_catalog(args.config)
    if args.unit and args.unit not in {u.slug for u in catalog.units}:
        raise UsageError(f"unknown unit {args.unit!r}")
    store = Store(args.db)
    as_of = args.as_of or clock.today()
    for unit in catalog.units:
        if args.unit and unit.slug != args.unit:
            continue
        inspection = inspect_and_store(store, catalog, unit, as_of)
        if args.json:
            print(json.dumps(inspection.to_json(), ensure_ascii=False))
            continue
        print(printable(f"{unit.slug:<8} {unit.name}：{inspection.words()}"))
        for indicator in inspection.indicators:
            print(printable(f"    [{STATE_WORDS[indicator.state]}] {indicator.name}：{indicator.summary}"))
    return 0


def cmd_probe(args: argparse.Namespace) -> int:
    """Probe every unit's home page once (availability, 15 s limit) and store the results.
    e.g. python -m monitor probe [--units fgw,czj]"""
    from monitor.probe import probe_round
    from monitor.store import Store

    catalog = load_catalog(args.config)
    units = args.units.split(",") if args.units else None
    unknown = set(units or ()) - {u.slug for u in catalog.units}
    if unknown:
        raise UsageError(f"unknown unit(s): {', '.join(sorted(unknown))}")
    records = probe_round(catalog, Store(args.db), units, timeout=args.timeout)
    words = {"ok": "正常", "failed": "失败", "blocked": "被拦截"}
    for r in records:
        print(printable(f"{r['unit']:<8} {words[r['outcome']]:<4} {r['status'] or '-':<4} {r['elapsed_ms']:>6} ms "
                        f"{r['url']} {r['error'] or ''}"))
    return 0 if all(r["outcome"] == "ok" for r in records) else 1


def cmd_cadence(args: argparse.Namespace) -> int:
    """Read 公开时限 wording and print the rule as JSON; exit 3 when it cannot be read.
    e.g. python -m monitor cadence "信息形成或者变更之日起20个工作日内"  ("-": read stdin)"""
    import json

    from monitor.cadence import parse_cadence
    from monitor.cadence_rules import CadenceError, rule_from_cadence

    text = sys.stdin.read() if args.text == "-" else args.text
    cadence = parse_cadence(text)
    result = cadence.to_json()
    try:
        result["words"] = rule_from_cadence(cadence).words()
    except CadenceError:
        pass  # unparsed, or 同上 (whose rule is the row above's)
    print(json.dumps(result, ensure_ascii=False))
    return 0 if cadence.parsed else 3


def cmd_catalog_import(args: argparse.Namespace) -> int:
    """Turn a standard catalog spreadsheet (.xlsx or .csv) into rule templates; exit 3 when some rows
    could not be converted.  e.g. python -m monitor catalog import 财政预决算标准目录.xlsx"""
    from monitor.catalog_import import import_catalog
    from monitor.catalog_templates import report_csv, summary, templates_toml, write_text

    result = import_catalog(args.file)
    out = args.out or Path(args.file.stem + ".templates.toml")
    write_text(out, templates_toml(result), "templates")
    lines = summary(result) + [f"规则模板：{out.resolve()}"]
    if args.report:
        write_text(args.report, report_csv(result), "report", encoding="utf-8-sig")  # Excel reads it as UTF-8
        lines.append(f"待确认清单：{args.report.resolve()}")
    print(printable("\n".join(lines)))
    return 3 if result.unconverted else 0


def cmd_calendar_show(args: argparse.Namespace) -> int:
    """Print a year's working days: where they come from, days off, make-up working days, the count.
    e.g. python -m monitor calendar show 2027"""
    from monitor.policy import policy_for
    from monitor.calendar_file import year_summary

    catalog = load_catalog(args.config)
    workdays = policy_for(catalog).workdays
    lines = year_summary(workdays, args.year)
    if catalog.calendar_file and not workdays.knows(args.year):
        lines.insert(1, f"（节假日文件 {catalog.calendar_file} 未收录{args.year}年）")
    print(printable("\n".join(lines)))
    return 0


def cmd_calendar_check(args: argparse.Namespace) -> int:
    """Validate a calendar file (holiday arrangements filled from the State Council's notices).
    e.g. python -m monitor calendar check holidays.toml"""
    from monitor.calendar_file import file_summary, load_calendar_file

    years = load_calendar_file(args.file)
    print(printable("\n".join(file_summary(years) + [f"{args.file}：有效，共{len(years)}年"])))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="monitor", description="政务公开时效监测 — disclosure-timeliness monitor")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("sweep", help=cmd_sweep.__doc__)
    _common(p)
    p.add_argument("--units", help="comma-separated unit slugs (default: all)")
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    p.add_argument("--columns", metavar="UNIT/COLUMN,...",
                   help="a spot check: read only these columns (a sweep of kind 'spot', beside any other sweep)")
    p.add_argument("--simulated-world", action="store_true",
                   help="the sites are a simulation that follows --as-of (the demo world, the scheduler's tests): "
                        "allow a day to come")
    p.add_argument("--workers", type=int, default=1, metavar="N",
                   help="crawler processes, sharded by host, with this one writing (default 1; 0: one per core)")
    p.set_defaults(func=cmd_sweep)

    p = sub.add_parser("report", help=cmd_report.__doc__)
    _common(p)
    p.add_argument("--out", type=Path, default=Path("var/report"), help="output folder (default: var/report)")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("board", help=cmd_board.__doc__, description=cmd_board.__doc__)
    _common(p)
    p.add_argument("--out", type=Path, default=Path("var/board"), help="output folder (default: var/board)")
    p.set_defaults(func=cmd_board)

    p = sub.add_parser("notify", help=cmd_notify.__doc__, description=cmd_notify.__doc__)
    _common(p)
    p.add_argument("--retry-failed", action="store_true", help="give the messages given up on a new round of attempts")
    p.set_defaults(func=cmd_notify)

    p = sub.add_parser("evidence", help=cmd_evidence.__doc__, description=cmd_evidence.__doc__)
    p.add_argument("notice_id", type=int, metavar="NOTICE_ID", help="the notice's number (python -m monitor notices)")
    p.add_argument("--db", type=Path, default=None, help="database file (default: $MONITOR_DB or var/monitor.db)")
    p.add_argument("--config", type=Path, default=None, help="catalog file")
    p.add_argument("--out", type=Path, default=None, help="folder to hold notice-N/ (default: evidence/ next to the database)")
    p.add_argument("--no-screenshot", action="store_true", help="skip the screenshot (no Chromium)")
    p.set_defaults(func=cmd_evidence)

    p = sub.add_parser("status", help=cmd_status.__doc__)
    _common(p)
    p.add_argument("unit", nargs="?", help="a unit slug (default: all)")
    p.set_defaults(func=cmd_status)

    notices_cli.add_parser(sub, _common)
    schedule_cli.add_parser(sub)
    scaleout_cli.add_parser(sub, _common)

    p = sub.add_parser("demo", help=cmd_demo.__doc__)
    _common(p)
    p.add_argument("--serve", action="store_true", help="only serve the demo world until Ctrl-C")
    p.add_argument("--days", type=int, default=42, help="simulated days to sweep (default: 42)")
    p.add_argument("--port", type=int, default=8700, help="port of the demo sites (default: 8700)")
    p.add_argument("--out", type=Path, default=Path("var/demo"), help="output folder (default: var/demo)")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("inspect", help=cmd_inspect.__doc__, description=cmd_inspect.__doc__)
    _common(p)
    p.add_argument("unit", nargs="?", help="a unit slug (default: all)")
    p.add_argument("--json", action="store_true", help="one JSON object per unit, with every figure and item")
    p.set_defaults(func=cmd_inspect)

    p = sub.add_parser("probe", help=cmd_probe.__doc__, description=cmd_probe.__doc__)
    p.add_argument("--db", type=Path, default=None, help="database file (default: $MONITOR_DB or var/monitor.db)")
    p.add_argument("--config", type=Path, default=None, help="catalog file")
    p.add_argument("--units", help="comma-separated unit slugs (default: all)")
    p.add_argument("--timeout", type=float, default=15.0, help="seconds before a probe fails (national rule: 15)")
    p.set_defaults(func=cmd_probe)

    p = sub.add_parser("cadence", help=cmd_cadence.__doc__, description=cmd_cadence.__doc__)
    p.add_argument("text", metavar="TEXT", help="the 公开时限 wording, as a catalog gives it; - reads standard input")
    p.set_defaults(func=cmd_cadence)

    p = sub.add_parser("extract", help=cmd_extract.__doc__, description=cmd_extract.__doc__)
    p.add_argument("source", nargs="?", metavar="FILE_OR_URL",
                   help="a saved page (any encoding) or an http(s) URL; with --column alone: that column's page")
    p.add_argument("--url", help="the page's address, to resolve its links (for a file)")
    p.add_argument("--column", metavar="UNIT/COLUMN", help="use this catalog column's URL and extract hints")
    p.add_argument("--as-of", type=clock.parse_day, default=None, metavar="YYYY-MM-DD",
                   help="the day that completes dates shown without a year (default: today, Asia/Shanghai)")
    p.add_argument("--config", type=Path, default=None,
                   help="catalog file for --column (default: $MONITOR_CONFIG, ./catalog.toml, else the demo catalog)")
    p.set_defaults(func=cmd_extract)

    catalog = sub.add_parser("catalog", help="work on catalog files (公开目录)")
    catalog_commands = catalog.add_subparsers(dest="catalog_command", required=True)
    p = catalog_commands.add_parser("import", help=cmd_catalog_import.__doc__, description=cmd_catalog_import.__doc__)
    p.add_argument("file", type=Path, metavar="FILE", help="the standard catalog (基层政务公开标准目录), .xlsx or .csv")
    p.add_argument("--out", type=Path, default=None,
                   help="the rule templates to write (default: FILE's name + .templates.toml, in this folder)")
    p.add_argument("--report", type=Path, default=None, metavar="FILE.csv",
                   help="also write the rows that could not be converted to this CSV file")
    p.set_defaults(func=cmd_catalog_import)

    calendar = sub.add_parser("calendar", help="working days (工作日): holiday arrangements and calendar files")
    calendar_commands = calendar.add_subparsers(dest="calendar_command", required=True)
    p = calendar_commands.add_parser("show", help=cmd_calendar_show.__doc__, description=cmd_calendar_show.__doc__)
    p.add_argument("year", type=_year, metavar="YEAR")
    p.add_argument("--config", type=Path, default=None,
                   help="catalog file naming the calendar file (default: $MONITOR_CONFIG, ./catalog.toml, else the "
                        "demo catalog; without one: $MONITOR_CALENDAR)")
    p.set_defaults(func=cmd_calendar_show)
    p = calendar_commands.add_parser("check", help=cmd_calendar_check.__doc__, description=cmd_calendar_check.__doc__)
    p.add_argument("file", type=Path, metavar="FILE", help="a calendar file (see docs/catalog.md)")
    p.set_defaults(func=cmd_calendar_check)
    return parser


def _year(text: str) -> int:
    if not (text.isdigit() and 1900 <= int(text) <= 2200):
        raise argparse.ArgumentTypeError(f"not a year: {text!r}")
    return int(text)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except AlreadyRunning as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ALREADY_RUNNING
    except MonitorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
