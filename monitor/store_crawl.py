"""The store's part that a crawl writes and reads: fetches, checks, items seen, article dates, learned hints.

The sweep's write path, thousands of rows a minute: plain SQL in batches (``_insert``, ``save_items``), never
sqlite-utils' per-call table introspection. Part of ``monitor.store.Store`` (a mixin: one door to the database).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from monitor import clock


class CrawlRecords:
    def add_fetch(self, record: dict[str, Any]) -> None:
        self._insert("fetches", [record])

    def add_check(self, record: dict[str, Any]) -> None:
        """The outcome of reading one column in one sweep (one row per sweep and column)."""
        with self.atomic():
            self._insert("checks", [record], replace=True)
            if record["outcome"] == "ok" and record.get("oldest_date"):
                self._mark_unlisted(record["unit"], record["column_id"], record["day"], record["oldest_date"])

    def _insert(self, table: str, rows: list[dict[str, Any]], replace: bool = False) -> None:
        """Plain INSERT (or INSERT OR REPLACE on the table's key) of rows that share their keys: the write path
        of a sweep, thousands of rows a minute, without sqlite-utils' per-call table introspection."""
        if not rows:
            return
        if not self.db.conn.in_transaction:  # sqlite3 would open one implicitly and keep the write lock
            with self.atomic():
                return self._insert(table, rows, replace)
        keys = list(rows[0])
        sql = (f"insert {'or replace ' if replace else ''}into [{table}] ({', '.join(f'[{k}]' for k in keys)})"
               f" values ({', '.join('?' * len(keys))})")
        self.db.conn.executemany(sql, [[row[k] for k in keys] for row in rows])

    def _mark_unlisted(self, unit: str, column_id: str, day: str, oldest: str) -> None:
        """After a full successful check: items it did not list although their (listed) date is newer than the
        oldest date it read are no longer listed; each is kept as a change. An item as old as that may sit on
        the next page, which was not read: absence is no evidence there."""
        gone = self._rows(
            "select id, url from items where unit = ? and column_id = ? and last_seen < ? and published > ?"
            " and coalesce(still_listed, 1) = 1 and published_source != 'article'",
            [unit, column_id, day, oldest],
        )
        self.db.conn.executemany("update items set still_listed = 0 where id = ?", [[r["id"]] for r in gone])
        self._insert("item_changes", [{"unit": unit, "column_id": column_id, "url": r["url"], "day": day,
                                       "field": "listed", "old": "1", "new": "0"} for r in gone])

    def save_items(self, unit: str, column_id: str, day: date, sweep_id: int, items: list[dict[str, Any]]) -> None:
        """Upsert the items one list page showed: new ones get first_seen, known ones last_seen. An address
        shown twice on one page (a headline box above the list) counts once: see _merged_showings."""
        at, today = clock.stamp(), day.isoformat()
        shown = _merged_showings(items)
        with self.atomic():
            known: dict[str, dict[str, Any]] = {}
            listed_dates: dict[str, str] = {}
            for chunk in _chunks([item["url"] for item in shown], 400):
                marks = ", ".join("?" * len(chunk))
                for row in self._rows(
                        "select id, url, title, published, published_source, last_seen, still_listed from items"
                        f" where unit = ? and column_id = ? and url in ({marks})", [unit, column_id, *chunk]):
                    known[row["url"]] = row
                for row in self._rows(
                        "select url, new from item_changes where unit = ? and column_id = ? and field = 'published'"
                        f" and url in ({marks}) order by id", [unit, column_id, *chunk]):
                    listed_dates[row["url"]] = row["new"]  # the last change wins
            new_rows, updates, changes = [], [], []
            for item in shown:
                row = known.get(item["url"])
                if row is None:
                    new_rows.append({
                        "unit": unit, "column_id": column_id, "url": item["url"], "title": item["title"],
                        "published": item.get("published"), "published_source": item.get("published_source", ""),
                        "written": None, "written_source": "", "date_evidence": None,
                        "first_seen": today, "first_seen_at": at, "first_sweep_id": sweep_id,
                        "last_seen": today, "still_listed": 1,
                    })
                    continue
                changes += [{"unit": unit, "column_id": column_id, "url": item["url"], "day": today, "field": f,
                             "old": old, "new": new} for f, old, new in _changes(row, item, listed_dates)]
                published, source = row["published"], row["published_source"]
                if item.get("published") and (published is None or source == "url"):
                    published, source = item["published"], item["published_source"]
                updates.append([max(today, row["last_seen"]), item["title"], published, source, row["id"]])
            self.db.conn.executemany("update items set last_seen = ?, still_listed = 1, title = ?, published = ?,"
                                     " published_source = ? where id = ?", updates)
            self._insert("items", new_rows)
            self._insert("item_changes", changes)

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
        """(column, url) of every item seen in the unit → whether its article was read already.

        Left out, so that the next crawl reads its page as that of the new item it was (spiders.unit): an item
        that appeared in a column seen before, first listed by a sweep that did not finish (killed: 'aborted';
        a crawler process lost: 'failed'), whose page was not read. Its list page is written before its
        article page is fetched: a crawl cut off in between would otherwise leave it unread for good."""
        return {
            (r["column_id"], r["url"]): r["date_evidence"] is not None
            for r in self._rows(
                "with firsts as (select column_id, min(first_seen) as day from items where unit = ?1 group by column_id)"
                " select i.column_id, i.url, i.date_evidence from items i join firsts f on f.column_id = i.column_id"
                " where i.unit = ?1 and not (i.date_evidence is null and i.first_seen > f.day and i.first_sweep_id in"
                " (select id from sweeps where status in ('aborted', 'failed')))", [unit])
        }

    def browser_columns(self, unit: str) -> set[str]:
        """Columns learned to need a browser (their list is filled by JavaScript)."""
        return {r["column_id"] for r in self._rows(
            "select column_id from column_hints where unit = ? and needs_browser = 1", [unit])}

    def learn_browser(self, unit: str, column_id: str, day: date, why: str) -> None:
        self.db["column_hints"].upsert(
            {"unit": unit, "column_id": column_id, "needs_browser": 1, "learned_on": day.isoformat(), "why": why},
            pk=("unit", "column_id"))

    def columns_safely_on_time(self, unit: str, as_of: date, margin_days: int) -> set[str]:
        """Columns whose latest verdict up to ``as_of`` is on time with nothing due within ``margin_days`` after
        it: only these may be read from a stored copy the server confirms unchanged (spiders.cache)."""
        rows = self._rows(  # one index seek per column (verdicts' key is unit, column, day): flat as history grows
            "select v.column_id, v.state, v.due from columns c join verdicts v on v.unit = c.unit and v.column_id = c.id"
            " and v.day = (select max(day) from verdicts where unit = c.unit and column_id = c.id and day <= ?)"
            " where c.unit = ?", [as_of.isoformat(), unit])
        horizon = (as_of + timedelta(days=margin_days)).isoformat()
        return {r["column_id"] for r in rows if r["state"] == "on_time" and (r["due"] is None or r["due"] > horizon)}

    def first_page_counts(self, unit: str, since: date) -> dict[str, tuple[str, int]]:
        """(address read, items) of each column's first page at its latest good reading in a sweep as of
        ``since`` or later (to tell a misread page)."""
        return {r["column_id"]: (r["url"], r["items_found"]) for r in self._rows(
            "select column_id, url, items_found from fetches where id in (select max(f.id) from fetches f"
            " join sweeps s on s.id = f.sweep_id where f.unit = ? and s.as_of >= ? and f.page = 0"
            " and f.kind in ('list', 'endpoint') and f.outcome = 'ok' and f.items_found > 0"
            " group by f.column_id)", [unit, since.isoformat()])}

    def columns_with_items(self, unit: str) -> set[str]:
        return {r["column_id"] for r in self._rows("select distinct column_id from items where unit = ?", [unit])}



def _chunks(values: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _merged_showings(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per address, in page order: the first showing's title, and the first date the page lists
    for it beside a showing (a date guessed from the URL only when no showing lists one)."""
    merged: dict[str, dict[str, Any]] = {}
    for item in items:
        first = merged.get(item["url"])
        if first is None:
            merged[item["url"]] = dict(item)
        elif item.get("published") and (not first.get("published") or first.get("published_source") == "url") \
                and item.get("published_source") != "url":
            first.update(published=item["published"], published_source=item.get("published_source", ""))
        elif item.get("published") and not first.get("published"):
            first.update(published=item["published"], published_source=item.get("published_source", ""))
    return list(merged.values())


def _changes(row: dict[str, Any], item: dict[str, Any], listed_dates: dict[str, str]) -> list[tuple[str, Any, Any]]:
    """A known item listed again: its coming back to the list, and each change of its listed published date or
    title. The stored published date stays the first one claimed (what the judge counts); a date guessed from
    the URL, or read from the item's own page, is not a listed date to compare."""
    changes = []
    if row["still_listed"] == 0:
        changes.append(("listed", "0", "1"))
    new = item.get("published")
    if new and row["published"] and row["published_source"] not in ("url", "article") \
            and item.get("published_source") != "url":
        listed = listed_dates.get(item["url"], row["published"])
        if new != listed:
            changes.append(("published", listed, new))
    if " ".join((item["title"] or "").split()) != " ".join((row["title"] or "").split()):
        changes.append(("title", row["title"], item["title"]))
    return changes
