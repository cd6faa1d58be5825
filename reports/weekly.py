"""The inspectors' weekly report: the week's figures, gathered from the store as plain data.

``gather(store, catalog, as_of)`` reads the week (the seven days ending on ``as_of``): each unit's on-time
rate and its rank, the 12-week trend, national inspection verdicts, focus areas, lagging columns, the
notices as they stood that day (with their evidence packs), faked-disclosure signals and the monitor's
own health. It writes nothing; ``reports.site`` renders it and writes the site on disk
(``build_weekly``, which this module still offers: ``from reports.weekly import build_weekly``).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

from monitor import clock
from monitor.config import Catalog
from monitor.judge import CONTENT_STATES, MONITOR_STATES
from monitor.notices import ACTIVE, FINE, LAGGING
from monitor.store import Store
from reports.charts import Point, trend_svg
from reports.history import Rates, weekly_rates

INSPECTION_COLUMNS = ("availability", "home", "columns", "backdated")


def __getattr__(name: str) -> Any:
    """``build_weekly`` lives in reports.site, which imports this module: looked up on first use, no cycle."""
    if name == "build_weekly":
        from reports.site import build_weekly

        return build_weekly
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@lru_cache(maxsize=65536)
def safe_url(value: str | None) -> str | None:
    """Only http(s) URLs become links; anything else (javascript:, data:) is shown as text."""
    if not value:
        return None
    return value if urlsplit(value).scheme in ("http", "https") else None


@dataclass
class UnitRow:
    slug: str
    name: str
    judged: int = 0
    on_time: int = 0
    lagging: int = 0
    monitor_side: int = 0
    previous_rate: float | None = None  # the week before
    place: int | None = None  # None: nothing of it could be judged this week (the monitor's side), not last

    @property
    def rate(self) -> float | None:
        return self.on_time / self.judged if self.judged else None

    @property
    def change(self) -> float | None:
        """This week's rate minus the week before's (None when either is unknown)."""
        return None if self.rate is None or self.previous_rate is None else self.rate - self.previous_rate


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
    spans, rates = weekly_rates(store, catalog, as_of)
    for slug, unit in units.items():
        unit.previous_rate = Rates.rate(rates.by_unit[slug][-2]) if len(spans) > 1 else None
    ranked = sorted(units.values(), key=lambda u: (u.rate is None, -(u.rate or 0), u.slug))
    for k, unit in enumerate(ranked):  # equal rates share a place (1, 2, 2, 4); a unit not judged has none
        if unit.rate is not None:
            unit.place = ranked[k - 1].place if k and ranked[k - 1].rate == unit.rate else k + 1
    trend = [Point(w.label, w.detail, Rates.rate(p)) for w, p in zip(spans, rates.overall)]
    return {
        "current": current, "windows": spans, "unit_rates": rates.by_unit, "trend": trend,
        "trend_svg": trend_svg(trend, f"近{len(trend)}周按时率（栏目·日）"),
        "focus": _focus_areas(current),
        "as_of": as_of, "start": start, "generated_at": clock.now().strftime("%Y-%m-%d %H:%M"),
        "units": ranked, "rated": [u for u in ranked if u.place is not None],
        "unit_count": len(units), "column_count": len(configured),
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


def _focus_areas(current: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The catalog's focus columns (重点领域: 财政预决算, 三公经费, 重大项目 ...) grouped by area: their
    type, or their name for columns of type 其他; lagging ones first within each area."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in current:
        if r["focus"]:
            groups[r["type"] if r["type"] and r["type"] != "其他" else r["column_name"]].append(r)
    out = []
    for name, rows in sorted(groups.items()):
        rows.sort(key=lambda r: (r["state"] not in LAGGING, -(r["days_late"] or 0), r["unit"]))
        out.append({"name": name, "rows": rows, "lagging": sum(r["state"] in LAGGING for r in rows)})
    return sorted(out, key=lambda g: (-g["lagging"], g["name"]))


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


# ---- evidence packs (monitor.evidence): linked from each notice; reports.site copies them into the site


def _attach_evidence(store: Store, notices: list[dict[str, Any]]) -> None:
    """Each notice's pack (``evidence_pack``: its folder from evidence_files, relative to the db folder) and
    the report's link to its copy (``evidence``), or None when it has no pack."""
    packs = store.evidence_packs()
    for n in notices:
        folder = packs.get(n["id"])
        present = folder is not None and (store.path.parent / folder / "manifest.json").exists()
        n["evidence_pack"] = folder if present else None
        n["evidence"] = f"evidence/notice-{n['id']}/index.html" if present else None

