"""The public notice board (政务公开督办公告栏): one static page and an Atom feed, publishable as they are.

``build_board(store, catalog, as_of, out_dir)`` writes ``board.html`` and ``board.atom``: every notice that
was public on ``as_of``, newest first, in formal Chinese (督办编号, 督办单位, 督办事项, 问题类型, 存在问题,
发布日期, 整改时限, 整改情况). The state of each notice is rebuilt from its audit trail (``notice_events``)
as it stood on ``as_of``, so a past board can be rebuilt; it is the same rule as the weekly report's.

What is public, and what never is:

- shown: notices issued (督办中), overdue (逾期未整改), escalated (已追责, with the level only), rectified
  (已整改, with the day) and closed (已办结); their unit, column (a link only for an http(s) URL), rule words,
  kind, the notice's reason (存在问题), issue day, rectification deadline;
- a notice withdrawn *after* it was issued had been public and keeps its number: it stays on the board
  as 已撤销 with the day, and neither the reason it was withdrawn for (internal) nor its original 存在问题
  (a withdrawn notice is a false alarm: repeating the charge would be unfair to the unit) is shown;
- never shown: drafts, notices withdrawn before being issued, ``internal_note``, who issued or moved a
  notice (``issued_by``, the audit rows' ``by``), the audit rows' ``why``, ``withdraw_reason``, the
  evidence JSON, the monitor's own fetch details. Entries are built from a whitelist of fields
  (``board_notices``), so a column added to ``notices`` later cannot leak by accident.

Numbering: 督办〔YYYY〕N号, N counting the notices issued in year YYYY in issue order (the issue day, then
the order of the audit rows), over every notice ever issued, withdrawn ones included: a number never
changes and a past board shows the numbers the later one shows.

The feed (Atom 1.0): ids are ``tag:`` URIs, ``tag:HOST,2026:dujiban/ISSUE-DAY/ID``, HOST being the host of
``[notices] board_url`` (else of ``[monitor] contact``, else ``disclosure-monitor.invalid``): set
``board_url`` once and keep it, ids depend on it. An entry's ``updated`` is the notice's last public
change up to ``as_of`` (issued, overdue, rectified, escalated, closed, withdrawn, a recounted deadline):
its audit row's time, or that day's start when the row was written for another day (a replay). Content is
the same facts table as the page, as escaped HTML. The feed carries the ``FEED_ENTRIES`` (100) notices changed
most recently, most recent first (a feed tells what changed; the page keeps the whole record). Output is
deterministic (no generation time).

jinja2 autoescape is on; every string also loses the control characters XML 1.0 forbids. No script, no
external asset: the page reads offline and prints.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from monitor.config import Catalog
from monitor.notices import KIND_WORDS, PUBLIC
from monitor.store import Store
from reports.weekly import safe_url

TAG_DATE = "2026"  # the date part of every tag: URI; never change it (ids would change)
FEED_ENTRIES = 100  # the feed carries the notices changed most recently; the page shows them all
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_RECOUNT = re.compile(r"(\d{4}-\d{2}-\d{2})→(\d{4}-\d{2}-\d{2})\s*$")
STATE_WORDS = {"issued": "督办中", "overdue": "逾期未整改", "escalated": "已追责", "rectified": "已整改", "closed": "已办结",
               "withdrawn": "已撤销"}  # on the board; a withdrawn notice was public, so 已撤销 rather than 已撤回
STATUS_MARKS = {  # a symbol and words: never colour alone
    "issued": "", "overdue": "▲ 逾期未整改", "rectified": "√ 已整改", "escalated": "■ 已追责",
    "closed": "● 已办结", "withdrawn": "× 已撤销",
}


def cn_date(value: str | date | None) -> str:
    """2026-11-27 → 2026年11月27日 (formal notices write dates so); None → —."""
    if not value:
        return "—"
    d = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    return f"{d.year}年{d.month}月{d.day}日"


def _clean(value: Any) -> Any:
    """Every printed string loses the control characters XML 1.0 forbids (a scraped title may carry them)."""
    if isinstance(value, Markup):
        return Markup(_XML_ILLEGAL.sub("", str(value)))
    if isinstance(value, str):
        return _XML_ILLEGAL.sub("", value)
    return value


def _env() -> Environment:
    env = Environment(loader=PackageLoader("reports", "templates"), autoescape=select_autoescape(["html", "j2"]),
                      trim_blocks=True, lstrip_blocks=True, finalize=_clean)
    env.filters["safe_url"] = safe_url
    env.filters["cn_date"] = cn_date
    return env


def _state(new_state: str) -> str:
    return "issued" if new_state == "open" else new_state  # audit rows written before review said 'open'


def notice_numbers(events: list[dict[str, Any]]) -> dict[int, tuple[int, int]]:
    """Notice id → (year, N) of 督办〔year〕N号, from the whole audit trail (oldest first): the notices issued
    in a year, in issue order. Deterministic, and a number never changes once given."""
    first_issue: dict[int, tuple[str, int]] = {}
    for e in events:
        if _state(e["new_state"]) == "issued" and e["notice_id"] not in first_issue:
            first_issue[e["notice_id"]] = (e["day"], e["id"])
    numbers: dict[int, tuple[int, int]] = {}
    count: dict[int, int] = defaultdict(int)
    for notice_id, (day, _) in sorted(first_issue.items(), key=lambda kv: kv[1]):
        year = int(day[:4])
        count[year] += 1
        numbers[notice_id] = (year, count[year])
    return numbers


def number_words(year: int, n: int) -> str:
    return f"督办〔{year}〕{n}号"


def _stamp(event: dict[str, Any]) -> str:
    """An audit row's time for the feed: its own time, or its day's start when it was written for another
    day (a replay, the demo's simulated days)."""
    at = event.get("at") or ""
    return at if at[:10] == event["day"] else f"{event['day']}T00:00:00+08:00"


def board_notices(store: Store, as_of: date) -> list[dict[str, Any]]:
    """The notices public on ``as_of``, newest first, each a dict of public fields only (see the module)."""
    day = as_of.isoformat()
    events = store.notice_events(date.min, date.max)
    numbers = notice_numbers(events)
    trail: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for e in events:
        trail[e["notice_id"]].append(e)
    rows = {n["id"]: n for n in store.notices()}
    out = []
    for notice_id, evs in trail.items():
        row = rows.get(notice_id)
        upto = [e for e in evs if e["day"] <= day]
        if row is None or not upto or notice_id not in numbers:
            continue
        issue_at = next((i for i, e in enumerate(upto) if _state(e["new_state"]) == "issued"), None)
        if issue_at is None:  # never issued by as_of: a draft, or a draft withdrawn
            continue
        state = _state(upto[-1]["new_state"])
        if state not in PUBLIC and state != "withdrawn":
            continue
        public = upto[issue_at:]
        last_day = {}
        for e in public:
            if e["old_state"] != e["new_state"]:
                last_day[_state(e["new_state"])] = e["day"]
        deadline = row["deadline"]
        later = [e for e in evs if e["day"] > day and e["old_state"] == e["new_state"] and _RECOUNT.search(e["why"] or "")]
        if later:  # the deadline was recounted after as_of: it stood at the first recount's old value
            deadline = _RECOUNT.search(later[0]["why"]).group(1)
        year, n = numbers[notice_id]
        withdrawn = state == "withdrawn"
        out.append({
            "id": notice_id, "anchor": f"notice-{notice_id}", "number": number_words(year, n), "year": year, "seq": n,
            "unit": row["unit"], "unit_name": row["unit_name"], "column_name": row["column_name"],
            "column_url": safe_url(row["column_url"]), "rule_words": row["rule_words"] or "",
            "kind": row["kind"], "kind_words": KIND_WORDS.get(row["kind"], row["kind"]),
            "reason": None if withdrawn else (row["reason"] or ""),
            "issued_day": upto[issue_at]["day"], "deadline": None if withdrawn else deadline,
            "state": state, "state_words": STATE_WORDS[state], "status": _status(state, last_day, row["escalation_level"]),
            "mark": STATUS_MARKS[state], "overdue_day": last_day.get("overdue"),
            "level": row["escalation_level"] if state == "escalated" else None,
            "rectified_day": last_day.get("rectified"),
            "published": f"{upto[issue_at]['day']}T00:00:00+08:00", "updated": _stamp(public[-1]),
            "order": (upto[issue_at]["day"], upto[issue_at]["id"]),
        })
    out.sort(key=lambda n: n["order"], reverse=True)
    return out


def _status(state: str, days: dict[str, str], level: str | None) -> str:
    """整改情况 in words."""
    if state == "rectified":
        return f"已整改（{cn_date(days.get('rectified'))}）"
    if state == "escalated":
        return f"已追责（{level}）" if level else "已追责"
    if state == "closed":
        return f"已办结（{cn_date(days.get('closed'))}）"
    if state == "withdrawn":
        return f"已撤销（{cn_date(days.get('withdrawn'))}）"
    if state == "overdue":
        return "逾期未整改"
    return "督办中"


def _authority(catalog: Catalog) -> str:
    for url in (catalog.notices.board_url, catalog.settings.contact):
        host = urlsplit(url or "").hostname
        if host:
            return host
    return "disclosure-monitor.invalid"


def gather_board(store: Store, catalog: Catalog, as_of: date) -> dict[str, Any]:
    """Everything the board shows, as plain data (also what tests assert on)."""
    notices = board_notices(store, as_of)
    board_url = catalog.notices.board_url
    authority = _authority(catalog)
    for n in notices:
        n["tag"] = f"tag:{authority},{TAG_DATE}:dujiban/{n['issued_day']}/{n['id']}"
        n["link"] = f"{board_url or 'board.html'}#{n['anchor']}"
    counts = {s: sum(n["state"] == s for n in notices) for s in (*sorted(PUBLIC), "withdrawn")}
    return {
        "as_of": as_of, "notices": notices, "counts": counts, "total": len(notices),
        "feed_notices": sorted(notices, key=lambda n: (n["updated"], n["order"]), reverse=True)[:FEED_ENTRIES],
        "feed_id": f"tag:{authority},{TAG_DATE}:dujiban",
        "feed_updated": max((n["updated"] for n in notices), default=f"{as_of}T00:00:00+08:00"),
        "board_link": board_url or "board.html",
        "feed_self": urljoin(board_url, "board.atom") if board_url else None,
    }


def build_board(store: Store, catalog: Catalog, as_of: date, out_dir: Path) -> Path:
    """Write board.html and board.atom into out_dir; return the page's path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    data = gather_board(store, catalog, as_of)
    env = _env()
    fragment = env.get_template("_board_notice.html.j2")
    for n in data["feed_notices"]:
        n["content"] = str(fragment.render(n=n))  # a plain str: escaped once more inside the feed
    (out_dir / "board.atom").write_text(env.get_template("board.atom.j2").render(**data), encoding="utf-8")
    path = out_dir / "board.html"
    path.write_text(env.get_template("board.html.j2").render(**data), encoding="utf-8")
    return path
