"""The inspectors' weekly report: one static HTML page in Chinese, readable offline.

``build_weekly(store, catalog, as_of, out_dir)`` gathers the week (the seven days ending on
``as_of``) from the store and renders it with jinja2 (autoescape on: every scraped string is
escaped; only http(s) URLs ever become links). It also writes the notice list (notices.html).
"""

from __future__ import annotations

import json
import shutil
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, select_autoescape

from monitor import clock
from monitor.assess import STATE_WORDS
from monitor.config import Catalog
from monitor.inspection import STATE_WORDS as INDICATOR_STATE_WORDS
from monitor.judge import CONTENT_STATES, MONITOR_STATES
from monitor.notices import ACTIVE, FINE, LAGGING
from monitor.notices import KIND_WORDS as NOTICE_KIND_WORDS
from monitor.notices import STATE_WORDS as NOTICE_STATE_WORDS
from monitor.store import Store

NOTICE_WORDS = NOTICE_STATE_WORDS
INSPECTION_COLUMNS = ("availability", "home", "columns", "backdated")


def safe_url(value: str | None) -> str | None:
    """Only http(s) URLs become links; anything else (javascript:, data:) is shown as text."""
    if not value:
        return None
    return value if urlsplit(value).scheme in ("http", "https") else None


def _env() -> Environment:
    env = Environment(loader=PackageLoader("reports", "templates"), autoescape=select_autoescape(["html", "j2"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["safe_url"] = safe_url
    env.filters["state_words"] = lambda s: STATE_WORDS.get(s or "unknown", s)
    env.filters["notice_words"] = lambda s: NOTICE_WORDS.get(s, s)
    env.filters["kind_words"] = lambda s: NOTICE_KIND_WORDS.get(s, s)
    env.filters["indicator_words"] = lambda s: INDICATOR_STATE_WORDS.get(s, s)
    env.filters["pct"] = lambda x: "—" if x is None else f"{x * 100:.1f}%"
    return env


@dataclass
class UnitRow:
    slug: str
    name: str
    judged: int = 0
    on_time: int = 0
    lagging: int = 0
    monitor_side: int = 0

    @property
    def rate(self) -> float | None:
        return self.on_time / self.judged if self.judged else None


def gather(store: Store, catalog: Catalog, as_of: date) -> dict[str, Any]:
    """Everything the weekly page shows, as plain data (also what tests assert on)."""
    start = as_of - timedelta(days=6)
    configured = {(u.slug, c.id) for u in catalog.units for c in u.columns}
    current = [r for r in store.verdicts(as_of) if (r["unit"], r["column_id"]) in configured]
    units = {u.slug: UnitRow(u.slug, u.name) for u in catalog.units}
    for row in store.verdict_days(start, as_of):
        if (row["unit"], row["column_id"]) not in configured:
            continue
        unit = units[row["unit"]]
        if row["state"] in CONTENT_STATES:
            unit.judged += 1
            unit.on_time += row["state"] in FINE
            unit.lagging += row["state"] in LAGGING
        else:
            unit.monitor_side += 1

    notices = _notices_as_of(store, as_of, configured)
    _attach_evidence(store, notices)
    active = {(n["unit"], n["column_id"]): n for n in notices if n["state"] in ACTIVE}
    latest = {}
    for n in notices:  # newest first: keep the first lateness notice per column
        if n["kind"] == "lateness":
            latest.setdefault((n["unit"], n["column_id"]), n)
    lagging = [dict(r, notice=latest.get((r["unit"], r["column_id"]))) for r in current if r["state"] in LAGGING]
    lagging.sort(key=lambda r: (-(r["days_late"] or 0), r["unit"], r["column_id"]))
    health = [r for r in current if (r["state"] or "unknown") in MONITOR_STATES]
    failed_checks = Counter(
        (k["unit"], k["column_id"]) for k in store.checks_between(start, as_of) if k["outcome"] != "ok")
    for r in health:
        r["failed_checks"] = failed_checks[(r["unit"], r["column_id"])]

    by_notice = {n["id"]: n for n in notices}
    events = defaultdict(list)
    for e in store.notice_events(start, as_of):
        if e["notice_id"] in by_notice:
            state = "issued" if e["new_state"] == "open" else e["new_state"]  # audit rows from before review
            if e["old_state"] != e["new_state"]:  # a deadline recount is not a move
                events[state].append(dict(by_notice[e["notice_id"]], event=e))

    judged = sum(u.judged for u in units.values())
    on_time = sum(u.on_time for u in units.values())
    ranked = sorted(units.values(), key=lambda u: (u.rate is None, -(u.rate or 0), u.slug))
    return {
        "as_of": as_of, "start": start, "generated_at": clock.now().strftime("%Y-%m-%d %H:%M"),
        "units": ranked, "unit_count": len(units), "column_count": len(configured),
        "judged": judged, "rate": on_time / judged if judged else None,
        "current_counts": Counter(r["state"] or "unknown" for r in current),
        "lagging": lagging, "health": health,
        "drafted": events["draft"], "opened": events["issued"], "rectified": events["rectified"],
        "overdue": events["overdue"], "escalated": events["escalated"], "withdrawn": events["withdrawn"],
        "active_notices": sorted(active.values(), key=lambda n: (n["deadline"], n["unit"])),
        "notices": notices,
        "backdated": _backdated(current),
        "signals": _signals(store, configured, start, as_of),
        "inspections": _inspections(store, catalog, as_of),
    }


def _inspections(store: Store, catalog: Catalog, as_of: date) -> list[dict[str, Any]]:
    """The national inspection verdict of each unit (latest on or before as_of), units without one last."""
    stored = {r["unit"]: r for r in store.inspections(as_of)}
    rows = []
    for unit in catalog.units:
        row = stored.get(unit.slug)
        indicators = {i["key"]: i for i in row["indicators"]} if row else {}
        rows.append({"slug": unit.slug, "name": unit.name, "result": row["result"] if row else None,
                     "words": row["words"] if row else "尚未评估", "day": row["day"] if row else None,
                     "indicators": [indicators.get(key) for key in INSPECTION_COLUMNS]})
    order = {"fail": 0, "incomplete": 1, "pass": 2, None: 3}
    return sorted(rows, key=lambda r: (order[r["result"]], r["slug"]))


def _notices_as_of(store: Store, as_of: date, configured: set[tuple[str, str]]) -> list[dict[str, Any]]:
    """Notices as they stood on as_of (state from the audit trail), so a past week's report can be rebuilt."""
    state: dict[int, str] = {}
    for event in store.notice_events(date.min, as_of):
        state[event["notice_id"]] = "issued" if event["new_state"] == "open" else event["new_state"]
    out = []
    for n in store.notices():
        if (n["unit"], n["column_id"]) in configured and n["id"] in state:
            n = dict(n, state=state[n["id"]])
            for field_name in ("rectified_day", "overdue_day"):
                if n[field_name] and n[field_name] > as_of.isoformat():
                    n[field_name] = None
            out.append(n)
    return out


def _signals(store: Store, configured: set[tuple[str, str]], start: date, as_of: date) -> list[dict[str, Any]]:
    """The week's faked-disclosure signals (monitor.signals) with their items, newest first."""
    rows = [r for r in store.signals_between(start, as_of) if (r["unit"], r["column_id"]) in configured]
    return sorted(rows, key=lambda r: (r["day"], r["unit"], r["column_id"], r["kind"]), reverse=True)


def _backdated(current: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for r in current:
        evidence = json.loads(r["evidence"]) if r.get("evidence") else {}
        for item in evidence.get("backdated") or []:
            out.append({"unit_name": r["unit_name"], "column_name": r["column_name"], **item})
    return out


def build_weekly(store: Store, catalog: Catalog, as_of: date, out_dir: Path) -> Path:
    """Write index.html (the weekly report) and notices.html into out_dir; return the report's path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    data = gather(store, catalog, as_of)
    env = _env()
    _copy_evidence(store, data["notices"], out_dir, env)
    (out_dir / "notices.html").write_text(env.get_template("notices.html.j2").render(**data), encoding="utf-8")
    path = out_dir / "index.html"
    path.write_text(env.get_template("weekly.html.j2").render(**data), encoding="utf-8")
    return path


# ---- evidence packs (monitor.evidence): linked from each notice, copied into the report folder


def _attach_evidence(store: Store, notices: list[dict[str, Any]]) -> None:
    """Each notice's pack (``evidence_pack``: its folder from evidence_files, relative to the db folder) and
    the report's link to its copy (``evidence``), or None when it has no pack."""
    packs = store.evidence_packs()
    for n in notices:
        folder = packs.get(n["id"])
        present = folder is not None and (store.path.parent / folder / "manifest.json").exists()
        n["evidence_pack"] = folder if present else None
        n["evidence"] = f"evidence/notice-{n['id']}/index.html" if present else None


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
