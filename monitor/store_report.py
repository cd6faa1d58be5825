"""The reading side of the store behind the reports: each column's standing (its latest verdict), a week's
verdicts and checks, the 12-week rates, the publication calendars, and the notices with their audit trail (read
by the weekly report and the public board, and listed by the CLI and the notifier).

A part of the one door to the database: ``Store`` (monitor/store.py) inherits these methods; they use its
connection (``self.db``) and its queries (``self._rows``). Nothing else runs SQL. The reads of days (a week of
verdicts and checks, 12 weeks of rates, a year of publications) go through indexes led by the day (migrations
0009 and 0010): a report does not read the whole history to show a week. Notices are read whole.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any


class ReportQueries:
    """Mixed into ``Store``; see the module docstring."""

    # ------------------------------------------------------------ verdicts, checks, publications

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

    def publication_days(self, start: date, end: date) -> list[dict[str, Any]]:
        """Items by unit, column and published day in [start, end], first seen by `end` (the report's calendars)."""
        return self._rows(
            "select unit, column_id, published as day, count(*) as items from items where published between ? and ?"
            " and first_seen <= ? group by unit, column_id, published",
            [start.isoformat(), end.isoformat(), end.isoformat()],
        )

    def checks_between(self, start: date, end: date) -> list[dict[str, Any]]:
        return self._rows(
            "select k.*, u.name as unit_name, c.name as column_name, c.url as column_url from checks k"
            " join units u on u.slug = k.unit join columns c on c.unit = k.unit and c.id = k.column_id"
            " where k.day between ? and ? order by k.day, k.unit, k.column_id",
            [start.isoformat(), end.isoformat()],
        )

    # ------------------------------------------------------------ notices

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

    def notice_events(self, start: date, end: date) -> list[dict[str, Any]]:
        return self._rows(
            "select e.*, n.unit, n.column_id from notice_events e join notices n on n.id = e.notice_id"
            " where e.day between ? and ? order by e.day, e.id",
            [start.isoformat(), end.isoformat()],
        )
