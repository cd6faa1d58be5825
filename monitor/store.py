"""The one door to the database (SQLite through sqlite-utils).

``Store(path)`` opens the file, turns on WAL and a busy timeout, and applies the numbered
migrations in ``monitor.schema``. Every read and write of the monitor goes through a method
here (what a crawl writes and reads in monitor/store_crawl.py, the supervision tables' in
monitor/store_supervision.py, the scheduler's in monitor/store_schedule.py, the reports' reads in
monitor/store_report.py, which ``Store`` inherits); nothing else runs SQL. The tables are documented in docs/schema.md.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import sqlite_utils

from monitor import clock
from monitor.locks import waiting_for
from monitor.config import Catalog
from monitor.judge_model import CheckFact, ColumnHistory, ItemFact, Verdict
from monitor.schema import MIGRATIONS
from monitor.store_crawl import CrawlRecords
from monitor.store_report import ReportQueries
from monitor.store_schedule import ScheduleQueries
from monitor.store_supervision import SupervisionQueries


def default_db_path() -> Path:
    return Path(os.environ.get("MONITOR_DB") or "var/monitor.db")


def _d(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


class Store(CrawlRecords, SupervisionQueries, ScheduleQueries, ReportQueries):
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

    # ------------------------------------------------------------ history for the judge

    def column_history(self, unit: str, column_id: str, as_of: date) -> ColumnHistory:
        """What the judge (and the detectors) read of a column on `as_of`: its items, the day's check, and of its
        ok check days those a judgement uses (``ColumnHistory``), with how deep each read the list: read for every
        column every day, not a year of checks each time; from one index, as tuples (no dict per row)."""
        day, conn = as_of.isoformat(), self.db.conn
        rows = conn.execute(
            "select url, title, published, written, first_seen, date_evidence is not null from items"
            " where unit = ? and column_id = ? and first_seen <= ? order by id", [unit, column_id, day]).fetchall()
        items = tuple(ItemFact(url, title, _d(published), _d(written), date.fromisoformat(first_seen), bool(read))
                      for url, title, published, written, first_seen, read in rows)
        sighted = json.dumps(sorted({r[4] for r in rows}))
        ok = conn.execute(  # the ok days wanted, and the oldest date their checks saw (how deep they read)
            "with wanted(day) as ("
            " select (select max(day) from checks where unit = ?1 and column_id = ?2 and outcome = 'ok'"
            " and day < s.value) from json_each(?4) s"
            " union select min(day) from checks where unit = ?1 and column_id = ?2 and outcome = 'ok' and day <= ?3"
            " union select max(day) from checks where unit = ?1 and column_id = ?2 and outcome = 'ok' and day <= ?3)"
            " select k.day, min(k.oldest_date) from wanted w cross join checks k on k.unit = ?1 and k.column_id = ?2"
            " and k.day = w.day and k.outcome = 'ok' group by k.day order by k.day",
            [unit, column_id, day, sighted]).fetchall()
        ok_days = tuple(date.fromisoformat(d) for d, _ in ok)
        depth = {date.fromisoformat(d): date.fromisoformat(oldest) for d, oldest in ok if oldest is not None}
        last = conn.execute(
            "select day, outcome, detail from checks where unit = ? and column_id = ? and day = ?"
            " order by checked_at desc, sweep_id desc limit 1", [unit, column_id, day]).fetchone()
        check = CheckFact(date.fromisoformat(last[0]), last[1], last[2] or "") if last else None
        return ColumnHistory(items, ok_days, check, depth)

    # ------------------------------------------------------------ verdicts and flips

    def previous_verdict(self, unit: str, column_id: str, before: date) -> dict[str, Any] | None:
        rows = self._rows("select * from verdicts where unit = ? and column_id = ? and day < ? order by day desc limit 1",
                          [unit, column_id, before.isoformat()])
        return rows[0] if rows else None

    def verdict_on(self, unit: str, column_id: str, day: date) -> dict[str, Any] | None:
        rows = self._rows("select * from verdicts where unit = ? and column_id = ? and day = ?", [unit, column_id, day.isoformat()])
        return rows[0] if rows else None

    def save_verdict(self, unit: str, column_id: str, day: date, verdict: Verdict, rule_words: str, sweep_id: int | None) -> None:
        """Upsert the day's verdict; a change of state from the last one is kept as a flip (plain SQL: one per
        column and sweep, without sqlite-utils' look at the table each time)."""
        before = self.verdict_on(unit, column_id, day) or self.previous_verdict(unit, column_id, day)
        newest = verdict.newest
        record = {
            "unit": unit, "column_id": column_id, "day": day.isoformat(), "state": verdict.state,
            "due": verdict.due.isoformat() if verdict.due else None, "days_late": verdict.days_late,
            "late_since": verdict.late_since.isoformat() if verdict.late_since else None,
            "newest_published": newest.published.isoformat() if newest and newest.published else None,
            "newest_title": newest.title if newest else None, "newest_url": newest.url if newest else None,
            "provisional": int(verdict.provisional), "reason": verdict.reason,
            "evidence": json.dumps(verdict.evidence, ensure_ascii=False, default=str),
            "rule_words": rule_words, "sweep_id": sweep_id, "judged_at": clock.stamp(),
        }
        keys, old_state = list(record), before["state"] if before else None
        with self.atomic():
            self.db.conn.execute(
                f"insert into verdicts ({', '.join(keys)}) values ({', '.join('?' * len(keys))})"
                f" on conflict (unit, column_id, day) do update set {', '.join(f'{k} = excluded.{k}' for k in keys[3:])}",
                list(record.values()))
            if old_state != verdict.state:
                self.db.conn.execute(
                    "insert into flips (unit, column_id, day, old_state, new_state, reason, at) values (?, ?, ?, ?, ?, ?, ?)",
                    [unit, column_id, day.isoformat(), old_state, verdict.state, verdict.reason, clock.stamp()])

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
