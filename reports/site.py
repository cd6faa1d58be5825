"""The weekly report's site on disk: renders what ``reports.weekly.gather`` found and writes it as files.

``build_weekly(store, catalog, as_of, out_dir)`` renders the week (the seven days ending on ``as_of``)
with jinja2 (autoescape on: every scraped string is escaped; only http(s) URLs ever become links). Each
week is kept in its own folder, ``weeks/YYYY-MM-DD/`` (the day it was built for: a stable URL), and the
newest one is linked at the top of ``out_dir``:

    index.html        the overview: on-time rate and its 12-week trend, units ranked with their change,
                      national inspection verdicts, focus areas, lagging columns, notices, signals, health
    units/SLUG.html   a page per unit: each column's rule, state, newest item, days late; a year of
                      publication days as a calendar; its notices with their evidence
    print.html        every unit's page in one, each starting a new printed page (for a meeting)
    screen.html       the big-screen view (电子显示屏): fits a wall display, cycles through the overview
    notices.html      every notice as it stood that day
    verdicts.csv|xlsx, notices.csv|xlsx   the week's verdicts and notices (reports.exports)
    evidence/         copies of the notices' evidence packs

A week's folder is built aside and swapped in by renames, so a build that fails leaves the last good one.
Older weeks' folders stay as they were written. Charts are inline SVG (reports.charts); the only script
is a few lines that sort tables and turn the big screen's panels, inline.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from monitor.assess import STATE_WORDS
from monitor.config import Catalog
from monitor.inspection import STATE_WORDS as INDICATOR_STATE_WORDS
from monitor.notices import ACTIVE
from monitor.notices import KIND_WORDS as NOTICE_KIND_WORDS
from monitor.notices import STATE_WORDS as NOTICE_STATE_WORDS
from monitor.store import Store
from reports.charts import Point, calendar_svg, trend_svg
from reports.exports import write_exports
from reports.history import CALENDAR_DAYS, Rates, calendar_start, publication_calendars, week_name
from reports.weekly import gather, safe_url

NOTICE_WORDS = NOTICE_STATE_WORDS


def _env() -> Environment:
    env = Environment(loader=PackageLoader("reports", "templates"), autoescape=select_autoescape(["html", "j2"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["safe_url"] = safe_url
    env.filters["state_words"] = lambda s: STATE_WORDS.get(s or "unknown", s)
    env.filters["notice_words"] = lambda s: NOTICE_WORDS.get(s, s)
    env.filters["kind_words"] = lambda s: NOTICE_KIND_WORDS.get(s, s)
    env.filters["indicator_words"] = lambda s: INDICATOR_STATE_WORDS.get(s, s)
    env.filters["pct"] = lambda x: "—" if x is None else f"{x * 100:.1f}%"
    env.filters["change"] = _change_words
    return env


def _change_words(change: float | None) -> str:
    """A rate's change in points, with an arrow that says it without colour."""
    if change is None:
        return "—"
    points = change * 100
    if abs(points) < 0.05:
        return "持平"
    return f"{'↑' if points > 0 else '↓'}{abs(points):.1f}个百分点"


def build_weekly(store: Store, catalog: Catalog, as_of: date, out_dir: Path) -> Path:
    """Write the week's site into out_dir/weeks/<as_of>/ and, when it is the newest week there, link it at
    the top of out_dir (hard links where the file system allows: no second copy on disk). Each is built
    aside and swapped in: a build that fails leaves the last good one. Returns the week's overview if the
    top was left to a newer week, else the top overview."""
    data = gather(store, catalog, as_of)
    week = week_name(as_of)
    env = _env()
    weeks_dir = out_dir / "weeks"
    weeks_dir.mkdir(parents=True, exist_ok=True)
    weeks = sorted({p.name for p in weeks_dir.iterdir() if not p.name.startswith(".") and (p / "index.html").exists()}
                   | {week}, reverse=True)
    common = dict(data, week=week, weeks=weeks, week_label=data["windows"][-1].label)
    building = _fresh_folder(weeks_dir, f".building-{week}-")
    try:
        _write_week(store, catalog, data, common, env, building)
        _swap_in(building, weeks_dir / week)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    if week != weeks[0]:
        return weeks_dir / week / "index.html"  # a past week rebuilt: the top stays the newest one
    top = _fresh_folder(out_dir, ".latest-")
    try:
        _link_tree(weeks_dir / week, top)
        (top / "index.html").unlink()  # the top's own: its links to the older weeks differ
        (top / "index.html").write_text(env.get_template("weekly.html.j2").render(**common, weeks_prefix="weeks/"),
                                        encoding="utf-8")
        for entry in sorted(top.iterdir()):
            _swap_in(entry, out_dir / entry.name)
        for name in WEEK_ENTRIES - {p.name for p in (weeks_dir / week).iterdir()}:
            stale = out_dir / name  # e.g. evidence/ when this week has no pack
            if stale.is_dir():
                shutil.rmtree(stale)
            elif stale.exists():
                stale.unlink()
    finally:
        shutil.rmtree(top, ignore_errors=True)
    return out_dir / "index.html"


WEEK_ENTRIES = frozenset({"index.html", "notices.html", "screen.html", "print.html", "verdicts.csv", "verdicts.xlsx",
                          "notices.csv", "notices.xlsx", "units", "evidence"})  # what a week's folder holds


