"""The scheduler's side of the store: the log of job runs, and sweeps whose process was stopped.

A part of the one door to the database: ``Store`` (monitor/store.py) inherits these methods; they use
its connection, queries and transactions. Nothing else runs SQL.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from monitor import clock


class ScheduleQueries:
    """Mixed into ``Store``; see the module docstring."""

    def begin_job_run(self, job: str, kind: str, trigger: str, planned_for: datetime | None,
                      started_at: datetime, status: str = "running") -> int:
        with self.atomic():
            table = self.db["job_runs"].insert({
                "job": job, "kind": kind, "trigger": trigger, "status": status,
                "planned_for": planned_for.isoformat(timespec="seconds") if planned_for else None,
                "started_at": started_at.isoformat(timespec="seconds"),
            })
        return int(table.last_pk)

    def job_run_pid(self, run_id: int, pid: int) -> None:
        with self.atomic():
            self.db["job_runs"].update(run_id, {"pid": pid})

    def finish_job_run(self, run_id: int, status: str, finished_at: datetime, figures: dict[str, Any] | None = None,
                       message: str | None = None) -> None:
        with self.atomic():
            self.db["job_runs"].update(run_id, {
                "status": status, "finished_at": finished_at.isoformat(timespec="seconds"),
                "figures": json.dumps(figures, ensure_ascii=False, default=str) if figures else None,
                "message": message,
            })

    def interrupted_runs(self, now: datetime) -> int:
        """Scheduled runs left 'running' by a scheduler that was killed: called by the next scheduler (which
        holds the lock, so none of them still runs) to mark them interrupted."""
        with self.atomic():
            rows = self._rows("select id from job_runs where status = 'running' and trigger = 'schedule'")
            for row in rows:
                self.db["job_runs"].update(row["id"], {"status": "interrupted", "finished_at": now.isoformat(timespec="seconds"),
                                                       "message": "调度器被中断，本次运行未完成"})
        return len(rows)

    def job_runs(self, job: str | None = None, since: date | None = None) -> list[dict[str, Any]]:
        """Job runs, oldest first; of one job, and/or started on or after `since` (Asia/Shanghai)."""
        sql, params = "select * from job_runs where 1 = 1", []
        if job:
            sql, params = sql + " and job = ?", params + [job]
        if since:
            sql, params = sql + " and started_at >= ?", params + [since.isoformat()]
        rows = self._rows(sql + " order by id", params)
        for row in rows:
            row["figures"] = json.loads(row["figures"]) if row["figures"] else {}
        return rows

    def last_job_runs(self) -> dict[str, dict[str, Any]]:
        """The latest run of every job, by job name."""
        rows = self._rows("select * from job_runs r where id = (select max(id) from job_runs where job = r.job)")
        return {r["job"]: r for r in rows}

    def fail_sweeps_of(self, pid: int, status: str) -> list[int]:
        """Sweeps left 'running' by a process the scheduler stopped or saw die: mark them `status`."""
        with self.atomic():
            ids = [r["id"] for r in self._rows("select id from sweeps where status = 'running' and pid = ?", [pid])]
            for sweep_id in ids:
                self.db["sweeps"].update(sweep_id, {"status": status, "finished_at": clock.stamp()})
        return ids

    def job_run(self, run_id: int) -> dict[str, Any]:
        return self.db["job_runs"].get(run_id)

    def last_sweep_id(self) -> int:
        return self._rows("select coalesce(max(id), 0) as id from sweeps")[0]["id"]

    def sweep_of_pid(self, pid: int, after_id: int) -> dict[str, Any] | None:
        """The sweep a (child) process began, among those after sweep `after_id` (pids are reused)."""
        rows = self._rows("select * from sweeps where pid = ? and id > ? order by id desc limit 1", [pid, after_id])
        return rows[0] if rows else None
