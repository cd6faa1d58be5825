"""The supervision side of the store: availability probes and inspection verdicts, evidence packs,
faked-disclosure signals, and the messages telling units of their notices.

A part of the one door to the database: ``Store`` (monitor/store.py) inherits these methods; they use
its connection (``self.db``), its queries (``self._rows``) and its transactions (``self.atomic``).
Nothing else runs SQL.
"""

from __future__ import annotations

import json
import os
from datetime import date, timedelta
from typing import Any

from monitor import clock
from monitor.signals import Change, IssuedNotice, ItemRecord, Signal


def _d(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


class SupervisionQueries:
    """Mixed into ``Store``; see the module docstring."""

    # ------------------------------------------------------------ national inspection

    def add_probes(self, records: list[dict[str, Any]]) -> None:
        """Availability probes: unit, url, day (Asia/Shanghai), at (with zone), outcome ok|failed|blocked..."""
        with self.atomic():
            self.db["probes"].insert_all(records)

    def probe_days(self, unit: str, start: date, end: date) -> list[dict[str, Any]]:
        """Per day between `start` and `end`: probes, failed and blocked ones."""
        return self._rows(
            "select day, count(*) as total, sum(outcome = 'failed') as failed,"
            " sum(outcome not in ('ok', 'failed')) as blocked"  # blocked, or the monitor's own failure: not counted
            " from probes where unit = ? and day between ? and ? group by day order by day",
            [unit, start.isoformat(), end.isoformat()],
        )

    def save_inspection(self, unit: str, day: date, result: str, words: str, indicators: list[dict[str, Any]],
                        catalog_digest: str) -> None:
        with self.atomic():
            self.db["inspections"].upsert(
                {"unit": unit, "day": day.isoformat(), "result": result, "words": words,
                 "indicators": json.dumps(indicators, ensure_ascii=False, default=str),
                 "catalog_digest": catalog_digest, "computed_at": clock.stamp()},
                pk=("unit", "day"),
            )

    def inspections(self, day: date) -> list[dict[str, Any]]:
        """The latest inspection verdict on or before `day` of every unit."""
        rows = self._rows(
            "select i.* from inspections i where i.day = ("
            " select max(day) from inspections where unit = i.unit and day <= ?) order by i.unit",
            [day.isoformat()],
        )
        for row in rows:
            row["indicators"] = json.loads(row["indicators"] or "[]")
        return rows

    # ---- evidence: what a notice's evidence pack (monitor.evidence) reads and registers

    def notice_for_evidence(self, notice_id: int) -> dict[str, Any] | None:
        """The notice with its unit's and column's configuration as last recorded."""
        rows = self._rows(
            "select n.*, u.name as unit_name, u.site as unit_site, c.name as column_name, c.url as column_url,"
            " c.type as column_type, c.rule_name, c.rule_kind, c.rule_words as column_rule_words from notices n"
            " join units u on u.slug = n.unit join columns c on c.unit = n.unit and c.id = n.column_id where n.id = ?",
            [notice_id],
        )
        return rows[0] if rows else None

    def evidence_fetches(self, unit: str, column_id: str, days: list[date], until: str | None) -> list[dict[str, Any]]:
        """The column's list/endpoint fetches in sweeps judging `days`, made no later than `until` (a timestamp)."""
        marks = ", ".join("?" for _ in days)
        return self._rows(
            "select f.*, s.as_of, s.kind as sweep_kind, s.catalog_digest from fetches f join sweeps s on s.id = f.sweep_id"
            f" where f.unit = ? and f.column_id = ? and f.kind in ('list', 'endpoint') and s.as_of in ({marks})"
            " and (? is null or f.fetched_at <= ?) order by f.id",
            [unit, column_id, *(d.isoformat() for d in days), until, until],
        )

    def archived_article_fetches(self, unit: str, column_id: str, urls: list[str], until: str | None) -> list[dict[str, Any]]:
        """The latest archived fetch of each of these article pages, made no later than `until`."""
        if not urls:
            return []
        marks = ", ".join("?" for _ in urls)
        return self._rows(
            "select f.*, s.as_of, s.kind as sweep_kind, s.catalog_digest from fetches f join sweeps s on s.id = f.sweep_id"
            f" where f.id in (select max(id) from fetches where unit = ? and column_id = ? and kind = 'article'"
            f" and warc_file is not null and url in ({marks}) and (? is null or fetched_at <= ?) group by url)"
            " order by f.id",
            [unit, column_id, *urls, until, until],
        )

    def items_as_of(self, unit: str, column_id: str, day: date) -> list[dict[str, Any]]:
        """Every item the column had shown by `day`, newest published first, with where each date came from."""
        return self._rows(
            "select url, title, published, published_source, written, written_source, date_evidence, first_seen"
            " from items where unit = ? and column_id = ? and first_seen <= ?"
            " order by published is null, published desc, id desc",
            [unit, column_id, day.isoformat()],
        )

    def catalog_version(self, digest: str) -> dict[str, Any] | None:
        rows = self._rows("select digest, path, loaded_at from catalog_versions where digest = ?", [digest])
        return rows[0] if rows else None

    def save_evidence_files(self, notice_id: int, files: list[dict[str, Any]]) -> None:
        """The files of the notice's evidence pack (kind, path relative to the db folder, sha256, bytes),
        replacing those of an earlier build."""
        at = clock.stamp()
        with self.atomic():
            self.db.execute("delete from evidence_files where notice_id = ?", [notice_id])
            self.db["evidence_files"].insert_all({"notice_id": notice_id, "created_at": at, **f} for f in files)

    def evidence_files(self, notice_id: int) -> list[dict[str, Any]]:
        return self._rows("select * from evidence_files where notice_id = ? order by id", [notice_id])

    def notices_without_evidence(self, day: date, back_days: int = 7) -> list[int]:
        """Notices opened on `day`, or in the `back_days` before it, that have no evidence pack yet (a sweep
        killed between writing its notices and their packs leaves them to the next day's sweep)."""
        return [r["id"] for r in self._rows(
            "select id from notices where opened_day between ? and ? and id not in"
            " (select notice_id from evidence_files) order by id",
            [(day - timedelta(days=back_days)).isoformat(), day.isoformat()])]

    def evidence_packs(self) -> dict[int, str]:
        """Notice id → its pack's folder (the manifest's folder, relative to the db folder unless absolute)."""
        return {r["notice_id"]: os.path.dirname(r["path"]) for r in self._rows(
            "select notice_id, path from evidence_files where kind = 'manifest'")}

    # ---- signals: faked and hollow disclosure (monitor.signals finds them, monitor.detect stores them)

    def signal_items(self, unit: str, as_of: date) -> list[ItemRecord]:
        """Every item of the unit first seen by `as_of`, with its changes up to then (oldest first)."""
        changes: dict[tuple[str, str], list[Change]] = {}
        for r in self._rows("select column_id, url, day, field, old, new from item_changes where unit = ? and day <= ?"
                            " order by id", [unit, as_of.isoformat()]):
            changes.setdefault((r["column_id"], r["url"]), []).append(
                Change(date.fromisoformat(r["day"]), r["field"], r["old"], r["new"]))
        return [
            ItemRecord(r["column_id"], r["url"], r["title"] or "", _d(r["published"]), date.fromisoformat(r["first_seen"]),
                       date.fromisoformat(r["last_seen"] or r["first_seen"]), bool(r["article_read"]), r["body_chars"],
                       r["body_sha256"], r["body_attachments"], tuple(changes.get((r["column_id"], r["url"]), ())))
            for r in self._rows(
                "select column_id, url, title, published, first_seen, last_seen, date_evidence is not null as article_read,"
                " body_chars, body_sha256, body_attachments from items where unit = ? and first_seen <= ? order by id",
                [unit, as_of.isoformat()])
        ]

    def issued_notices(self, unit: str, column_id: str, as_of: date) -> list[IssuedNotice]:
        """The column's notices (any kind) issued by `as_of`: published, so the unit knew of them."""
        return [IssuedNotice(r["id"], r["kind"], date.fromisoformat(r["issued_day"])) for r in self._rows(
            "select id, kind, issued_day from notices where unit = ? and column_id = ? and issued_day is not null"
            " and issued_day <= ? order by issued_day", [unit, column_id, as_of.isoformat()])]

    def signalled_keys(self, unit: str, column_id: str, kind: str) -> set[str]:
        """The keys of the items already signalled for this column and kind."""
        keys: set[str] = set()
        for r in self._rows("select items from signals where unit = ? and column_id = ? and kind = ?",
                            [unit, column_id, kind]):
            keys.update(i.get("key", "") for i in json.loads(r["items"] or "[]"))
        return keys

    def save_signal(self, signal: Signal) -> int:
        """Keep a signal; one row per column, day and kind: a second finding that day adds its items."""
        day = signal.day.isoformat()
        rows = self._rows("select id, items from signals where unit = ? and column_id = ? and day = ? and kind = ?",
                          [signal.unit, signal.column, day, signal.kind])
        items = (json.loads(rows[0]["items"] or "[]") if rows else []) + signal.items
        record = {"unit": signal.unit, "column_id": signal.column, "day": day, "kind": signal.kind,
                  "summary": signal.summary, "detail": json.dumps(signal.figures, ensure_ascii=False, default=str),
                  "items": json.dumps(items, ensure_ascii=False, default=str), "found_at": clock.stamp()}
        if rows:
            self.db["signals"].update(rows[0]["id"], record)
            return int(rows[0]["id"])
        return int(self.db["signals"].insert(record).last_pk)

    def link_signal_notice(self, signal_id: int, notice_id: int | None) -> None:
        self.db["signals"].update(signal_id, {"notice_id": notice_id})

    def signals_between(self, start: date, end: date, unit: str | None = None) -> list[dict[str, Any]]:
        """Signals found between two days (of one unit), with names and their draft notice's state."""
        rows = self._rows(
            "select s.*, u.name as unit_name, c.name as column_name, c.url as column_url, n.state as notice_state"
            " from signals s join units u on u.slug = s.unit join columns c on c.unit = s.unit and c.id = s.column_id"
            " left join notices n on n.id = s.notice_id where s.day between ? and ?"
            + (" and s.unit = ?" if unit else "") + " order by s.day, s.unit, s.column_id, s.kind",
            [start.isoformat(), end.isoformat()] + ([unit] if unit else []),
        )
        for row in rows:
            row["detail"] = json.loads(row["detail"] or "{}")
            row["items"] = json.loads(row["items"] or "[]")
        return rows

    # ---- board and deliveries: the public board (reports.board) reads notices() and notice_events();
    # ---- the messages telling units of their notices (monitor.notify) are kept here

    def queue_delivery(self, record: dict[str, Any]) -> int | None:
        """Queue one message; None when the same (notice, event, target) was queued before: each once."""
        keys = ("notice_id", "event", "recipient", "target", "channel", "day", "created_at", "subject", "body")
        cursor = self.db.execute(
            f"insert or ignore into deliveries ({', '.join(keys)}, status, attempts)"
            f" values ({', '.join('?' for _ in keys)}, 'pending', 0)", [record[k] for k in keys])
        return int(cursor.lastrowid) if cursor.rowcount == 1 else None

    def due_deliveries(self, now: str) -> list[dict[str, Any]]:
        """Pending messages whose time has come (never tried, or their retry is due), oldest first."""
        return self._rows(
            "select * from deliveries where status = 'pending' and (next_attempt_at is null or next_attempt_at <= ?)"
            " order by id", [now])

    def claim_delivery(self, delivery_id: int, now: str, until: str) -> bool:
        """Take a due message for one sender until `until` (another process running `notify` skips it)."""
        cursor = self.db.execute(
            "update deliveries set next_attempt_at = ? where id = ? and status = 'pending'"
            " and (next_attempt_at is null or next_attempt_at <= ?)", [until, delivery_id, now])
        return cursor.rowcount == 1

    def record_delivery(self, delivery_id: int, **fields: Any) -> None:
        """An attempt's outcome: status, attempts, last_error, next_attempt_at, last_attempt_at, sent_at."""
        self.db["deliveries"].update(delivery_id, fields)

    def deliveries(self, status: str | None = None, notice_id: int | None = None) -> list[dict[str, Any]]:
        """Messages (of one status, or one notice), with the notice's unit and column, oldest first."""
        where, params = [], []
        for clause, value in (("d.status = ?", status), ("d.notice_id = ?", notice_id)):
            if value is not None:
                where.append(clause)
                params.append(value)
        return self._rows(
            "select d.*, n.unit, n.column_id from deliveries d join notices n on n.id = d.notice_id"
            + (" where " + " and ".join(where) if where else "") + " order by d.id", params)

    def retry_failed_deliveries(self) -> int:
        """Give every message given up on ('failed') a new round of attempts; how many."""
        cursor = self.db.execute(
            "update deliveries set status = 'pending', attempts = 0, next_attempt_at = null where status = 'failed'")
        return cursor.rowcount
