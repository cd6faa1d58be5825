"""The scheduler's job files: every ``*.toml`` in ``schedules/``, one ``[jobs.NAME]`` table per job.

A job has a kind (``sweep``, ``report``, ``probe``, ``reminders``, ``spot_check``), a cron expression read in
Asia/Shanghai (five fields, weekdays 0-7 or names as in crontab(5)) and the kind's own settings; see
schedules/README.md. A broken file fails as a whole before the scheduler starts, naming the file, the job
and the field. Pure reading: nothing here schedules anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any, Literal

from apscheduler.triggers.cron import CronTrigger
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from monitor.clock import SHANGHAI
from monitor.errors import CatalogError
from monitor.tomlfile import read_toml

KINDS = ("sweep", "report", "probe", "reminders", "spot_check")
KIND_WORDS = {"sweep": "每日全面巡检", "report": "周报与督办公告栏", "probe": "可用性探测", "reminders": "督办提醒",
              "spot_check": "暗访抽查"}
MIN_PROBES_PER_DAY = 20  # the national availability indicator's least
DEFAULT_LIMITS = {"sweep": "6h", "report": "30m", "spot_check": "30m"}  # child processes' time limits
DEFAULT_GRACE = {"sweep": "6h", "report": "12h", "probe": "10m", "reminders": "6h", "spot_check": "12h"}
_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")


def seconds(text: str | int | float) -> float:
    """A duration: seconds as a number, or '90s', '15m', '4h', '1d' (also combined: '1h30m')."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        if text < 0:
            raise ValueError("a duration cannot be negative")
        return float(text)
    parts = re.fullmatch(r"\s*(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d+)m)?\s*(?:(\d+)s)?\s*", str(text))
    if not parts or not any(parts.groups()):
        raise ValueError(f"not a duration: {text!r} (write e.g. '90s', '15m', '4h', '1h30m')")
    d, h, m, s = (int(g or 0) for g in parts.groups())
    return float(((d * 24 + h) * 60 + m) * 60 + s)


def crontab_weekdays(field_text: str) -> str:
    """crontab(5) weekdays (0 and 7 Sunday, ranges, lists, names) as APScheduler 3 reads them: names.
    APScheduler 3 numbers Monday 0, so numbers are spelled out rather than passed on."""
    if field_text in ("*", "?"):
        return "*"
    out: list[str] = []
    for part in field_text.lower().split(","):
        if "/" in part:
            raise ValueError(f"weekday steps are not supported: {part!r} (list the days)")
        ends = part.split("-")
        if len(ends) > 2 or not all(e.isdigit() or e in _DAYS for e in ends):
            raise ValueError(f"not a weekday: {part!r} (0-7 or sun..sat)")
        nums = [int(e) if e.isdigit() else _DAYS.index(e) for e in ends]
        if any(n > 7 for n in nums):
            raise ValueError(f"not a weekday: {part!r} (0-7 or sun..sat)")
        first, last = nums[0], nums[-1]
        if last < first:
            raise ValueError(f"a weekday range runs backwards: {part!r}")
        out.extend(_DAYS[n] for n in range(first, last + 1))
    return ",".join(dict.fromkeys(out))


def cron_trigger(expr: str, jitter: float = 0) -> CronTrigger:
    """A crontab expression as an APScheduler trigger in Asia/Shanghai."""
    fields = expr.split()
    if len(fields) != 5:
        raise ValueError(f"a cron expression has 5 fields (minute hour day month weekday), got {len(fields)}: {expr!r}")
    minute, hour, day, month, weekday = fields
    if day not in ("*", "?") and weekday not in ("*", "?"):
        # crontab(5) runs when either matches, APScheduler 3 only when both do: refuse rather than differ
        raise ValueError(f"a day of the month and a weekday together are read differently by cron and by this "
                         f"scheduler: {expr!r} (use two jobs)")
    return CronTrigger(minute=minute, hour=hour, day=day, month=month, day_of_week=crontab_weekdays(weekday),
                       timezone=SHANGHAI, jitter=int(jitter) or None)


def fires_on(expr: str, day: datetime) -> list[datetime]:
    """A cron expression's fire times within the (Asia/Shanghai) day that starts at `day`."""
    plain = cron_trigger(expr)
    start, end = day - timedelta(microseconds=1), day + timedelta(days=1)
    times, previous, now = [], None, start
    while True:
        nxt = plain.get_next_fire_time(previous, now)
        if nxt is None or nxt >= end:
            return times
        times.append(nxt)
        previous, now = nxt, nxt + timedelta(seconds=1)


