"""Run-once locks beside the database: one scheduler per store, one daily sweep at a time.

A lock is an exclusive ``flock`` on a file next to the database (``monitor.scheduler.lock``,
``monitor.sweep.lock``), held for as long as the process runs the work. The kernel releases it when the
process ends, however it ends, so a crash or a SIGKILL never leaves a stale lock behind. The holder
writes its pid and start time into the file, for the refusal message. (``filelock`` truncates the file
when it tries the lock, which would erase the holder's name; plain ``fcntl`` keeps it.)
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from monitor import clock
from monitor.errors import MonitorError

EXIT_ALREADY_RUNNING = 75  # sysexits EX_TEMPFAIL: try again later; the scheduler records the run as refused
WORDS = {"scheduler": "调度器", "sweep": "全面巡检"}


class AlreadyRunning(MonitorError):
    """Another process holds the lock; the message names it."""


def lock_path(db_path: Path, what: str) -> Path:
    return Path(db_path).with_suffix(f".{what}.lock")


def _open(db_path: Path, what: str) -> tuple[Path, int]:
    path = lock_path(db_path, what)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path, os.open(path, os.O_RDWR | os.O_CREAT, 0o644)


@contextmanager
def hold(db_path: Path, what: str) -> Iterator[Path]:
    """Hold the `what` lock of this database, or raise AlreadyRunning at once."""
    path, fd = _open(db_path, what)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "未知进程"
            raise AlreadyRunning(f"{WORDS.get(what, what)}已在运行（{holder}；锁文件 {path}），本次不启动") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}，{clock.stamp()} 起".encode(), 0)
        try:
            yield path
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextmanager
def waiting_for(db_path: Path, what: str) -> Iterator[None]:
    """Hold the `what` lock, waiting for it (for short work that must not run twice at once: migrations)."""
    _, fd = _open(db_path, what)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def is_held(db_path: Path, what: str) -> bool:
    """Whether some process holds the lock now (tries it and lets go)."""
    try:
        with hold(db_path, what):
            return False
    except AlreadyRunning:
        return True
