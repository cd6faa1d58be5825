"""The demo world's catalog (TOML, per docs/catalog.md) and its expected verdicts at the end date.

Both are read off the scenario definitions in ``units.py``. The expected verdicts assume the monitor's
documented behaviour: one sweep a day from S to E; a column is late the day after its last on-time day; a
notice opens on the second late (or blank) sweep; its rectification deadline is ``rectify_workdays`` working
days later (counting from the day after); an unreachable or blocked site, or a page whose list is gone, is
recorded as such and never raises a notice.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import TYPE_CHECKING

from dateutil.relativedelta import relativedelta

from . import gkmlpt
from .items import add_workdays, missed_month_dates
from .units import TEMPLATES, Backdated, Blank, Burst, Gone, Hollow, MissedMonth, Redesign, Resumes, Stale

if TYPE_CHECKING:
    from .items import DemoColumn, DemoUnit
    from .world import DemoWorld

MONITOR = {
    "download_timeout": 3, "retries": 1, "download_delay": 0.1, "concurrency_per_host": 2, "warn_days": 3,
    "rectify_workdays": 5, "backdate_tolerance_days": 2, "contact": "https://example.gov.cn/monitor",
}
# lateness notices of these rule kinds issue themselves; the others (item lag: per-item judgements) wait for a reviewer
AUTO_ISSUE = ["max_gap", "periodic"]


def toml_value(v: object) -> str:
    """A TOML literal: strings (JSON escapes are valid TOML), numbers, booleans, inline tables."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(f"no TOML for {v!r}")


def _extract(world: DemoWorld, unit: DemoUnit, col: DemoColumn) -> dict:
    spec, out = col.spec, {}
    if spec.browser:
        out["browser"] = True
    if unit.spec.family == "gkmlpt":  # the app page has no list: every column is read from the JSON API
        out["endpoint"] = world.url(unit, gkmlpt.api_path(unit, col))
    elif spec.endpoint:
        out["endpoint"] = world.url(unit, f"/module/web/jpage/dataproxy.jsp?columnid={spec.colid}")
    if spec.selectors:
        out.update(spec.selectors)
    return out


def catalog_toml(world: DemoWorld) -> str:
    """The catalog of ``world``: settings, rule templates, units and columns."""
    first, last = world.units[0].ip, world.units[-1].ip
    lines = [f"# The demo world's catalog (monitor.demo): {len(world.units)} units on {first}..{last}, port {world.port}.",
             "# Generated: python -m monitor.demo.server --catalog PATH (the same for every end date).", "",
             "[monitor]"]
    lines += [f"{k} = {toml_value(v)}" for k, v in MONITOR.items()]
    lines += ["", "[notices]", f"auto_issue = [{', '.join(toml_value(k) for k in AUTO_ISSUE)}]"]
    for name, rule in TEMPLATES.items():
        lines += ["", f"[rules.{name}]"] + [f"{k} = {toml_value(v)}" for k, v in rule.items()]
    for unit in world.units:
        lines += ["", "[[units]]", f"slug = {toml_value(unit.slug)}", f"name = {toml_value(unit.name)}",
                  f"site = {toml_value(world.url(unit))}"]
        for col in unit.columns:
            spec = col.spec
            lines += ["", "  [[units.columns]]", f"  id = {toml_value(spec.id)}", f"  name = {toml_value(spec.name)}",
                      f"  url = {toml_value(world.url(unit, col.path))}", f"  type = {toml_value(spec.type)}",
                      f"  focus = {toml_value(spec.focus)}", f"  rule = {toml_value(spec.rule)}"]
            extract = _extract(world, unit, col)
            if extract:
                lines += ["", "  [units.columns.extract]"] + [f"  {k} = {toml_value(v)}" for k, v in extract.items()]
    return "\n".join(lines) + "\n"


def last_on_time_day(newest: date, within: dict) -> date:
    """A max_gap column whose newest item is ``newest`` is on time up to and including this day."""
    n, unit = within["n"], within["unit"]
    if unit == "workday":
        return add_workdays(newest, n)
    step = {"day": relativedelta(days=n), "week": relativedelta(weeks=n), "month": relativedelta(months=n),
            "year": relativedelta(years=n)}[unit]
    return newest + step


def _rel(world: DemoWorld, d: date) -> str:
    return f"{d} (E{(d - world.end).days:+d})" if d != world.end else f"{d} (E)"


