"""The one door to the database (SQLite through sqlite-utils).

``Store(path)`` opens the file, turns on WAL and a busy timeout, and applies the numbered
migrations in ``monitor.schema``. Every read and write of the monitor goes through a method
here (the supervision tables' in monitor/store_supervision.py, the scheduler's in
monitor/store_schedule.py, which ``Store`` inherits); nothing
else runs SQL. The tables are documented in docs/schema.md.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import sqlite_utils

from monitor import clock
from monitor.locks import waiting_for
from monitor.config import Catalog
from monitor.judge import CheckFact, ColumnHistory, ItemFact, Verdict
from monitor.schema import MIGRATIONS
from monitor.store_schedule import ScheduleQueries
from monitor.store_supervision import SupervisionQueries


def default_db_path() -> Path:
    return Path(os.environ.get("MONITOR_DB") or "var/monitor.db")


def _d(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


class Store(SupervisionQueries, ScheduleQueries):
    """Open (and migrate) the monitor's database."""

    def __init__(self, path: str | os.PathLike[str] | None = None):
        self.path = Path(path) if path else default_db_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite_utils.Database(self.path)
        self.db.execute("PRAGMA busy_timeout = 60000")
        self.db.execute("PRAGMA synchronous = NORMAL")
        self.db.execute("PRAGMA foreign_keys = ON")
        # two processes opening a new database must not both migrate it, nor switch it to WAL at once (that
        # switch takes an exclusive lock and does not wait for a busy one: "database is locked")
        with waiting_for(self.path, "migrate"):
            self.db.enable_wal()
            MIGRATIONS.apply(self.db)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def atomic(self) -> Iterator[None]:
        """One transaction that takes the write lock at once (BEGIN IMMEDIATE): a read-then-write
        block then waits its turn (busy timeout) instead of failing with "database is locked"."""
        if self.db.conn.in_transaction:
            with self.db.atomic():  # nested: a savepoint
                yield
            return
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if self.db.conn.in_transaction:
                self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def _rows(self, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
        return list(self.db.query(sql, list(params)))

    # ------------------------------------------------------------ catalog

    def record_catalog(self, catalog: Catalog) -> None:
        """Keep this catalog version and the units and columns it configures."""
        at = clock.stamp()
        with self.atomic():
            self.db["catalog_versions"].insert(
                {"digest": catalog.digest, "path": str(catalog.path), "loaded_at": at, "body": catalog.text},
                ignore=True,
            )
            for unit in catalog.units:
                self.db["units"].upsert(
                    {"slug": unit.slug, "name": unit.name, "site": unit.site, "catalog_digest": catalog.digest, "updated_at": at},
                    pk="slug",
                )
                for col in unit.columns:
                    self.db["columns"].upsert(
                        {
                            "unit": unit.slug, "id": col.id, "name": col.name, "url": col.url, "type": col.type,
                            "focus": int(col.focus), "rule_name": col.rule_name, "rule_words": col.rule.words(),
                            "rule_kind": col.rule.kind, "catalog_digest": catalog.digest, "updated_at": at,
                        },
                        pk=("unit", "id"),
                    )

    # ------------------------------------------------------------ sweeps

    def begin_sweep(self, as_of: date, kind: str, catalog_digest: str, units_total: int) -> int:
        with self.atomic():
            self._abort_stale()
            table = self.db["sweeps"].insert(
                {
                    "kind": kind, "as_of": as_of.isoformat(), "started_at": clock.stamp(), "status": "running",
                    "catalog_digest": catalog_digest, "units_total": units_total, "pid": os.getpid(),
                }
            )
        return int(table.last_pk)

    def _abort_stale(self) -> None:
        """A sweep still 'running' whose process is gone was killed: mark it so."""
        for row in self._rows("select id, pid from sweeps where status = 'running'"):
            if row["pid"] != os.getpid() and not _alive(row["pid"]):
                self.db["sweeps"].update(row["id"], {"status": "aborted", "finished_at": clock.stamp()})

    def finish_sweep(self, sweep_id: int, status: str, **summary: Any) -> None:
        self.db["sweeps"].update(sweep_id, {"status": status, "finished_at": clock.stamp(), **summary})

    def sweep(self, sweep_id: int) -> dict[str, Any]:
        return self.db["sweeps"].get(sweep_id)

    # ------------------------------------------------------------ what a crawl saw

    def add_fetch(self, record: dict[str, Any]) -> None:
        self.db["fetches"].insert(record)

    def add_check(self, record: dict[str, Any]) -> None:
        """The outcome of reading one column in one sweep (one row per sweep and column)."""
        with self.atomic():
            self.db["checks"].upsert(record, pk=("sweep_id", "unit", "column_id"))
            if record["outcome"] == "ok" and record.get("oldest_date"):
                self._mark_unlisted(record["unit"], record["column_id"], record["day"], record["oldest_date"])

    def _mark_unlisted(self, unit: str, column_id: str, day: str, oldest: str) -> None:
        """After a full successful check: items it did not list although their (listed) date is newer than the
        oldest date it read are no longer listed; each is kept as a change. An item as old as that may sit on
        the next page, which was not read: absence is no evidence there."""
        gone = self._rows(
            "select id, url from items where unit = ? and column_id = ? and last_seen < ? and published > ?"
            " and coalesce(still_listed, 1) = 1 and published_source != 'article'",
            [unit, column_id, day, oldest],
        )
        for row in gone:
            self.db["items"].update(row["id"], {"still_listed": 0})
        self.db["item_changes"].insert_all(
            [{"unit": unit, "column_id": column_id, "url": r["url"], "day": day, "field": "listed", "old": "1",
              "new": "0"} for r in gone])

    def save_items(self, unit: str, column_id: str, day: date, sweep_id: int, items: list[dict[str, Any]]) -> None:
        """Upsert the items one list page showed: new ones get first_seen, known ones last_seen."""
        at = clock.stamp()
        with self.atomic():
            for item in items:
                existing = self._rows(
                    "select id, title, published, published_source, last_seen, still_listed from items"
                    " where unit = ? and column_id = ? and url = ?",
                    [unit, column_id, item["url"]],
                )
                if existing:
                    row = existing[0]
                    self._note_changes(unit, column_id, day, row, item)
                    update = {"last_seen": max(day.isoformat(), row["last_seen"]), "still_listed": 1,
                              "title": item["title"]}
                    if item.get("published") and (row["published"] is None or row["published_source"] == "url"):
                        update.update(published=item["published"], published_source=item["published_source"])
                    self.db["items"].update(row["id"], update)
                else:
                    self.db["items"].insert(
                        {
                            "unit": unit, "column_id": column_id, "url": item["url"], "title": item["title"],
                            "published": item.get("published"), "published_source": item.get("published_source", ""),
                            "written": None, "written_source": "", "date_evidence": None,
                            "first_seen": day.isoformat(), "first_seen_at": at, "first_sweep_id": sweep_id,
                            "last_seen": day.isoformat(), "still_listed": 1,
                        }
                    )

    def _note_changes(self, unit: str, column_id: str, day: date, row: dict[str, Any], item: dict[str, Any]) -> None:
        """A known item listed again: keep its coming back to the list, and each change of its listed published
        date or title. The stored published date stays the first one claimed (what the judge counts); a date
        guessed from the URL, or read from the item's own page, is not a listed date to compare."""
        changes = []
        if row["still_listed"] == 0:
            changes.append(("listed", "0", "1"))
        new = item.get("published")
        if new and row["published"] and row["published_source"] not in ("url", "article") \
                and item.get("published_source") != "url":
            last = self._rows(
                "select new from item_changes where unit = ? and column_id = ? and url = ? and field = 'published'"
                " order by id desc limit 1", [unit, column_id, item["url"]])
            listed = last[0]["new"] if last else row["published"]
            if new != listed:
                changes.append(("published", listed, new))
        if " ".join((item["title"] or "").split()) != " ".join((row["title"] or "").split()):
            changes.append(("title", row["title"], item["title"]))
        self.db["item_changes"].insert_all(
            [{"unit": unit, "column_id": column_id, "url": item["url"], "day": day.isoformat(), "field": f,
              "old": old, "new": new} for f, old, new in changes])

    def save_article_dates(self, unit: str, column_id: str, url: str, published: str | None, written: str | None,
                           candidates: list[list[str]], conflict: bool, body_chars: int | None = None,
                           body_sha256: str | None = None, body_attachments: int | None = None) -> None:
        """Dates read from an item's own page, and what its body held (``monitor.extract.read_body``). The
        list's published date stays when it had one; a date guessed from the URL gives way to the page's own."""
        rows = self._rows("select id, published, published_source from items where unit = ? and column_id = ? and url = ?",
                          [unit, column_id, url])
        if not rows:
            return
        update: dict[str, Any] = {
            "written": written, "written_source": "article" if written else "",
            "date_evidence": json.dumps({"candidates": candidates, "conflict": conflict}, ensure_ascii=False),
            "body_chars": body_chars, "body_sha256": body_sha256, "body_attachments": body_attachments,
        }
        if published and (rows[0]["published"] is None or rows[0]["published_source"] == "url"):
            update.update(published=published, published_source="article")
        self.db["items"].update(rows[0]["id"], update)

    def known_items(self, unit: str) -> dict[tuple[str, str], bool]:
        """(column, url) of every item seen in the unit → whether its article was read already."""
        return {
            (r["column_id"], r["url"]): r["date_evidence"] is not None
            for r in self._rows("select column_id, url, date_evidence from items where unit = ?", [unit])
        }

    def browser_columns(self, unit: str) -> set[str]:
        """Columns learned to need a browser (their list is filled by JavaScript)."""
        return {r["column_id"] for r in self._rows(
            "select column_id from column_hints where unit = ? and needs_browser = 1", [unit])}

    def learn_browser(self, unit: str, column_id: str, day: date, why: str) -> None:
        self.db["column_hints"].upsert(
            {"unit": unit, "column_id": column_id, "needs_browser": 1, "learned_on": day.isoformat(), "why": why},
            pk=("unit", "column_id"))

    def columns_with_items(self, unit: str) -> set[str]:
        return {r["column_id"] for r in self._rows("select distinct column_id from items where unit = ?", [unit])}

    # ------------------------------------------------------------ history for the judge

    def column_history(self, unit: str, column_id: str, as_of: date) -> ColumnHistory:
        items = tuple(
            ItemFact(r["url"], r["title"], _d(r["published"]), _d(r["written"]), date.fromisoformat(r["first_seen"]),
                     bool(r["article_read"]))
            for r in self._rows(
                "select url, title, published, written, first_seen, date_evidence is not null as article_read"
                " from items where unit = ? and column_id = ? and first_seen <= ? order by id",
                [unit, column_id, as_of.isoformat()],
            )
        )
        ok_days = tuple(
            date.fromisoformat(r["day"])
            for r in self._rows(
                "select distinct day from checks where unit = ? and column_id = ? and outcome = 'ok' and day <= ?"
                " order by day",
                [unit, column_id, as_of.isoformat()],
            )
        )
        last = self._rows(
            "select day, outcome, detail from checks where unit = ? and column_id = ? and day = ?"
            " order by checked_at desc, sweep_id desc limit 1",
            [unit, column_id, as_of.isoformat()],
        )
        check = CheckFact(date.fromisoformat(last[0]["day"]), last[0]["outcome"], last[0]["detail"] or "") if last else None
        depth = {  # how deep each ok day's checks read the list: the oldest date seen
            date.fromisoformat(r["day"]): date.fromisoformat(r["oldest"])
            for r in self._rows(
                "select day, min(oldest_date) as oldest from checks where unit = ? and column_id = ? and outcome = 'ok'"
                " and day <= ? and oldest_date is not null group by day",
                [unit, column_id, as_of.isoformat()],
            )
        }
        return ColumnHistory(items, ok_days, check, depth)

    # ------------------------------------------------------------ verdicts and flips

    def previous_verdict(self, unit: str, column_id: str, before: date) -> dict[str, Any] | None:
        rows = self._rows(
            "select * from verdicts where unit = ? and column_id = ? and day < ? order by day desc limit 1",
            [unit, column_id, before.isoformat()],
        )
        return rows[0] if rows else None

    def verdict_on(self, unit: str, column_id: str, day: date) -> dict[str, Any] | None:
        rows = self._rows("select * from verdicts where unit = ? and column_id = ? and day = ?", [unit, column_id, day.isoformat()])
        return rows[0] if rows else None

    def save_verdict(self, unit: str, column_id: str, day: date, verdict: Verdict, rule_words: str, sweep_id: int | None) -> None:
        """Upsert the day's verdict; a change of state from the last one is kept as a flip."""
        before = self.verdict_on(unit, column_id, day) or self.previous_verdict(unit, column_id, day)
        newest = verdict.newest
        self.db["verdicts"].upsert(
            {
                "unit": unit, "column_id": column_id, "day": day.isoformat(), "state": verdict.state,
                "due": verdict.due.isoformat() if verdict.due else None, "days_late": verdict.days_late,
                "late_since": verdict.late_since.isoformat() if verdict.late_since else None,
                "newest_published": newest.published.isoformat() if newest and newest.published else None,
                "newest_title": newest.title if newest else None, "newest_url": newest.url if newest else None,
                "provisional": int(verdict.provisional), "reason": verdict.reason,
                "evidence": json.dumps(verdict.evidence, ensure_ascii=False, default=str),
                "rule_words": rule_words, "sweep_id": sweep_id, "judged_at": clock.stamp(),
            },
            pk=("unit", "column_id", "day"),
        )
        old_state = before["state"] if before else None
        if old_state != verdict.state:
            self.db["flips"].insert(
                {"unit": unit, "column_id": column_id, "day": day.isoformat(), "old_state": old_state,
                 "new_state": verdict.state, "reason": verdict.reason, "at": clock.stamp()}
            )

    def verdicts(self, day: date, unit: str | None = None) -> list[dict[str, Any]]:
        """The latest verdict on or before `day` of every configured column (of one unit)."""
        sql = (
            "select c.unit, c.id as column_id, c.name as column_name, c.type, c.focus, c.url as column_url,"
            " coalesce(v.rule_words, c.rule_words) as rule_words, u.name as unit_name, v.day, v.state, v.due, v.days_late, v.late_since,"
            " v.newest_published, v.newest_title, v.newest_url, v.provisional, v.reason, v.evidence"
            " from columns c join units u on u.slug = c.unit"
            " left join verdicts v on v.unit = c.unit and v.column_id = c.id and v.day = ("
            "   select max(day) from verdicts where unit = c.unit and column_id = c.id and day <= ?)"
            + (" where c.unit = ?" if unit else "")
            + " order by c.unit, c.rowid"
        )
        return self._rows(sql, [day.isoformat()] + ([unit] if unit else []))

    def verdict_days(self, start: date, end: date) -> list[dict[str, Any]]:
        """Every verdict in [start, end], for weekly rates."""
        return self._rows(
            "select unit, column_id, day, state from verdicts where day between ? and ?",
            [start.isoformat(), end.isoformat()],
        )

    def publication_days(self, start: date, end: date) -> list[dict[str, Any]]:
        """Items by unit, column and published day in [start, end], first seen by `end` (the report's calendars)."""
        return self._rows(
            "select unit, column_id, published as day, count(*) as items from items where published between ? and ?"
            " and first_seen <= ? group by unit, column_id, published",
            [start.isoformat(), end.isoformat(), end.isoformat()],
        )

    def verdict_weeks(self, end: date, weeks: int, fine: Iterable[str], judged: Iterable[str]) -> list[dict[str, Any]]:
        """Per column and week (``ago`` 0 is the seven days ending on `end`, 1 the seven before, ...): the days
        judged (a state in `judged`) and those fine among them. Counted in SQL: a province's quarter of
        verdicts is a million rows (the covering index verdicts_states_by_day serves it)."""
        fine, judged = sorted(fine), sorted(judged)
        marks = lambda values: ", ".join("?" * len(values))  # noqa: E731
        return self._rows(
            "select unit, column_id, cast((julianday(?) - julianday(day)) / 7 as integer) as ago,"
            f" sum(state in ({marks(fine)})) as fine, sum(state in ({marks(judged)})) as judged"
            " from verdicts where day between ? and ? group by unit, column_id, ago",
            [end.isoformat(), *fine, *judged, (end - timedelta(days=7 * weeks - 1)).isoformat(), end.isoformat()],
        )

    # ------------------------------------------------------------ notices

    def active_notice(self, unit: str, column_id: str, kind: str = "lateness") -> dict[str, Any] | None:
        """The column's notice of ``kind`` still in play (draft, issued, overdue, escalated), if any."""
        rows = self._rows(
            "select * from notices where unit = ? and column_id = ? and kind = ?"
            " and state in ('draft', 'issued', 'overdue', 'escalated')", [unit, column_id, kind]
        )
        return rows[0] if rows else None

    def draft_notice(self, record: dict[str, Any], by: str, why: str) -> int:
        at = clock.stamp()
        pk = int(self.db["notices"].insert({**record, "state": "draft", "opened_at": at, "updated_at": at}).last_pk)
        self._audit(pk, record["opened_day"], None, "draft", by, why)
        return pk

    def notice(self, notice_id: int) -> dict[str, Any] | None:
        rows = self._rows(
            "select n.*, u.name as unit_name, c.name as column_name, c.url as column_url from notices n"
            " join units u on u.slug = n.unit join columns c on c.unit = n.unit and c.id = n.column_id where n.id = ?",
            [notice_id],
        )
        return rows[0] if rows else None

    def notice_history(self, notice_id: int) -> list[dict[str, Any]]:
        """The notice's audit trail, oldest first."""
        return self._rows("select * from notice_events where notice_id = ? order by id", [notice_id])

    def move_notice(self, notice_id: int, day: date, new_state: str, by: str, why: str, **fields: Any) -> None:
        old = self.db["notices"].get(notice_id)["state"]
        self.db["notices"].update(notice_id, {"state": new_state, "updated_at": clock.stamp(), **fields})
        self._audit(notice_id, day.isoformat(), old, new_state, by, why)

    def change_notice_deadline(self, notice_id: int, day: date, deadline: date, by: str, why: str,
                               **fields: Any) -> None:
        """Move a notice's rectification deadline (its state stays; the audit row says why)."""
        state = self.db["notices"].get(notice_id)["state"]
        self.db["notices"].update(notice_id, {"deadline": deadline.isoformat(), "updated_at": clock.stamp(), **fields})
        self._audit(notice_id, day.isoformat(), state, state, by, why)

    def _audit(self, notice_id: int, day: str, old: str | None, new: str, by: str, why: str) -> None:
        self.db["notice_events"].insert(
            {"notice_id": notice_id, "day": day, "at": clock.stamp(), "old_state": old, "new_state": new, "by": by, "why": why}
        )

    def notices(self, unit: str | None = None, state: str | None = None, since: date | None = None,
                until: date | None = None) -> list[dict[str, Any]]:
        """Notices newest first; optionally of one unit, in one state, or drafted between two days."""
        where, params = [], []
        for clause, value in (("n.unit = ?", unit), ("n.state = ?", state), ("n.opened_day >= ?", since),
                              ("n.opened_day <= ?", until)):
            if value is not None:
                where.append(clause)
                params.append(value.isoformat() if isinstance(value, date) else value)
        sql = (
            "select n.*, u.name as unit_name, c.name as column_name, c.url as column_url from notices n"
            " join units u on u.slug = n.unit join columns c on c.unit = n.unit and c.id = n.column_id"
            + (" where " + " and ".join(where) if where else "")
            + " order by n.opened_day desc, n.id desc"
        )
        return self._rows(sql, params)

    def notice_events(self, start: date, end: date) -> list[dict[str, Any]]:
        return self._rows(
            "select e.*, n.unit, n.column_id from notice_events e join notices n on n.id = e.notice_id"
            " where e.day between ? and ? order by e.day, e.id",
            [start.isoformat(), end.isoformat()],
        )

    def last_list_fetch(self, unit: str, column_id: str, day: date) -> dict[str, Any] | None:
        """The first page fetch of the column's latest check on `day`: the evidence of what was read."""
        rows = self._rows(
            "select f.url, f.fetched_at, f.status, f.outcome, f.bytes, f.items_found, f.newest_date from fetches f"
            " join sweeps s on s.id = f.sweep_id"
            " where f.unit = ? and f.column_id = ? and s.as_of = ? and f.kind in ('list', 'endpoint') and f.page = 0"
            " order by f.id desc limit 1",
            [unit, column_id, day.isoformat()],
        )
        return rows[0] if rows else None

    # ------------------------------------------------------------ health

    def checks_between(self, start: date, end: date) -> list[dict[str, Any]]:
        return self._rows(
            "select k.*, u.name as unit_name, c.name as column_name, c.url as column_url from checks k"
            " join units u on u.slug = k.unit join columns c on c.unit = k.unit and c.id = k.column_id"
            " where k.day between ? and ? order by k.day, k.unit, k.column_id",
            [start.isoformat(), end.isoformat()],
        )

    def count(self, table: str) -> int:
        return self.db[table].count


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
