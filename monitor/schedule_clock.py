"""The scheduler's clocks: the system's, and a simulated one that runs months of schedule in minutes.

``SystemClock`` is Asia/Shanghai's now, and sleeps for real (a probe round spread over an hour).
``SimClock`` is a discrete-event clock for the demo world and the tests: it stands still while jobs run,
and the simulated scheduler (monitor.scheduler) moves it straight to the next job's time once they have
all finished. A job that would wait (a probe's slot in its spread round) acts as at that moment instead
(monitor.jobs asks ``clock.simulated``).
APScheduler 3 reads ``datetime.now`` itself, in its scheduler loop and its misfire check; ``clocked``
points those two readings at a simulated clock for as long as a simulated scheduler runs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime

from monitor import clock as china


class SystemClock:
    simulated = False

    def __init__(self) -> None:
        self.stopping = threading.Event()  # set when the scheduler stops: a waiting job gives up

    def now(self) -> datetime:
        return china.now()

    def sleep_until(self, when: datetime) -> datetime:
        """Sleep until `when` (or until the scheduler stops); the time it is then."""
        wait = (when - self.now()).total_seconds()
        if wait > 0:
            self.stopping.wait(wait)
        return self.now()


class SimClock:
    simulated = True

    def __init__(self, start: datetime, on_new_day: Callable[[date], None] | None = None) -> None:
        if start.tzinfo is None:
            raise ValueError("a simulated clock starts at an aware time (Asia/Shanghai)")
        self._now = start.astimezone(china.SHANGHAI)
        self._lock = threading.Lock()
        self.on_new_day = on_new_day
        self.stopping = threading.Event()
        if on_new_day:
            on_new_day(self._now.date())

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance_to(self, when: datetime) -> None:
        with self._lock:
            before, self._now = self._now, max(self._now, when.astimezone(china.SHANGHAI))
            after = self._now
        if self.on_new_day and after.date() != before.date():
            self.on_new_day(after.date())


@contextmanager
def clocked(sim: SimClock) -> Iterator[None]:
    """APScheduler's own readings of the time follow `sim` (one simulated scheduler per process at a time)."""
    import apscheduler.executors.base as executors
    import apscheduler.schedulers.base as schedulers

    class ClockedDatetime(datetime):
        @classmethod
        def now(cls, tz=None):  # type: ignore[override]
            current = sim.now()
            return current.astimezone(tz) if tz else current.replace(tzinfo=None)

    saved = schedulers.datetime, executors.datetime
    schedulers.datetime = executors.datetime = ClockedDatetime
    try:
        yield
    finally:
        schedulers.datetime, executors.datetime = saved