def _notice(world: DemoWorld, col: DemoColumn, late_from: date, fixed: date | None = None) -> dict:
    """The notice's course: drafted on the second late sweep and issued at once when the column's rule
    kind is in AUTO_ISSUE (else it waits for a reviewer: a draft, withdrawn by the sweep if the column
    is fixed first), deadline, final status at E."""
    opened = late_from + timedelta(days=1)
    deadline = add_workdays(opened, MONITOR["rectify_workdays"])
    auto = col.rule["kind"] in AUTO_ISSUE
    if opened > world.end:
        status = None
    elif fixed is not None and fixed <= world.end:
        status = "rectified" if auto else "withdrawn"
    elif not auto:
        status = "draft"
    else:
        status = "overdue" if world.end > deadline else "issued"
    return {"notice": status, "late_from": late_from, "notice_opened": opened, "deadline": deadline,
            "rectified_on": fixed if status == "rectified" else None}


def _notice_words(world: DemoWorld, n: dict) -> str:
    words = (f"late from {_rel(world, n['late_from'])}, notice opened {_rel(world, n['notice_opened'])}, "
             f"rectification deadline {_rel(world, n['deadline'])}")
    if n["notice"] == "rectified":
        when = "within" if n["rectified_on"] <= n["deadline"] else "after"
        return words + f"; rectified {_rel(world, n['rectified_on'])}, {when} the deadline"
    if n["notice"] == "draft":
        return words + "; the rule's notices wait for a reviewer: a draft"
    return words + ("; deadline passed: overdue" if n["notice"] == "overdue" else "; deadline not yet passed: issued")


def _column_truth(world: DemoWorld, unit: DemoUnit, col: DemoColumn) -> dict:
    s, at = col.spec.scenario, world.at
    none = {"notice": None, "late_from": None, "notice_opened": None, "deadline": None, "rectified_on": None}
    hidden_late = None
    if isinstance(s, (Stale, Redesign)):
        hidden_late = last_on_time_day(at(s.newest), col.rule["within"]) + timedelta(days=1)
    outage = col.spec.outage or unit.spec.outage
    if outage and world.end >= at(outage.start):
        what = {"timeout": f"stalls {outage.delay_s:g} s on every request", "ruishu": "answers HTTP 412 (瑞数 challenge)",
                "wzws": "redirects to a WZWS challenge (/WZWSREL...)",
                "jiasule": "answers HTTP 521 (加速乐 cookie challenge)"}
        state = "unreachable" if outage.kind == "timeout" else "blocked"
        who = "the column" if col.spec.outage else "the site"
        why = f"{who} {what[outage.kind]} from {_rel(world, at(outage.start))}"
        if hidden_late:
            assert hidden_late >= at(outage.start), f"{unit.slug}/{col.id} is visibly late before the outage"
            why = (f"newest item {_rel(world, at(s.newest))} would be late from {_rel(world, hidden_late)}, but {why}"
                   f"; never late while readable, so no notice")
        return {"state": state, "why": why + f": {state}, no notice", **none}
    if isinstance(s, Redesign) and world.end >= at(s.at):
        assert hidden_late > at(s.at), f"{unit.slug}/{col.id} is visibly late before the redesign"
        return {"state": "broken", **none,
                "why": f"newest item {_rel(world, at(s.newest))} would be late from {_rel(world, hidden_late)}, but "
                       f"the list page is redesigned at {_rel(world, at(s.at))} (200, no list, no 暂无信息): "
                       f"broken, no notice"}
    if isinstance(s, Gone) and world.end >= at(s.at):
        return {"state": "broken", **none,
                "why": f"the list page answers 200 with 页面不存在 from {_rel(world, at(s.at))} (a soft 404, read as "
                       f"not found): broken, no notice"}
    if isinstance(s, Blank):
        n = _notice(world, col, world.start)
        return {"state": "blank", **n, "why": f"never carried an item; blank from the first sweep: {_notice_words(world, n)}"}
    if isinstance(s, Stale):
        n = _notice(world, col, hidden_late)
        return {"state": "late", **n, "why": f"newest item {_rel(world, at(s.newest))}, nothing since: {_notice_words(world, n)}"}
    if isinstance(s, Resumes):
        late = last_on_time_day(at(s.newest), col.rule["within"]) + timedelta(days=1)
        n = _notice(world, col, late, at(s.again))
        assert n["notice_opened"] < at(s.again), f"{unit.slug}/{col.id}: the repost comes before the notice"
        return {"state": "on_time", **n,
                "why": f"silent after {_rel(world, at(s.newest))}, posts again {_rel(world, at(s.again))}: "
                       f"{_notice_words(world, n)}"}
    if isinstance(s, Burst):
        late = last_on_time_day(at(s.newest), col.rule["within"]) + timedelta(days=1)
        n = _notice(world, col, late, at(s.at))
        assert n["notice_opened"] < at(s.at), f"{unit.slug}/{col.id}: the burst comes before the notice"
        newest = col.items[0].shown
        left = (last_on_time_day(newest, col.rule["within"]) - world.end).days
        assert left > MONITOR["warn_days"], f"{unit.slug}/{col.id}: the burst's newest item is due soon at E"
        return {"state": "on_time", **n,
                "why": f"silent after {_rel(world, at(s.newest))}, {s.count} items over {s.days} days from "
                       f"{_rel(world, at(s.at))} (一阵风): {_notice_words(world, n)}"}
    if isinstance(s, MissedMonth):
        (y, m), due, next_due = missed_month_dates(world.end, s)
        n = _notice(world, col, due + timedelta(days=1), at(s.posted))
        also = f", and the next month's (due {_rel(world, next_due)}) with it" if next_due < at(s.posted) else ""
        return {"state": "on_time", **n,
                "why": f"the {y}-{m:02d} report (due {_rel(world, due)}) is missing until {_rel(world, at(s.posted))}"
                       f"{also}: {_notice_words(world, n)}"}
    if isinstance(s, Backdated):
        n = _notice(world, col, at(min(s.posts)))
        faked = "; ".join(f"posted {_rel(world, it.posted)} showing 发布日期 {it.shown} (成文日期 {it.written})"
                          for it in sorted(col.items, key=lambda it: it.posted) if it.shown != it.posted)
        return {"state": "late", **n,
                "why": f"back-dated items, first seen on the posted day (the column was read the day before): "
                       f"{faked}; each is over {col.rule['within']['n']} working days after 成文日期: {_notice_words(world, n)}"}
    newest = col.items[0].shown if col.items else None
    return {"state": "on_time", **none, "why": f"posts on its cadence ({col.spec.cadence}); newest item {newest}"}