class _Job(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["sweep", "report", "probe", "reminders", "spot_check"]
    cron: str
    enabled: bool = True
    jitter: float = Field(default=0, description="start up to this late, at random (spreads jobs due together)")
    misfire_grace: float | None = None
    time_limit: float | None = None
    # report
    out: str = "var/report"
    # probe
    spread: float = 0
    timeout: float = Field(default=15.0, gt=0, le=15)
    # spot_check
    checks: int = Field(default=2, ge=1, le=48)
    hours: str = "09:00-17:30"
    units: int = Field(default=2, ge=1)
    columns: int = Field(default=3, ge=1)

    @field_validator("jitter", "misfire_grace", "time_limit", "spread", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> Any:
        return None if value is None else seconds(value)

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str) -> str:
        cron_trigger(value)
        return value

    @field_validator("hours")
    @classmethod
    def _hours(cls, value: str) -> str:
        window_of(value)
        return value

    @model_validator(mode="after")
    def _kind_fields(self) -> "_Job":
        given = self.model_fields_set
        own = {"report": {"out"}, "probe": {"spread", "timeout"}, "spot_check": {"checks", "hours", "units", "columns"}}
        for kind, names in own.items():
            if self.kind != kind and given & names:
                raise ValueError(f"{sorted(given & names)[0]!r} is not a setting of a {self.kind} job")
        for name in ("misfire_grace", "time_limit"):
            if getattr(self, name) is not None and getattr(self, name) < 1:
                raise ValueError(f"{name!r} must be at least one second")
        if self.time_limit is not None and self.kind not in DEFAULT_LIMITS:
            raise ValueError(f"'time_limit' is not a setting of a {self.kind} job (it runs inside the scheduler)")
        return self


def window_of(text: str) -> tuple[time, time]:
    m = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*", text)
    if not m:
        raise ValueError(f"not a window of hours: {text!r} (write e.g. '09:00-17:30')")
    h1, m1, h2, m2 = (int(g) for g in m.groups())
    if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2):
        raise ValueError(f"not a window of hours: {text!r}")
    start, end = time(h1, m1), (time(23, 59, 59) if h2 == 24 else time(h2, m2))
    if end <= start:
        raise ValueError(f"the window ends before it starts: {text!r}")
    return start, end


@dataclass(frozen=True)
class JobSpec:
    """One job as the files say it; ``settings`` are the kind's own (picklable: they go into the job store)."""

    name: str
    kind: str
    cron: str
    path: Path
    jitter: float = 0
    misfire_grace: float = 3600
    time_limit: float | None = None
    settings: dict[str, Any] = field(default_factory=dict)

    def trigger(self) -> CronTrigger:
        return cron_trigger(self.cron, self.jitter)

    def words(self) -> str:
        return KIND_WORDS[self.kind]


def load_schedules(folder: Path) -> list[JobSpec]:
    """Every enabled job of every ``*.toml`` file in `folder`, or CatalogError naming file, job and field."""
    folder = Path(folder)
    if not folder.is_dir():
        raise CatalogError(f"{folder}: no such folder of schedule files")
    jobs: dict[str, JobSpec] = {}
    files = sorted(folder.glob("*.toml"))
    if not files:
        raise CatalogError(f"{folder}: no schedule file (*.toml) in it")
    for path in files:
        _, _, raw = read_toml(path, "schedule file")
        unknown = set(raw) - {"jobs"}
        if unknown:
            raise CatalogError(f"{path}: unknown table {sorted(unknown)[0]!r} (jobs go in [jobs.NAME] tables)")
        for name, body in (raw.get("jobs") or {}).items():
            where = f"{path}: job {name!r}"
            if not re.fullmatch(r"[a-z][a-z0-9_-]{0,40}", name):
                raise CatalogError(f"{where}: a job name is lower-case letters, digits, '_' or '-'")
            if name in jobs:
                raise CatalogError(f"{where}: the name is already used in {jobs[name].path}")
            if not isinstance(body, dict):
                raise CatalogError(f"{where}: expected a table [jobs.{name}]")
            try:
                job = _Job.model_validate(body)
            except ValidationError as exc:
                err = exc.errors()[0]
                fld = ".".join(str(p) for p in err["loc"]) or "(job)"
                raise CatalogError(f"{where}, field {fld!r}: {err['msg'].removeprefix('Value error, ')}") from None
            spec = _spec(name, path, job)
            _check_probes(spec, where)
            if job.enabled:
                jobs[name] = spec
    return list(jobs.values())


def _spec(name: str, path: Path, job: _Job) -> JobSpec:
    settings: dict[str, Any] = {}
    if job.kind == "report":
        settings = {"out": job.out}
    elif job.kind == "probe":
        settings = {"spread": job.spread, "timeout": job.timeout}
    elif job.kind == "spot_check":
        settings = {"checks": job.checks, "hours": job.hours, "units": job.units, "columns": job.columns}
    limit = job.time_limit if job.time_limit is not None else (seconds(DEFAULT_LIMITS[job.kind]) if job.kind in DEFAULT_LIMITS else None)
    grace = job.misfire_grace if job.misfire_grace is not None else seconds(DEFAULT_GRACE[job.kind])
    return JobSpec(name, job.kind, job.cron, path, job.jitter, grace, limit, settings)


def _check_probes(spec: JobSpec, where: str) -> None:
    """Probes fire at least 20 times every day, and a round's spread ends before the next round."""
    if spec.kind != "probe":
        return
    day = datetime(2026, 1, 5, tzinfo=SHANGHAI)  # a week of days: a cron may skip some weekdays
    for k in range(7):
        times = fires_on(spec.cron, day + timedelta(days=k))
        if len(times) < MIN_PROBES_PER_DAY:
            raise CatalogError(f"{where}, field 'cron': {len(times)} rounds on some days; the national availability "
                               f"indicator needs at least {MIN_PROBES_PER_DAY} a day")
        gaps = [(b - a).total_seconds() for a, b in zip(times, times[1:])]
        if gaps and spec.settings["spread"] >= min(gaps):
            raise CatalogError(f"{where}, field 'spread': {spec.settings['spread']:g} s is not shorter than the "
                               f"{min(gaps):g} s between two rounds")