def _write_week(store: Store, catalog: Catalog, data: dict[str, Any], common: dict[str, Any], env: Environment,
                folder: Path) -> None:
    (folder / "units").mkdir(parents=True)
    _copy_evidence(store, data["notices"], folder, env)
    pages = _pages(store, catalog, data)
    unit_template = env.get_template("unit.html.j2")
    for slug, page in pages.items():
        if Path(slug).name != slug:  # slugs are [a-z][a-z0-9_]*: never a path out of the folder
            raise ValueError(f"unsafe unit slug {slug!r}")
        (folder / "units" / f"{slug}.html").write_text(unit_template.render(**common, p=page), encoding="utf-8")
    for name, template, extra in (("print.html", "print.html.j2", {"unit_pages": list(pages.values())}),
                                  ("notices.html", "notices.html.j2", {}), ("screen.html", "screen.html.j2", {}),
                                  ("index.html", "weekly.html.j2", {"weeks_prefix": "../"})):
        (folder / name).write_text(env.get_template(template).render(**common, **extra), encoding="utf-8")
    write_exports(folder, data["current"], data["notices"])


def _fresh_folder(parent: Path, prefix: str) -> Path:
    """A new folder to build in, readable as a published folder is (mkdtemp makes it private: 0700)."""
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    mask = os.umask(0)
    os.umask(mask)
    folder.chmod(0o777 & ~mask)
    return folder


def _link_tree(src: Path, dst: Path) -> None:
    """A copy of src's files in dst made of hard links (copies where links cannot be made)."""
    def link(a: str, b: str) -> None:
        try:
            os.link(a, b)
        except OSError:
            shutil.copy2(a, b)

    shutil.copytree(src, dst, copy_function=link, dirs_exist_ok=True)


def _swap_in(new: Path, target: Path) -> None:
    """Put `new` (a file or folder) at `target` by renames, the old one removed after: never half of each."""
    if target.exists():
        old = target.with_name(f".old-{target.name}-{os.getpid()}")
        os.replace(target, old)
        os.replace(new, target)
        if old.is_dir():
            shutil.rmtree(old)
        else:
            old.unlink()
    else:
        os.replace(new, target)


def _pages(store: Store, catalog: Catalog, data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """What each unit's page shows."""
    by_unit: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in data["current"]:
        by_unit[row["unit"]].append(row)
    latest_notice, notices_of, signals_of = {}, defaultdict(list), defaultdict(list)
    for n in data["notices"]:  # newest first
        if n["state"] == "withdrawn" and not n.get("issued_day"):
            continue  # a draft withdrawn in review never named anyone
        notices_of[n["unit"]].append(n)
        key = (n["unit"], n["column_id"])
        if n["kind"] == "lateness" and (key not in latest_notice or (n["state"] in ACTIVE and latest_notice[key]["state"] not in ACTIVE)):
            latest_notice[key] = n  # the active lateness notice, else the newest one
    for signal in data["signals"]:
        signals_of[signal["unit"]].append(signal)
    inspections = {r["slug"]: r for r in data["inspections"]}
    ranked = {u.slug: u for u in data["units"]}
    calendars = publication_calendars(store, catalog, data["as_of"])
    first, year_from = calendar_start(data["as_of"]), data["as_of"] - timedelta(days=CALENDAR_DAYS - 1)
    pages = {}
    for unit in catalog.units:
        per_day, per_column = calendars[unit.slug]
        columns = [dict(r, notice=latest_notice.get((r["unit"], r["column_id"])), year_items=per_column.get(r["column_id"], 0))
                   for r in by_unit[unit.slug]]
        rates = data["unit_rates"].get(unit.slug, [])
        pages[unit.slug] = {
            "unit": unit, "row": ranked.get(unit.slug), "columns": columns,
            "inspection": inspections.get(unit.slug),
            "unit_notices": notices_of[unit.slug], "unit_signals": signals_of[unit.slug],
            "calendar_svg": calendar_svg(per_day, first, data["as_of"], f"{unit.name}近一年每日发布条数"),
            "calendar_print_svg": calendar_svg(per_day, first, data["as_of"], f"{unit.name}近一年每日发布条数",
                                               detailed=False),
            "year_items": sum(per_column.values()),
            "active_days": sum(1 for day in per_day if day >= year_from),
            "unit_trend_len": len(rates),
            "unit_trend_svg": trend_svg([Point(w.label, w.detail, Rates.rate(p)) for w, p in zip(data["windows"], rates)],
                                        f"{unit.name}近{len(rates)}周按时率", height=180),
        }
    return pages



# ---- evidence packs (monitor.evidence): linked from each notice (reports.weekly), copied into the week's folder


def _copy_evidence(store: Store, notices: list[dict[str, Any]], out_dir: Path, env: Environment) -> None:
    """Copy each linked pack into ``out_dir/evidence/notice-<id>/`` with a page that shows it, so the report
    folder stands alone: publishable as it is and readable offline. Packs of notices this report does not
    list (left by an earlier report in the same folder) are removed: the folder shows what the report shows."""
    linked = {f"notice-{n['id']}" for n in notices if n.get("evidence_pack")}
    for old in (out_dir / "evidence").glob("notice-*"):
        if old.name not in linked and old.is_dir():
            shutil.rmtree(old)
    for n in notices:
        if not n.get("evidence_pack"):
            continue
        dest = out_dir / "evidence" / f"notice-{n['id']}"
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(store.path.parent / n["evidence_pack"], dest)
        manifest = json.loads((dest / "manifest.json").read_text(encoding="utf-8"))
        (dest / "index.html").write_text(env.get_template("evidence.html.j2").render(m=manifest), encoding="utf-8")