def expected(world: DemoWorld) -> dict[tuple[str, str], dict]:
    """{(unit, column): {"state", "notice", "why", "late_from", "notice_opened", "deadline", "rectified_on",
    "signals"}}; "signals": {kind: {item URL, ...}} of the faked-disclosure signals the column must raise
    (monitor.signals), empty for a column that must raise none."""
    return {(u.slug, c.id): {**_column_truth(world, u, c), "signals": _column_signals(world, u, c)}
            for u in world.units for c in u.columns}


def _setting(name: str) -> int:
    """A [monitor] setting of the demo catalog, or the monitor's default."""
    from monitor.config import Settings

    return MONITOR.get(name, getattr(Settings(), name))


def _column_signals(world: DemoWorld, unit: DemoUnit, col: DemoColumn) -> dict[str, set[str]]:
    """The signals of the scenario, by kind, with their items' URLs. An item can only be caught once the
    monitor has read the column before it appeared (the first sweep is the column's history), and a body
    only compared once the monitor has read the page: the pages of items that appeared during the sweeps."""
    s, at = col.spec.scenario, world.at
    url = lambda it: world.url(unit, it.path)  # noqa: E731
    appeared = lambda it: world.start < it.posted <= world.end  # noqa: E731
    if isinstance(s, Backdated):
        faked = {url(it) for it in col.items if it.shown != it.posted and appeared(it)}
        return {"backdated": faked} if faked else {}
    if isinstance(s, Burst):
        first, last = at(s.at), at(s.at) + timedelta(days=_setting("burst_within_days") - 1)
        if not (world.start < first and last <= world.end):
            return {}
        burst = {url(it) for it in col.items if first <= it.posted <= last}
        assert len(burst) >= _setting("burst_min_items") and s.at - s.newest >= _setting("burst_silence_days")
        return {"burst": burst}
    if isinstance(s, Hollow):
        found: dict[str, set[str]] = {}
        reposts = {url(it) for it in col.items if it.copy_of and appeared(it) and appeared(it.copy_of)}
        empty = {url(it) for it in col.items if it.body == "empty" and appeared(it)}
        redated = {url(it) for it in col.items if it.reshown and world.start < it.reshown[0] <= world.end
                   and it.posted <= world.start}
        for kind, urls in (("repost", reposts), ("empty_item", empty), ("date_changed", redated)):
            if urls:
                found[kind] = urls
        return found
    return {}


def burst_after_notice(world: DemoWorld, col: DemoColumn) -> date | None:
    """The day the burst column's lateness notice was issued, when that is within 14 days before the burst
    (the demo's notices of max_gap rules issue themselves): the signal says "after a notice"."""
    from monitor.signals import NOTICE_DAYS

    s = col.spec.scenario
    if not isinstance(s, Burst):
        return None
    issued = last_on_time_day(world.at(s.newest), col.rule["within"]) + timedelta(days=2)
    return issued if issued >= world.start and 0 <= (world.at(s.at) - issued).days <= NOTICE_DAYS else None
